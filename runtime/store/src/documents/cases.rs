//! Test cases made of past calls, bounded per tenant.

use switchboard_domain::cases::{Case, MAX_CASES};

use super::{CASES, Documents, key, prefix};
use crate::engine::{Engine, TxnExt};
use crate::{Result, StorageError};

impl<E: Engine> Documents<E> {
    pub(crate) fn save_case(&self, tenant: &str, case: &Case) -> Result<()> {
        let k = key(tenant, &case.id);
        self.write(|txn| {
            if txn.get(CASES, &k)?.is_none() {
                let kept: Vec<Case> = txn.docs(CASES, &prefix(tenant))?;
                if kept.len() >= MAX_CASES {
                    return Err(StorageError::Invalid(format!("a tenant keeps at most {MAX_CASES} cases")));
                }
            }
            txn.put_doc(CASES, &k, case)
        })
    }

    pub(crate) fn cases(&self, tenant: &str) -> Result<Vec<Case>> {
        self.scan(CASES, &prefix(tenant))
    }

    pub(crate) fn delete_case(&self, tenant: &str, id: &str) -> Result<bool> {
        self.delete(CASES, &key(tenant, id))
    }
}
