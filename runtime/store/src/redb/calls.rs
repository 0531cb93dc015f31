//! The redb implementation of calls.

use switchboard_domain::calls::{CallRecord, CallSummary};

use super::{CALLS, RedbStore, key, prefix};
use crate::{Result, StorageError};

impl RedbStore {
    /// Write the current state of a call record (the call session saves after every turn).
    pub(crate) fn save_call(&self, record: &CallRecord) -> Result<()> {
        self.put(CALLS, &key(&record.tenant_id, &record.id), record)
    }

    pub(crate) fn call(&self, tenant: &str, id: &str) -> Result<CallRecord> {
        self.get(CALLS, &key(tenant, id))?.ok_or(StorageError::NotFound)
    }

    /// A tenant's calls, newest first.
    pub(crate) fn calls(&self, tenant: &str, limit: usize) -> Result<Vec<CallSummary>> {
        let all: Vec<CallRecord> = self.scan(CALLS, &prefix(tenant))?;
        Ok(all.into_iter().rev().take(limit).map(CallSummary::from).collect())
    }
}
