//! A connected SIP call, whichever side placed it: the conversation runs on the
//! RTP leg until it ends, and transfers are carried out (see [`super::transfer`]).

use super::leg::LiveCall;
use super::transfer::{self, TransferEnd};
use switchboard_call::conversation::{Conversation, Stop};
use switchboard_call::voice::{VoiceCall, VoiceEvent};

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
