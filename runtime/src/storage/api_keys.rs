//! API keys. Only a SHA-256 of each secret key is stored: keys are 256-bit
//! random secrets, so a fast hash is enough and a database leak reveals no key.
//!
//! Widget keys are the exception: they are public by design (a tenant puts one
//! in its web page so that visitors can call), can only start browser calls,
//! and are kept in clear so that the tenant can list them again.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{API_KEYS, Db, Result};
use crate::ids;

/// What a key may do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// Full access to its tenant's resources.
    Tenant,
    /// Public: can only start browser calls to its tenant (the click-to-call widget).
    Widget,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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

impl Db {
    /// Create a key for a tenant; the plain key is returned once and never stored.
    pub fn create_api_key(&self, tenant_id: &str, kind: KeyKind) -> Result<(String, ApiKey)> {
        let plain = ids::new_secret(match kind {
            KeyKind::Tenant => "sk_",
            KeyKind::Widget => "wk_",
        });
        let record = ApiKey {
            tenant_id: tenant_id.to_string(),
            kind,
            prefix: plain[..10].to_string(),
            created_at_ms: ids::now_ms(),
            public: (kind == KeyKind::Widget).then(|| plain.clone()),
        };
        self.put(API_KEYS, &hash_key(&plain), &record)?;
        Ok((plain, record))
    }

    /// The key record for a presented key, if it is one of ours.
    pub fn api_key(&self, plain: &str) -> Result<Option<ApiKey>> {
        self.get(API_KEYS, &hash_key(plain))
    }

    /// A tenant's widget key, creating one if it has none.
    pub fn widget_key(&self, tenant_id: &str) -> Result<String> {
        let existing =
            self.api_keys(tenant_id)?.into_iter().find_map(|k| k.public.filter(|_| k.kind == KeyKind::Widget));
        match existing {
            Some(k) => Ok(k),
            None => Ok(self.create_api_key(tenant_id, KeyKind::Widget)?.0),
        }
    }

    pub fn api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKey>> {
        let all: Vec<ApiKey> = self.scan(API_KEYS, "")?;
        Ok(all.into_iter().filter(|k| k.tenant_id == tenant_id).collect())
    }
}
