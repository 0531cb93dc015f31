//! The redb implementation of tickets: one document per ticket, numbered per tenant
//! from the counters table in the same transaction.

use redb::ReadableTable;
use switchboard_domain::tickets::{Ticket, TicketQuery};

use super::{COUNTERS, RedbStore, TICKETS, decode, encode, key, prefix};
use crate::{Result, StorageError};

impl RedbStore {
    pub(crate) fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket> {
        let mut ticket = ticket.clone();
        let txn = self.raw().begin_write()?;
        {
            let mut counters = txn.open_table(COUNTERS)?;
            let ck = key(&ticket.tenant_id, "ticket_number");
            let last: u64 = match counters.get(ck.as_str())? {
                Some(v) => decode(&ck, v.value())?,
                None => 5000,
            };
            counters.insert(ck.as_str(), encode(&(last + 1)).as_slice())?;
            ticket.number = last + 1;
            txn.open_table(TICKETS)?.insert(key(&ticket.tenant_id, &ticket.id).as_str(), encode(&ticket).as_slice())?;
        }
        txn.commit()?;
        Ok(ticket)
    }

    pub(crate) fn tickets(&self, tenant: &str, query: &TicketQuery) -> Result<Vec<Ticket>> {
        let mut all: Vec<Ticket> = self.scan(TICKETS, &prefix(tenant))?;
        all.retain(|t| query.matches(t));
        all.sort_by(|a, b| b.created_at_ms.cmp(&a.created_at_ms).then(b.number.cmp(&a.number)));
        Ok(all)
    }

    pub(crate) fn save_ticket(&self, ticket: &Ticket) -> Result<()> {
        let k = key(&ticket.tenant_id, &ticket.id);
        let txn = self.raw().begin_write()?;
        {
            let mut t = txn.open_table(TICKETS)?;
            if t.get(k.as_str())?.is_none() {
                return Err(StorageError::NotFound);
            }
            t.insert(k.as_str(), encode(ticket).as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }
}
