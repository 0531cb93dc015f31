//! `/v1/tenants/{id}/orders`: orders placed by calls; staff move them along.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, Json, Query, not_found_as};
use super::openapi::ORDERS;
use super::{ApiState, Principal};
use switchboard_domain::orders::{Order, OrderStatus};

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only orders placed with this phone number (any format).
    phone: Option<String>,
    /// Only orders in this status.
    status: Option<OrderStatus>,
    /// At most this many (1 to 1000; 100 when left out).
    limit: Option<usize>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderList {
    orders: Vec<Order>,
}

/// List orders
///
/// Oldest first, or newest first for a phone number; filtered by status before the limit.
#[utoipa::path(get, path = "/v1/tenants/{id}/orders", tag = ORDERS, params(("id" = String, Path, description = "The tenant's id."), ListQuery),
    responses((status = 200, description = "The orders.", body = OrderList)))]

pub async fn list(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<OrderList>> {
    who.tenant(&s, &id).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let orders = match &q.phone {
        // The status filter applies before the limit, as without a phone.
        Some(phone) => s.app.db.orders_by_phone(&id, phone, 1000).await?,
        None => s.app.db.orders(&id).await?,
    };
    let orders: Vec<Order> =
        orders.into_iter().filter(|o| q.status.is_none_or(|st| o.status == st)).take(limit).collect();
    Ok(Json(OrderList { orders }))
}

/// Read an order
#[utoipa::path(get, path = "/v1/tenants/{id}/orders/{order_id}", tag = ORDERS,
    params(("id" = String, Path, description = "The tenant's id."), ("order_id" = String, Path, description = "The order's id.")),
    responses((status = 200, description = "The order: items priced by the host, customer, fulfilment, status.", body = Order)))]
pub async fn get(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, order_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<Order>> {
    who.tenant(&s, &id).await?;
    s.app.db.order(&id, &order_id).await.map(axum::Json).map_err(not_found_as("order"))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrder {
    status: OrderStatus,
}

/// Move an order along
///
/// Staff set its status (preparing, ready, out for delivery, completed, cancelled).
#[utoipa::path(patch, path = "/v1/tenants/{id}/orders/{order_id}", tag = ORDERS,
    params(("id" = String, Path, description = "The tenant's id."), ("order_id" = String, Path, description = "The order's id.")), request_body = UpdateOrder,
    responses((status = 200, description = "The order as changed.", body = Order)))]
pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, order_id)): Path<(String, String)>,
    Json(body): Json<UpdateOrder>,
) -> ApiResult<axum::Json<Order>> {
    let tenant = who.tenant(&s, &id).await?;
    let before = s.app.db.order(&id, &order_id).await.map_err(not_found_as("order"))?;
    let order = s.app.db.update_order_status(&id, &order_id, body.status).await.map_err(|e| match e {
        switchboard_store::StorageError::NotFound => ApiError::not_found("order"),
        e => e.into(),
    })?;
    super::audit::note(&s, &who, &id, "order.status", &order_id, format!("#{} {:?}", order.number, order.status)).await;
    // The tenant's rules may call the customer about it (the order is stored either way).
    if before.status != order.status
        && let Err(e) = s.outreach.order_changed(&tenant, &order).await
    {
        tracing::warn!(tenant_id = %id, order = %order.id, error = %e, "order update call not queued");
    }
    Ok(axum::Json(order))
}
