//! A connected SIP call, whichever side placed it: the conversation runs on the
//! RTP leg until it ends, and transfers are carried out (see [`super::transfer`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::dialog::{Dialog, DialogEvent};
use super::endpoint::Endpoint;
use super::transfer::{self, TransferEnd};
use switchboard_call::conversation::{Conversation, MediaIn, Stop};
use switchboard_call::voice::{VoiceCall, VoiceEvent};
use switchboard_media::rtp_stream::RtpLeg;
use switchboard_domain::tenants::Tenant;

pub struct LiveCall {
    pub ep: Arc<Endpoint>,
    pub tenant: Tenant,
    pub dialog: Arc<Mutex<Dialog>>,
    pub leg: Arc<RtpLeg>,
    pub media: mpsc::Receiver<MediaIn>,
    pub events: mpsc::UnboundedReceiver<DialogEvent>,
}

impl LiveCall {
    /// Hang up our side: BYE, and wait (briefly) for its answer.
    pub async fn bye(&self) {
        bye(&self.ep, &self.dialog).await;
    }
}

pub async fn bye(ep: &Arc<Endpoint>, dialog: &Mutex<Dialog>) {
    let (req, peer, transport) = {
        let mut d = dialog.lock().unwrap_or_else(|p| p.into_inner());
        (d.request("BYE"), d.peer, d.transport)
    };
    let mut txn = ep.request(req, peer, transport);
    if txn.final_response(Duration::from_secs(5)).await.is_none() {
        tracing::info!("no answer to our BYE");
    }
}

/// Run the conversation until the call is over; then save the recording.
pub async fn run(mut live: LiveCall, call: VoiceCall, greeting: Vec<VoiceEvent>) {
    let call_id = call.session.id().to_string();
    let mut conv = Conversation::live(call, greeting, &live.tenant.telephony, live.ep.app.clone());
    let mut out = live.leg.sender();
    loop {
        match conv.run(&mut live.media, &mut out).await {
            Stop::Ended(outcome) => {
                tracing::info!(%call_id, outcome = outcome.as_str(), "bot hangs up");
                live.bye().await;
                break;
            }
            Stop::CallerHungUp => break,
            Stop::Transfer(handover) => match transfer::carry_out(&mut live, &mut conv, &mut out, handover).await {
                TransferEnd::Left => break,
                TransferEnd::BackToBot => continue,
            },
        }
    }
    let stats = live.leg.stats();
    tracing::info!(
        %call_id,
        rtp_in = stats.packets_received,
        rtp_out = stats.packets_sent,
        rtcp_in = stats.rtcp_received,
        "call over"
    );
    conv.save_recording(&live.tenant.id).await;
}
