//! The HTTP API (JSON, `/v1`): the provider manages tenants with the admin
//! token; each tenant manages its flows, catalogue, FAQ, customers, orders and
//! calls with its own keys. `GET /v1/openapi.json` documents every route.

mod analytics;
mod audit;
mod auth;
mod calls;
mod cases;
mod catalog;
pub mod console;
mod customers;
mod desk;
pub mod error;
mod faq;
mod flows;
mod openapi;
mod orders;
mod outreach;
mod stats;
mod tenants;
mod tickets;
pub mod widget;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::Principal;
use axum::Json;
use error::{ApiError, ApiResult};
use switchboard_call::app::App;

#[derive(Clone)]
pub struct ApiState {
    pub app: Arc<App>,
    /// SHA-256 of the provider's admin token.
    pub admin_token_hash: String,
    /// The SIP endpoint, when this server takes phone calls (outbound calls need it).
    pub sip: Option<Arc<switchboard_sip::Endpoint>>,
    /// The WebRTC endpoint, when this server takes browser calls.
    pub webrtc: Option<Arc<switchboard_webrtc::WebRtcEndpoint>>,
    /// Signed-in console users.
    pub sessions: Arc<auth::Sessions>,
    /// The agent desk, when this server takes voice calls.
    pub desk: Option<Arc<switchboard_call::desk::Desk>>,
    /// Outbound campaigns and order-update calls.
    pub outreach: Arc<switchboard_call::outreach::Outreach>,
}

/// Largest JSON body accepted (catalogues are the big ones).
const MAX_JSON_BYTES: usize = 1024 * 1024;

/// The API's routes and their OpenAPI document, from one list: a handler is
/// routed only through `routes!`, which also collects its `#[utoipa::path]`.
pub fn routes() -> (Router<ApiState>, utoipa::openapi::OpenApi) {
    let flows = OpenApiRouter::new()
        .routes(routes!(flows::upload, flows::list))
        .layer(DefaultBodyLimit::max(switchboard_flows::MAX_FLOW_BYTES));
    let widget = OpenApiRouter::new()
        .routes(routes!(widget::start_call, widget::preflight_calls))
        .routes(routes!(widget::hang_up, widget::preflight_call))
        .layer(DefaultBodyLimit::max(widget::MAX_OFFER_BYTES));
    let (router, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(widget::index))
        .routes(routes!(widget::demo))
        .routes(routes!(widget::script))
        .routes(routes!(healthz))
        .routes(routes!(drain))
        .routes(routes!(node))
        .routes(routes!(metrics))
        .routes(routes!(openapi_json))
        .routes(routes!(tenants::create, tenants::list))
        .routes(routes!(tenants::get, tenants::update))
        .routes(routes!(tenants::create_key, tenants::list_keys))
        .routes(routes!(flows::activate))
        .routes(routes!(catalog::put, catalog::get))
        .routes(routes!(faq::list, faq::create))
        .routes(routes!(faq::update, faq::delete))
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(orders::list))
        .routes(routes!(orders::get, orders::update))
        .routes(routes!(calls::list))
        .routes(routes!(calls::simulate))
        .routes(routes!(calls::session))
        .routes(routes!(calls::events))
        .routes(routes!(calls::outbound))
        .routes(routes!(calls::get))
        .routes(routes!(calls::recording))
        .routes(routes!(console::sign_in, console::session, console::sign_out))
        .routes(routes!(console::index))
        .routes(routes!(console::asset))
        .routes(routes!(cases::save, cases::list))
        .routes(routes!(cases::delete))
        .routes(routes!(cases::replay))
        .routes(routes!(stats::tenant))
        .routes(routes!(audit::log))
        .routes(routes!(analytics::analytics))
        .routes(routes!(stats::provider))
        .routes(routes!(desk::users, desk::create_user))
        .routes(routes!(desk::delete_user))
        .routes(routes!(desk::board))
        .routes(routes!(desk::events))
        .routes(routes!(desk::set_state))
        .routes(routes!(desk::accept))
        .routes(routes!(desk::decline))
        .routes(routes!(desk::hang_up))
        .routes(routes!(desk::hold))
        .routes(routes!(desk::transfer))
        .routes(routes!(desk::directory))
        .routes(routes!(desk::place_order))
        .routes(routes!(desk::catalog))
        .routes(routes!(desk::wrap_up))
        .routes(routes!(desk::tasks))
        .routes(routes!(desk::call_back))
        .routes(routes!(tickets::list, tickets::create))
        .routes(routes!(tickets::get, tickets::update))
        .routes(routes!(outreach::create, outreach::list))
        .routes(routes!(outreach::get))
        .routes(routes!(outreach::pause))
        .routes(routes!(outreach::resume))
        .routes(routes!(outreach::cancel))
        .routes(routes!(outreach::do_not_call, outreach::add_do_not_call))
        .routes(routes!(outreach::remove_do_not_call))
        .routes(routes!(outreach::surveys))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .merge(flows)
        .merge(widget)
        .split_for_parts();
    (router, openapi::finish(doc))
}

pub fn router(state: ApiState) -> Router {
    routes().0.fallback(|| async { ApiError::not_found("route") }).with_state(state)
}

/// The process is up (and takes new calls)
///
/// A draining node answers 503 `draining`, so that an HTTP balancer sends new browser calls
/// elsewhere.
#[utoipa::path(get, path = "/healthz", tag = openapi::SERVICE, security(()),
    responses((status = 200, description = "`ok`", body = String, content_type = "text/plain"),
              (status = 503, description = "`draining`", body = String, content_type = "text/plain")))]
async fn healthz(State(state): State<ApiState>) -> (StatusCode, &'static str) {
    if state.app.drain.is_draining() { (StatusCode::SERVICE_UNAVAILABLE, "draining") } else { (StatusCode::OK, "ok") }
}

/// This node's state, for whoever runs the cluster.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct NodeState {
    /// Whether the node is draining: no new calls, and it exits once these end.
    draining: bool,
    /// Calls in progress on this node (phone, browser and text).
    calls_active: i64,
}

/// Drain this node
///
/// Provider admin token only. The node takes no new calls: SIP answers OPTIONS probes and new
/// INVITEs with 503 (Kamailio's dispatcher then routes to the other nodes), browser calls and
/// campaign calls are refused. The calls in progress go on; when the last one ends the process
/// exits. The same as SIGTERM. Asking again changes nothing.
#[utoipa::path(post, path = "/v1/admin/drain", tag = openapi::SERVICE,
    responses((status = 202, description = "Draining.", body = NodeState)))]
async fn drain(State(state): State<ApiState>, who: auth::Principal) -> ApiResult<(StatusCode, Json<NodeState>)> {
    who.require_admin()?;
    state.app.drain.start();
    Ok((StatusCode::ACCEPTED, Json(node_state(&state))))
}

/// This node's state
///
/// Provider admin token only: whether it drains, and its calls in progress.
#[utoipa::path(get, path = "/v1/admin/node", tag = openapi::SERVICE,
    responses((status = 200, description = "The node.", body = NodeState)))]
async fn node(State(state): State<ApiState>, who: auth::Principal) -> ApiResult<Json<NodeState>> {
    who.require_admin()?;
    Ok(Json(node_state(&state)))
}

fn node_state(state: &ApiState) -> NodeState {
    NodeState { draining: state.app.drain.is_draining(), calls_active: state.app.metrics.calls_active() }
}

/// Prometheus metrics, in the OpenMetrics text format.
///
/// Calls started and ended (by tenant and outcome), calls in progress, flow errors (by tenant and
/// kind), flow event and reply latency, and what ended callers' turns.
#[utoipa::path(get, path = "/metrics", tag = openapi::SERVICE, security(()),
    responses((status = 200, description = "The metrics.", body = String,
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8")))]
async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, switchboard_call::metrics::CONTENT_TYPE)], state.app.metrics.render())
}

/// This document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = openapi::SERVICE, security(()),
    responses((status = 200, description = "The OpenAPI 3.1 description of every route.", body = Object)))]
async fn openapi_json() -> impl IntoResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let doc = DOCUMENT.get_or_init(|| routes().1.to_json().expect("the OpenAPI document serialises"));
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], doc.as_str())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Method, Request};
    use tower::ServiceExt;

    /// The document is generated from the same list as the router: every operation it
    /// describes is routed (no request to it falls through to "route not found"), and
    /// each says what it does and what it answers.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_described_route_is_routed_and_every_route_described() {
        let dir = switchboard_store::redb::TempDir::new();
        let app = switchboard_call::App::open(dir.path()).expect("app");
        let outreach = switchboard_call::outreach::Outreach::new(app.clone());
        let state = super::ApiState {
            app,
            admin_token_hash: String::new(),
            sip: None,
            webrtc: None,
            sessions: Default::default(),
            desk: None,
            outreach,
        };
        let doc = serde_json::to_value(super::routes().1).expect("document");
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
        let paths = doc["paths"].as_object().expect("paths");
        let mut operations = 0;
        let mut ids = std::collections::HashSet::new();
        for (path, item) in paths {
            for (method, op) in item.as_object().expect("path item") {
                let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
                operations += 1;
                let what = format!("{method} {path}");
                assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{what} has no summary");
                assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{what} has no tag");
                let id = op["operationId"].as_str().unwrap_or_default().to_string();
                assert!(ids.insert(id.clone()), "{what}: operationId {id:?} is not unique");
                let answers = op["responses"].as_object().expect("responses");
                assert!(answers.keys().any(|k| !k.starts_with('4') && !k.starts_with('5')), "{what}: no success");
                let uri = path.replace('{', "x").replace('}', "");
                let request = Request::builder().method(m).uri(&uri).body(Body::empty()).unwrap();
                let response = super::router(state.clone()).oneshot(request).await.unwrap();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
                assert!(
                    !String::from_utf8_lossy(&body).contains("route not found"),
                    "{what} is described but not routed"
                );
            }
        }
        assert!(operations >= 37, "{operations} operations described");
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for name in ["Tenant", "TenantPatch", "Catalog", "FaqInput", "Order", "CallRecord", "Turn", "CallerInput"] {
            assert!(schemas.contains_key(name), "schema {name} missing");
        }
    }
}
