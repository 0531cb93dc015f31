//! `/v1/tenants/{id}/flows`: upload a component (validated, stored as the next
//! version), list versions, activate one (also how to roll back).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, Body, Json, Query};
use super::{ApiState, Principal};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Activate the new version straight away.
    #[serde(default)]
    activate: bool,
}

pub async fn upload(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<UploadQuery>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let tenant = who.tenant(&s, &id).await?;
    if body.is_empty() {
        return Err(ApiError::bad_request("send the component's bytes as the request body"));
    }
    let meta = s.app.flows.upload(&tenant.id, body.to_vec()).await.inspect_err(|e| {
        tracing::warn!(tenant_id = %tenant.id, error = %e, "flow upload rejected");
    })?;
    if q.activate {
        s.app.flows.activate(&tenant.id, meta.version).await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "version": meta.version, "sha256": meta.sha256, "size_bytes": meta.size_bytes, "active": q.activate,
        })),
    ))
}

pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let tenant = who.tenant(&s, &id).await?;
    let versions = s.app.db.flow_versions(&id).await?;
    Ok(Json(json!({ "active": tenant.active_flow, "versions": versions })))
}

pub async fn activate(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, version)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let tenant = who.tenant(&s, &id).await?;
    let version: u32 =
        version.parse().map_err(|_| ApiError::bad_request(format!("`{version}` is not a version number")))?;
    s.app.flows.activate(&tenant.id, version).await?;
    Ok(Json(json!({ "active": version })))
}
