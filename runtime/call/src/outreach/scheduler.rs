//! The loop that places campaign calls: each pass reads, per running campaign, only the
//! recipients whose time has come (the store's due index), up to the tenant's free lines;
//! a recipient due outside its window is moved to the window's opening, one on the
//! do-not-call list is skipped for good, the rest are marked dialling (stored) and dialled.
//! Between passes the loop sleeps until the next recipient is due, a call ends, or a
//! campaign changes; a waiting campaign costs one index lookup per pass.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::oneshot;
use tracing::Instrument;

use super::{DialOutcome, Outreach};
use crate::places;
use switchboard_domain::campaigns::{Attempt, AttemptOutcome, Campaign, CampaignState, Recipient, RecipientStatus};
use switchboard_domain::ids::now_ms;
use switchboard_domain::tenants::Tenant;

/// The longest sleep between passes (a missed wake-up heals within it).
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// A pass that fails (storage) tries again after this.
const RETRY_AFTER: Duration = Duration::from_secs(5);

impl Outreach {
    /// Run the scheduler until the server stops: first settle the attempts a stop cut
    /// short, then admit due recipients pass after pass.
    pub async fn run(self: Arc<Self>) {
        if let Err(e) = self.recover().await {
            tracing::error!(error = %e, "campaigns: attempts cut short by a stop could not be settled");
        }
        loop {
            let next = match self.pass().await {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!(error = %e, "campaign pass failed; trying again");
                    Some(now_ms() + RETRY_AFTER.as_millis() as u64)
                }
            };
            let sleep =
                next.map(|at| Duration::from_millis(at.saturating_sub(now_ms()))).unwrap_or(MAX_SLEEP).min(MAX_SLEEP);
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }

    /// Attempts this node had under way when it stopped (another node's are its own to
    /// settle): a call that was answered and ended is completed (never dialled again); anything else was cut short and is retried
    /// after the failure delay (a call cut short was not completed).
    pub async fn recover(&self) -> Result<(), switchboard_store::StorageError> {
        let db = &self.app.db;
        for tenant in db.tenants().await? {
            for c in db.campaigns(&tenant.id).await? {
                if !matches!(c.state, CampaignState::Running | CampaignState::Paused) {
                    continue;
                }
                for mut r in db.recipients(&tenant.id, &c.id).await? {
                    if r.status != RecipientStatus::Dialing {
                        continue;
                    }
                    // Another node's call in progress is that node's to settle.
                    let node = r.attempts.last().and_then(|a| a.node.as_deref());
                    if node.is_some_and(|n| n != self.app.node_id) {
                        continue;
                    }
                    let call_id = r.attempts.last().and_then(|a| a.call_id.clone());
                    let ended = match &call_id {
                        Some(id) => db.call(&tenant.id, id).await.ok().is_some_and(|rec| rec.ended_at_ms.is_some()),
                        None => false,
                    };
                    let outcome = if ended { AttemptOutcome::Answered } else { AttemptOutcome::Interrupted };
                    tracing::info!(campaign = %c.id, recipient = r.index, ?outcome, "attempt settled after a restart");
                    c.attempt_ended(
                        &mut r,
                        outcome,
                        call_id,
                        Some("the server stopped during the attempt".into()),
                        now_ms(),
                    );
                    db.save_recipient(&tenant.id, &r).await?;
                }
            }
        }
        Ok(())
    }

    /// One pass over the running campaigns. Returns when the next recipient is due.
    pub async fn pass(self: &Arc<Self>) -> Result<Option<u64>, switchboard_store::StorageError> {
        self.passes.fetch_add(1, Ordering::Relaxed);
        let Some(dialer) = self.dialer.get().cloned() else { return Ok(None) };
        if self.app.drain.is_draining() {
            // A draining node places no new calls; the other nodes' schedulers take over.
            return Ok(None);
        }
        let db = self.app.db.clone();
        let now = now_ms();
        let mut tenants: HashMap<String, Tenant> = HashMap::new();
        let mut earliest: Option<u64> = None;
        let sooner = |at: u64, e: &mut Option<u64>| *e = Some(e.map_or(at, |x: u64| x.min(at)));
        for c in db.running_campaigns().await? {
            let tenant = match tenants.get(&c.tenant_id) {
                Some(t) => t.clone(),
                None => {
                    let t = db.tenant(&c.tenant_id).await?;
                    tenants.insert(t.id.clone(), t.clone());
                    t
                }
            };
            // The tenant's campaign calls in progress on every node of the cluster.
            let limit = tenant.outreach.max_concurrent_calls;
            let held = db.count_call_places(&tenant.id, places::CAMPAIGN, now).await?;
            let free = limit.saturating_sub(u32::try_from(held).unwrap_or(u32::MAX));
            let mut admitted = 0u32;
            if free > 0 {
                // Some of those due may be moved to their window or skipped: read a few more.
                let due = db.due_recipients(&tenant.id, &c.id, now, free as usize + 32).await?;
                for mut r in due {
                    if admitted >= free {
                        break;
                    }
                    match c.due_at(&r, now) {
                        Some(at) if at <= now => {}
                        Some(at) => {
                            // Outside the callee's window: wait for it to open.
                            r.next_at_ms = at;
                            db.save_recipient(&tenant.id, &r).await?;
                            continue;
                        }
                        None => {
                            r.status = RecipientStatus::Unreached;
                            db.save_recipient(&tenant.id, &r).await?;
                            continue;
                        }
                    }
                    if db.do_not_call(&tenant.id, &r.phone).await?.is_some() {
                        tracing::info!(campaign = %c.id, recipient = r.index, "on the do-not-call list: not dialled");
                        r.status = RecipientStatus::DoNotCall;
                        db.save_recipient(&tenant.id, &r).await?;
                        continue;
                    }
                    // Stored as dialling before the call is placed: a stop from here on is
                    // settled by `recover`, never dialled twice unknowingly. The claim is
                    // conditional, so that of several nodes' schedulers one dials.
                    r.status = RecipientStatus::Dialing;
                    r.attempts.push(Attempt {
                        started_at_ms: now,
                        ended_at_ms: None,
                        outcome: None,
                        call_id: None,
                        detail: None,
                        node: Some(self.app.node_id.clone()),
                    });
                    let key = format!("{}/{}/{}", c.id, r.index, r.attempts.len());
                    let Some(place) = places::take(&self.app, &tenant.id, places::CAMPAIGN, &key, limit).await? else {
                        // Another node's calls filled the tenant's lines meanwhile.
                        break;
                    };
                    if !db.claim_recipient(&tenant.id, &r).await? {
                        tracing::debug!(campaign = %c.id, recipient = r.index, "claimed by another node");
                        continue;
                    }
                    {
                        let mut active = self.active();
                        *active.tenants.entry(tenant.id.clone()).or_default() += 1;
                        *active.campaigns.entry(format!("{}/{}", c.tenant_id, c.id)).or_default() += 1;
                    }
                    admitted += 1;
                    self.admitted.fetch_add(1, Ordering::Relaxed);
                    let span = tracing::info_span!("campaign call", tenant_id = %tenant.id, campaign = %c.id, recipient = r.index);
                    tokio::spawn(
                        self.clone().attempt(dialer.clone(), c.clone(), tenant.clone(), r, place).instrument(span),
                    );
                }
            }
            match db.next_due(&tenant.id, &c.id).await? {
                // More are due now but the lines are full: a call's end wakes the loop.
                Some(at) if at <= now && admitted >= free => {}
                Some(at) => sooner(at.max(now + 50), &mut earliest),
                None => self.maybe_complete(&c).await?,
            }
        }
        Ok(earliest)
    }

    /// A campaign with nobody pending and no call under way is complete.
    async fn maybe_complete(&self, c: &Campaign) -> Result<(), switchboard_store::StorageError> {
        if self.active().campaigns.get(&format!("{}/{}", c.tenant_id, c.id)).copied().unwrap_or(0) > 0 {
            return Ok(());
        }
        let db = &self.app.db;
        let recipients = db.recipients(&c.tenant_id, &c.id).await?;
        if recipients.iter().any(|r| matches!(r.status, RecipientStatus::Pending | RecipientStatus::Dialing)) {
            return Ok(());
        }
        let mut c = db.campaign(&c.tenant_id, &c.id).await?;
        if c.state == CampaignState::Running {
            c.state = CampaignState::Completed;
            c.updated_at_ms = now_ms();
            db.save_campaign(&c).await?;
            tracing::info!(tenant_id = %c.tenant_id, campaign = %c.id, "campaign complete");
        }
        Ok(())
    }

    /// Place one call and record how it went; `_place` (the call's place among the tenant's
    /// campaign calls) is given back when it is over.
    async fn attempt(
        self: Arc<Self>,
        dialer: Arc<dyn super::Dialer>,
        c: Campaign,
        tenant: Tenant,
        r: Recipient,
        _place: places::Place,
    ) {
        let db = self.app.db.clone();
        let (tx, rx) = oneshot::channel::<String>();
        // The call's id is stored as soon as it is answered, so that a stop during the call
        // can tell afterwards whether it was completed.
        let keep_id = {
            let (db, tenant_id, campaign_id, index) = (db.clone(), tenant.id.clone(), c.id.clone(), r.index);
            tokio::spawn(async move {
                let Ok(call_id) = rx.await else { return None };
                if let Ok(mut stored) = db.recipient(&tenant_id, &campaign_id, index).await
                    && let Some(a) = stored.attempts.last_mut()
                {
                    a.call_id = Some(call_id.clone());
                    if let Err(e) = db.save_recipient(&tenant_id, &stored).await {
                        tracing::warn!(error = %e, "the answered call's id was not stored");
                    }
                }
                Some(call_id)
            })
        };
        tracing::info!(to = %r.phone, attempt = r.attempts.len(), "campaign call placed");
        let outcome =
            dialer.place(&tenant, &r.phone, c.flow_input_for(&r), Duration::from_secs(c.ring_secs as u64), tx).await;
        let answered_id = keep_id.await.ok().flatten();
        let (kind, call_id, detail) = match outcome {
            DialOutcome::Answered { call_id } => (AttemptOutcome::Answered, Some(call_id), None),
            DialOutcome::Busy => (AttemptOutcome::Busy, answered_id, None),
            DialOutcome::NoAnswer => (AttemptOutcome::NoAnswer, answered_id, None),
            DialOutcome::Failed(why) => (AttemptOutcome::Failed, answered_id, Some(why)),
        };
        tracing::info!(outcome = ?kind, "campaign call ended");
        let result = async {
            let mut stored = db.recipient(&tenant.id, &c.id, r.index).await?;
            c.attempt_ended(&mut stored, kind, call_id, detail, now_ms());
            // Cancelled meanwhile: nobody is called again.
            let now_state = db.campaign(&tenant.id, &c.id).await.map(|c| c.state).unwrap_or(c.state);
            if now_state == CampaignState::Cancelled && stored.status == RecipientStatus::Pending {
                stored.status = RecipientStatus::Cancelled;
            }
            db.save_recipient(&tenant.id, &stored).await
        }
        .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "the attempt's outcome was not stored");
        }
        {
            let mut active = self.active();
            if let Some(n) = active.tenants.get_mut(&tenant.id) {
                *n = n.saturating_sub(1);
            }
            if let Some(n) = active.campaigns.get_mut(&format!("{}/{}", c.tenant_id, c.id)) {
                *n = n.saturating_sub(1);
            }
        }
        self.wake.notify_one();
    }
}
