//! The HTTP API (JSON, `/v1`): the provider manages tenants with the admin
//! token; each tenant manages its flows, catalogue, FAQ, customers, orders and
//! calls with its own keys. `GET /v1/openapi.json` documents every route.

mod auth;
mod calls;
mod catalog;
mod customers;
pub mod error;
mod faq;
mod flows;
mod orders;
mod tenants;
pub mod widget;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};

use switchboard_call::app::App;
pub use auth::Principal;
use error::ApiError;

#[derive(Clone)]
pub struct ApiState {
    pub app: Arc<App>,
    /// SHA-256 of the provider's admin token.
    pub admin_token_hash: String,
    /// The SIP endpoint, when this server takes phone calls (outbound calls need it).
    pub sip: Option<Arc<switchboard_sip::Endpoint>>,
    /// The WebRTC endpoint, when this server takes browser calls.
    pub webrtc: Option<Arc<switchboard_webrtc::WebRtcEndpoint>>,
}

/// Largest JSON body accepted (catalogues are the big ones).
const MAX_JSON_BYTES: usize = 1024 * 1024;

pub fn router(state: ApiState) -> Router {
    let flows = Router::new()
        .route("/v1/tenants/{id}/flows", post(flows::upload).get(flows::list))
        .layer(DefaultBodyLimit::max(switchboard_flows::MAX_FLOW_BYTES));
    let widget = Router::new()
        .route("/v1/widget/{key}/calls", post(widget::start_call).options(widget::preflight))
        .route("/v1/widget/{key}/calls/{call_id}", delete(widget::hang_up).options(widget::preflight))
        .layer(DefaultBodyLimit::max(widget::MAX_OFFER_BYTES));
    Router::new()
        .route("/", get(widget::index))
        .route("/demo", get(widget::demo))
        .route("/widget.js", get(widget::script))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/tenants", post(tenants::create).get(tenants::list))
        .route("/v1/tenants/{id}", get(tenants::get).patch(tenants::update))
        .route("/v1/tenants/{id}/keys", post(tenants::create_key).get(tenants::list_keys))
        .route("/v1/tenants/{id}/flows/{version}/activate", post(flows::activate))
        .route("/v1/tenants/{id}/catalog", put(catalog::put).get(catalog::get))
        .route("/v1/tenants/{id}/faq", get(faq::list).post(faq::create))
        .route("/v1/tenants/{id}/faq/{faq_id}", put(faq::update).delete(faq::delete))
        .route("/v1/tenants/{id}/customers", get(customers::list).post(customers::create))
        .route("/v1/tenants/{id}/orders", get(orders::list))
        .route("/v1/tenants/{id}/orders/{order_id}", get(orders::get).patch(orders::update))
        .route("/v1/tenants/{id}/calls", get(calls::list))
        .route("/v1/tenants/{id}/calls/simulate", post(calls::simulate))
        .route("/v1/tenants/{id}/calls/session", get(calls::session))
        .route("/v1/tenants/{id}/calls/outbound", post(calls::outbound))
        .route("/v1/tenants/{id}/calls/{call_id}", get(calls::get))
        .route("/v1/tenants/{id}/calls/{call_id}/recording", get(calls::recording))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .merge(flows)
        .merge(widget)
        .fallback(|| async { ApiError::not_found("route") })
        .with_state(state)
}

async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, switchboard_call::metrics::CONTENT_TYPE)], state.app.metrics.render())
}

async fn openapi() -> impl IntoResponse {
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json"))
}

#[cfg(test)]
mod tests {
    /// Every route of [`super::router`], as OpenAPI paths and methods.
    const ROUTES: &[(&str, &str)] = &[
        ("/", "get"),
        ("/demo", "get"),
        ("/widget.js", "get"),
        ("/v1/widget/{key}/calls", "post"),
        ("/v1/widget/{key}/calls", "options"),
        ("/v1/widget/{key}/calls/{call_id}", "delete"),
        ("/v1/widget/{key}/calls/{call_id}", "options"),
        ("/healthz", "get"),
        ("/metrics", "get"),
        ("/v1/openapi.json", "get"),
        ("/v1/tenants", "post"),
        ("/v1/tenants", "get"),
        ("/v1/tenants/{id}", "get"),
        ("/v1/tenants/{id}", "patch"),
        ("/v1/tenants/{id}/keys", "post"),
        ("/v1/tenants/{id}/keys", "get"),
        ("/v1/tenants/{id}/flows", "post"),
        ("/v1/tenants/{id}/flows", "get"),
        ("/v1/tenants/{id}/flows/{version}/activate", "post"),
        ("/v1/tenants/{id}/catalog", "put"),
        ("/v1/tenants/{id}/catalog", "get"),
        ("/v1/tenants/{id}/faq", "get"),
        ("/v1/tenants/{id}/faq", "post"),
        ("/v1/tenants/{id}/faq/{faq_id}", "put"),
        ("/v1/tenants/{id}/faq/{faq_id}", "delete"),
        ("/v1/tenants/{id}/customers", "get"),
        ("/v1/tenants/{id}/customers", "post"),
        ("/v1/tenants/{id}/orders", "get"),
        ("/v1/tenants/{id}/orders/{order_id}", "get"),
        ("/v1/tenants/{id}/orders/{order_id}", "patch"),
        ("/v1/tenants/{id}/calls", "get"),
        ("/v1/tenants/{id}/calls/simulate", "post"),
        ("/v1/tenants/{id}/calls/session", "get"),
        ("/v1/tenants/{id}/calls/{call_id}", "get"),
        ("/v1/tenants/{id}/calls/outbound", "post"),
        ("/v1/tenants/{id}/calls/{call_id}/recording", "get"),
    ];

    #[test]
    fn openapi_documents_every_route() {
        let doc: serde_json::Value = serde_json::from_str(include_str!("openapi.json")).expect("openapi.json is JSON");
        let version = doc["openapi"].as_str().unwrap_or_default();
        assert!(version.starts_with("3.1"), "openapi version is {version:?}");
        let paths = doc["paths"].as_object().expect("openapi.json has paths");
        for (path, method) in ROUTES {
            assert!(
                paths.get(*path).and_then(|p| p.get(*method)).is_some(),
                "{} {path} is not documented",
                method.to_uppercase()
            );
        }
    }
}
