//! Tickets: one document per ticket, numbered per tenant from the counters table in
//! the same transaction.

use switchboard_domain::tickets::{Ticket, TicketQuery};

use super::{COUNTERS, Documents, TICKETS, key, prefix};
use crate::engine::{Engine, TxnExt};
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
    pub(crate) fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket> {
        self.write(|txn| {
            let mut ticket = ticket.clone();
            let ck = key(&ticket.tenant_id, "ticket_number");
            let last: u64 = txn.doc(COUNTERS, &ck)?.unwrap_or(5000);
            txn.put_doc(COUNTERS, &ck, &(last + 1))?;
            ticket.number = last + 1;
            txn.put_doc(TICKETS, &key(&ticket.tenant_id, &ticket.id), &ticket)?;
            Ok(ticket)
        })
    }

    pub(crate) fn tickets(&self, tenant: &str, query: &TicketQuery) -> Result<Vec<Ticket>> {
        let mut all: Vec<Ticket> = self.scan(TICKETS, &prefix(tenant))?;
        all.retain(|t| query.matches(t));
        all.sort_by(|a, b| b.created_at_ms.cmp(&a.created_at_ms).then(b.number.cmp(&a.number)));
        Ok(all)
    }

    pub(crate) fn save_ticket(&self, ticket: &Ticket) -> Result<()> {
        let k = key(&ticket.tenant_id, &ticket.id);
        self.write(|txn| {
            if txn.get(TICKETS, &k)?.is_none() {
                return Err(StorageError::NotFound);
            }
            txn.put_doc(TICKETS, &k, ticket)
        })
    }
}
