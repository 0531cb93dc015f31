//! `state`: per-call (in memory, bounded) and per-tenant (durable) key-value state.

use super::super::bindings::state as wit;
use super::super::bindings::types::Error;
use super::super::context::{CallContext, MAX_CALL_STATE_BYTES};
use switchboard_domain::tenant_state::{MAX_KEY_BYTES, MAX_VALUE_BYTES};

impl wit::Host for CallContext {
    async fn call_get(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(self.call_state.get(&key).cloned())
    }

    async fn call_set(&mut self, key: String, value: String) -> wasmtime::Result<Result<(), Error>> {
        if key.is_empty() || key.len() > MAX_KEY_BYTES || value.len() > MAX_VALUE_BYTES {
            return Ok(Err(Error::Invalid(format!(
                "keys are 1 to {MAX_KEY_BYTES} bytes, values at most {MAX_VALUE_BYTES} bytes"
            ))));
        }
        let old = self.call_state.get(&key).map(|v| key.len() + v.len()).unwrap_or(0);
        let new_total = self.call_state_bytes - old + key.len() + value.len();
        if new_total > MAX_CALL_STATE_BYTES {
            return Ok(Err(Error::QuotaExceeded(format!("call state is limited to {MAX_CALL_STATE_BYTES} bytes"))));
        }
        self.call_state_bytes = new_total;
        self.call_state.insert(key, value);
        Ok(Ok(()))
    }

    async fn tenant_get(&mut self, key: String) -> wasmtime::Result<Result<Option<String>, Error>> {
        if let Some(e) = super::too_long(&key, MAX_KEY_BYTES) {
            return Ok(Err(e));
        }
        if let Some(v) = self.replayed_state.get(&key) {
            return Ok(Ok(Some(v.clone())));
        }
        let tenant = self.scope.tenant_id.clone();
        Ok(self.scope.db.tenant_state_get(&tenant, &key).await.map_err(super::guest_error))
    }

    async fn tenant_set(&mut self, key: String, value: String) -> wasmtime::Result<Result<(), Error>> {
        if self.scope.replay {
            if let Some(e) = super::too_long(&key, MAX_KEY_BYTES).or_else(|| super::too_long(&value, MAX_VALUE_BYTES)) {
                return Ok(Err(e));
            }
            self.replayed_state.insert(key, value);
            return Ok(Ok(()));
        }
        let tenant = self.scope.tenant_id.clone();
        Ok(self.scope.db.tenant_state_set(&tenant, &key, &value).await.map_err(super::guest_error))
    }
}
