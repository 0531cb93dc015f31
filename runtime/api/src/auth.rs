//! Who is calling the API: the provider's admin token, or a tenant's key, given as a
//! bearer token or, from the console, through a signed-in session.
//! A tenant key sees only its own tenant; anything else answers 404, so a key
//! cannot even learn that another tenant exists.
//!
//! Console sessions: signing in with a key (in the request body, never a URL) sets an
//! HttpOnly, SameSite=Strict cookie holding a random session id; the key itself is not
//! kept in the browser. A request that changes anything (any method but GET, HEAD or
//! OPTIONS) must also carry the session's CSRF token in `X-CSRF-Token`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;

use super::ApiState;
use super::error::{ApiError, not_found_as};
use switchboard_domain::api_keys::{KeyKind, hash_key};
use switchboard_domain::tenants::Tenant;

#[derive(Debug, Clone)]
pub enum Principal {
    /// The provider: manages tenants and may act on any of them.
    Admin,
    /// A tenant's API key.
    Tenant(String),
    /// A person of a tenant signed in to the agent desk (a console session only): reaches
    /// `/v1/desk/…` and nothing of the tenant's administration.
    Agent(Box<switchboard_domain::desk::DeskUser>),
}

fn bearer(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
        return Some(token.trim().to_string());
    }
    // Browsers cannot set headers on a WebSocket: accept `?access_token=` there,
    // and only there (a key in a URL ends up in logs).
    let upgrade = parts.headers.get(axum::http::header::UPGRADE)?;
    if !upgrade.as_bytes().eq_ignore_ascii_case(b"websocket") {
        return None;
    }
    let query = parts.uri.query()?;
    query.split('&').find_map(|kv| kv.strip_prefix("access_token=")).map(|t| t.to_string())
}

impl FromRequestParts<ApiState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts) {
            return principal_of_key(state, &token).await;
        }
        let id = session_cookie(parts).ok_or_else(ApiError::unauthorized)?;
        let session = state.sessions.get(&id).ok_or_else(ApiError::unauthorized)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            check_csrf(parts, &session)?;
        }
        Ok(session.principal)
    }
}

/// Who a key (the admin token or a tenant key) stands for.
pub async fn principal_of_key(state: &ApiState, token: &str) -> Result<Principal, ApiError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(ApiError::unauthorized());
    }
    if constant_time_eq(hash_key(token).as_bytes(), state.admin_token_hash.as_bytes()) {
        return Ok(Principal::Admin);
    }
    let key = state.app.db.api_key(token).await?;
    match key {
        Some(k) if k.kind == KeyKind::Tenant => Ok(Principal::Tenant(k.tenant_id)),
        Some(_) => Err(ApiError::forbidden("a widget key can only start browser calls (/v1/widget)")),
        None => Err(ApiError::unauthorized()),
    }
}

/// The console session's cookie.
pub const SESSION_COOKIE: &str = "sb_session";
/// The header carrying the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a console session lasts without being used.
const SESSION_IDLE: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

fn session_cookie(parts: &Parts) -> Option<String> {
    parts.headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|c| c.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('=').map(str::to_string))
    })
}

/// A signed-in console user.
#[derive(Clone)]
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
    last_used: Instant,
}

/// The console's sessions, in memory: a restart signs everyone out. Keyed by the SHA-256 of
/// the session id, so that the map holds nothing a cookie could be made from.
#[derive(Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
    /// Failed password sign-ins, per login.
    pub throttle: SignInThrottle,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    switchboard_domain::ids::random_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Sessions {
    /// Start a session: its id (for the cookie) and the session.
    pub fn start(&self, principal: Principal) -> (String, Session) {
        let id = random_token();
        let session = Session { principal, csrf: random_token(), last_used: Instant::now() };
        let mut map = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, s| s.last_used.elapsed() < SESSION_IDLE);
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map.iter().min_by_key(|(_, s)| s.last_used).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(hash_key(&id), session.clone());
        (id, session)
    }

    /// The live session a cookie names, refreshed.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        let key = hash_key(id);
        let s = map.get_mut(&key)?;
        if s.last_used.elapsed() >= SESSION_IDLE {
            map.remove(&key);
            return None;
        }
        s.last_used = Instant::now();
        Some(s.clone())
    }

    pub fn end(&self, id: &str) {
        self.by_id.lock().unwrap_or_else(|p| p.into_inner()).remove(&hash_key(id));
    }

    /// End every session of a desk user (deleted: signed out at once, wherever they were).
    pub fn end_agent(&self, tenant_id: &str, user_id: &str) -> usize {
        let mut map = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        let before = map.len();
        map.retain(|_, s| !matches!(&s.principal, Principal::Agent(u) if u.tenant_id == tenant_id && u.id == user_id));
        before - map.len()
    }

    /// The session id of a request's cookie, if it names a live session.
    pub fn of_request(&self, parts: &Parts) -> Option<(String, Session)> {
        let id = session_cookie(parts)?;
        self.get(&id).map(|s| (id, s))
    }
}

/// Failed password sign-ins per login: after [`SIGN_IN_FAILURES`] within [`SIGN_IN_WINDOW`],
/// that login is refused (429) until the window has passed, so a password cannot be guessed
/// at the rate the server can check them. A success clears the count.
#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Failed sign-ins allowed per login and window.
pub const SIGN_IN_FAILURES: u32 = 5;
pub const SIGN_IN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Logins tracked at most (the oldest windows go first).
const THROTTLE_ENTRIES: usize = 100_000;

impl SignInThrottle {
    fn key(login: &str) -> String {
        login.trim().to_lowercase()
    }

    /// `Err(seconds)`: the login is locked for that much longer.
    pub fn check(&self, login: &str) -> Result<(), u64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(&Self::key(login)) {
            Some((n, since)) if *n >= SIGN_IN_FAILURES && since.elapsed() < SIGN_IN_WINDOW => {
                Err((SIGN_IN_WINDOW - since.elapsed()).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    pub fn failed(&self, login: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= THROTTLE_ENTRIES {
            map.retain(|_, (_, since)| since.elapsed() < SIGN_IN_WINDOW);
        }
        let entry = map.entry(Self::key(login)).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= SIGN_IN_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub fn succeeded(&self, login: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(&Self::key(login));
    }
}

/// A request that changes something through a session must carry the session's CSRF token.
pub fn check_csrf(parts: &Parts, session: &Session) -> Result<(), ApiError> {
    let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::forbidden("missing or wrong CSRF token (header X-CSRF-Token)"))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Principal {
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self {
            Principal::Admin => Ok(()),
            _ => Err(ApiError::forbidden("this needs the provider's admin token")),
        }
    }

    /// The desk user this principal is (the desk's routes).
    pub fn agent(&self) -> Result<&switchboard_domain::desk::DeskUser, ApiError> {
        match self {
            Principal::Agent(u) => Ok(u),
            _ => Err(ApiError::forbidden("this is the agent desk's: sign in as a desk user")),
        }
    }

    /// The tenant at `/v1/tenants/{id}`, if this principal may act on it.
    pub async fn tenant(&self, state: &ApiState, id: &str) -> Result<Tenant, ApiError> {
        match self {
            Principal::Tenant(own) if own != id => return Err(ApiError::not_found("tenant")),
            Principal::Agent(_) => {
                return Err(ApiError::forbidden("desk users reach the agent desk only (/v1/desk)"));
            }
            _ => {}
        }
        let id = id.to_string();
        state.app.db.tenant(&id).await.map_err(not_found_as("tenant"))
    }
}
