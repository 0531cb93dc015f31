//! `/v1/tenants`: the provider creates and lists tenants; a tenant reads and
//! changes its own settings (language, agents, flow limits) and keys.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{ApiResult, Json};
use super::{ApiState, Principal};
use switchboard_domain::api_keys::KeyKind;
use switchboard_domain::tenants::{Agent, FlowLimits, SpeechSettings, TelephonyPatch, Tenant, TenantPatch};

/// A tenant as the API shows it: the SIP digest hash stays in storage.
fn view(t: &Tenant) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or_default();
    if let Some(auth) = v.pointer_mut("/telephony/auth").and_then(Value::as_object_mut) {
        auth.remove("ha1");
    }
    v
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    name: String,
    #[serde(default)]
    numbers: Vec<String>,
    language: Option<String>,
    utc_offset_minutes: Option<i32>,
    limits: Option<FlowLimits>,
    agents: Option<Vec<Agent>>,
    speech: Option<SpeechSettings>,
    telephony: Option<TelephonyPatch>,
}

pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Json(body): Json<CreateTenant>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    who.require_admin()?;
    let patch = TenantPatch {
        name: None,
        numbers: Some(body.numbers),
        language: body.language,
        utc_offset_minutes: body.utc_offset_minutes,
        limits: body.limits,
        agents: body.agents,
        speech: body.speech,
        telephony: body.telephony,
    };
    let tenant = s.app.db.create_tenant(&body.name, patch).await?;
    let (key, _) = s.app.db.create_api_key(&tenant.id, KeyKind::Tenant).await?;
    tracing::info!(tenant_id = %tenant.id, name = %tenant.name, "tenant created");
    Ok((StatusCode::CREATED, Json(json!({ "id": tenant.id, "api_key": key, "tenant": view(&tenant) }))))
}

pub async fn list(State(s): State<ApiState>, who: Principal) -> ApiResult<Json<Value>> {
    let tenants = s.app.db.tenants().await?;
    let visible: Vec<_> = match &who {
        Principal::Admin => tenants,
        Principal::Tenant(own) => tenants.into_iter().filter(|t| &t.id == own).collect(),
    };
    Ok(Json(json!({ "tenants": visible.iter().map(view).collect::<Vec<_>>() })))
}

pub async fn get(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(view(&who.tenant(&s, &id).await?)))
}

pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(patch): Json<TenantPatch>,
) -> ApiResult<Json<Value>> {
    who.tenant(&s, &id).await?;
    if patch.numbers.is_some() {
        // Numbers route the phone network to a tenant: the provider assigns them.
        who.require_admin()?;
    }
    let t = s.app.db.update_tenant(&id, patch).await?;
    Ok(Json(view(&t)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    /// `tenant` (default: full access to the tenant) or `widget` (public: starts browser calls only).
    #[serde(default)]
    kind: Option<KeyKind>,
}

pub async fn create_key(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    who.tenant(&s, &id).await?;
    let body: CreateKey = if body.iter().all(u8::is_ascii_whitespace) {
        CreateKey::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| super::error::ApiError::bad_request(format!("key request: {e}")))?
    };
    let kind = body.kind.unwrap_or(KeyKind::Tenant);
    let (key, record) = s.app.db.create_api_key(&id, kind).await?;
    Ok((StatusCode::CREATED, Json(json!({ "api_key": key, "key": record }))))
}

pub async fn list_keys(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    who.tenant(&s, &id).await?;
    let keys = s.app.db.api_keys(&id).await?;
    Ok(Json(json!({ "keys": keys })))
}
