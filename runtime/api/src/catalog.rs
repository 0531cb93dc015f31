//! `/v1/tenants/{id}/catalog`: the whole catalogue, read and replaced at once.

use axum::extract::{Path, State};

use super::error::{ApiResult, Json};
use super::openapi::CATALOG;
use super::{ApiState, Principal};
use switchboard_domain::catalog::Catalog;

/// Read the catalogue
///
/// Products (names per language, aliases, sizes with prices), option groups and the currency.
/// Empty until one is stored.
#[utoipa::path(get, path = "/v1/tenants/{id}/catalog", tag = CATALOG, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "The catalogue.", body = Catalog)))]
pub async fn get(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<axum::Json<Catalog>> {
    who.tenant(&s, &id).await?;
    Ok(axum::Json(s.app.db.catalog(&id).await?))
}

/// Replace the catalogue
///
/// The whole catalogue at once. It is checked (unique ids, known option groups, prices) and a
/// refused one changes nothing.
#[utoipa::path(put, path = "/v1/tenants/{id}/catalog", tag = CATALOG, params(("id" = String, Path, description = "The tenant's id.")), request_body = Catalog,
    responses((status = 200, description = "The catalogue as stored.", body = Catalog)))]
pub async fn put(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(catalog): Json<Catalog>,
) -> ApiResult<axum::Json<Catalog>> {
    who.tenant(&s, &id).await?;
    let stored = catalog.clone();
    s.app.db.put_catalog(&id, &catalog).await?;
    super::audit::note(&s, &who, &id, "catalog.replace", "catalog", format!("{} products", catalog.products.len()))
        .await;
    Ok(axum::Json(stored))
}
