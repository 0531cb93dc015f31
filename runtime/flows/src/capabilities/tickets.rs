//! `tickets`: open and read after-sales tickets of the call's customer (the caller, or
//! the callee of an outbound call), within the call's tenant. The customer's number comes
//! from the call, never from the guest; an order named must be one of theirs.

use super::super::bindings::tickets as wit;
use super::super::bindings::types::Error;
use super::super::context::CallContext;
use switchboard_domain::customers::normalize_phone;
use switchboard_domain::tickets::{Ticket, TicketInput, TicketKind, TicketQuery, TicketStatus};

fn kind_from_wit(k: wit::TicketKind) -> TicketKind {
    match k {
        wit::TicketKind::Return => TicketKind::Return,
        wit::TicketKind::Exchange => TicketKind::Exchange,
        wit::TicketKind::Complaint => TicketKind::Complaint,
        wit::TicketKind::Inquiry => TicketKind::Inquiry,
    }
}

fn to_wit(t: Ticket) -> wit::Ticket {
    wit::Ticket {
        id: t.id,
        number: t.number,
        kind: match t.kind {
            TicketKind::Return => wit::TicketKind::Return,
            TicketKind::Exchange => wit::TicketKind::Exchange,
            TicketKind::Complaint => wit::TicketKind::Complaint,
            TicketKind::Inquiry => wit::TicketKind::Inquiry,
        },
        order_id: t.order_id,
        order_number: t.order_number,
        description: t.description,
        status: match t.status {
            TicketStatus::Open => wit::TicketStatus::Open,
            TicketStatus::InProgress => wit::TicketStatus::InProgress,
            TicketStatus::Resolved => wit::TicketStatus::Resolved,
            TicketStatus::Closed => wit::TicketStatus::Closed,
        },
        due_at_ms: t.due_at_ms,
        needs_person: t.needs_person,
        created_at_ms: t.created_at_ms,
    }
}

impl wit::Host for CallContext {
    async fn create(&mut self, request: wit::TicketRequest) -> wasmtime::Result<Result<wit::Ticket, Error>> {
        let input = TicketInput {
            kind: kind_from_wit(request.kind),
            order_id: request.order_id.filter(|o| !o.trim().is_empty()),
            phone: self.scope.customer.clone(),
            customer_name: None,
            description: request.description,
        };
        if let Err(e) = input.validate() {
            return Ok(Err(Error::Invalid(e.to_string())));
        }
        if let Some(e) = input.order_id.as_deref().and_then(|o| super::too_long(o, 64)) {
            return Ok(Err(e));
        }
        let db = self.scope.db.clone();
        let tenant = db.tenant(&self.scope.tenant_id).await.map_err(|e| wasmtime::Error::msg(e.to_string()));
        let tenant = match tenant {
            Ok(t) => t,
            Err(_) => return Ok(Err(Error::Unavailable("the tenant's settings could not be read".into()))),
        };
        let customer = normalize_phone(&self.scope.customer);
        let order = match &input.order_id {
            Some(id) => match db.order(&tenant.id, id).await {
                Ok(o) if customer.is_empty() || normalize_phone(&o.phone) == customer => Some(o),
                // Another customer's order is none of this call's business.
                Ok(_) | Err(switchboard_store::StorageError::NotFound) => return Ok(Err(Error::NotFound)),
                Err(e) => return Ok(Err(super::guest_error(e))),
            },
            None => None,
        };
        let phone =
            if customer.is_empty() { order.as_ref().map(|o| o.phone.clone()).unwrap_or_default() } else { customer };
        let call_id = Some(self.scope.call_id.to_string());
        let now = switchboard_domain::ids::now_ms();
        let rules = &tenant.after_sales;
        let ticket =
            Ticket::open(&tenant.id, rules, input.kind, &input.description, phone, None, order.as_ref(), call_id, now);
        if self.scope.replay {
            // A replay stores nothing: the flow hears what it would have.
            return Ok(Ok(to_wit(ticket)));
        }
        let created = db.create_ticket(&ticket).await.map_err(super::guest_error);
        if let Ok(t) = &created {
            tracing::info!(ticket = %t.id, number = t.number, kind = t.kind.as_str(), "ticket opened by the flow");
            self.new_tickets.push(t.id.clone());
        }
        Ok(created.map(to_wit))
    }

    async fn mine(&mut self, limit: u32) -> wasmtime::Result<Result<Vec<wit::Ticket>, Error>> {
        let customer = normalize_phone(&self.scope.customer);
        if customer.is_empty() {
            return Ok(Ok(Vec::new()));
        }
        let query = TicketQuery { phone: Some(customer), ..Default::default() };
        let found = self.scope.db.tickets(&self.scope.tenant_id, &query).await;
        Ok(found
            .map(|v| v.into_iter().take(limit.clamp(1, 20) as usize).map(to_wit).collect())
            .map_err(super::guest_error))
    }
}
