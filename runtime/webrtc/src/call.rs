//! A browser call: the same conversation as a phone call (greeting, barge-in,
//! flow, transfer, recording, call record), on a WebRTC peer. The widget is
//! told each line of the transcript and each change of state.

use std::sync::Arc;

use serde_json::json;
use tokio::sync::mpsc;

use super::peer::PeerLink;
use switchboard_call::App;
use switchboard_call::agents::{AgentLine, Bridged};
use switchboard_call::conversation::{Conversation, MediaIn, Progress, Stop};
use switchboard_call::session::Handover;
use switchboard_call::voice::{VoiceCall, VoiceEvent};
use switchboard_domain::calls::TransferStatus;
use switchboard_domain::tenants::Tenant;

/// Run a browser call on its peer until it is over.
pub async fn run(
    app: Arc<App>,
    agents: Option<Arc<dyn AgentLine>>,
    tenant: Tenant,
    call: VoiceCall,
    greeting: Vec<VoiceEvent>,
    mut media: mpsc::Receiver<MediaIn>,
    mut link: PeerLink,
) {
    let call_id = call.session.id().to_string();
    link.notify(json!({ "type": "state", "state": "connected", "call_id": call_id }));
    let mut conv = Conversation::live(call, greeting, &tenant.telephony, app.clone());
    let watcher = link.clone();
    conv.watcher = Some(Box::new(move |p| {
        watcher.notify(match p {
            Progress::Heard(text) => json!({ "type": "transcript", "who": "caller", "text": text }),
            Progress::Said(text) => json!({ "type": "transcript", "who": "bot", "text": text }),
            Progress::BargeIn => json!({ "type": "barge-in" }),
            Progress::Listening => json!({ "type": "turn", "who": "caller" }),
        })
    }));
    loop {
        match conv.run(&mut media, &mut link).await {
            Stop::Ended(outcome) => {
                tracing::info!(%call_id, outcome = outcome.as_str(), "bot hangs up");
                link.notify(json!({ "type": "state", "state": "ended", "by": "bot", "outcome": outcome.as_str() }));
                link.close();
                break;
            }
            Stop::CallerHungUp => break,
            Stop::Transfer(handover) => {
                if transfer(agents.as_deref(), &tenant, &mut media, &mut conv, &mut link, handover).await {
                    break;
                }
            }
        }
    }
    conv.save_recording(&tenant.id).await;
    tracing::info!(%call_id, "browser call over");
}

/// Hand the caller to the tenant's agent, bridged over SIP (a browser cannot
/// be REFERred). `true` when the call is over.
async fn transfer(
    agents: Option<&dyn AgentLine>,
    tenant: &Tenant,
    media: &mut mpsc::Receiver<MediaIn>,
    conv: &mut Conversation,
    link: &mut PeerLink,
    handover: Handover,
) -> bool {
    let Some(agents) = agents else {
        tracing::warn!(agent = %handover.agent.uri, "transfer asked, but this server has no SIP to reach agents (--sip)");
        conv.transfer_finished(TransferStatus::Failed);
        return false;
    };
    link.notify(json!({ "type": "state", "state": "transferring", "reason": handover.reason }));
    let mut out = link.clone();
    match agents.bridge(tenant, media, conv, &mut out, &handover).await {
        Ok(Bridged::CallerLeft) => true,
        Ok(Bridged::AgentLeft) => {
            link.notify(json!({ "type": "state", "state": "ended", "by": "agent" }));
            link.close();
            true
        }
        Err(None) => true,
        Err(Some(status)) => {
            tracing::info!(agent = %handover.agent.uri, ?status, "transfer failed: back to the session's fallback");
            link.notify(json!({ "type": "state", "state": "connected" }));
            conv.transfer_finished(status);
            false
        }
    }
}
