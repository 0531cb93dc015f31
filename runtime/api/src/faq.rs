//! `/v1/tenants/{id}/faq`: FAQ entries the flow's `knowledge.search` answers from.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::error::{ApiResult, Json};
use super::openapi::FAQ;
use super::{ApiState, Principal};
use switchboard_domain::faq::{FaqEntry, FaqInput};

#[derive(Serialize, utoipa::ToSchema)]
pub struct FaqList {
    entries: Vec<FaqEntry>,
}

/// List FAQ entries
#[utoipa::path(get, path = "/v1/tenants/{id}/faq", tag = FAQ, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "The entries.", body = FaqList)))]
pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<FaqList>> {
    who.tenant(&s, &id).await?;
    let entries = s.app.db.faq_entries(&id).await?;
    Ok(Json(FaqList { entries }))
}

/// Add an FAQ entry
///
/// A question, its answer, the language, and keywords that mark it. Callers find it by its words
/// or by meaning (in either language) as soon as this returns.
#[utoipa::path(post, path = "/v1/tenants/{id}/faq", tag = FAQ, params(("id" = String, Path, description = "The tenant's id.")), request_body = FaqInput,
    responses((status = 201, description = "The entry as stored.", body = FaqEntry)))]
pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<FaqInput>,
) -> ApiResult<(StatusCode, axum::Json<FaqEntry>)> {
    who.tenant(&s, &id).await?;
    let entry = s.app.db.create_faq(&id, input).await?;
    reindex(&s, &id).await;
    super::audit::note(&s, &who, &id, "faq.create", &entry.id, &entry.question).await;
    Ok((StatusCode::CREATED, axum::Json(entry)))
}

/// Change an FAQ entry
#[utoipa::path(put, path = "/v1/tenants/{id}/faq/{faq_id}", tag = FAQ,
    params(("id" = String, Path, description = "The tenant's id."), ("faq_id" = String, Path, description = "The entry's id.")), request_body = FaqInput,
    responses((status = 200, description = "The entry as changed.", body = FaqEntry)))]
pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, faq_id)): Path<(String, String)>,
    Json(input): Json<FaqInput>,
) -> ApiResult<axum::Json<FaqEntry>> {
    who.tenant(&s, &id).await?;
    let entry = s.app.db.update_faq(&id, &faq_id, input).await?;
    reindex(&s, &id).await;
    super::audit::note(&s, &who, &id, "faq.update", &faq_id, &entry.question).await;
    Ok(axum::Json(entry))
}

/// Delete an FAQ entry
#[utoipa::path(delete, path = "/v1/tenants/{id}/faq/{faq_id}", tag = FAQ,
    params(("id" = String, Path, description = "The tenant's id."), ("faq_id" = String, Path, description = "The entry's id.")),
    responses((status = 204, description = "Deleted.")))]
pub async fn delete(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, faq_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    who.tenant(&s, &id).await?;
    s.app.db.delete_faq(&id, &faq_id).await?;
    reindex(&s, &id).await;
    super::audit::note(&s, &who, &id, "faq.delete", &faq_id, "").await;
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
