//! `customers`: look a caller up by phone number, within the tenant.

use super::super::bindings::customers as wit;
use super::super::bindings::types::Error;
use super::super::context::CallContext;

impl wit::Host for CallContext {
    async fn lookup(&mut self, phone: String) -> wasmtime::Result<Result<Option<wit::Customer>, Error>> {
        if let Some(e) = super::too_long(&phone, 64) {
            return Ok(Err(e));
        }
        let tenant = self.scope.tenant_id.clone();
        let found = self.scope.db.customer_by_phone(&tenant, &phone).await;
        Ok(found
            .map(|c| {
                c.map(|c| wit::Customer {
                    id: c.id,
                    name: c.name,
                    phone: c.phone,
                    address: c.address,
                    blocked: c.blocked,
                    notes: c.notes,
                })
            })
            .map_err(super::guest_error))
    }
}
