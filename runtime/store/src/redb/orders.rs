//! The redb implementation of orders.

use switchboard_domain::customers::normalize_phone;
use switchboard_domain::ids;
use switchboard_domain::orders::*;

use super::{COUNTERS, CUSTOMER_PHONES, CUSTOMERS, ORDER_PHONES, ORDERS, RedbStore, key, prefix};
use crate::{Result, StorageError};

impl RedbStore {
    /// Validate, price and durably store an order placed during `call_id`.
    /// The customer record for the phone number is created or refreshed in the same transaction.
    pub(crate) fn create_order(&self, tenant: &str, call_id: &str, req: OrderRequest, language: &str) -> Result<Order> {
        use redb::ReadableTable;
        let catalog = self.catalog(tenant)?;
        let prepared = prepare_order(&catalog, req, language)?;
        let (name, phone, address) = (prepared.customer_name.clone(), prepared.phone.clone(), prepared.address.clone());
        let now = ids::now_ms();

        let txn = self.raw().begin_write()?;
        let order = {
            let mut counters = txn.open_table(COUNTERS)?;
            let ck = key(tenant, "order_number");
            let last: u64 = match counters.get(ck.as_str())? {
                Some(v) => super::decode(&ck, v.value())?,
                None => 1000,
            };
            counters.insert(ck.as_str(), super::encode(&(last + 1)).as_slice())?;
            let order = prepared.into_order(last + 1, call_id, now);
            txn.open_table(ORDERS)?.insert(key(tenant, &order.id).as_str(), super::encode(&order).as_slice())?;
            txn.open_table(ORDER_PHONES)?
                .insert(key(tenant, &format!("{phone}/{}", order.id)).as_str(), super::encode(&order.id).as_slice())?;

            // Remember the caller for next time (greeting by name, address on file),
            // keeping an existing record's id, blocklist flag and notes.
            let mut phones = txn.open_table(CUSTOMER_PHONES)?;
            let mut customers = txn.open_table(CUSTOMERS)?;
            let pk = key(tenant, &phone);
            let existing_id: Option<String> = match phones.get(pk.as_str())? {
                Some(v) => Some(super::decode(&pk, v.value())?),
                None => None,
            };
            let existing: Option<switchboard_domain::customers::Customer> = match &existing_id {
                Some(id) => match customers.get(key(tenant, id).as_str())? {
                    Some(v) => Some(super::decode(id, v.value())?),
                    None => None,
                },
                None => None,
            };
            let customer = switchboard_domain::customers::Customer {
                id: existing.as_ref().map(|c| c.id.clone()).unwrap_or_else(|| ids::new_id("cus")),
                name,
                phone: phone.clone(),
                address: address.or(existing.as_ref().and_then(|c| c.address.clone())),
                blocked: existing.as_ref().is_some_and(|c| c.blocked),
                notes: existing.as_ref().and_then(|c| c.notes.clone()),
                created_at_ms: existing.as_ref().map(|c| c.created_at_ms).unwrap_or(now),
            };
            customers.insert(key(tenant, &customer.id).as_str(), super::encode(&customer).as_slice())?;
            phones.insert(pk.as_str(), super::encode(&customer.id).as_slice())?;
            order
        };
        txn.commit()?;
        Ok(order)
    }

    pub(crate) fn order(&self, tenant: &str, id: &str) -> Result<Order> {
        self.get(ORDERS, &key(tenant, id))?.ok_or(StorageError::NotFound)
    }

    /// All of a tenant's orders, newest first.
    pub(crate) fn orders(&self, tenant: &str) -> Result<Vec<Order>> {
        let mut all: Vec<Order> = self.scan(ORDERS, &prefix(tenant))?;
        all.reverse();
        Ok(all)
    }

    /// The newest orders placed from a phone number.
    pub(crate) fn orders_by_phone(&self, tenant: &str, phone: &str, limit: usize) -> Result<Vec<Order>> {
        let phone = normalize_phone(phone);
        if phone.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = self.scan(ORDER_PHONES, &key(tenant, &format!("{phone}/")))?;
        ids.iter().rev().take(limit).map(|id| self.order(tenant, id)).collect()
    }

    pub(crate) fn update_order_status(&self, tenant: &str, id: &str, status: OrderStatus) -> Result<Order> {
        use redb::ReadableTable;
        let k = key(tenant, id);
        let txn = self.raw().begin_write()?;
        let order = {
            let mut t = txn.open_table(ORDERS)?;
            let mut order: Order = match t.get(k.as_str())? {
                Some(v) => super::decode(&k, v.value())?,
                None => return Err(StorageError::NotFound),
            };
            order.status = status;
            order.updated_at_ms = ids::now_ms();
            t.insert(k.as_str(), super::encode(&order).as_slice())?;
            order
        };
        txn.commit()?;
        Ok(order)
    }
}
