//! Durable storage: one redb file in the data directory.
//!
//! Every record is a JSON document in a table keyed by `tenant_id/record_id`, so
//! a tenant's records are one contiguous key range and no query can wander into
//! another tenant's. Each domain (tenants, flows, orders...) has its own module
//! with its types and the few operations the rest of the runtime needs; this is
//! the interface a shared database (PostgreSQL) would implement for a cluster.
//!
//! redb is synchronous: async callers go through [`Db::run`], which moves the
//! work to the blocking pool with a deadline.

pub mod api_keys;
pub mod calls;
pub mod catalog;
pub mod customers;
pub mod faq;
pub mod flows;
pub mod orders;
pub mod tenant_state;
pub mod tenants;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Table of JSON documents: key → JSON bytes.
pub(crate) type DocTable = TableDefinition<'static, &'static str, &'static [u8]>;

/// What can go wrong in storage, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("storage did not answer within {0:?}")]
    Timeout(Duration),
    #[error("database error: {0}")]
    Database(#[from] redb::Error),
    #[error("corrupt record {key}: {source}")]
    Corrupt { key: String, source: serde_json::Error },
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StorageError {
            fn from(e: $t) -> Self { StorageError::Database(e.into()) }
        }
    )*};
}
from_redb!(redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError, redb::DatabaseError);

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The database handle. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<redb::Database>,
}

/// How long an async caller waits for one storage operation.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2);

impl Db {
    /// Open (or create) the database file at `path`, creating every table.
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        use anyhow::Context;
        let db = redb::Database::create(path).with_context(|| format!("opening database {}", path.display()))?;
        let txn = db.begin_write().context("creating tables")?;
        for table in ALL_TABLES {
            txn.open_table(*table).context("creating tables")?;
        }
        txn.commit().context("creating tables")?;
        Ok(Db { inner: Arc::new(db) })
    }

    /// Run blocking storage work on the blocking pool, with a deadline.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        let task = tokio::task::spawn_blocking(move || work(&db));
        match tokio::time::timeout(DEFAULT_DEADLINE, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(StorageError::Invalid(format!("storage task failed: {join}"))),
            Err(_) => Err(StorageError::Timeout(DEFAULT_DEADLINE)),
        }
    }

    pub(crate) fn raw(&self) -> &redb::Database {
        &self.inner
    }

    /// Read one document.
    pub(crate) fn get<T: DeserializeOwned>(&self, table: DocTable, key: &str) -> Result<Option<T>> {
        let txn = self.inner.begin_read()?;
        let t = txn.open_table(table)?;
        match t.get(key)? {
            Some(v) => Ok(Some(decode(key, v.value())?)),
            None => Ok(None),
        }
    }

    /// Write one document in its own transaction.
    pub(crate) fn put<T: Serialize>(&self, table: DocTable, key: &str, value: &T) -> Result<()> {
        let txn = self.inner.begin_write()?;
        {
            let mut t = txn.open_table(table)?;
            t.insert(key, encode(value).as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Every document whose key starts with `prefix`, in key order.
    pub(crate) fn scan<T: DeserializeOwned>(&self, table: DocTable, prefix: &str) -> Result<Vec<T>> {
        let txn = self.inner.begin_read()?;
        let t = txn.open_table(table)?;
        scan_table(&t, prefix)
    }

    /// Delete one document; whether it existed.
    pub(crate) fn delete(&self, table: DocTable, key: &str) -> Result<bool> {
        let txn = self.inner.begin_write()?;
        let existed = {
            let mut t = txn.open_table(table)?;
            t.remove(key)?.is_some()
        };
        txn.commit()?;
        Ok(existed)
    }
}

pub(crate) fn scan_table<T: DeserializeOwned>(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    prefix: &str,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for entry in t.range(prefix..)? {
        let (k, v) = entry?;
        let key = k.value();
        if !key.starts_with(prefix) {
            break;
        }
        out.push(decode(key, v.value())?);
    }
    Ok(out)
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own plain structs to JSON cannot fail.
    serde_json::to_vec(value).expect("record serialises to JSON")
}

pub(crate) fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| StorageError::Corrupt { key: key.to_string(), source })
}

/// `tenant/id`: the key of a tenant-owned record.
pub(crate) fn key(tenant: &str, id: &str) -> String {
    format!("{tenant}/{id}")
}

/// `tenant/`: the prefix of all of a tenant's records in a table.
pub(crate) fn prefix(tenant: &str) -> String {
    format!("{tenant}/")
}

pub(crate) const TENANTS: DocTable = TableDefinition::new("tenants");
pub(crate) const NUMBERS: DocTable = TableDefinition::new("numbers");
pub(crate) const API_KEYS: DocTable = TableDefinition::new("api_keys");
pub(crate) const FLOWS: DocTable = TableDefinition::new("flows");
pub(crate) const FLOW_BLOBS: DocTable = TableDefinition::new("flow_blobs");
pub(crate) const CATALOGS: DocTable = TableDefinition::new("catalogs");
pub(crate) const FAQ: DocTable = TableDefinition::new("faq");
pub(crate) const CUSTOMERS: DocTable = TableDefinition::new("customers");
pub(crate) const CUSTOMER_PHONES: DocTable = TableDefinition::new("customer_phones");
pub(crate) const ORDERS: DocTable = TableDefinition::new("orders");
pub(crate) const ORDER_PHONES: DocTable = TableDefinition::new("order_phones");
pub(crate) const COUNTERS: DocTable = TableDefinition::new("counters");
pub(crate) const CALLS: DocTable = TableDefinition::new("calls");
pub(crate) const TENANT_STATE: DocTable = TableDefinition::new("tenant_state");

const ALL_TABLES: &[DocTable] = &[
    TENANTS,
    NUMBERS,
    API_KEYS,
    FLOWS,
    FLOW_BLOBS,
    CATALOGS,
    FAQ,
    CUSTOMERS,
    CUSTOMER_PHONES,
    ORDERS,
    ORDER_PHONES,
    COUNTERS,
    CALLS,
    TENANT_STATE,
];

#[cfg(test)]
pub(crate) fn test_db() -> (Db, tempdir::TempDir) {
    let dir = tempdir::TempDir::new();
    let db = Db::open(&dir.path().join("test.redb")).expect("open test db");
    (db, dir)
}

#[cfg(test)]
pub(crate) mod tempdir {
    //! A throwaway directory for tests, removed on drop.
    pub struct TempDir(std::path::PathBuf);
    impl TempDir {
        pub fn new() -> TempDir {
            let p = std::env::temp_dir().join(crate::ids::new_id("sbtest"));
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
}
