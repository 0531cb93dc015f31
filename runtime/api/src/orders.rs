//! `/v1/tenants/{id}/orders`: orders placed by calls; staff move them along.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, Json, Query, not_found_as};
use super::{ApiState, Principal};
use switchboard_domain::orders::{Order, OrderStatus};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    phone: Option<String>,
    status: Option<OrderStatus>,
    limit: Option<usize>,
}

pub async fn list(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    who.tenant(&s, &id).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let orders = match &q.phone {
        // The status filter applies before the limit, as without a phone.
        Some(phone) => s.app.db.orders_by_phone(&id, phone, 1000).await?,
        None => s.app.db.orders(&id).await?,
    };
    let orders: Vec<Order> =
        orders.into_iter().filter(|o| q.status.is_none_or(|st| o.status == st)).take(limit).collect();
    Ok(Json(json!({ "orders": orders })))
}

pub async fn get(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, order_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<Order>> {
    who.tenant(&s, &id).await?;
    s.app.db.order(&id, &order_id).await.map(axum::Json).map_err(not_found_as("order"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrder {
    status: OrderStatus,
}

pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, order_id)): Path<(String, String)>,
    Json(body): Json<UpdateOrder>,
) -> ApiResult<axum::Json<Order>> {
    who.tenant(&s, &id).await?;
    s.app.db.update_order_status(&id, &order_id, body.status).await.map(axum::Json).map_err(|e| {
        match e {
            switchboard_store::StorageError::NotFound => ApiError::not_found("order"),
            e => e.into(),
        }
    })
}
