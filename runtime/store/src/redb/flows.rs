//! The redb implementation of flows.

use switchboard_domain::flows::FlowVersion;
use switchboard_domain::ids;

use super::{COUNTERS, FLOW_BLOBS, FLOWS, RedbStore, key, prefix};
use crate::{Result, StorageError};

fn version_key(tenant: &str, version: u32) -> String {
    // Zero-padded so versions list in numeric order.
    key(tenant, &format!("{version:010}"))
}

impl RedbStore {
    /// Store a validated component as the tenant's next version.
    pub(crate) fn store_flow(&self, tenant: &str, bytes: &[u8], sha256: String) -> Result<FlowVersion> {
        use redb::ReadableTable;
        let txn = self.raw().begin_write()?;
        let meta = {
            let mut counters = txn.open_table(COUNTERS)?;
            let counter_key = key(tenant, "flow_version");
            let last: u32 = match counters.get(counter_key.as_str())? {
                Some(v) => super::decode(&counter_key, v.value())?,
                None => 0,
            };
            let meta = FlowVersion {
                version: last + 1,
                sha256,
                size_bytes: bytes.len() as u64,
                uploaded_at_ms: ids::now_ms(),
            };
            counters.insert(counter_key.as_str(), super::encode(&meta.version).as_slice())?;
            let k = version_key(tenant, meta.version);
            txn.open_table(FLOWS)?.insert(k.as_str(), super::encode(&meta).as_slice())?;
            txn.open_table(FLOW_BLOBS)?.insert(k.as_str(), bytes)?;
            meta
        };
        txn.commit()?;
        Ok(meta)
    }

    pub(crate) fn flow_versions(&self, tenant: &str) -> Result<Vec<FlowVersion>> {
        self.scan(FLOWS, &prefix(tenant))
    }

    pub(crate) fn flow_version(&self, tenant: &str, version: u32) -> Result<FlowVersion> {
        self.get(FLOWS, &version_key(tenant, version))?.ok_or(StorageError::NotFound)
    }

    /// The component bytes of a version.
    pub(crate) fn flow_bytes(&self, tenant: &str, version: u32) -> Result<Vec<u8>> {
        use redb::ReadableDatabase;
        let txn = self.raw().begin_read()?;
        let t = txn.open_table(FLOW_BLOBS)?;
        let bytes = t.get(version_key(tenant, version).as_str())?.ok_or(StorageError::NotFound)?;
        Ok(bytes.value().to_vec())
    }
}
