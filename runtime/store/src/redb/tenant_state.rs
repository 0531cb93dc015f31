//! The redb implementation of tenant state.

use switchboard_domain::tenant_state::{MAX_KEY_BYTES, MAX_KEYS_PER_TENANT, MAX_VALUE_BYTES};

use super::{RedbStore, TENANT_STATE, key, prefix};
use crate::{Result, StorageError};

impl RedbStore {
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
        if self.get::<String>(TENANT_STATE, &full)?.is_none() {
            let count = self.scan::<String>(TENANT_STATE, &prefix(tenant))?.len();
            if count >= MAX_KEYS_PER_TENANT {
                return Err(StorageError::Conflict(format!("tenant state holds {MAX_KEYS_PER_TENANT} keys already")));
            }
        }
        self.put(TENANT_STATE, &full, &value)
    }
}
