//! Outbound campaigns and order-update calls: recipients become due (their retry time,
//! moved into their calling window in their own local time), are checked against the
//! do-not-call list, and are dialled within the tenant's limit of concurrent calls; each
//! attempt's outcome decides the next one. Every step is stored before it is acted on,
//! so a restart neither loses nor repeats a call ([`Outreach::recover`]).
//!
//! - `campaigns.rs`: making a campaign from a request (recipients, a CSV, an order query),
//!   pause, resume, cancel; order updates.
//! - `scheduler.rs`: the loop that admits due recipients and records attempts.

mod campaigns;
mod scheduler;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Notify, oneshot};

use crate::app::App;
use switchboard_domain::tenants::Tenant;

pub use campaigns::{CampaignError, Created};

/// How a placed call went.
#[derive(Debug, Clone, PartialEq)]
pub enum DialOutcome {
    /// Answered: the flow had the call, which has now ended.
    Answered {
        call_id: String,
    },
    Busy,
    NoAnswer,
    /// Not placed or refused; why.
    Failed(String),
}

/// Who places calls: SIP, through the tenant's trunk.
#[async_trait]
pub trait Dialer: Send + Sync {
    /// Ring `to` for `tenant` for at most `ring`; once answered the tenant's flow takes the
    /// call with `flow_input`, and `answered` learns the call's id at once. Resolves when
    /// the call has ended, or was never answered.
    async fn place(
        &self,
        tenant: &Tenant,
        to: &str,
        flow_input: String,
        ring: Duration,
        answered: oneshot::Sender<String>,
    ) -> DialOutcome;
}

/// The campaign scheduler of one server.
pub struct Outreach {
    app: Arc<App>,
    dialer: OnceLock<Arc<dyn Dialer>>,
    /// A campaign changed, a call ended, a recipient was added: look again.
    wake: Notify,
    /// Calls under way, per tenant and per campaign.
    active: Mutex<Active>,
    /// Recipients admitted (dialled) since the start.
    pub admitted: AtomicU64,
    /// Times the scheduler looked for due recipients.
    pub passes: AtomicU64,
}

#[derive(Default)]
struct Active {
    tenants: HashMap<String, u32>,
    campaigns: HashMap<String, u32>,
}

impl Outreach {
    pub fn new(app: Arc<App>) -> Arc<Outreach> {
        Arc::new(Outreach {
            app,
            dialer: OnceLock::new(),
            wake: Notify::new(),
            active: Mutex::new(Active::default()),
            admitted: AtomicU64::new(0),
            passes: AtomicU64::new(0),
        })
    }

    /// Calls are placed once a dialer is set (a server with SIP); until then campaigns wait.
    pub fn set_dialer(&self, dialer: Arc<dyn Dialer>) {
        let _ = self.dialer.set(dialer);
        self.wake.notify_one();
    }

    /// The store it schedules from.
    pub fn db(&self) -> switchboard_store::Db {
        self.app.db.clone()
    }

    pub fn can_dial(&self) -> bool {
        self.dialer.get().is_some()
    }

    /// Look for due recipients now.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    fn active(&self) -> std::sync::MutexGuard<'_, Active> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }
}
