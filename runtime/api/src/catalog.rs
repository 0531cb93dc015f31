//! `/v1/tenants/{id}/catalog`: the whole catalogue, read and replaced at once.

use axum::extract::{Path, State};

use super::error::{ApiResult, Json};
use super::{ApiState, Principal};
use switchboard_domain::catalog::Catalog;

pub async fn get(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<axum::Json<Catalog>> {
    who.tenant(&s, &id).await?;
    Ok(axum::Json(s.app.db.catalog(&id).await?))
}

pub async fn put(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(catalog): Json<Catalog>,
) -> ApiResult<axum::Json<Catalog>> {
    who.tenant(&s, &id).await?;
    let stored = catalog.clone();
    s.app.db.put_catalog(&id, &catalog).await?;
    Ok(axum::Json(stored))
}
