//! Customers a tenant knows, looked up by phone number (caller ID).

use serde::{Deserialize, Serialize};

use super::{CUSTOMER_PHONES, CUSTOMERS, Db, Result, StorageError, key, prefix};
use crate::ids;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub address: Option<String>,
    /// A blocked caller is refused politely by the flow.
    pub blocked: bool,
    pub notes: Option<String>,
    pub created_at_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Phone numbers as keys: digits and a leading `+` only, so `0912-345-678` and `0912345678` meet.
pub fn normalize_phone(phone: &str) -> String {
    let trimmed = phone.trim();
    let mut out = String::new();
    if trimmed.starts_with('+') {
        out.push('+');
    }
    out.extend(trimmed.chars().filter(|c| c.is_ascii_digit()));
    out
}

impl Db {
    pub fn customers(&self, tenant: &str) -> Result<Vec<Customer>> {
        self.scan(CUSTOMERS, &prefix(tenant))
    }

    pub fn customer_by_phone(&self, tenant: &str, phone: &str) -> Result<Option<Customer>> {
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
    pub fn upsert_customer(&self, tenant: &str, input: CustomerInput) -> Result<Customer> {
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
