//! Places among a tenant's calls at once: `tenant/kind/call_id` → the place (its node and
//! when its lease runs out). Counting and taking happen in one write transaction, so
//! nodes asking at once cannot overshoot a limit.

use super::{CALL_PLACES, Documents, decode};
use crate::engine::{Engine, KeyRange, TxnExt};
use crate::{CallPlace, Result};

impl<E: Engine> Documents<E> {
    pub(crate) fn take_call_place(&self, place: &CallPlace, limit: u32, now_ms: u64) -> Result<bool> {
        let prefix = format!("{}/{}/", place.tenant_id, place.kind);
        let key = format!("{prefix}{}", place.call_id);
        self.write(|txn| {
            let held: Vec<CallPlace> = txn.docs(CALL_PLACES, &prefix)?;
            let mut live = 0;
            for p in &held {
                if p.expires_at_ms > now_ms {
                    live += u32::from(p.call_id != place.call_id);
                } else {
                    // A lease its node stopped renewing.
                    txn.remove(CALL_PLACES, &format!("{prefix}{}", p.call_id))?;
                }
            }
            if live >= limit {
                return Ok(false);
            }
            txn.put_doc(CALL_PLACES, &key, place)?;
            Ok(true)
        })
    }

    pub(crate) fn renew_call_places(&self, node: &str, until_ms: u64) -> Result<usize> {
        self.write(|txn| {
            let mut mine = Vec::new();
            txn.each(CALL_PLACES, KeyRange::from(""), &mut |k, v| {
                let p: CallPlace = decode(k, v)?;
                if p.node == node {
                    mine.push((k.to_string(), p));
                }
                Ok(true)
            })?;
            for (k, mut p) in mine.iter().cloned() {
                p.expires_at_ms = until_ms;
                txn.put_doc(CALL_PLACES, &k, &p)?;
            }
            Ok(mine.len())
        })
    }
}
