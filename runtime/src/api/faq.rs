//! `/v1/tenants/{id}/faq`: FAQ entries the flow's `knowledge.search` answers from.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::{ApiResult, Json};
use super::{ApiState, Principal};
use crate::storage::faq::{FaqEntry, FaqInput};

pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    who.tenant(&s, &id).await?;
    let entries = s.app.db.run(move |db| db.faq_entries(&id)).await?;
    Ok(Json(json!({ "entries": entries })))
}

pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<FaqInput>,
) -> ApiResult<(StatusCode, axum::Json<FaqEntry>)> {
    who.tenant(&s, &id).await?;
    Ok((StatusCode::CREATED, axum::Json(s.app.db.run(move |db| db.create_faq(&id, input)).await?)))
}

pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, faq_id)): Path<(String, String)>,
    Json(input): Json<FaqInput>,
) -> ApiResult<axum::Json<FaqEntry>> {
    who.tenant(&s, &id).await?;
    Ok(axum::Json(s.app.db.run(move |db| db.update_faq(&id, &faq_id, input)).await?))
}

pub async fn delete(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, faq_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    who.tenant(&s, &id).await?;
    s.app.db.run(move |db| db.delete_faq(&id, &faq_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
