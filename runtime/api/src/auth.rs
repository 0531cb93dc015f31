//! Who is calling the API: the provider's admin token, or a tenant's key.
//! A tenant key sees only its own tenant; anything else answers 404, so a key
//! cannot even learn that another tenant exists.

use axum::extract::FromRequestParts;
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
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        if token.len() > 200 {
            return Err(ApiError::unauthorized());
        }
        if constant_time_eq(hash_key(&token).as_bytes(), state.admin_token_hash.as_bytes()) {
            return Ok(Principal::Admin);
        }
        let key = state.app.db.api_key(&token).await?;
        match key {
            Some(k) if k.kind == KeyKind::Tenant => Ok(Principal::Tenant(k.tenant_id)),
            Some(_) => Err(ApiError::forbidden("a widget key can only start browser calls (/v1/widget)")),
            None => Err(ApiError::unauthorized()),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Principal {
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self {
            Principal::Admin => Ok(()),
            Principal::Tenant(_) => Err(ApiError::forbidden("this needs the provider's admin token")),
        }
    }

    /// The tenant at `/v1/tenants/{id}`, if this principal may act on it.
    pub async fn tenant(&self, state: &ApiState, id: &str) -> Result<Tenant, ApiError> {
        if let Principal::Tenant(own) = self
            && own != id
        {
            return Err(ApiError::not_found("tenant"));
        }
        let id = id.to_string();
        state.app.db.tenant(&id).await.map_err(not_found_as("tenant"))
    }
}
