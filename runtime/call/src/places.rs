//! A tenant's calls at once, counted across every node that shares the store
//! ([`switchboard_store::CallPlaces`]): each call holds a place of each limit it counts
//! against (`calls` for every call, `browser`, `campaign`), leased by this node. The node
//! renews its leases while it runs ([`keep_leases`]); a node killed mid-call loses its
//! places when they expire, so its tenants' lines come back without it.

use std::sync::Arc;
use std::time::Duration;

use switchboard_domain::ids::now_ms;
pub use switchboard_store::StorageError as Error;
use switchboard_store::{CallPlace, Db, StorageError};

use crate::app::App;

/// How long a place lasts unless renewed: how long a killed node's calls keep counting.
pub const LEASE: Duration = Duration::from_secs(45);
/// How often the node renews its places.
const RENEW_EVERY: Duration = Duration::from_secs(15);

/// Every call, whatever its channel (against `telephony.max_calls`).
pub const CALLS: &str = "calls";
/// Browser calls (against `telephony.max_browser_calls`).
pub const BROWSER: &str = "browser";
/// Campaign calls in progress (against `outreach.max_concurrent_calls`).
pub const CAMPAIGN: &str = "campaign";

/// A place held; given back when dropped.
pub struct Place {
    db: Db,
    tenant: String,
    kind: &'static str,
    call_id: String,
}

impl Drop for Place {
    fn drop(&mut self) {
        let (db, tenant, kind, call_id) =
            (self.db.clone(), std::mem::take(&mut self.tenant), self.kind, std::mem::take(&mut self.call_id));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = db.release_call_place(&tenant, kind, &call_id).await {
                    tracing::warn!(tenant_id = %tenant, kind, error = %e, "a call's place not given back: it expires with its lease");
                }
            });
        }
    }
}

/// Take a place of `kind` for `call_id` (any id unique to the call) if the tenant holds
/// fewer than `limit` across the cluster; `None` when it is full.
pub async fn take(
    app: &App,
    tenant: &str,
    kind: &'static str,
    call_id: &str,
    limit: u32,
) -> Result<Option<Place>, StorageError> {
    let now = now_ms();
    let place = CallPlace {
        tenant_id: tenant.to_string(),
        kind: kind.to_string(),
        call_id: call_id.to_string(),
        node: app.node_id.clone(),
        expires_at_ms: now + LEASE.as_millis() as u64,
    };
    if !app.db.take_call_place(&place, limit, now).await? {
        return Ok(None);
    }
    Ok(Some(Place { db: app.db.clone(), tenant: tenant.to_string(), kind, call_id: call_id.to_string() }))
}

/// Let go of the places a previous run of this node left (it was killed), then renew this
/// node's places until the app goes away. Call it before taking calls.
pub async fn keep_leases(app: &Arc<App>) -> Result<(), StorageError> {
    // Renewed "until now": expired, so free for anyone.
    app.db.renew_call_places(&app.node_id, now_ms()).await?;
    let app = Arc::downgrade(app);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            let Some(a) = app.upgrade() else { return };
            if let Err(e) = a.db.renew_call_places(&a.node_id, now_ms() + LEASE.as_millis() as u64).await {
                tracing::warn!(error = %e, "call places not renewed; trying again");
            }
        }
    });
    Ok(())
}
