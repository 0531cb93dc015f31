//! The redb implementation of test cases.

use redb::ReadableTable;
use switchboard_domain::cases::{Case, MAX_CASES};

use super::{CASES, RedbStore, encode, key, prefix, scan_table};
use crate::{Result, StorageError};

impl RedbStore {
    pub(crate) fn save_case(&self, tenant: &str, case: &Case) -> Result<()> {
        let txn = self.raw().begin_write()?;
        {
            let mut t = txn.open_table(CASES)?;
            let k = key(tenant, &case.id);
            if t.get(k.as_str())?.is_none() {
                let kept: Vec<Case> = scan_table(&t, &prefix(tenant))?;
                if kept.len() >= MAX_CASES {
                    return Err(StorageError::Invalid(format!("a tenant keeps at most {MAX_CASES} cases")));
                }
            }
            t.insert(k.as_str(), encode(case).as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    pub(crate) fn cases(&self, tenant: &str) -> Result<Vec<Case>> {
        self.scan(CASES, &prefix(tenant))
    }

    pub(crate) fn delete_case(&self, tenant: &str, id: &str) -> Result<bool> {
        self.delete(CASES, &key(tenant, id))
    }
}
