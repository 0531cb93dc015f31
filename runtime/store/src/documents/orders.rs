//! Orders: numbered per tenant and priced in the transaction that stores them, with
//! an index by phone number and the customer remembered alongside.

use switchboard_domain::customers::{Customer, normalize_phone};
use switchboard_domain::ids;
use switchboard_domain::orders::*;

use super::customers::{customer_in, put_customer};
use super::{COUNTERS, Documents, ORDER_PHONES, ORDERS, key, prefix};
use crate::engine::{Engine, TxnExt};
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
    /// Validate, price and durably store an order placed during `call_id`.
    /// The customer record for the phone number is created or refreshed in the same transaction.
    pub(crate) fn create_order(&self, tenant: &str, call_id: &str, req: OrderRequest, language: &str) -> Result<Order> {
        let catalog = self.catalog(tenant)?;
        let prepared = prepare_order(&catalog, req, language)?;
        let now = ids::now_ms();
        self.write(|txn| {
            let ck = key(tenant, "order_number");
            let last: u64 = txn.doc(COUNTERS, &ck)?.unwrap_or(1000);
            txn.put_doc(COUNTERS, &ck, &(last + 1))?;
            let order = prepared.clone().into_order(last + 1, call_id, now);
            let phone = &prepared.phone;
            txn.put_doc(ORDERS, &key(tenant, &order.id), &order)?;
            txn.put_doc(ORDER_PHONES, &key(tenant, &format!("{phone}/{}", order.id)), &order.id)?;

            // Remember the caller for next time (greeting by name, address on file),
            // keeping an existing record's id, blocklist flag and notes.
            let existing = customer_in(txn, tenant, phone)?;
            let customer = Customer {
                id: existing.as_ref().map(|c| c.id.clone()).unwrap_or_else(|| ids::new_id("cus")),
                name: prepared.customer_name.clone(),
                phone: phone.clone(),
                address: prepared.address.clone().or(existing.as_ref().and_then(|c| c.address.clone())),
                blocked: existing.as_ref().is_some_and(|c| c.blocked),
                notes: existing.as_ref().and_then(|c| c.notes.clone()),
                created_at_ms: existing.as_ref().map(|c| c.created_at_ms).unwrap_or(now),
            };
            put_customer(txn, tenant, &customer)?;
            Ok(order)
        })
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
        self.read(|txn| {
            let ids: Vec<String> = txn.docs(ORDER_PHONES, &key(tenant, &format!("{phone}/")))?;
            let mut out = Vec::new();
            for id in ids.iter().rev().take(limit) {
                out.push(txn.doc(ORDERS, &key(tenant, id))?.ok_or(StorageError::NotFound)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn update_order_status(&self, tenant: &str, id: &str, status: OrderStatus) -> Result<Order> {
        let k = key(tenant, id);
        self.write(|txn| {
            let mut order: Order = txn.doc(ORDERS, &k)?.ok_or(StorageError::NotFound)?;
            order.status = status;
            order.updated_at_ms = ids::now_ms();
            txn.put_doc(ORDERS, &k, &order)?;
            Ok(order)
        })
    }
}
