//! The redb implementation of calls, their hourly figures and their search index.

use redb::{ReadableDatabase, ReadableTable};
use switchboard_domain::calls::{CallQuery, CallRecord, CallSummary, UnheardTurn, query_terms, search_terms, unheard_turns};
use switchboard_domain::orders::Order;
use switchboard_domain::stats::{CallFigures, hour_of};
use switchboard_domain::tenants::Tenant;

use super::{CALL_STATS, CALL_TERMS, CALLS, ORDERS, RedbStore, TENANTS, UNHEARD, decode, encode, key, prefix};
use crate::{Result, StorageError};

/// How many index entries a text search reads at most before it stops looking.
const SEARCH_SCAN_LIMIT: usize = 20_000;

/// `tenant/hour`, zero-padded so that keys sort by time.
fn stats_key(tenant: &str, hour_ms: u64) -> String {
    format!("{tenant}/{hour_ms:015}")
}

impl RedbStore {
    /// Write the current state of a call record (the call session saves after every turn).
    /// An ended call's figures and search terms are written in the same transaction.
    pub(crate) fn save_call(&self, record: &CallRecord) -> Result<()> {
        let txn = self.raw().begin_write()?;
        save_in(&txn, record)?;
        txn.commit()?;
        Ok(())
    }

    /// Write many call records in one transaction, each as [`RedbStore::save_call`] would
    /// (imports, and benchmarks that seed a large history).
    pub fn import_calls(&self, records: &[CallRecord]) -> Result<()> {
        let txn = self.raw().begin_write()?;
        for r in records {
            save_in(&txn, r)?;
        }
        txn.commit()?;
        Ok(())
    }

    pub(crate) fn call(&self, tenant: &str, id: &str) -> Result<CallRecord> {
        self.get(CALLS, &key(tenant, id))?.ok_or(StorageError::NotFound)
    }

    /// A tenant's calls, newest first: call ids sort by time, so the listing walks the
    /// tenant's key range backwards and stops at the limit (or at the period's start).
    pub(crate) fn calls(&self, tenant: &str, query: &CallQuery) -> Result<Vec<CallSummary>> {
        let limit = query.limit();
        let txn = self.raw().begin_read()?;
        let calls = txn.open_table(CALLS)?;
        let mut out = Vec::new();
        let wanted_text = query.text.as_deref().map(query_terms).filter(|t| !t.is_empty());
        if let Some(terms) = wanted_text {
            // The first term's postings, newest call first; the other terms looked up by key.
            let index = txn.open_table(CALL_TERMS)?;
            let first = format!("{tenant}/{}/", terms[0]);
            let end = format!("{tenant}/{}0", terms[0]);
            for entry in index.range(first.as_str()..end.as_str())?.rev().take(SEARCH_SCAN_LIMIT) {
                let (k, _) = entry?;
                let Some(call_id) = k.value().strip_prefix(first.as_str()) else { continue };
                let mut all = true;
                for t in &terms[1..] {
                    if index.get(format!("{tenant}/{t}/{call_id}").as_str())?.is_none() {
                        all = false;
                        break;
                    }
                }
                if !all {
                    continue;
                }
                let ck = key(tenant, call_id);
                if let Some(v) = calls.get(ck.as_str())? {
                    let r: CallRecord = decode(&ck, v.value())?;
                    if query.admits(&r) {
                        out.push(CallSummary::from(r));
                        if out.len() >= limit {
                            break;
                        }
                    }
                }
            }
            return Ok(out);
        }
        let start = prefix(tenant);
        let end = format!("{tenant}0");
        for entry in calls.range(start.as_str()..end.as_str())?.rev() {
            let (k, v) = entry?;
            let r: CallRecord = decode(k.value(), v.value())?;
            if query.from_ms.is_some_and(|f| r.started_at_ms < f.saturating_sub(60_000)) {
                // Ids sort by creation time (to the ms, a minute of slack for clocks): nothing older is wanted.
                break;
            }
            if query.admits(&r) {
                out.push(CallSummary::from(r));
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// A tenant's turns the bot may have failed, of calls ended in a period, newest first.
    pub(crate) fn unheard_turns(&self, tenant: &str, from_ms: u64, to_ms: u64, limit: usize) -> Result<Vec<UnheardTurn>> {
        let txn = self.raw().begin_read()?;
        let t = txn.open_table(UNHEARD)?;
        let (start, end) = (format!("{tenant}/{from_ms:015}"), format!("{tenant}/{to_ms:015}"));
        let mut out = Vec::new();
        for entry in t.range(start.as_str()..end.as_str())?.rev().take(limit) {
            let (k, v) = entry?;
            out.push(decode(k.value(), v.value())?);
        }
        Ok(out)
    }

    /// The hourly figures of a tenant from `from_hour_ms` up to `to_ms`.
    pub(crate) fn call_figures(&self, tenant: &str, from_hour_ms: u64, to_ms: u64) -> Result<Vec<(u64, CallFigures)>> {
        let txn = self.raw().begin_read()?;
        let stats = txn.open_table(CALL_STATS)?;
        let (start, end) = (stats_key(tenant, from_hour_ms), stats_key(tenant, to_ms));
        let mut out = Vec::new();
        for entry in stats.range(start.as_str()..end.as_str())? {
            let (k, v) = entry?;
            let hour = k.value().rsplit('/').next().and_then(|h| h.parse().ok()).unwrap_or(0);
            out.push((hour, decode(k.value(), v.value())?));
        }
        Ok(out)
    }
}

/// Save one call record inside `txn`, with its hour's figures and its search terms once it ended.
fn save_in(txn: &redb::WriteTransaction, record: &CallRecord) -> Result<()> {
        {
            let k = key(&record.tenant_id, &record.id);
            let mut calls = txn.open_table(CALLS)?;
            let old: Option<CallRecord> = match calls.get(k.as_str())? {
                Some(v) => Some(decode(&k, v.value())?),
                None => None,
            };
            calls.insert(k.as_str(), encode(record).as_slice())?;
            drop(calls);
            let ended = |r: &CallRecord| r.ended_at_ms.filter(|_| r.outcome != switchboard_domain::calls::Outcome::InProgress);
            let before = old.as_ref().and_then(|o| ended(o).map(|at| (at, o)));
            let after = ended(record).map(|at| (at, record));
            if before.is_some() || after.is_some() {
                let tenant: Option<Tenant> = {
                    let t = txn.open_table(TENANTS)?;
                    let v = t.get(record.tenant_id.as_str())?;
                    match v {
                        Some(v) => Some(decode(&record.tenant_id, v.value())?),
                        None => None,
                    }
                };
                let tags = tenant.map(|t| t.analytics.resolution_tags).unwrap_or_default();
                let orders = txn.open_table(ORDERS)?;
                let figures = |r: &CallRecord| -> Result<CallFigures> {
                    let mut totals = Vec::new();
                    for id in &r.order_ids {
                        let ok = key(&r.tenant_id, id);
                        if let Some(v) = orders.get(ok.as_str())? {
                            let o: Order = decode(&ok, v.value())?;
                            totals.push((o.currency, o.total));
                        }
                    }
                    Ok(CallFigures::of_call(r, &totals, &tags))
                };
                let before = before.map(|(at, r)| figures(r).map(|f| (hour_of(at), f))).transpose()?;
                let after = after.map(|(at, r)| figures(r).map(|f| (hour_of(at), f))).transpose()?;
                drop(orders);
                if before != after {
                    let mut stats = txn.open_table(CALL_STATS)?;
                    for (hour, f, sign) in before.iter().map(|(h, f)| (h, f, -1)).chain(after.iter().map(|(h, f)| (h, f, 1))) {
                        let sk = stats_key(&record.tenant_id, *hour);
                        let mut row: CallFigures = match stats.get(sk.as_str())? {
                            Some(v) => decode(&sk, v.value())?,
                            None => CallFigures::default(),
                        };
                        row.add(f, sign);
                        stats.insert(sk.as_str(), encode(&row).as_slice())?;
                    }
                }
                if let (Some(_), Some(ended_at)) = (&after, record.ended_at_ms) {
                    let mut unheard = txn.open_table(UNHEARD)?;
                    for (i, turn) in unheard_turns(record) {
                        let k = format!("{}/{ended_at:015}/{}/{i:04}", record.tenant_id, record.id);
                        unheard.insert(k.as_str(), encode(&turn).as_slice())?;
                    }
                }
                if after.is_some() {
                    let mut terms = txn.open_table(CALL_TERMS)?;
                    let text: Vec<&str> = record.transcript.iter().map(|t| t.text.as_str()).collect();
                    for term in search_terms(&text.join("\n")) {
                        terms.insert(format!("{}/{term}/{}", record.tenant_id, record.id).as_str(), &[][..])?;
                    }
                }
            }
        }
    Ok(())
}
