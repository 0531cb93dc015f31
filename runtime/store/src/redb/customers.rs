//! The redb implementation of customers.

use switchboard_domain::customers::{Customer, CustomerInput, normalize_phone};
use switchboard_domain::ids;

use super::{CUSTOMER_PHONES, CUSTOMERS, RedbStore, key, prefix};
use crate::{Result, StorageError};

impl RedbStore {
    pub(crate) fn customers(&self, tenant: &str) -> Result<Vec<Customer>> {
        self.scan(CUSTOMERS, &prefix(tenant))
    }

    pub(crate) fn customer_by_phone(&self, tenant: &str, phone: &str) -> Result<Option<Customer>> {
        let phone = normalize_phone(phone);
        if phone.is_empty() {
            return Ok(None);
        }
        let id: Option<String> = self.get(CUSTOMER_PHONES, &key(tenant, &phone))?;
        match id {
            Some(id) => self.get(CUSTOMERS, &key(tenant, &id)),
            None => Ok(None),
        }
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
        let existing = self.customer_by_phone(tenant, &phone)?;
        let customer = Customer {
            id: existing.as_ref().map(|c| c.id.clone()).unwrap_or_else(|| ids::new_id("cus")),
            name: input.name.trim().to_string(),
            phone: phone.clone(),
            address: input.address,
            blocked: input.blocked,
            notes: input.notes,
            created_at_ms: existing.map(|c| c.created_at_ms).unwrap_or_else(ids::now_ms),
        };
        let txn = self.raw().begin_write()?;
        {
            txn.open_table(CUSTOMERS)?
                .insert(key(tenant, &customer.id).as_str(), super::encode(&customer).as_slice())?;
            txn.open_table(CUSTOMER_PHONES)?
                .insert(key(tenant, &phone).as_str(), super::encode(&customer.id).as_slice())?;
        }
        txn.commit()?;
        Ok(customer)
    }
}
