//! A SIP dialog (RFC 3261 §12): the state both legs of a call keep, requests
//! inside it, and the task that serves what the peer sends during the call
//! (ACK, BYE, INFO key presses, re-INVITE for hold, NOTIFY about a REFER).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::endpoint::{ALLOW, Endpoint, T1, T2, TIMER_B};
use super::message::{SipMessage, addr_uri};
use super::sdp::{AudioStream, Direction};
use super::transport::{Incoming, Transport};
use switchboard_call::conversation::MediaIn;
use switchboard_media::dtmf;
use switchboard_media::rtp_stream::{Codec, RtpLeg};

#[derive(Debug, Clone)]
pub struct Dialog {
    pub call_id: String,
    /// Our From/To value, with our tag.
    pub local: String,
    /// The peer's From/To value, with its tag.
    pub remote: String,
    /// Where in-dialog requests go (the peer's Contact).
    pub remote_target: String,
    pub route: Vec<String>,
    pub local_cseq: u32,
    /// The peer's address and transport (requests go back the way the call came).
    pub peer: SocketAddr,
    pub transport: Transport,
    /// Our current session description, and its version.
    pub local_sdp: String,
    pub sdp_version: u64,
}

impl Dialog {
    /// A new request inside the dialog.
    pub fn request(&mut self, method: &str) -> SipMessage {
        self.local_cseq += 1;
        let mut m = SipMessage::request(method, &self.remote_target)
            .with("Max-Forwards", "70")
            .with("From", self.local.clone())
            .with("To", self.remote.clone())
            .with("Call-ID", self.call_id.clone())
            .with("CSeq", format!("{} {method}", self.local_cseq));
        for r in &self.route {
            m = m.with("Route", r.clone());
        }
        m
    }
}

/// What the dialog task tells the call.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogEvent {
    /// The peer hung up (BYE).
    Bye,
    /// Progress of a REFER we sent: the status line of the NOTIFY's sipfrag.
    ReferProgress(u16),
    /// Our 200 OK was never acknowledged.
    AckTimeout,
}

/// Serve the peer's in-dialog requests until BYE or until `rx` closes.
/// `ok` is our 200 OK to the INVITE (retransmitted over UDP until the ACK).
pub async fn serve(
    ep: Arc<Endpoint>,
    dialog: Arc<Mutex<Dialog>>,
    mut rx: mpsc::UnboundedReceiver<Incoming>,
    media: mpsc::Sender<MediaIn>,
    events: mpsc::UnboundedSender<DialogEvent>,
    leg: Arc<RtpLeg>,
    ok: Option<(SipMessage, String)>,
) {
    let (peer, transport) = {
        let d = dialog.lock().unwrap_or_else(|p| p.into_inner());
        (d.peer, d.transport)
    };
    let mut acked = ok.is_none() || transport == Transport::Tcp;
    let invite_branch = ok.as_ref().map(|(_, b)| b.clone()).unwrap_or_default();
    let mut wait = T1;
    let mut waited = Duration::ZERO;
    loop {
        let next = if acked {
            rx.recv().await
        } else {
            match tokio::time::timeout(wait, rx.recv()).await {
                Ok(m) => m,
                Err(_) => {
                    waited += wait;
                    if waited >= TIMER_B {
                        tracing::warn!("no ACK for our 200 OK");
                        let _ = events.send(DialogEvent::AckTimeout);
                        acked = true;
                        continue;
                    }
                    if let Some((resp, _)) = &ok {
                        ep.send(peer, transport, resp);
                    }
                    wait = (wait * 2).min(T2);
                    continue;
                }
            }
        };
        let Some(inc) = next else { return };
        let msg = &inc.msg;
        match msg.method().unwrap_or_default() {
            "ACK" => acked = true,
            "INVITE" if msg.branch() == Some(invite_branch.as_str()) => {
                // A retransmission of the INVITE we answered.
                if let Some((resp, _)) = &ok {
                    ep.send(inc.from, inc.transport, resp);
                }
            }
            "INVITE" => reinvite(&ep, &dialog, &inc, &leg),
            "BYE" => {
                ep.reply(&inc, 200, "OK");
                tracing::info!("the peer hung up (BYE)");
                let _ = events.send(DialogEvent::Bye);
                let _ = media.send(MediaIn::Hangup).await;
                // Stay a moment for retransmitted BYEs.
                let linger = async {
                    while let Some(again) = rx.recv().await {
                        if again.msg.method() == Some("BYE") {
                            ep.reply(&again, 200, "OK");
                        }
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(4), linger).await;
                return;
            }
            "CANCEL" => ep.reply(&inc, 200, "OK"),
            "INFO" => {
                let ct = msg.header("Content-Type").unwrap_or_default();
                match dtmf::from_info_body(ct, &String::from_utf8_lossy(&msg.body)) {
                    Some(key) => {
                        ep.reply(&inc, 200, "OK");
                        tracing::info!(key = %key, "DTMF (SIP INFO)");
                        let _ = media.send(MediaIn::Dtmf(key)).await;
                    }
                    None if msg.body.is_empty() => ep.reply(&inc, 200, "OK"),
                    None => ep.reply(&inc, 415, "Unsupported Media Type"),
                }
            }
            "NOTIFY" => {
                ep.reply(&inc, 200, "OK");
                let body = String::from_utf8_lossy(&msg.body);
                if let Some(code) = body
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("SIP/2.0 "))
                    .and_then(|r| r.get(..3))
                    .and_then(|c| c.parse().ok())
                {
                    let _ = events.send(DialogEvent::ReferProgress(code));
                }
            }
            "OPTIONS" => {
                let resp = SipMessage::response_to(msg, 200, "OK").with("Allow", ALLOW);
                ep.send(inc.from, inc.transport, &resp);
            }
            "" => {}
            _ => ep.reply(&inc, 501, "Not Implemented"),
        }
    }
}

/// A re-INVITE: hold (sendonly, inactive, c=0.0.0.0), resume, or a new address.
fn reinvite(ep: &Endpoint, dialog: &Mutex<Dialog>, inc: &Incoming, leg: &RtpLeg) {
    let mut d = dialog.lock().unwrap_or_else(|p| p.into_inner());
    if !inc.msg.body.is_empty() {
        let offer = match AudioStream::parse(&String::from_utf8_lossy(&inc.msg.body)) {
            Ok(o) => o,
            Err(e) => {
                let resp = SipMessage::response_to(&inc.msg, 488, "Not Acceptable Here")
                    .with("Warning", format!("399 switchboard \"{e}\""));
                ep.send(inc.from, inc.transport, &resp);
                return;
            }
        };
        let Ok(n) = offer.negotiate() else {
            ep.reply(inc, 488, "Not Acceptable Here");
            return;
        };
        let hold = offer.direction != Direction::SendRecv;
        leg.set_hold(hold);
        if !offer.address.is_unspecified() {
            leg.configure(
                SocketAddr::new(offer.address, offer.port),
                Codec { law: n.law, payload_type: n.payload_type, dtmf: n.dtmf },
            );
        }
        tracing::info!(hold, "re-INVITE");
        d.sdp_version += 1;
        d.local_sdp = super::sdp::describe(
            d.sdp_version,
            d.sdp_version,
            ep.config.advertised_ip,
            leg.local_port,
            &[(n.payload_type, n.law)],
            n.dtmf,
            n.direction,
        );
    }
    let mut resp = SipMessage::response_to(&inc.msg, 200, "OK");
    // Our To carries our tag already (the request is inside the dialog).
    resp.set("Contact", ep.contact(inc.transport));
    let resp = resp.with_body("application/sdp", d.local_sdp.clone().into_bytes());
    ep.send(inc.from, inc.transport, &resp);
}

/// The dialog as the answering side sees it, from the INVITE and our To tag.
pub fn from_invite(inc: &Incoming, local_tag: &str, local_sdp: String) -> Dialog {
    let msg = &inc.msg;
    let to = msg.header("To").unwrap_or_default();
    let local = if msg.to_tag().is_some() { to.to_string() } else { format!("{to};tag={local_tag}") };
    let remote_target = msg
        .header("Contact")
        .map(|c| addr_uri(c).to_string())
        .unwrap_or_else(|| addr_uri(msg.header("From").unwrap_or_default()).to_string());
    let route = msg
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Record-Route"))
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
        .collect();
    Dialog {
        call_id: msg.call_id().to_string(),
        local,
        remote: msg.header("From").unwrap_or_default().to_string(),
        remote_target,
        route,
        local_cseq: 0,
        peer: inc.from,
        transport: inc.transport,
        local_sdp,
        sdp_version: 1,
    }
}

/// The dialog for a call we placed, from our INVITE and the peer's 200 OK.
pub fn dialog_from_ok(invite: &SipMessage, ok: &SipMessage, peer: SocketAddr, local_sdp: String) -> Dialog {
    let remote_target = ok
        .header("Contact")
        .map(|c| addr_uri(c).to_string())
        .unwrap_or_else(|| invite.uri().unwrap_or_default().to_string());
    let mut route: Vec<String> = ok
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Record-Route"))
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
        .collect();
    route.reverse();
    Dialog {
        call_id: invite.call_id().to_string(),
        local: invite.header("From").unwrap_or_default().to_string(),
        remote: ok.header("To").unwrap_or_default().to_string(),
        remote_target,
        route,
        local_cseq: invite.cseq().map(|c| c.0).unwrap_or(1),
        peer,
        transport: Transport::Udp,
        local_sdp,
        sdp_version: 1,
    }
}

/// Hang up our side of a dialog: BYE, and wait (briefly) for its answer.
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
