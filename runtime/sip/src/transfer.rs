//! Handing a SIP call to a human (the agent's mode, tenant configuration):
//!
//! - **blind**: REFER the caller's side to the agent (RFC 3515) and follow the
//!   NOTIFY progress; on success Switchboard leaves the call;
//! - **bridged**: call the agent ourselves with the context in headers, play
//!   hold audio to the caller meanwhile, and bridge the two legs when the agent
//!   answers. When nobody answers, the tenant's fallback applies (back to the
//!   bot, or a callback request), through the call session.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::dial::{Dialled, dial};
use super::dialog::{DialogEvent, bye};
use super::endpoint::Endpoint;
use super::leg::LiveCall;
use switchboard_call::agents::{AgentLine, Bridged, HoldAudio};
use switchboard_call::conversation::{AudioOut, Conversation, FRAME, MediaIn};
use switchboard_call::session::Handover;
use switchboard_domain::calls::TransferStatus;
use switchboard_domain::tenants::{Tenant, TransferMode};

pub enum TransferEnd {
    /// The call has left Switchboard (or is over).
    Left,
    /// The transfer failed; the session has been told and the conversation goes on.
    BackToBot,
}

/// A header value: one line, printable, bounded.
pub fn header_safe(s: &str, max: usize) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).take(max).collect()
}

pub async fn carry_out(
    live: &mut LiveCall,
    conv: &mut Conversation,
    out: &mut dyn AudioOut,
    handover: Handover,
) -> TransferEnd {
    let to_desk = switchboard_domain::desk::queue_of(&handover.agent.uri).is_some();
    let status = match handover.agent.mode {
        _ if to_desk => queue(live, conv, out, &handover).await,
        TransferMode::Blind => refer(live, conv, &handover).await,
        TransferMode::Bridged => bridge(live, conv, out, &handover).await,
    };
    match status {
        Ok(()) => TransferEnd::Left,
        Err(Some(status)) => {
            tracing::info!(agent = %handover.agent.uri, ?status, "transfer failed: back to the session's fallback");
            conv.transfer_finished(status);
            TransferEnd::BackToBot
        }
        Err(None) => TransferEnd::Left,
    }
}

/// Blind transfer. `Err(None)`: the caller hung up meanwhile.
async fn refer(live: &mut LiveCall, conv: &mut Conversation, h: &Handover) -> Result<(), Option<TransferStatus>> {
    let (req, peer, transport) = {
        let mut d = live.dialog.lock().unwrap_or_else(|p| p.into_inner());
        let r = d
            .request("REFER")
            .with("Refer-To", format!("<{}>", h.agent.uri))
            .with("Referred-By", live.ep.contact(d.transport))
            .with("Contact", live.ep.contact(d.transport))
            .with("X-Switchboard-Reason", header_safe(&h.reason, 64))
            .with("X-Switchboard-Summary", header_safe(&h.summary, 900));
        (r, d.peer, d.transport)
    };
    tracing::info!(agent = %h.agent.uri, "blind transfer (REFER)");
    let mut txn = live.ep.request(req, peer, transport);
    match txn.final_response(Duration::from_secs(8)).await.and_then(|r| r.status()) {
        Some(200..=299) => {}
        Some(code) => {
            tracing::info!(code, "REFER refused");
            return Err(Some(TransferStatus::Failed));
        }
        None => return Err(Some(TransferStatus::Failed)),
    }
    let deadline =
        tokio::time::Instant::now() + Duration::from_secs(live.tenant.telephony.transfer_timeout_secs as u64);
    loop {
        tokio::select! {
            e = live.events.recv() => match e {
                Some(DialogEvent::ReferProgress(code)) if code >= 200 => {
                    if (200..300).contains(&code) {
                        conv.transfer_finished(TransferStatus::Connected);
                        conv.wait_ended().await;
                        live.bye().await;
                        return Ok(());
                    }
                    return Err(Some(if code == 486 || code == 600 { TransferStatus::Busy } else { TransferStatus::NoAnswer }));
                }
                Some(DialogEvent::Bye) | None => {
                    // The trunk took the call over and hung up our leg: the transfer worked.
                    conv.transfer_finished(TransferStatus::Connected);
                    conv.wait_ended().await;
                    return Ok(());
                }
                Some(_) => {}
            },
            m = live.media.recv() => if matches!(m, Some(MediaIn::Hangup) | None) {
                conv.caller_gone().await;
                return Err(None);
            },
            _ = tokio::time::sleep_until(deadline) => return Err(Some(TransferStatus::NoAnswer)),
        }
    }
}

/// Bridged transfer of a SIP caller. `Err(None)`: the caller hung up meanwhile.
async fn bridge(
    live: &mut LiveCall,
    conv: &mut Conversation,
    out: &mut dyn AudioOut,
    h: &Handover,
) -> Result<(), Option<TransferStatus>> {
    let ep = live.ep.clone();
    match bridge_agent(&ep, &live.tenant, &mut live.media, conv, out, h).await? {
        Bridged::CallerLeft => {}
        Bridged::AgentLeft => {
            tracing::info!("agent hung up: ending the caller's leg");
            live.bye().await;
        }
    }
    Ok(())
}

/// A transfer to a queue: the caller waits for the agent desk, which bridges a browser leg.
async fn queue(
    live: &mut LiveCall,
    conv: &mut Conversation,
    out: &mut dyn AudioOut,
    h: &Handover,
) -> Result<(), Option<TransferStatus>> {
    let Some(desk) = live.ep.desk.get().cloned() else {
        tracing::warn!(target = %h.agent.uri, "a queue needs the agent desk (serve with --webrtc)");
        return Err(Some(TransferStatus::Failed));
    };
    let tenant = live.tenant.clone();
    match desk.bridge(&tenant, &mut live.media, conv, out, h).await? {
        Bridged::CallerLeft => {}
        Bridged::AgentLeft => {
            tracing::info!("agent hung up: ending the caller's leg");
            live.bye().await;
        }
    }
    Ok(())
}

/// SIP reaches the agents: it dials them (see [`bridge_agent`]).
pub struct SipAgentLine(pub Arc<Endpoint>);

#[async_trait::async_trait]
impl AgentLine for SipAgentLine {
    async fn bridge(
        &self,
        tenant: &Tenant,
        media: &mut mpsc::Receiver<MediaIn>,
        conv: &mut Conversation,
        out: &mut dyn AudioOut,
        handover: &Handover,
    ) -> Result<Bridged, Option<TransferStatus>> {
        bridge_agent(&self.0, tenant, media, conv, out, handover).await
    }
}

/// Call the tenant's agent with the call's context in headers, play hold audio
/// to the caller meanwhile, then bridge the caller's channel (a SIP leg or a
/// browser) and the agent until one hangs up. `Err(None)`: the caller hung up
/// before the agent answered; `Err(Some(status))`: the agent did not answer.
async fn bridge_agent(
    ep: &Arc<Endpoint>,
    tenant: &Tenant,
    media: &mut mpsc::Receiver<MediaIn>,
    conv: &mut Conversation,
    out: &mut dyn AudioOut,
    h: &Handover,
) -> Result<Bridged, Option<TransferStatus>> {
    let from_number = tenant.numbers.first().cloned().unwrap_or_else(|| "switchboard".into());
    let headers = vec![
        ("Subject".to_string(), header_safe(&format!("Transfer: {}", h.reason), 100)),
        ("X-Switchboard-Call-Id".to_string(), conv.call_id.clone()),
        ("X-Switchboard-Reason".to_string(), header_safe(&h.reason, 64)),
        ("X-Switchboard-Summary".to_string(), header_safe(&h.summary, 900)),
    ];
    let timeout = Duration::from_secs(tenant.telephony.transfer_timeout_secs as u64);
    tracing::info!(agent = %h.agent.uri, "bridged transfer: calling the agent");
    let (agent_tx, mut agent_media) = mpsc::channel(1024);
    let dialing = dial(ep.clone(), &h.agent.uri, &from_number, headers, timeout, agent_tx);
    tokio::pin!(dialing);
    let mut hold = HoldAudio::new();
    let mut frame = vec![0.0f32; FRAME];
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let agent: Dialled = loop {
        tokio::select! {
            r = &mut dialing => match r {
                Ok(d) => break d,
                Err(status) => return Err(Some(status)),
            },
            _ = tick.tick() => {
                hold.frame(&mut frame);
                out.play(&frame);
            }
            m = media.recv() => if matches!(m, Some(MediaIn::Hangup) | None) {
                // Dropping the dial cancels the agent's INVITE.
                conv.caller_gone().await;
                return Err(None);
            },
        }
    };
    tracing::info!(agent = %h.agent.uri, "agent answered: bridging");
    conv.transfer_finished(TransferStatus::Connected);
    let mut agent_out = agent.leg.sender();
    let caller_left = loop {
        tokio::select! {
            m = media.recv() => match m {
                Some(MediaIn::Audio(a)) => {
                    if let Some(r) = conv.recorder.as_mut() { r.caller(&a); }
                    agent_out.play(&a);
                }
                Some(MediaIn::Dtmf(_)) => {}
                Some(MediaIn::Hangup) | None => break true,
            },
            m = agent_media.recv() => match m {
                Some(MediaIn::Audio(a)) => {
                    if let Some(r) = conv.recorder.as_mut() { r.bot(&a); }
                    out.play(&a);
                }
                Some(MediaIn::Dtmf(_)) => {}
                Some(MediaIn::Hangup) | None => break false,
            },
        }
    };
    if caller_left {
        tracing::info!("caller hung up: ending the agent's leg");
        bye(ep, &agent.dialog).await;
    }
    drop(agent);
    conv.wait_ended().await;
    Ok(if caller_left { Bridged::CallerLeft } else { Bridged::AgentLeft })
}
