//! The key-value state a tenant's flow keeps, bounded per tenant.

use switchboard_domain::tenant_state::{MAX_KEY_BYTES, MAX_KEYS_PER_TENANT, MAX_VALUE_BYTES};

use super::{Documents, TENANT_STATE, key, prefix};
use crate::engine::{Engine, TxnExt};
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
    pub(crate) fn tenant_state_get(&self, tenant: &str, k: &str) -> Result<Option<String>> {
        self.get(TENANT_STATE, &key(tenant, k))
    }

    pub(crate) fn tenant_state_set(&self, tenant: &str, k: &str, value: &str) -> Result<()> {
        if k.is_empty() || k.len() > MAX_KEY_BYTES {
            return Err(StorageError::Invalid(format!("keys are 1 to {MAX_KEY_BYTES} bytes")));
        }
        if value.len() > MAX_VALUE_BYTES {
            return Err(StorageError::Invalid(format!("values are at most {MAX_VALUE_BYTES} bytes")));
        }
        let full = key(tenant, k);
        self.write(|txn| {
            if txn.get(TENANT_STATE, &full)?.is_none() {
                let count = txn.docs::<String>(TENANT_STATE, &prefix(tenant))?.len();
                if count >= MAX_KEYS_PER_TENANT {
                    return Err(StorageError::Conflict(format!(
                        "tenant state holds {MAX_KEYS_PER_TENANT} keys already"
                    )));
                }
            }
            txn.put_doc(TENANT_STATE, &full, &value)
        })
    }
}
