//! The embedded default: one redb file in the data directory.
//!
//! Each table of [`crate::documents`] is a redb table of `&str` keys and byte values.
//! redb orders `&str` keys by their bytes, as the documents' key layouts expect, and
//! commits a write transaction whole or not at all. There is one writer at a time, so
//! a write never conflicts and never runs twice.

use std::path::Path;
use std::sync::Arc;

use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use crate::documents::{ALL_TABLES, Documents};
use crate::engine::{Engine, KeyRange, Table, Txn};
use crate::{Result, StorageError};

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StorageError {
            fn from(e: $t) -> Self { StorageError::Database(e.to_string()) }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::DatabaseError
);

/// The redb engine: one database file.
pub struct RedbEngine {
    db: redb::Database,
    /// Never sent on: one node, whose memory is up to date (see [`crate::Changes`]).
    changes: tokio::sync::broadcast::Sender<crate::Change>,
}

/// The store on a redb file.
pub type RedbStore = Documents<RedbEngine>;

fn table(name: Table) -> TableDefinition<'static, &'static str, &'static [u8]> {
    TableDefinition::new(name)
}

impl RedbStore {
    /// Open (or create) the database file at `path`, creating every table.
    pub fn open(path: &Path) -> anyhow::Result<RedbStore> {
        use anyhow::Context;
        let db = redb::Database::create(path).with_context(|| format!("opening database {}", path.display()))?;
        let txn = db.begin_write().context("creating tables")?;
        for name in ALL_TABLES {
            txn.open_table(table(name)).context("creating tables")?;
        }
        txn.commit().context("creating tables")?;
        Ok(Documents::new(RedbEngine { db, changes: tokio::sync::broadcast::channel(1).0 }))
    }
}

impl Engine for RedbEngine {
    fn changes(&self) -> tokio::sync::broadcast::Receiver<crate::Change> {
        self.changes.subscribe()
    }

    fn read<T>(&self, work: &mut dyn FnMut(&mut dyn Txn) -> Result<T>) -> Result<T> {
        work(&mut RedbTxn::Read(self.db.begin_read()?))
    }

    fn write<T>(&self, work: &mut dyn FnMut(&mut dyn Txn) -> Result<T>) -> Result<T> {
        let mut txn = RedbTxn::Write(self.db.begin_write()?);
        // An error drops the transaction: redb aborts it.
        let out = work(&mut txn)?;
        if let RedbTxn::Write(txn) = txn {
            txn.commit()?;
        }
        Ok(out)
    }
}

enum RedbTxn {
    Read(redb::ReadTransaction),
    Write(redb::WriteTransaction),
}

fn read_range(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    range: KeyRange<'_>,
    limit: usize,
) -> Result<Vec<(String, Vec<u8>)>> {
    let entries = t.range::<&str>((range.start, range.end))?;
    let own = |e: std::result::Result<
        (redb::AccessGuard<&'static str>, redb::AccessGuard<&'static [u8]>),
        redb::StorageError,
    >| { e.map(|(k, v)| (k.value().to_string(), v.value().to_vec())).map_err(StorageError::from) };
    if range.reverse { entries.rev().take(limit).map(own).collect() } else { entries.take(limit).map(own).collect() }
}

const READ_ONLY: &str = "a write in a read transaction";

impl Txn for RedbTxn {
    fn get(&mut self, name: Table, key: &str) -> Result<Option<Vec<u8>>> {
        let value = match self {
            RedbTxn::Read(txn) => txn.open_table(table(name))?.get(key)?.map(|v| v.value().to_vec()),
            RedbTxn::Write(txn) => txn.open_table(table(name))?.get(key)?.map(|v| v.value().to_vec()),
        };
        Ok(value)
    }

    fn put(&mut self, name: Table, key: &str, value: &[u8]) -> Result<()> {
        let RedbTxn::Write(txn) = self else { return Err(StorageError::Invalid(READ_ONLY.into())) };
        txn.open_table(table(name))?.insert(key, value)?;
        Ok(())
    }

    fn remove(&mut self, name: Table, key: &str) -> Result<Option<Vec<u8>>> {
        let RedbTxn::Write(txn) = self else { return Err(StorageError::Invalid(READ_ONLY.into())) };
        let mut t = txn.open_table(table(name))?;
        let old = t.remove(key)?.map(|v| v.value().to_vec());
        Ok(old)
    }

    fn range(&mut self, name: Table, range: KeyRange<'_>, limit: usize) -> Result<Vec<(String, Vec<u8>)>> {
        match self {
            RedbTxn::Read(txn) => read_range(&txn.open_table(table(name))?, range, limit),
            RedbTxn::Write(txn) => read_range(&txn.open_table(table(name))?, range, limit),
        }
    }
}

/// A store in a throwaway directory, removed when the guard drops: for tests at every layer.
pub fn temporary() -> (crate::Db, TempDir) {
    let dir = TempDir::new();
    let db = RedbStore::open(&dir.path().join("test.redb")).expect("open a temporary store");
    (Arc::new(db), dir)
}

/// A throwaway directory, removed on drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let p = std::env::temp_dir().join(switchboard_domain::ids::new_id("sbtest"));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    //! The conformance suite, run against redb.
    crate::conformance_tests!(|| super::temporary());
}

#[cfg(test)]
mod redb_only {
    use switchboard_domain::tenants::{SpeechSettings, TenantPatch};

    use super::RedbStore;
    use crate::documents::TENANTS;

    #[test]
    fn records_written_before_speech_settings_existed_still_load() {
        let dir = super::TempDir::new();
        let db = RedbStore::open(&dir.path().join("old.redb")).unwrap();
        let t = db.create_tenant("Old", TenantPatch::default()).unwrap();
        let mut json = serde_json::to_value(&t).unwrap();
        json.as_object_mut().unwrap().remove("speech");
        db.put(TENANTS, &t.id, &json).unwrap();
        assert_eq!(db.tenant(&t.id).unwrap().speech, SpeechSettings::default());
        let slow = SpeechSettings { end_of_turn_ms: 900, ..Default::default() };
        let patched =
            db.update_tenant(&t.id, TenantPatch { speech: Some(slow.clone()), ..Default::default() }).unwrap();
        assert_eq!(patched.speech, slow);
        let bad = SpeechSettings { speed: 9.0, ..Default::default() };
        assert!(db.update_tenant(&t.id, TenantPatch { speech: Some(bad), ..Default::default() }).is_err());
    }
}
