//! Flow versions: the uploaded component bytes and what we know about them.
//! Versions are numbered per tenant from 1 and never change once stored.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlowVersion {
    pub version: u32,
    /// SHA-256 of the component bytes, hex.
    pub sha256: String,
    pub size_bytes: u64,
    pub uploaded_at_ms: u64,
}
