//! `/v1/tenants/{id}/flows`: upload a component (validated, stored as the next
//! version), list versions, activate one (also how to roll back).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, Body, Json, Query};
use super::openapi::FLOWS;
use super::{ApiState, Principal};
use switchboard_domain::flows::FlowVersion;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Activate the new version straight away.
    #[serde(default)]
    activate: bool,
}

/// A version as stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FlowUploaded {
    version: u32,
    /// SHA-256 of the component, hex.
    sha256: String,
    size_bytes: u64,
    /// Whether it was activated with the upload (`?activate=true`).
    active: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FlowList {
    /// The version new calls run, if any.
    active: Option<u32>,
    versions: Vec<FlowVersion>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FlowActivated {
    active: u32,
}

/// Upload a flow version
///
/// The body is a WebAssembly component against `wit/flow.wit` (at most 20 MiB). It is checked
/// (it must compile and export the handler) and stored as the tenant's next version; the active
/// version does not change unless `?activate=true`.
#[utoipa::path(post, path = "/v1/tenants/{id}/flows", tag = FLOWS,
    params(("id" = String, Path, description = "The tenant's id."), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/wasm", description = "The component's bytes."),
    responses((status = 201, description = "Stored.", body = FlowUploaded),
              (status = 422, description = "Not a valid flow component (`invalid_flow`).", body = super::openapi::ErrorBody)))]
pub async fn upload(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<UploadQuery>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<FlowUploaded>)> {
    let tenant = who.tenant(&s, &id).await?;
    if body.is_empty() {
        return Err(ApiError::bad_request("send the component's bytes as the request body"));
    }
    let meta = s.app.flows.upload(&tenant.id, body.to_vec()).await.inspect_err(|e| {
        tracing::warn!(tenant_id = %tenant.id, error = %e, "flow upload rejected");
    })?;
    super::audit::note(
        &s,
        &who,
        &id,
        "flow.upload",
        &meta.version.to_string(),
        format!("{} bytes, sha256 {}", meta.size_bytes, &meta.sha256[..12.min(meta.sha256.len())]),
    )
    .await;
    if q.activate {
        s.app.flows.activate(&tenant.id, meta.version).await?;
        super::audit::note(&s, &who, &id, "flow.activate", &meta.version.to_string(), "on upload").await;
    }
    let uploaded =
        FlowUploaded { version: meta.version, sha256: meta.sha256, size_bytes: meta.size_bytes, active: q.activate };
    Ok((StatusCode::CREATED, Json(uploaded)))
}

/// List flow versions
#[utoipa::path(get, path = "/v1/tenants/{id}/flows", tag = FLOWS, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "Every version, oldest first, and the active one.", body = FlowList)))]
pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<FlowList>> {
    let tenant = who.tenant(&s, &id).await?;
    let versions = s.app.db.flow_versions(&id).await?;
    Ok(Json(FlowList { active: tenant.active_flow, versions }))
}

/// Activate a flow version
///
/// New calls take it at once; calls in progress keep the version they started with. Activating
/// an older version is how to roll back.
#[utoipa::path(post, path = "/v1/tenants/{id}/flows/{version}/activate", tag = FLOWS,
    params(("id" = String, Path, description = "The tenant's id."), ("version" = u32, Path, description = "The version number.")),
    responses((status = 200, description = "Active.", body = FlowActivated)))]
pub async fn activate(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, version)): Path<(String, String)>,
) -> ApiResult<Json<FlowActivated>> {
    let tenant = who.tenant(&s, &id).await?;
    let version: u32 =
        version.parse().map_err(|_| ApiError::bad_request(format!("`{version}` is not a version number")))?;
    let before = tenant.active_flow.map_or("none".to_string(), |v| format!("v{v}"));
    s.app.flows.activate(&tenant.id, version).await?;
    super::audit::note(&s, &who, &id, "flow.activate", &version.to_string(), format!("was {before}")).await;
    Ok(Json(FlowActivated { active: version }))
}
