//! Placing a call: our INVITE, the ringing (CANCEL when it runs out), the
//! answer, and the connected leg (dialog and RTP) it gives. Used for the
//! agent's leg of a bridged transfer and for outbound calls.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::dialog::dialog_from_ok;
use super::dialog::{self, Dialog, DialogEvent};
use super::endpoint::{Endpoint, random_token};
use super::message::{SipMessage, uri_host_port};
use super::sdp::{AudioStream, Direction, describe};
use super::transport::Transport;
use switchboard_call::conversation::MediaIn;
use switchboard_domain::calls::TransferStatus;
use switchboard_media::g711::Law;
use switchboard_media::rtp_stream::{Codec, RtpLeg};

/// An answered outgoing leg; dropping it stops serving the leg.
pub struct Dialled {
    pub dialog: Arc<Mutex<Dialog>>,
    pub leg: Arc<RtpLeg>,
    pub events: mpsc::UnboundedReceiver<DialogEvent>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    ep: Arc<Endpoint>,
    call_id: String,
}

impl Drop for Dialled {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        self.ep.forget_dialog(&self.call_id);
    }
}

async fn resolve(uri: &str) -> Option<SocketAddr> {
    let (host, port) = uri_host_port(uri)?;
    tokio::net::lookup_host((host.as_str(), port.unwrap_or(5060))).await.ok()?.next()
}

/// Cancels an INVITE still ringing when the dial is abandoned (the caller hung up).
struct Ringing {
    ep: Arc<Endpoint>,
    invite: SipMessage,
    to: SocketAddr,
    armed: bool,
}

impl Ringing {
    fn cancel_request(&self) -> SipMessage {
        let mut c = SipMessage::request("CANCEL", self.invite.uri().unwrap_or_default());
        for name in ["Via", "From", "To", "Call-ID", "Max-Forwards"] {
            if let Some(v) = self.invite.header(name) {
                c = c.with(name, v.to_string());
            }
        }
        let n = self.invite.cseq().map(|c| c.0).unwrap_or(1);
        c.with("CSeq", format!("{n} CANCEL"))
    }
}

impl Drop for Ringing {
    fn drop(&mut self) {
        if self.armed {
            // CANCEL goes with the INVITE's own Via branch (RFC 3261 §9.1).
            self.ep.send(self.to, Transport::Udp, &self.cancel_request());
            self.ep.forget_dialog(self.invite.call_id());
        }
    }
}

/// Call `uri` and wait up to `ring` for an answer. Media from the answered leg goes to `media`.
pub async fn dial(
    ep: Arc<Endpoint>,
    uri: &str,
    from_number: &str,
    headers: Vec<(String, String)>,
    ring: Duration,
    media: mpsc::Sender<MediaIn>,
) -> Result<Dialled, TransferStatus> {
    let Some(to) = resolve(uri).await else {
        tracing::warn!(%uri, "cannot resolve the address to call");
        return Err(TransferStatus::Failed);
    };
    let leg = Arc::new(RtpLeg::bind(&ep.config.rtp).await.map_err(|_| TransferStatus::Failed)?);
    let sdp = describe(
        1,
        1,
        ep.config.advertised_ip,
        leg.local_port,
        &[(0, Law::Pcmu), (8, Law::Pcma)],
        Some(101),
        Direction::SendRecv,
    );
    let call_id = format!("{}@switchboard", random_token(10));
    let from = format!("<sip:{}@{}>;tag={}", from_number, ep.host_port(), random_token(6));
    let mut invite = SipMessage::request("INVITE", uri)
        .with("Max-Forwards", "70")
        .with("From", from)
        .with("To", format!("<{uri}>"))
        .with("Call-ID", call_id.clone())
        .with("CSeq", "1 INVITE")
        .with("Contact", ep.contact(Transport::Udp))
        .with("Allow", super::endpoint::ALLOW)
        .with("User-Agent", "Switchboard");
    for (n, v) in headers {
        invite = invite.with(&n, v);
    }
    let invite = invite.with_body("application/sdp", sdp.clone().into_bytes());
    let (dialog_tx, dialog_rx) = mpsc::unbounded_channel();
    ep.register_dialog(&call_id, dialog_tx);
    let mut txn = ep.request(invite, to, Transport::Udp);
    let mut ringing = Ringing { ep: ep.clone(), invite: txn.request.clone(), to, armed: true };
    let deadline = tokio::time::Instant::now() + ring;
    let answer = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(resp) = txn.response(left).await else {
            tracing::info!(%uri, "no answer in time: cancelling");
            ep.forget_dialog(&call_id);
            return Err(TransferStatus::NoAnswer); // `ringing` sends the CANCEL
        };
        let status = resp.status().unwrap_or(0);
        if status < 200 {
            continue;
        }
        ringing.armed = false;
        if status >= 300 {
            // ACK a failure on the INVITE's own branch.
            let mut ack = ringing.cancel_request();
            ack.start = super::message::StartLine::Request { method: "ACK".into(), uri: uri.to_string() };
            ack.set("CSeq", "1 ACK");
            if let Some(to_hdr) = resp.header("To") {
                ack.set("To", to_hdr.to_string());
            }
            ep.send(to, Transport::Udp, &ack);
            ep.forget_dialog(&call_id);
            tracing::info!(%uri, status, "call not answered");
            return Err(match status {
                486 | 600 | 603 => TransferStatus::Busy,
                408 | 480 | 487 => TransferStatus::NoAnswer,
                _ => TransferStatus::Failed,
            });
        }
        break resp;
    };
    let negotiated =
        AudioStream::parse(&String::from_utf8_lossy(&answer.body)).and_then(|a| a.negotiate().map(|n| (a, n)));
    let mut d = dialog_from_ok(&txn.request, &answer, to, sdp);
    // ACK the 2xx: a new transaction, to the remote target.
    let mut ack = d.request("ACK");
    ack.set("CSeq", "1 ACK");
    d.local_cseq = 1;
    let ack_txn = ep.request(ack, to, Transport::Udp);
    drop(ack_txn);
    let Ok((stream, n)) = negotiated else {
        tracing::warn!(%uri, "answer without usable SDP: hanging up");
        let dialog = Mutex::new(d);
        super::dialog::bye(&ep, &dialog).await;
        ep.forget_dialog(&call_id);
        return Err(TransferStatus::Failed);
    };
    leg.configure(
        SocketAddr::new(stream.address, stream.port),
        Codec { law: n.law, payload_type: n.payload_type, dtmf: n.dtmf },
    );
    let dialog = Arc::new(Mutex::new(d));
    let (events_tx, events) = mpsc::unbounded_channel();
    let serving =
        tokio::spawn(dialog::serve(ep.clone(), dialog.clone(), dialog_rx, media.clone(), events_tx, leg.clone(), None));
    let receiving = leg.receive(media, tracing::Span::current());
    Ok(Dialled { dialog, leg, events, tasks: vec![serving, receiving], ep, call_id })
}
