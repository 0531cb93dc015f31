//! API keys. Only a SHA-256 of each secret key is stored: keys are 256-bit
//! random secrets, so a fast hash is enough and a database leak reveals no key.
//!
//! Widget keys are the exception: they are public by design (a tenant puts one
//! in its web page so that visitors can call), can only start browser calls,
//! and are kept in clear so that the tenant can list them again.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a key may do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// Full access to its tenant's resources.
    Tenant,
    /// Public: can only start browser calls to its tenant (the click-to-call widget).
    Widget,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub tenant_id: String,
    pub kind: KeyKind,
    /// The first characters of the key, to tell keys apart in listings.
    pub prefix: String,
    pub created_at_ms: u64,
    /// The whole key, for public (widget) keys only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
}

pub fn hash_key(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
