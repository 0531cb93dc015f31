//! `/v1/tenants`: the provider creates and lists tenants; a tenant reads and
//! changes its own settings (language, agents, flow limits) and keys.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{ApiResult, Json};
use super::openapi::TENANTS;
use super::{ApiState, Principal};
use switchboard_domain::api_keys::{ApiKey, KeyKind};
use switchboard_domain::tenants::{
    Agent, AnalyticsSettings, FlowLimits, SpeechSettings, TelephonyPatch, Tenant, TenantPatch,
};

/// A tenant as the API shows it: the SIP digest hash stays in storage.
fn view(t: &Tenant) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or_default();
    if let Some(auth) = v.pointer_mut("/telephony/auth").and_then(Value::as_object_mut) {
        auth.remove("ha1");
    }
    v
}

/// A new tenant: its name and, optionally, any setting a patch may set.
#[derive(Deserialize, utoipa::ToSchema)]
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
    analytics: Option<AnalyticsSettings>,
    queues: Option<Vec<switchboard_domain::desk::Queue>>,
    after_sales: Option<switchboard_domain::tickets::AfterSalesSettings>,
    outreach: Option<switchboard_domain::tenants::OutreachSettings>,
}

/// The tenant as created, and its first API key (shown once).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TenantCreated {
    id: String,
    /// A tenant key (`sk_…`): full access to this tenant. Only its hash is kept.
    api_key: String,
    #[schema(value_type = Tenant)]
    tenant: Value,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TenantList {
    #[schema(value_type = Vec<Tenant>)]
    tenants: Vec<Value>,
}

/// Create a tenant
///
/// Provider admin token only (a tenant key gets 403). Creates the tenant and a first API key,
/// returned once.
#[utoipa::path(post, path = "/v1/tenants", tag = TENANTS, request_body = CreateTenant,
    responses((status = 201, description = "Created.", body = TenantCreated),
              (status = 409, description = "A number belongs to another tenant.", body = super::openapi::ErrorBody)))]
pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Json(body): Json<CreateTenant>,
) -> ApiResult<(StatusCode, Json<TenantCreated>)> {
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
        analytics: body.analytics,
        queues: body.queues,
        after_sales: body.after_sales,
        outreach: body.outreach,
    };
    let tenant = s.app.db.create_tenant(&body.name, patch).await?;
    let (key, _) = s.app.db.create_api_key(&tenant.id, KeyKind::Tenant).await?;
    tracing::info!(tenant_id = %tenant.id, name = %tenant.name, "tenant created");
    super::audit::note(&s, &who, &tenant.id, "tenant.create", &tenant.id, &tenant.name).await;
    Ok((StatusCode::CREATED, Json(TenantCreated { tenant: view(&tenant), id: tenant.id, api_key: key })))
}

/// List tenants
///
/// The admin token sees every tenant; a tenant key sees its own.
#[utoipa::path(get, path = "/v1/tenants", tag = TENANTS, responses((status = 200, description = "The tenants.", body = TenantList)))]
pub async fn list(State(s): State<ApiState>, who: Principal) -> ApiResult<Json<TenantList>> {
    let tenants = s.app.db.tenants().await?;
    let visible: Vec<_> = match &who {
        Principal::Admin => tenants,
        Principal::Tenant(own) => tenants.into_iter().filter(|t| &t.id == own).collect(),
        Principal::Agent(_) => Vec::new(),
    };
    Ok(Json(TenantList { tenants: visible.iter().map(view).collect() }))
}

/// Read a tenant
///
/// Its settings (the SIP digest hash stays in storage).
#[utoipa::path(get, path = "/v1/tenants/{id}", tag = TENANTS, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "The tenant.", body = Tenant)))]
pub async fn get(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(view(&who.tenant(&s, &id).await?)))
}

/// Change a tenant's settings
///
/// Fields left out keep their value; `null` clears an optional one. Numbers are the provider's
/// to change (admin token only).
#[utoipa::path(patch, path = "/v1/tenants/{id}", tag = TENANTS, params(("id" = String, Path, description = "The tenant's id.")),
    request_body = TenantPatch,
    responses((status = 200, description = "The tenant as changed.", body = Tenant),
              (status = 409, description = "A number belongs to another tenant.", body = super::openapi::ErrorBody)))]
pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(patch): Json<TenantPatch>,
) -> ApiResult<Json<Value>> {
    let before = view(&who.tenant(&s, &id).await?);
    if patch.numbers.is_some() {
        // Numbers route the phone network to a tenant: the provider assigns them.
        who.require_admin()?;
    }
    let t = s.app.db.update_tenant(&id, patch).await?;
    let after = view(&t);
    // What the patch changed, by field, for the audit log.
    let fields = [
        "name",
        "numbers",
        "language",
        "utc_offset_minutes",
        "limits",
        "agents",
        "speech",
        "telephony",
        "analytics",
        "queues",
    ];
    let changed: Vec<&str> = fields.into_iter().filter(|f| before.get(f) != after.get(f)).collect();
    super::audit::note(&s, &who, &id, "tenant.settings", &id, changed.join(", ")).await;
    Ok(Json(after))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    /// `tenant` (default: full access to the tenant) or `widget` (public: starts browser calls only).
    #[serde(default)]
    kind: Option<KeyKind>,
}

/// A new key, shown once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KeyCreated {
    api_key: String,
    key: ApiKey,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct KeyList {
    keys: Vec<ApiKey>,
}

/// Create an API key
///
/// A tenant key (default) or a public widget key. The body may be empty.
#[utoipa::path(post, path = "/v1/tenants/{id}/keys", tag = TENANTS, params(("id" = String, Path, description = "The tenant's id.")),
    request_body(content = Option<CreateKey>, description = "Optional; `{}` or no body makes a tenant key."),
    responses((status = 201, description = "Created.", body = KeyCreated)))]
pub async fn create_key(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<KeyCreated>)> {
    who.tenant(&s, &id).await?;
    let body: CreateKey = super::error::optional_json(&body, "key request")?;
    let kind = body.kind.unwrap_or(KeyKind::Tenant);
    let (key, record) = s.app.db.create_api_key(&id, kind).await?;
    super::audit::note(&s, &who, &id, "key.create", &record.prefix, format!("{kind:?}")).await;
    Ok((StatusCode::CREATED, Json(KeyCreated { api_key: key, key: record })))
}

/// List API keys
///
/// Each key's prefix and kind; secret keys are never shown again, widget keys are public.
#[utoipa::path(get, path = "/v1/tenants/{id}/keys", tag = TENANTS, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "The keys.", body = KeyList)))]
pub async fn list_keys(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<KeyList>> {
    who.tenant(&s, &id).await?;
    let keys = s.app.db.api_keys(&id).await?;
    Ok(Json(KeyList { keys }))
}
