//! `orders`: create (priced and committed by the host before it returns),
//! update status, get, and list by phone — all within the call's tenant.

use super::super::bindings::orders as wit;
use super::super::bindings::types::Error;
use super::super::context::CallContext;
use switchboard_domain::orders as store;

fn option_to_wit(o: store::ChosenOption) -> wit::ChosenOption {
    wit::ChosenOption { group: o.group, choice: o.choice }
}

pub(crate) fn status_from_wit(s: wit::OrderStatus) -> store::OrderStatus {
    match s {
        wit::OrderStatus::Received => store::OrderStatus::Received,
        wit::OrderStatus::Preparing => store::OrderStatus::Preparing,
        wit::OrderStatus::Ready => store::OrderStatus::Ready,
        wit::OrderStatus::OutForDelivery => store::OrderStatus::OutForDelivery,
        wit::OrderStatus::Completed => store::OrderStatus::Completed,
        wit::OrderStatus::Cancelled => store::OrderStatus::Cancelled,
    }
}

fn status_to_wit(s: store::OrderStatus) -> wit::OrderStatus {
    match s {
        store::OrderStatus::Received => wit::OrderStatus::Received,
        store::OrderStatus::Preparing => wit::OrderStatus::Preparing,
        store::OrderStatus::Ready => wit::OrderStatus::Ready,
        store::OrderStatus::OutForDelivery => wit::OrderStatus::OutForDelivery,
        store::OrderStatus::Completed => wit::OrderStatus::Completed,
        store::OrderStatus::Cancelled => wit::OrderStatus::Cancelled,
    }
}

fn fulfilment_to_wit(f: store::Fulfilment) -> wit::Fulfilment {
    match f {
        store::Fulfilment::Delivery => wit::Fulfilment::Delivery,
        store::Fulfilment::Pickup => wit::Fulfilment::Pickup,
    }
}

fn to_wit(o: store::Order) -> wit::Order {
    wit::Order {
        id: o.id,
        number: o.number,
        items: o
            .items
            .into_iter()
            .map(|i| wit::OrderItem {
                product_id: i.product_id,
                product_name: i.product_name,
                size_id: i.size_id,
                quantity: i.quantity,
                options: i.options.into_iter().map(option_to_wit).collect(),
                unit_price: i.unit_price,
                line_total: i.line_total,
            })
            .collect(),
        total: o.total,
        currency: o.currency,
        customer_name: o.customer_name,
        phone: o.phone,
        fulfilment: fulfilment_to_wit(o.fulfilment),
        address: o.address,
        notes: o.notes,
        status: status_to_wit(o.status),
        call_id: o.call_id,
        created_at_ms: o.created_at_ms,
    }
}

fn request_from_wit(r: wit::OrderRequest, caller: &str) -> store::OrderRequest {
    store::OrderRequest {
        items: r
            .items
            .into_iter()
            .map(|i| store::ItemRequest {
                product_id: i.product_id,
                size_id: i.size_id,
                quantity: i.quantity,
                options: i
                    .options
                    .into_iter()
                    .map(|o| store::ChosenOption { group: o.group, choice: o.choice })
                    .collect(),
            })
            .collect(),
        customer_name: r.customer_name,
        // The caller's number is the default contact number.
        phone: if r.phone.trim().is_empty() { caller.to_string() } else { r.phone },
        fulfilment: match r.fulfilment {
            wit::Fulfilment::Delivery => store::Fulfilment::Delivery,
            wit::Fulfilment::Pickup => store::Fulfilment::Pickup,
        },
        address: r.address,
        notes: r.notes,
    }
}

impl wit::Host for CallContext {
    async fn create(&mut self, request: wit::OrderRequest) -> wasmtime::Result<Result<wit::Order, Error>> {
        let req = request_from_wit(request, &self.scope.caller);
        let (tenant, call, lang) =
            (self.scope.tenant_id.clone(), self.scope.call_id.clone(), self.scope.language.clone());
        if self.scope.replay {
            // Checked and priced as for real, kept in the call: a replay stores nothing.
            let prepared = match self.scope.db.catalog(&tenant).await {
                Ok(catalog) => store::prepare_order(&catalog, req, &lang).map_err(Into::into),
                Err(e) => Err(e),
            };
            return Ok(match prepared {
                Ok(p) => {
                    let order = p.into_order(0, &call, switchboard_domain::ids::now_ms());
                    self.replayed_orders.insert(order.id.clone(), order.clone());
                    self.new_orders.push(order.id.clone());
                    Ok(to_wit(order))
                }
                Err(e) => Err(super::guest_error(e)),
            });
        }
        let created = self.scope.db.create_order(&tenant, &call, req, &lang).await;
        Ok(match created {
            Ok(order) => {
                tracing::info!(tenant_id = &*self.scope.tenant_id, call_id = &*self.scope.call_id,
                    order_id = %order.id, total = order.total, "order committed");
                self.new_orders.push(order.id.clone());
                Ok(to_wit(order))
            }
            Err(e) => Err(super::guest_error(e)),
        })
    }

    async fn update_status(
        &mut self,
        id: String,
        status: wit::OrderStatus,
    ) -> wasmtime::Result<Result<wit::Order, Error>> {
        if let Some(e) = super::too_long(&id, 64) {
            return Ok(Err(e));
        }
        let tenant = self.scope.tenant_id.clone();
        let status = status_from_wit(status);
        if self.scope.replay {
            let order = match self.replayed_orders.get_mut(&id) {
                Some(o) => Ok(o.clone()),
                None => self.scope.db.order(&tenant, &id).await,
            };
            return Ok(order
                .map(|mut o| {
                    o.status = status;
                    self.replayed_orders.insert(o.id.clone(), o.clone());
                    to_wit(o)
                })
                .map_err(super::guest_error));
        }
        Ok(self.scope.db.update_order_status(&tenant, &id, status).await.map(to_wit).map_err(super::guest_error))
    }

    async fn get(&mut self, id: String) -> wasmtime::Result<Result<wit::Order, Error>> {
        if let Some(e) = super::too_long(&id, 64) {
            return Ok(Err(e));
        }
        if let Some(o) = self.replayed_orders.get(&id) {
            return Ok(Ok(to_wit(o.clone())));
        }
        let tenant = self.scope.tenant_id.clone();
        Ok(self.scope.db.order(&tenant, &id).await.map(to_wit).map_err(super::guest_error))
    }

    async fn list_by_phone(&mut self, phone: String, limit: u32) -> wasmtime::Result<Result<Vec<wit::Order>, Error>> {
        if let Some(e) = super::too_long(&phone, 64) {
            return Ok(Err(e));
        }
        let tenant = self.scope.tenant_id.clone();
        let limit = limit.clamp(1, 20) as usize;
        Ok(self
            .scope
            .db
            .orders_by_phone(&tenant, &phone, limit)
            .await
            .map(|v| v.into_iter().map(to_wit).collect())
            .map_err(super::guest_error))
    }
}
