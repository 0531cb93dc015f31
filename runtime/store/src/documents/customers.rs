//! Customers: the record by id, and an index from phone number to id.

use switchboard_domain::customers::{Customer, CustomerInput, normalize_phone};
use switchboard_domain::ids;

use super::{CUSTOMER_PHONES, CUSTOMERS, Documents, key, prefix};
use crate::engine::{Engine, Txn, TxnExt};
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
    pub(crate) fn customers(&self, tenant: &str) -> Result<Vec<Customer>> {
        self.scan(CUSTOMERS, &prefix(tenant))
    }

    pub(crate) fn customer_by_phone(&self, tenant: &str, phone: &str) -> Result<Option<Customer>> {
        let phone = normalize_phone(phone);
        if phone.is_empty() {
            return Ok(None);
        }
        self.read(|txn| customer_in(txn, tenant, &phone))
    }

    /// Create a customer, or update the one with the same phone number.
    pub(crate) fn upsert_customer(&self, tenant: &str, input: CustomerInput) -> Result<Customer> {
        let phone = normalize_phone(&input.phone);
        if phone.len() < 3 || phone.len() > 20 {
            return Err(StorageError::Invalid(format!("`{}` is not a phone number", input.phone)));
        }
        if input.name.trim().is_empty() || input.name.chars().count() > 100 {
            return Err(StorageError::Invalid("name must be 1 to 100 characters".into()));
        }
        self.write(|txn| {
            let existing = customer_in(txn, tenant, &phone)?;
            let customer = Customer {
                id: existing.as_ref().map(|c| c.id.clone()).unwrap_or_else(|| ids::new_id("cus")),
                name: input.name.trim().to_string(),
                phone: phone.clone(),
                address: input.address.clone(),
                blocked: input.blocked,
                notes: input.notes.clone(),
                created_at_ms: existing.map(|c| c.created_at_ms).unwrap_or_else(ids::now_ms),
            };
            put_customer(txn, tenant, &customer)?;
            Ok(customer)
        })
    }
}

/// The customer with this (normalised) phone number, read in `txn`.
pub(super) fn customer_in(txn: &mut dyn Txn, tenant: &str, phone: &str) -> Result<Option<Customer>> {
    match txn.doc::<String>(CUSTOMER_PHONES, &key(tenant, phone))? {
        Some(id) => txn.doc(CUSTOMERS, &key(tenant, &id)),
        None => Ok(None),
    }
}

/// Write a customer and its phone index entry in `txn`.
pub(super) fn put_customer(txn: &mut dyn Txn, tenant: &str, customer: &Customer) -> Result<()> {
    txn.put_doc(CUSTOMERS, &key(tenant, &customer.id), customer)?;
    txn.put_doc(CUSTOMER_PHONES, &key(tenant, &customer.phone), &customer.id)
}
