//! `/v1/tenants/{id}/cases`: past calls saved as test cases, and their replay against a
//! flow version before it goes live (which conversations changed, side by side).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, Json, not_found_as};
use super::openapi::CASES;
use super::{ApiState, Principal};
use switchboard_domain::cases::{Case, Conversation};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCase {
    /// The ended call to keep as a case.
    call_id: String,
    /// A name; by default the caller's first words.
    name: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseList {
    cases: Vec<Case>,
}

/// Save a call as a test case
///
/// Its caller inputs, and the conversation as it went (the bot's words each turn, the outcome
/// and tags), which a replay compares with.
#[utoipa::path(post, path = "/v1/tenants/{id}/cases", tag = CASES, params(("id" = String, Path, description = "The tenant's id.")),
    request_body = SaveCase, responses((status = 201, description = "Saved.", body = Case)))]
pub async fn save(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(body): Json<SaveCase>,
) -> ApiResult<(StatusCode, Json<Case>)> {
    who.tenant(&s, &id).await?;
    let record = s.app.db.call(&id, &body.call_id).await.map_err(not_found_as("call"))?;
    let case = Case::from_call(&record, body.name).map_err(switchboard_store::StorageError::from)?;
    s.app.db.save_case(&id, &case).await?;
    super::audit::note(&s, &who, &id, "case.save", &case.id, &case.name).await;
    tracing::info!(tenant_id = %id, case_id = %case.id, call_id = %record.id, "call saved as a test case");
    Ok((StatusCode::CREATED, Json(case)))
}

/// List test cases
#[utoipa::path(get, path = "/v1/tenants/{id}/cases", tag = CASES, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "The cases.", body = CaseList)))]
pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<CaseList>> {
    who.tenant(&s, &id).await?;
    Ok(Json(CaseList { cases: s.app.db.cases(&id).await? }))
}

/// Delete a test case
#[utoipa::path(delete, path = "/v1/tenants/{id}/cases/{case_id}", tag = CASES,
    params(("id" = String, Path, description = "The tenant's id."), ("case_id" = String, Path, description = "The case's id.")),
    responses((status = 204, description = "Deleted.")))]
pub async fn delete(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, case_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    who.tenant(&s, &id).await?;
    if !s.app.db.delete_case(&id, &case_id).await? {
        return Err(ApiError::not_found("case"));
    }
    super::audit::note(&s, &who, &id, "case.delete", &case_id, "").await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// The flow version to replay against; the active one when left out.
    version: Option<u32>,
    /// Only these cases; every case when left out.
    case_ids: Option<Vec<String>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseResult {
    case_id: String,
    name: String,
    /// Whether the conversation went otherwise than the case expects.
    changed: bool,
    expected: Conversation,
    actual: Conversation,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReplayReport {
    version: Option<u32>,
    changed: usize,
    unchanged: usize,
    results: Vec<CaseResult>,
}

/// Replay test cases
///
/// Runs each case's caller inputs again through a flow version (the active one by default), as
/// simulated calls that store nothing: no call record, no order, no tenant state. Reports which
/// conversations changed, with the expected and the actual one side by side.
#[utoipa::path(post, path = "/v1/tenants/{id}/cases/replay", tag = CASES, params(("id" = String, Path, description = "The tenant's id.")),
    request_body(content = Option<Replay>, description = "Optional; `{}` replays every case against the active version."),
    responses((status = 200, description = "The report.", body = ReplayReport)))]
pub async fn replay(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ReplayReport>> {
    let tenant = who.tenant(&s, &id).await?;
    let body: Replay = super::error::optional_json(&body, "replay request")?;
    let version = match body.version {
        Some(v) => Some(s.app.db.flow_version(&id, v).await.map_err(not_found_as("flow version"))?.version),
        None => tenant.active_flow,
    };
    if version.is_none() {
        return Err(ApiError::bad_request("the tenant has no active flow: name a version"));
    }
    let mut results = Vec::new();
    for case in s.app.db.cases(&id).await? {
        if body.case_ids.as_ref().is_some_and(|ids| !ids.contains(&case.id)) {
            continue;
        }
        let actual = switchboard_call::replay::replay(s.app.clone(), tenant.clone(), &case, version).await;
        let changed = !case.expected.same_as(&actual);
        results.push(CaseResult { case_id: case.id, name: case.name, changed, expected: case.expected, actual });
    }
    let changed = results.iter().filter(|r| r.changed).count();
    tracing::info!(tenant_id = %id, ?version, cases = results.len(), changed, "cases replayed");
    Ok(Json(ReplayReport { version, changed, unchanged: results.len() - changed, results }))
}
