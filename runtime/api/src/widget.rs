//! The click-to-call widget's side of the API. A tenant's page includes
//! `/widget.js` with the tenant's public widget key; the widget posts its
//! WebRTC offer here (WHIP-style: `application/sdp` in, the answer out, the
//! call's URL in `Location`) and DELETEs that URL to hang up.
//!
//! A widget key can do nothing else. Calls are accepted only from pages whose
//! origin the tenant allows (`telephony.allowed_origins`) or from pages this
//! server serves itself (the demo page), and only up to the tenant's
//! `telephony.max_browser_calls` at once.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::ApiState;
use super::error::{ApiError, Body};
use super::openapi::{SERVICE, WIDGET};
use switchboard_domain::api_keys::KeyKind;
use switchboard_domain::tenants::Tenant;
use switchboard_webrtc::StartError;

/// The widget script and the demo page, from `admin-ui/widget/`.
const WIDGET_JS: &str = include_str!("../../../admin-ui/widget/widget.js");
const DEMO_HTML: &str = include_str!("../../../admin-ui/widget/demo.html");

/// Largest SDP offer accepted.
pub const MAX_OFFER_BYTES: usize = 64 * 1024;

/// The tenant a widget key belongs to (only widget keys: a secret key in a web page is a mistake).
async fn tenant_of(s: &ApiState, key: &str) -> Result<Tenant, ApiError> {
    let unknown = || ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "unknown widget key");
    if key.len() > 200 || !key.starts_with("wk_") {
        return Err(unknown());
    }
    let key = key.to_string();
    let record = s.app.db.api_key(&key).await?.ok_or_else(unknown)?;
    if record.kind != KeyKind::Widget {
        return Err(unknown());
    }
    let id = record.tenant_id;
    Ok(s.app.db.tenant(&id).await?)
}

/// The calling page's origin, if this tenant takes calls from it.
fn allowed_origin(headers: &HeaderMap, tenant: &Tenant) -> Result<String, ApiError> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .ok_or_else(|| ApiError::forbidden("browser calls come from a web page: the request has no Origin"))?
        .trim_end_matches('/');
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or_default();
    let same_origin = !host.is_empty() && authority.eq_ignore_ascii_case(host);
    let listed = tenant.telephony.allowed_origins.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if same_origin || listed {
        Ok(origin.to_string())
    } else {
        tracing::info!(tenant_id = %tenant.id, %origin, "browser call from an origin the tenant does not allow");
        Err(ApiError::forbidden(format!(
            "pages at {origin} may not call this tenant; add the origin to telephony.allowed_origins"
        )))
    }
}

fn cors(resp: &mut Response, origin: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Location, X-Switchboard-Call-Id"));
}

/// CORS preflight for starting a call
///
/// Only origins the tenant allows (or this server's own pages) pass.
#[utoipa::path(options, path = "/v1/widget/{key}/calls", tag = WIDGET, params(("key" = String, Path, description = "The tenant's public widget key (`wk_…`).")), security(()),
    responses((status = 204, description = "Allowed: the CORS headers say what.")))]
pub async fn preflight_calls(s: State<ApiState>, params: Path<Vec<(String, String)>>, headers: HeaderMap) -> Response {
    preflight(s, params, headers).await
}

/// CORS preflight for hanging up
#[utoipa::path(options, path = "/v1/widget/{key}/calls/{call_id}", tag = WIDGET,
    params(("key" = String, Path, description = "The tenant's public widget key (`wk_…`)."), ("call_id" = String, Path, description = "The browser call's id.")), security(()),
    responses((status = 204, description = "Allowed: the CORS headers say what.")))]
pub async fn preflight_call(s: State<ApiState>, params: Path<Vec<(String, String)>>, headers: HeaderMap) -> Response {
    preflight(s, params, headers).await
}

/// The CORS preflight of the widget's routes; only allowed origins pass.
async fn preflight(
    State(s): State<ApiState>,
    Path(params): Path<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let key = params.iter().find(|(k, _)| k == "key").map(|(_, v)| v.as_str()).unwrap_or_default();
    let origin = match tenant_of(&s, key).await.and_then(|t| allowed_origin(&headers, &t)) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let mut resp = StatusCode::NO_CONTENT.into_response();
    cors(&mut resp, &origin);
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, DELETE"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    resp
}

/// Start a browser call
///
/// WHIP-style: the browser's SDP offer in, `201` with the SDP answer out, the call's URL in
/// `Location` (DELETE it to hang up) and its id in `X-Switchboard-Call-Id`.
#[utoipa::path(post, path = "/v1/widget/{key}/calls", tag = WIDGET, params(("key" = String, Path, description = "The tenant's public widget key (`wk_…`).")), security(()),
    request_body(content = String, content_type = "application/sdp", description = "The SDP offer."),
    responses((status = 201, description = "The SDP answer.", body = String, content_type = "application/sdp"),
              (status = 429, description = "The tenant's browser calls are at their limit (`too_many_calls`); see Retry-After.", body = super::openapi::ErrorBody)))]
pub async fn start_call(
    State(s): State<ApiState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    Body(offer): Body,
) -> Result<Response, ApiError> {
    let tenant = tenant_of(&s, &key).await?;
    let origin = allowed_origin(&headers, &tenant)?;
    let with_cors = |e: ApiError| {
        let mut resp = e.into_response();
        cors(&mut resp, &origin);
        resp
    };
    let Some(ep) = s.webrtc.clone() else {
        return Ok(with_cors(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "this server does not take browser calls (start it with --webrtc)",
        )));
    };
    let offer = match String::from_utf8(offer.to_vec()) {
        Ok(o) if !o.trim().is_empty() => o,
        _ => return Ok(with_cors(ApiError::bad_request("the body is the SDP offer, as text (application/sdp)"))),
    };
    match ep.start_call(tenant, offer, origin.clone()).await {
        Ok((call_id, answer)) => {
            let location = format!("/v1/widget/{key}/calls/{call_id}");
            let mut resp = (StatusCode::CREATED, answer).into_response();
            cors(&mut resp, &origin);
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/sdp"));
            if let Ok(v) = HeaderValue::from_str(&location) {
                h.insert(header::LOCATION, v);
            }
            if let Ok(v) = HeaderValue::from_str(&call_id) {
                h.insert("x-switchboard-call-id", v);
            }
            Ok(resp)
        }
        Err(e @ StartError::BadOffer(_)) => Ok(with_cors(ApiError::bad_request(e.to_string()))),
        Err(e @ StartError::TooMany(_)) => {
            let mut resp = with_cors(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_calls", e.to_string()));
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            Ok(resp)
        }
        Err(e @ StartError::Draining) => {
            let mut resp = with_cors(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "draining", e.to_string()));
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Ok(resp)
        }
        Err(e @ StartError::Internal(_)) => {
            tracing::error!(error = %e, "browser call failed to start");
            Ok(with_cors(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())))
        }
    }
}

/// Hang up a browser call
#[utoipa::path(delete, path = "/v1/widget/{key}/calls/{call_id}", tag = WIDGET,
    params(("key" = String, Path, description = "The tenant's public widget key (`wk_…`)."), ("call_id" = String, Path, description = "The browser call's id.")), security(()),
    responses((status = 204, description = "Hung up.")))]
pub async fn hang_up(
    State(s): State<ApiState>,
    Path((key, call_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tenant = tenant_of(&s, &key).await?;
    let origin = allowed_origin(&headers, &tenant)?;
    let found = s.webrtc.as_ref().is_some_and(|ep| ep.hang_up(&tenant.id, &call_id));
    let mut resp =
        if found { StatusCode::NO_CONTENT.into_response() } else { ApiError::not_found("call").into_response() };
    cors(&mut resp, &origin);
    Ok(resp)
}

/// The widget script
///
/// What a tenant's page includes, with its widget key, to let visitors call.
#[utoipa::path(get, path = "/widget.js", tag = SERVICE, security(()),
    responses((status = 200, description = "The script.", body = String, content_type = "text/javascript")))]
pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        WIDGET_JS,
    )
}

/// The demo page
///
/// The demo tenant's page with the widget, for trying a browser call.
#[utoipa::path(get, path = "/demo", tag = SERVICE, security(()),
    responses((status = 200, description = "The page.", body = String, content_type = "text/html"),
              (status = 404, description = "This server was started with --no-demo.", body = super::openapi::ErrorBody)))]
pub async fn demo(State(s): State<ApiState>) -> Result<Response, ApiError> {
    let Some(tenant_id) = demo_tenant_id(&s.app.data_dir) else {
        return Err(ApiError::not_found("demo tenant (this server was started with --no-demo)"));
    };
    let id = tenant_id.clone();
    let key = s.app.db.widget_key(&id).await?;
    let page = DEMO_HTML.replace("{{WIDGET_KEY}}", &key);
    let mut resp = Html(page).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The server's root
///
/// People who open the server in a browser land on the demo page.
#[utoipa::path(get, path = "/", tag = SERVICE, security(()),
    responses((status = 307, description = "To `/demo`.")))]
pub async fn index() -> Redirect {
    Redirect::temporary("/demo")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(allowed: &[&str]) -> Tenant {
        let mut t: Tenant = serde_json::from_value(serde_json::json!({
            "id": "ten_1", "name": "Shop", "numbers": [], "language": "en", "utc_offset_minutes": 0,
            "limits": { "event_deadline_ms": 500, "memory_mib": 64 }, "agents": [], "active_flow": null,
            "created_at_ms": 0
        }))
        .expect("a tenant record");
        t.telephony.allowed_origins = allowed.iter().map(|s| s.to_string()).collect();
        t
    }

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        h
    }

    #[test]
    fn pages_switchboard_serves_may_always_call() {
        let t = tenant(&[]);
        assert!(allowed_origin(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"), &t).is_ok());
        assert!(allowed_origin(&headers(Some("https://SB.example.com"), "sb.example.com"), &t).is_ok());
    }

    #[test]
    fn other_origins_only_when_the_tenant_lists_them() {
        let t = tenant(&["https://shop.example.com"]);
        let host = "sb.example.com";
        assert!(allowed_origin(&headers(Some("https://shop.example.com"), host), &t).is_ok());
        assert!(allowed_origin(&headers(Some("https://shop.example.com/"), host), &t).is_ok());
        for refused in ["http://shop.example.com", "https://shop.example.com.evil.net", "https://evil.example", "null"]
        {
            let e = allowed_origin(&headers(Some(refused), host), &t).unwrap_err();
            assert_eq!(e.status, StatusCode::FORBIDDEN, "{refused}");
        }
        // No Origin: not a browser page.
        assert_eq!(allowed_origin(&headers(None, host), &t).unwrap_err().status, StatusCode::FORBIDDEN);
    }
}

/// The demo tenant of this data directory, if `serve` created one (its id, from `demo_tenant.json`).
pub fn demo_tenant_id(data_dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join("demo_tenant.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["tenant_id"].as_str().map(str::to_string)
}
