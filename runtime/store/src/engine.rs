//! What a storage engine must offer the documents layer: ordered tables of
//! byte values under string keys, read and written in transactions.
//!
//! Every record Switchboard keeps is a JSON document under a key such as
//! `tenant/id` ([`crate::documents`]), and every index is a table whose keys sort
//! the way it is read (`tenant/campaign/next_at/index`). The rules (pricing, numbering,
//! the hourly figures, the search index) are written once against [`Txn`]; an engine
//! only stores bytes in key order and makes a write transaction all-or-nothing:
//!
//! - [`crate::redb`]: one embedded file (the default);
//! - [`crate::postgres`]: a PostgreSQL database that several nodes share.

use std::ops::Bound;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Change, Result, StorageError};

/// A table's name (the same in every engine).
pub type Table = &'static str;

/// Which keys a range read wants, and in which order.
#[derive(Clone, Copy, Debug)]
pub struct KeyRange<'a> {
    pub start: Bound<&'a str>,
    pub end: Bound<&'a str>,
    /// Largest key first.
    pub reverse: bool,
}

impl<'a> KeyRange<'a> {
    /// Keys from `start` (included) up to `end` (excluded).
    pub fn between(start: &'a str, end: &'a str) -> KeyRange<'a> {
        KeyRange { start: Bound::Included(start), end: Bound::Excluded(end), reverse: false }
    }
    /// Keys from `start` (included) on.
    pub fn from(start: &'a str) -> KeyRange<'a> {
        KeyRange { start: Bound::Included(start), end: Bound::Unbounded, reverse: false }
    }
    pub fn rev(self) -> KeyRange<'a> {
        KeyRange { reverse: !self.reverse, ..self }
    }
}

/// One transaction of an engine. A write transaction is committed by the engine
/// when the work returns `Ok`, and rolled back when it returns an error.
pub trait Txn {
    fn get(&mut self, table: Table, key: &str) -> Result<Option<Vec<u8>>>;
    fn put(&mut self, table: Table, key: &str, value: &[u8]) -> Result<()>;
    /// Remove a key; what it held.
    fn remove(&mut self, table: Table, key: &str) -> Result<Option<Vec<u8>>>;
    /// At most `limit` entries of a range, in key order (or reversed).
    fn range(&mut self, table: Table, range: KeyRange<'_>, limit: usize) -> Result<Vec<(String, Vec<u8>)>>;
    /// Tell the other nodes of a change once this transaction commits (nothing, for an
    /// engine only one node uses).
    fn announce(&mut self, _change: &Change) -> Result<()> {
        Ok(())
    }
}

/// An engine: where transactions come from. Work runs on the calling thread (the
/// documents layer calls from Tokio's blocking pool).
pub trait Engine: Send + Sync + 'static {
    /// Run `work` in a read-only transaction that sees one consistent state.
    fn read<T>(&self, work: &mut dyn FnMut(&mut dyn Txn) -> Result<T>) -> Result<T>;
    /// Run `work` in a write transaction. An engine whose transactions can conflict
    /// with another writer's (PostgreSQL's serializable isolation) runs the work again
    /// on a fresh transaction, so `work` must not keep effects outside it.
    fn write<T>(&self, work: &mut dyn FnMut(&mut dyn Txn) -> Result<T>) -> Result<T>;
    /// The changes other nodes announce ([`Txn::announce`]).
    fn changes(&self) -> tokio::sync::broadcast::Receiver<Change>;
}

/// How many entries [`TxnExt::each`] reads per round.
const PAGE: usize = 256;

/// Typed reads and writes over any transaction.
pub trait TxnExt {
    fn doc<T: DeserializeOwned>(&mut self, table: Table, key: &str) -> Result<Option<T>>;
    fn put_doc<T: Serialize>(&mut self, table: Table, key: &str, value: &T) -> Result<()>;
    /// Every document whose key starts with `prefix`, in key order.
    fn docs<T: DeserializeOwned>(&mut self, table: Table, prefix: &str) -> Result<Vec<T>>;
    /// Visit a range in order, a page at a time, until `visit` returns `false`.
    fn each(
        &mut self,
        table: Table,
        range: KeyRange<'_>,
        visit: &mut dyn FnMut(&str, &[u8]) -> Result<bool>,
    ) -> Result<()>;
}

impl TxnExt for dyn Txn + '_ {
    fn doc<T: DeserializeOwned>(&mut self, table: Table, key: &str) -> Result<Option<T>> {
        self.get(table, key)?.map(|v| decode(key, &v)).transpose()
    }

    fn put_doc<T: Serialize>(&mut self, table: Table, key: &str, value: &T) -> Result<()> {
        self.put(table, key, &encode(value))
    }

    fn docs<T: DeserializeOwned>(&mut self, table: Table, prefix: &str) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let end = prefix_end(prefix);
        let range = match &end {
            Some(end) => KeyRange::between(prefix, end),
            None => KeyRange::from(prefix),
        };
        self.each(table, range, &mut |k, v| {
            out.push(decode(k, v)?);
            Ok(true)
        })?;
        Ok(out)
    }

    fn each(
        &mut self,
        table: Table,
        range: KeyRange<'_>,
        visit: &mut dyn FnMut(&str, &[u8]) -> Result<bool>,
    ) -> Result<()> {
        let mut last: Option<String> = None;
        loop {
            let mut page_range = range;
            if let Some(last) = &last {
                if range.reverse {
                    page_range.end = Bound::Excluded(last.as_str());
                } else {
                    page_range.start = Bound::Excluded(last.as_str());
                }
            }
            let page = self.range(table, page_range, PAGE)?;
            let full = page.len() == PAGE;
            for (k, v) in &page {
                if !visit(k, v)? {
                    return Ok(());
                }
            }
            match page.into_iter().last() {
                Some((k, _)) if full => last = Some(k),
                _ => return Ok(()),
            }
        }
    }
}

/// The first key after every key that starts with `prefix` (`None`: no bound).
pub fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // (After U+D7FF come the surrogates, which are no characters: U+E000 is next.)
        let next = if last == '\u{d7ff}' { Some('\u{e000}') } else { char::from_u32(last as u32 + 1) };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own plain structs to JSON cannot fail.
    serde_json::to_vec(value).expect("record serialises to JSON")
}

pub fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| StorageError::Corrupt { key: key.to_string(), source })
}

/// `tenant/id`: the key of a tenant-owned record.
pub fn key(tenant: &str, id: &str) -> String {
    format!("{tenant}/{id}")
}

/// `tenant/`: the prefix of all of a tenant's records in a table.
pub fn prefix(tenant: &str) -> String {
    format!("{tenant}/")
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_ends_just_after_its_keys() {
        assert_eq!(prefix_end("ten_1/").as_deref(), Some("ten_10"));
        assert_eq!(prefix_end("").as_deref(), None);
        assert!("ten_1/zzz" < prefix_end("ten_1/").unwrap().as_str());
    }
}
