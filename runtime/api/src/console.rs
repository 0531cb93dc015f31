//! The operator's console: its sign-in (`/v1/console/session`) and its pages (`/console`).
//!
//! The pages are a Preact app in `admin-ui/console/`, built by `scripts/console` (npm,
//! pinned by its lock file) into `$SWITCHBOARD_CACHE/console/dist`, outside git; `serve`
//! serves that directory. The app calls the same API as curl, authenticated by the session
//! cookie this module sets (see [`super::auth`]).

use std::path::{Component, Path as FsPath, PathBuf};

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::ApiState;
use super::auth::{Principal, SESSION_COOKIE, Session, check_csrf, principal_of_key};
use super::error::{ApiError, ApiResult, Json};
use super::openapi::CONSOLE;

/// Where the built console is: `$SWITCHBOARD_CONSOLE`, else `$SWITCHBOARD_CACHE/console/dist`,
/// else `~/.cache/switchboard/console/dist`.
pub fn console_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SWITCHBOARD_CONSOLE") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("SWITCHBOARD_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        home.join(".cache").join("switchboard")
    });
    cache.join("console").join("dist")
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The provider's admin token or a tenant's API key.
    #[serde(default)]
    key: Option<String>,
    /// A desk user's login (with `password`): the agent desk.
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// Who is signed in, and the token that requests changing anything must carry in `X-CSRF-Token`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionView {
    /// `provider` (every tenant), `tenant` (one) or `agent` (the agent desk of one).
    role: &'static str,
    tenant_id: Option<String>,
    /// The desk user, when an agent signed in.
    agent: Option<switchboard_domain::desk::DeskUser>,
    csrf_token: String,
}

fn view(s: &Session) -> SessionView {
    let (role, tenant_id, agent) = match &s.principal {
        Principal::Admin => ("provider", None, None),
        Principal::Tenant(t) => ("tenant", Some(t.clone()), None),
        Principal::Agent(u) => ("agent", Some(u.tenant_id.clone()), Some((**u).clone())),
    };
    SessionView { role, tenant_id, agent, csrf_token: s.csrf.clone() }
}

fn cookie(value: &str, max_age_s: u64) -> HeaderValue {
    // HttpOnly: scripts cannot read it; SameSite=Strict: other sites' pages do not send it.
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}"))
        .expect("a cookie of hex digits is a valid header")
}

/// Sign in to the console
///
/// With the admin token (the provider: every tenant) or a tenant's API key (that tenant only), in
/// the body, never in a URL. Sets an HttpOnly, SameSite=Strict session cookie and returns the
/// CSRF token.
#[utoipa::path(post, path = "/v1/console/session", tag = CONSOLE, request_body = SignIn, security(()),
    responses((status = 201, description = "Signed in; the cookie is set.", body = SessionView),
              (status = 401, description = "Not a key of this server, or not a login and its password.", body = super::openapi::ErrorBody),
              (status = 429, description = "Five failed password sign-ins for this login within 15 minutes: locked until the 15 minutes have passed (`too_many_sign_ins`).", body = super::openapi::ErrorBody)))]
pub async fn sign_in(State(s): State<ApiState>, Json(body): Json<SignIn>) -> ApiResult<Response> {
    let principal = match (&body.key, &body.login, &body.password) {
        (Some(key), None, None) => principal_of_key(&s, key).await?,
        (None, Some(login), Some(password)) => super::desk::sign_in(&s, login, password).await?,
        _ => return Err(ApiError::bad_request("sign in with `key`, or with `login` and `password`")),
    };
    let (id, session) = s.sessions.start(principal.clone());
    match &principal {
        Principal::Admin => tracing::info!("console: the provider signed in"),
        Principal::Tenant(t) => tracing::info!(tenant_id = %t, "console: a tenant user signed in"),
        Principal::Agent(u) => tracing::info!(tenant_id = %u.tenant_id, agent = %u.id, "console: an agent signed in"),
    }
    let mut resp = (StatusCode::CREATED, Json(view(&session))).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie(&id, 12 * 3600));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The console session
///
/// Who the session cookie signs in, and its CSRF token (a page reloaded reads it here).
#[utoipa::path(get, path = "/v1/console/session", tag = CONSOLE, security(()),
    responses((status = 200, description = "Signed in.", body = SessionView),
              (status = 401, description = "No live session.", body = super::openapi::ErrorBody)))]
pub async fn session(State(s): State<ApiState>, parts: Parts) -> ApiResult<Response> {
    let (_, session) = s.sessions.of_request(&parts).ok_or_else(ApiError::unauthorized)?;
    let mut resp = Json(view(&session)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Sign out of the console
///
/// Ends the session (its CSRF token in `X-CSRF-Token`) and clears the cookie.
#[utoipa::path(delete, path = "/v1/console/session", tag = CONSOLE, security(()),
    responses((status = 204, description = "Signed out.")))]
pub async fn sign_out(State(s): State<ApiState>, parts: Parts) -> ApiResult<Response> {
    let (id, session) = s.sessions.of_request(&parts).ok_or_else(ApiError::unauthorized)?;
    check_csrf(&parts, &session)?;
    s.sessions.end(&id);
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie("", 0));
    Ok(resp)
}

/// A file of the built console, or its page for any route inside it.
async fn file(rest: &str) -> Result<Response, ApiError> {
    let dir = console_dir();
    let relative = FsPath::new(rest);
    let safe = relative.components().all(|c| matches!(c, Component::Normal(_)));
    let asset = safe && relative.extension().is_some();
    let path = if asset { dir.join(relative) } else { dir.join("index.html") };
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(_) if !dir.join("index.html").exists() => {
            return Err(ApiError::not_found(
                "console (its pages are not built: run scripts/console, which scripts/setup runs)",
            ));
        }
        Err(_) => return Err(ApiError::not_found("console file")),
    };
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    Ok(resp)
}

/// The console
///
/// The operator's web console (a single-page app); its routes are in the URL's fragment.
#[utoipa::path(get, path = "/console", tag = CONSOLE, security(()),
    responses((status = 200, description = "The console's page.", body = String, content_type = "text/html"),
              (status = 404, description = "The console is not built on this machine.", body = super::openapi::ErrorBody)))]
pub async fn index() -> Result<Response, ApiError> {
    file("index.html").await
}

/// A console asset
///
/// The console's scripts and styles.
#[utoipa::path(get, path = "/console/{*path}", tag = CONSOLE, security(()),
    params(("path" = String, Path, description = "A file of the built console.")),
    responses((status = 200, description = "The file."),
              (status = 404, description = "No such file.", body = super::openapi::ErrorBody)))]
pub async fn asset(Path(path): Path<String>) -> Result<Response, ApiError> {
    file(&path).await
}
