//! Flow versions: the metadata and the component's bytes, numbered per tenant.

use switchboard_domain::flows::FlowVersion;
use switchboard_domain::ids;

use super::{COUNTERS, Documents, FLOW_BLOBS, FLOWS, key, prefix};
use crate::engine::{Engine, TxnExt};
use crate::{Result, StorageError};

fn version_key(tenant: &str, version: u32) -> String {
    // Zero-padded so versions list in numeric order.
    key(tenant, &format!("{version:010}"))
}

impl<E: Engine> Documents<E> {
    /// Store a validated component as the tenant's next version.
    pub(crate) fn store_flow(&self, tenant: &str, bytes: &[u8], sha256: String) -> Result<FlowVersion> {
        let uploaded_at_ms = ids::now_ms();
        self.write(|txn| {
            let counter_key = key(tenant, "flow_version");
            let last: u32 = txn.doc(COUNTERS, &counter_key)?.unwrap_or(0);
            let meta = FlowVersion {
                version: last + 1,
                sha256: sha256.clone(),
                size_bytes: bytes.len() as u64,
                uploaded_at_ms,
            };
            txn.put_doc(COUNTERS, &counter_key, &meta.version)?;
            let k = version_key(tenant, meta.version);
            txn.put_doc(FLOWS, &k, &meta)?;
            txn.put(FLOW_BLOBS, &k, bytes)?;
            Ok(meta)
        })
    }

    pub(crate) fn flow_versions(&self, tenant: &str) -> Result<Vec<FlowVersion>> {
        self.scan(FLOWS, &prefix(tenant))
    }

    pub(crate) fn flow_version(&self, tenant: &str, version: u32) -> Result<FlowVersion> {
        self.get(FLOWS, &version_key(tenant, version))?.ok_or(StorageError::NotFound)
    }

    /// The component bytes of a version.
    pub(crate) fn flow_bytes(&self, tenant: &str, version: u32) -> Result<Vec<u8>> {
        self.read(|txn| txn.get(FLOW_BLOBS, &version_key(tenant, version)))?.ok_or(StorageError::NotFound)
    }
}
