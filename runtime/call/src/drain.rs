//! Draining a node before it stops: it takes no new calls (SIP answers OPTIONS and
//! INVITEs with 503, so a proxy's dispatcher sends calls to the other nodes; browsers and
//! the campaign scheduler are refused too), finishes the calls it has, and then exits.
//!
//! `switchboard serve` starts a drain on SIGTERM or Ctrl-C, or on `POST /v1/admin/drain`;
//! a second signal stops at once.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Whether this node is being drained.
#[derive(Default)]
pub struct Drain {
    draining: AtomicBool,
    started: Notify,
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
