//! `/v1/tenants/{id}/customers`: known callers (greeted by name, or blocked).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::{ApiResult, Json};
use super::{ApiState, Principal};
use switchboard_domain::customers::{Customer, CustomerInput};

pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    who.tenant(&s, &id).await?;
    let customers = s.app.db.customers(&id).await?;
    Ok(Json(json!({ "customers": customers })))
}

/// Create a customer, or update the one with the same phone number.
pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<CustomerInput>,
) -> ApiResult<(StatusCode, axum::Json<Customer>)> {
    who.tenant(&s, &id).await?;
    Ok((StatusCode::CREATED, axum::Json(s.app.db.upsert_customer(&id, input).await?)))
}
