//! Reaching a person: the line a channel hands its caller to. The call layer
//! says what a bridged hand-over needs; the SIP layer provides it (it dials the
//! agent), and a browser call uses it without knowing SIP.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::conversation::Conversation;
use super::session::Handover;
use switchboard_domain::calls::TransferStatus;
use switchboard_domain::tenants::Tenant;
use switchboard_media::{AudioOut, MediaIn};

/// A phone reached from Switchboard (an agent's callback to a customer).
pub struct PhoneLeg {
    /// The far end's audio (16 kHz) and its hang-up.
    pub media: tokio::sync::mpsc::Receiver<MediaIn>,
    /// What the far end hears.
    pub out: Box<dyn AudioOut>,
    /// Hang up from our side (the far end is sent a BYE).
    pub hang_up: tokio::sync::oneshot::Sender<()>,
}

/// Dials phones: the SIP endpoint (through the tenant's trunk for numbers).
#[async_trait]
pub trait PhoneLine: Send + Sync {
    /// Ring `to` (a number or a SIP URI) for `tenant` for up to `ring`; the answered leg, or
    /// why it could not be reached.
    async fn ring(&self, tenant: &Tenant, to: &str, ring: std::time::Duration) -> Result<PhoneLeg, String>;
}

/// Who ended a bridged call.
pub enum Bridged {
    CallerLeft,
    /// The agent hung up: the caller's channel ends its own side.
    AgentLeft,
}

/// A way to reach the tenant's agents and bridge a caller to one.
#[async_trait]
pub trait AgentLine: Send + Sync {
    /// Call the agent with the call's context, play hold audio to the caller meanwhile,
    /// then bridge the caller's channel (`media` in, `out` back) and the agent until one
    /// hangs up. `Err(None)`: the caller hung up before the agent answered;
    /// `Err(Some(status))`: the agent did not take the call.
    async fn bridge(
        &self,
        tenant: &Tenant,
        media: &mut mpsc::Receiver<MediaIn>,
        conv: &mut Conversation,
        out: &mut dyn AudioOut,
        handover: &Handover,
    ) -> Result<Bridged, Option<TransferStatus>>;
}

/// A soft two-note chime every three seconds, for callers on hold.
pub struct HoldAudio {
    t: usize,
}

impl HoldAudio {
    pub fn new() -> HoldAudio {
        HoldAudio { t: 0 }
    }

    pub fn frame(&mut self, out: &mut [f32]) {
        const RATE: f32 = 16_000.0;
        const PERIOD: usize = 48_000;
        for s in out.iter_mut() {
            let pos = self.t % PERIOD;
            let (freq, start) = if pos < 6400 { (659.25, 0) } else { (523.25, 6400) };
            let local = (pos - start) as f32 / RATE;
            *s = if pos < 12_800 {
                let envelope = (local * 40.0).min(1.0) * (-3.0 * local).exp();
                0.12 * envelope * (2.0 * std::f32::consts::PI * freq * local).sin()
            } else {
                0.0
            };
            self.t += 1;
        }
    }
}

impl Default for HoldAudio {
    fn default() -> Self {
        HoldAudio::new()
    }
}
