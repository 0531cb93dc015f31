//! The OpenAPI document, generated: each handler's `#[utoipa::path]` and the
//! `ToSchema` of the types it reads and writes, collected by the router (one
//! route list, in [`super::router`]). What is the same for every route (the
//! security schemes and the error responses) is added here once.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};
use utoipa::{Modify, ToSchema};

pub const SERVICE: &str = "service";
pub const TENANTS: &str = "tenants";
pub const FLOWS: &str = "flows";
pub const CATALOG: &str = "catalog";
pub const FAQ: &str = "faq";
pub const CUSTOMERS: &str = "customers";
pub const ORDERS: &str = "orders";
pub const CALLS: &str = "calls";
pub const WIDGET: &str = "widget";
pub const STATS: &str = "stats";
pub const CONSOLE: &str = "console";
pub const CASES: &str = "cases";
pub const DESK: &str = "desk";
pub const TICKETS: &str = "tickets";
pub const CAMPAIGNS: &str = "campaigns";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Switchboard", description = include_str!("openapi-intro.md"), license(name = "Apache-2.0", identifier = "Apache-2.0")),
    tags(
        (name = SERVICE, description = "Health, metrics, the demo page and this document (no authentication)."),
        (name = TENANTS, description = "Tenants, their settings and API keys."),
        (name = FLOWS, description = "Flow versions (WebAssembly components)."),
        (name = CATALOG, description = "The product catalogue."),
        (name = FAQ, description = "FAQ entries the flow answers from."),
        (name = CUSTOMERS, description = "Known callers."),
        (name = ORDERS, description = "Orders placed by calls."),
        (name = CALLS, description = "Call records, simulated calls and interactive sessions."),
        (name = CONSOLE, description = "The operator's console: its pages and its sign-in (an HttpOnly session cookie; requests that change anything carry X-CSRF-Token)."),
        (name = CASES, description = "Past calls saved as test cases, replayed against a flow version before it goes live."),
        (name = STATS, description = "How the bot does: rates, handle time, orders and latency over a period, by bucket."),
        (name = DESK, description = "The agent desk: desk users, queues' callers, and the calls agents take in the browser (a desk user's console session)."),
        (name = TICKETS, description = "After-sales tickets: returns, exchanges, complaints and inquiries, with their service levels, assignees and notes."),
        (name = CAMPAIGNS, description = "Outbound campaigns (follow-ups and surveys), order-update calls, the do-not-call list and survey results."),
        (name = WIDGET, description = "The click-to-call widget: browser calls over WebRTC, with a public widget key."),
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    security(("bearerAuth" = [])),
    modifiers(&Common)
)]
pub struct ApiDoc;

/// Every error the API itself produces has this shape.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// Machine-readable: `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `invalid`, `invalid_flow`, `payload_too_large`, `unsupported_media_type`,
    /// `too_many_calls`, `telephony_disabled`, `unavailable`, `internal`.
    code: String,
    /// Human-readable explanation.
    message: String,
}

/// The responses every authenticated route may give besides its own, by status.
const COMMON_ERRORS: &[(&str, &str)] = &[
    ("400", "Malformed request: unreadable JSON, an unknown or malformed query parameter, a value out of range."),
    ("401", "No `Authorization: Bearer <key>` header, or the key is unknown."),
    ("403", "The key may not do this (a tenant key on a provider route, a widget key outside /v1/widget)."),
    ("404", "The tenant or the resource does not exist, or belongs to another tenant than the key's."),
    ("500", "A server failure; the log says more."),
    ("503", "Storage did not answer in time; retry."),
];

/// More responses for routes that take a JSON body.
const BODY_ERRORS: &[(&str, &str)] = &[
    ("413", "The body is larger than the route accepts (1 MiB for JSON, 20 MiB for a flow)."),
    ("415", "A JSON body without `Content-Type: application/json`."),
    ("422", "The body does not fit the schema (unknown field, wrong type) or breaks a rule (an unknown product)."),
];

struct Common;

fn error_response(description: &str) -> RefOr<Response> {
    let content = Content::new(Some(RefOr::<utoipa::openapi::schema::Schema>::Ref(Ref::from_schema_name("ErrorBody"))));
    RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build())
}

fn add_errors(op: &mut Operation, errors: &[(&str, &str)]) {
    for (status, description) in errors {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(description));
    }
}

impl Modify for Common {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The provider admin token ($SWITCHBOARD_ADMIN_TOKEN or <data-dir>/admin_token) or a \
                         tenant API key. Tenant keys see only their own tenant (404 for others').",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "accessToken",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "access_token",
                "The same key as a query parameter, for WebSocket clients that cannot set headers. Only looked \
                 at when there is no Authorization header.",
            ))),
        );
    }
}

/// Finish the collected document (routes are collected after the `ApiDoc` modifiers run):
/// operation ids unique across resources (`tenants_update`, `faq_update`: the handler's name
/// under its tag), and the common error responses on every authenticated operation.
pub fn finish(mut openapi: OpenApi) -> OpenApi {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let public = !path.starts_with("/v1/") || path == "/v1/openapi.json";
        for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.options]
            .into_iter()
            .flatten()
        {
            if let (Some(tag), Some(id)) = (op.tags.as_ref().and_then(|t| t.first()), op.operation_id.as_ref()) {
                op.operation_id = Some(format!("{tag}_{id}"));
            }
            if public {
                continue;
            }
            add_errors(op, COMMON_ERRORS);
            if op.request_body.is_some() {
                add_errors(op, BODY_ERRORS);
            }
        }
    }
    openapi
}
