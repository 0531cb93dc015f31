//! Draining a node before it stops: it takes no new calls (SIP answers OPTIONS and
//! INVITEs with 503, so a proxy's dispatcher sends calls to the other nodes; browsers and
//! the campaign scheduler are refused too), finishes the calls it has, and then exits.
//!
//! `switchboard serve` starts a drain on SIGTERM or Ctrl-C, or on `POST /v1/admin/drain`;
//! a second signal stops at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Whether this node is being drained, and the call legs it still carries.
#[derive(Default)]
pub struct Drain {
    draining: AtomicBool,
    started: Notify,
    legs: Arc<Legs>,
}

/// Media legs in progress (a SIP dialog, a browser's connection): they outlive the call's
/// session by the hang-up's own exchange (BYE and its answer), which a stop must not cut.
#[derive(Default)]
struct Legs {
    count: AtomicUsize,
    ended: Notify,
}

/// One leg in progress, counted until dropped.
pub struct Leg(Arc<Legs>);

impl Drop for Leg {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::SeqCst);
        self.0.ended.notify_waiters();
    }
}

impl Drain {
    /// Start draining; `true` the first time.
    pub fn start(&self) -> bool {
        let first = !self.draining.swap(true, Ordering::SeqCst);
        if first {
            tracing::info!("draining: no new calls; stopping once the calls in progress end");
            self.started.notify_waiters();
        }
        first
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Count a leg until the guard is dropped.
    pub fn leg(&self) -> Leg {
        self.legs.count.fetch_add(1, Ordering::SeqCst);
        Leg(self.legs.clone())
    }

    /// Wait until no leg is in progress.
    pub async fn no_legs(&self) {
        loop {
            let ended = self.legs.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if self.legs.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            ended.await;
        }
    }

    /// Wait until a drain starts.
    pub async fn started(&self) {
        loop {
            let started = self.started.notified();
            tokio::pin!(started);
            started.as_mut().enable();
            if self.is_draining() {
                return;
            }
            started.await;
        }
    }
}
