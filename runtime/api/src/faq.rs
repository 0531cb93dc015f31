//! `/v1/tenants/{id}/faq`: FAQ entries the flow's `knowledge.search` answers from.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::{ApiResult, Json};
use super::{ApiState, Principal};
use switchboard_domain::faq::{FaqEntry, FaqInput};

pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    who.tenant(&s, &id).await?;
    let entries = s.app.db.faq_entries(&id).await?;
    Ok(Json(json!({ "entries": entries })))
}

pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<FaqInput>,
) -> ApiResult<(StatusCode, axum::Json<FaqEntry>)> {
    who.tenant(&s, &id).await?;
    let entry = s.app.db.create_faq(&id, input).await?;
    reindex(&s, &id).await;
    Ok((StatusCode::CREATED, axum::Json(entry)))
}

pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, faq_id)): Path<(String, String)>,
    Json(input): Json<FaqInput>,
) -> ApiResult<axum::Json<FaqEntry>> {
    who.tenant(&s, &id).await?;
    let entry = s.app.db.update_faq(&id, &faq_id, input).await?;
    reindex(&s, &id).await;
    Ok(axum::Json(entry))
}

pub async fn delete(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, faq_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    who.tenant(&s, &id).await?;
    s.app.db.delete_faq(&id, &faq_id).await?;
    reindex(&s, &id).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Entries an API write embeds before it answers (the new or changed one, and a few
/// the index had not embedded yet), well within the storage deadline.
const EMBEDS_PER_WRITE: usize = 8;

/// The tenant's FAQ changed: its search index re-reads the entries and embeds the
/// new one now, so the next caller's question finds it. A failure here leaves the
/// entry stored; the index catches up at the next search.
async fn reindex(s: &ApiState, tenant: &str) {
    let faq = &s.app.knowledge.faq;
    faq.invalidate(tenant);
    if let Err(e) = faq.refresh(&s.app.db, tenant, EMBEDS_PER_WRITE).await {
        tracing::warn!(tenant, error = %e, "FAQ index not refreshed");
    }
}
