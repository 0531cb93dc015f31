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
