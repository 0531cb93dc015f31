//! API keys: the record under a hash of the secret, never the secret.

use switchboard_domain::api_keys::{ApiKey, KeyKind, hash_key};
use switchboard_domain::ids;

use super::{API_KEYS, Documents};
use crate::Result;
use crate::engine::Engine;

impl<E: Engine> Documents<E> {
    /// Create a key for a tenant; the plain key is returned once and never stored.
    pub(crate) fn create_api_key(&self, tenant_id: &str, kind: KeyKind) -> Result<(String, ApiKey)> {
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
    pub(crate) fn api_key(&self, plain: &str) -> Result<Option<ApiKey>> {
        self.get(API_KEYS, &hash_key(plain))
    }

    /// A tenant's widget key, creating one if it has none.
    pub(crate) fn widget_key(&self, tenant_id: &str) -> Result<String> {
        let existing =
            self.api_keys(tenant_id)?.into_iter().find_map(|k| k.public.filter(|_| k.kind == KeyKind::Widget));
        match existing {
            Some(k) => Ok(k),
            None => Ok(self.create_api_key(tenant_id, KeyKind::Widget)?.0),
        }
    }

    pub(crate) fn api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKey>> {
        let all: Vec<ApiKey> = self.scan(API_KEYS, "")?;
        Ok(all.into_iter().filter(|k| k.tenant_id == tenant_id).collect())
    }
}
