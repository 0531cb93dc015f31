//! `/v1/tenants/{id}/customers`: known callers (greeted by name, or blocked).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::error::{ApiResult, Json};
use super::openapi::CUSTOMERS;
use super::{ApiState, Principal};
use switchboard_domain::customers::{Customer, CustomerInput};

#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerList {
    customers: Vec<Customer>,
}

/// List customers
#[utoipa::path(get, path = "/v1/tenants/{id}/customers", tag = CUSTOMERS, params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "Every customer the tenant knows.", body = CustomerList)))]
pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<CustomerList>> {
    who.tenant(&s, &id).await?;
    let customers = s.app.db.customers(&id).await?;
    Ok(Json(CustomerList { customers }))
}

/// Create or update a customer
///
/// A customer is known by phone number (any format: `0912-345-678` and `0912345678` are one):
/// posting a number that is known updates that customer. A blocked caller is refused politely.
#[utoipa::path(post, path = "/v1/tenants/{id}/customers", tag = CUSTOMERS, params(("id" = String, Path, description = "The tenant's id.")), request_body = CustomerInput,
    responses((status = 201, description = "The customer as stored.", body = Customer)))]
pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<CustomerInput>,
) -> ApiResult<(StatusCode, axum::Json<Customer>)> {
    who.tenant(&s, &id).await?;
    let customer = s.app.db.upsert_customer(&id, input).await?;
    let detail = if customer.blocked { format!("{} (blocked)", customer.phone) } else { customer.phone.clone() };
    super::audit::note(&s, &who, &id, "customer.save", &customer.id, detail).await;
    Ok((StatusCode::CREATED, axum::Json(customer)))
}
