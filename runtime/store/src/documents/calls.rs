//! Calls, their hourly figures and their search index.

use switchboard_domain::calls::{
    CallQuery, CallRecord, CallSummary, UnheardTurn, query_terms, search_terms, unheard_turns,
};
use switchboard_domain::orders::Order;
use switchboard_domain::stats::{CallFigures, hour_of};
use switchboard_domain::tenants::Tenant;

use super::{CALL_STATS, CALL_TERMS, CALLS, Documents, ORDERS, TENANTS, UNHEARD, decode, key, prefix};
use crate::engine::{Engine, KeyRange, Txn, TxnExt, prefix_end};
use crate::{Result, StorageError};

/// How many index entries a text search reads at most before it stops looking.
const SEARCH_SCAN_LIMIT: usize = 20_000;

/// `tenant/hour`, zero-padded so that keys sort by time.
fn stats_key(tenant: &str, hour_ms: u64) -> String {
    format!("{tenant}/{hour_ms:015}")
}

impl<E: Engine> Documents<E> {
    /// Write the current state of a call record (the call session saves after every turn).
    /// An ended call's figures and search terms are written in the same transaction.
    pub(crate) fn save_call(&self, record: &CallRecord) -> Result<()> {
        self.write(|txn| save_in(txn, record))
    }

    /// Write many call records in one transaction, each as [`Documents::save_call`] would
    /// (imports, and benchmarks that seed a large history).
    pub fn import_calls(&self, records: &[CallRecord]) -> Result<()> {
        self.write(|txn| {
            for r in records {
                save_in(txn, r)?;
            }
            Ok(())
        })
    }

    pub(crate) fn call(&self, tenant: &str, id: &str) -> Result<CallRecord> {
        self.get(CALLS, &key(tenant, id))?.ok_or(StorageError::NotFound)
    }

    /// A tenant's calls, newest first: call ids sort by time, so the listing walks the
    /// tenant's key range backwards and stops at the limit (or at the period's start).
    pub(crate) fn calls(&self, tenant: &str, query: &CallQuery) -> Result<Vec<CallSummary>> {
        let limit = query.limit();
        let wanted_text = query.text.as_deref().map(query_terms).filter(|t| !t.is_empty());
        self.read(|txn| {
            let mut out = Vec::new();
            if let Some(terms) = &wanted_text {
                // The first term's postings, newest call first; the other terms looked up by key.
                let first = format!("{tenant}/{}/", terms[0]);
                let end = prefix_end(&first).unwrap_or_default();
                let mut postings = Vec::new();
                let mut read = 0;
                txn.each(CALL_TERMS, KeyRange::between(&first, &end).rev(), &mut |k, _| {
                    read += 1;
                    if let Some(call_id) = k.strip_prefix(first.as_str()) {
                        postings.push(call_id.to_string());
                    }
                    Ok(read < SEARCH_SCAN_LIMIT)
                })?;
                for call_id in postings {
                    let mut all = true;
                    for t in &terms[1..] {
                        if txn.get(CALL_TERMS, &format!("{tenant}/{t}/{call_id}"))?.is_none() {
                            all = false;
                            break;
                        }
                    }
                    if !all {
                        continue;
                    }
                    if let Some(r) = txn.doc::<CallRecord>(CALLS, &key(tenant, &call_id))? {
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
            let end = prefix_end(&start).unwrap_or_default();
            txn.each(CALLS, KeyRange::between(&start, &end).rev(), &mut |k, v| {
                let r: CallRecord = decode(k, v)?;
                if query.from_ms.is_some_and(|f| r.started_at_ms < f.saturating_sub(60_000)) {
                    // Ids sort by creation time (to the ms, a minute of slack for clocks): nothing older is wanted.
                    return Ok(false);
                }
                if query.admits(&r) {
                    out.push(CallSummary::from(r));
                }
                Ok(out.len() < limit)
            })?;
            Ok(out)
        })
    }

    /// A tenant's turns the bot may have failed, of calls ended in a period, newest first.
    pub(crate) fn unheard_turns(
        &self,
        tenant: &str,
        from_ms: u64,
        to_ms: u64,
        limit: usize,
    ) -> Result<Vec<UnheardTurn>> {
        let (start, end) = (format!("{tenant}/{from_ms:015}"), format!("{tenant}/{to_ms:015}"));
        self.read(|txn| {
            let page = txn.range(UNHEARD, KeyRange::between(&start, &end).rev(), limit)?;
            page.iter().map(|(k, v)| decode(k, v)).collect()
        })
    }

    /// The hourly figures of a tenant from `from_hour_ms` up to `to_ms`.
    pub(crate) fn call_figures(&self, tenant: &str, from_hour_ms: u64, to_ms: u64) -> Result<Vec<(u64, CallFigures)>> {
        let (start, end) = (stats_key(tenant, from_hour_ms), stats_key(tenant, to_ms));
        self.read(|txn| {
            let mut out = Vec::new();
            txn.each(CALL_STATS, KeyRange::between(&start, &end), &mut |k, v| {
                let hour = k.rsplit('/').next().and_then(|h| h.parse().ok()).unwrap_or(0);
                out.push((hour, decode(k, v)?));
                Ok(true)
            })?;
            Ok(out)
        })
    }
}

/// Save one call record inside `txn`, with its hour's figures and its search terms once it ended.
fn save_in(txn: &mut dyn Txn, record: &CallRecord) -> Result<()> {
    let k = key(&record.tenant_id, &record.id);
    let old: Option<CallRecord> = txn.doc(CALLS, &k)?;
    txn.put_doc(CALLS, &k, record)?;
    let ended = |r: &CallRecord| r.ended_at_ms.filter(|_| r.outcome != switchboard_domain::calls::Outcome::InProgress);
    let before = old.as_ref().and_then(|o| ended(o).map(|at| (at, o)));
    let after = ended(record).map(|at| (at, record));
    if before.is_none() && after.is_none() {
        return Ok(());
    }
    let tenant: Option<Tenant> = txn.doc(TENANTS, &record.tenant_id)?;
    let tags = tenant.map(|t| t.analytics.resolution_tags).unwrap_or_default();
    let mut figures = |r: &CallRecord| -> Result<CallFigures> {
        let mut totals = Vec::new();
        for id in &r.order_ids {
            if let Some(o) = txn.doc::<Order>(ORDERS, &key(&r.tenant_id, id))? {
                totals.push((o.currency, o.total));
            }
        }
        Ok(CallFigures::of_call(r, &totals, &tags))
    };
    let before = before.map(|(at, r)| figures(r).map(|f| (hour_of(at), f))).transpose()?;
    let after = after.map(|(at, r)| figures(r).map(|f| (hour_of(at), f))).transpose()?;
    if before != after {
        for (hour, f, sign) in before.iter().map(|(h, f)| (h, f, -1)).chain(after.iter().map(|(h, f)| (h, f, 1))) {
            let sk = stats_key(&record.tenant_id, *hour);
            let mut row: CallFigures = txn.doc(CALL_STATS, &sk)?.unwrap_or_default();
            row.add(f, sign);
            txn.put_doc(CALL_STATS, &sk, &row)?;
        }
    }
    if let (Some(_), Some(ended_at)) = (&after, record.ended_at_ms) {
        for (i, turn) in unheard_turns(record) {
            let k = format!("{}/{ended_at:015}/{}/{i:04}", record.tenant_id, record.id);
            txn.put_doc(UNHEARD, &k, &turn)?;
        }
    }
    if after.is_some() {
        let text: Vec<&str> = record.transcript.iter().map(|t| t.text.as_str()).collect();
        for term in search_terms(&text.join("\n")) {
            txn.put(CALL_TERMS, &format!("{}/{term}/{}", record.tenant_id, record.id), &[])?;
        }
    }
    Ok(())
}
