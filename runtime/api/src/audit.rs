//! The audit log: every change made through the API or the console is noted after it is
//! stored (`GET /v1/tenants/{id}/audit` reads it). A note that cannot be written is logged as
//! a warning; the change it describes stands.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::error::{ApiResult, Json, Query};
use super::openapi::TENANTS;
use super::{ApiState, Principal};
use switchboard_domain::audit::AuditEntry;

/// Note a change to `tenant`'s data, made by `who`.
pub async fn note(s: &ApiState, who: &Principal, tenant: &str, action: &str, target: &str, detail: impl Into<String>) {
    let actor = match who {
        Principal::Admin => "provider",
        Principal::Tenant(_) => "tenant",
        Principal::Agent(_) => "agent",
    };
    let entry = AuditEntry::new(actor, action, target, detail);
    if let Err(e) = s.app.db.record_change(tenant, &entry).await {
        tracing::warn!(tenant_id = %tenant, action, error = %e, "the audit log could not note a change");
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most this many (1 to 1000; 200 when left out).
    limit: Option<usize>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditLog {
    changes: Vec<AuditEntry>,
}

/// Read the audit log
///
/// Who changed which setting, flow, catalogue, FAQ entry, customer, order or test case, and when;
/// newest first.
#[utoipa::path(get, path = "/v1/tenants/{id}/audit", tag = TENANTS, params(("id" = String, Path, description = "The tenant's id."), AuditQuery),
    responses((status = 200, description = "The changes.", body = AuditLog)))]
pub async fn log(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditLog>> {
    who.tenant(&s, &id).await?;
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(AuditLog { changes: s.app.db.changes(&id, limit).await? }))
}
