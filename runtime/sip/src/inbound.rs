//! Answering a call: route the dialled number to its tenant, check the
//! source and credentials, negotiate media, ring, start the call session, and
//! send 200 OK. Every refusal gets the SIP status that says why, and a log line.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::call::run;
use super::dialog::{self};
use super::endpoint::{ALLOW, Endpoint, random_token};
use super::leg::LiveCall;
use super::message::{SipMessage, addr_uri, normalise_number, uri_user};
use super::sdp::{AudioStream, describe};
use super::transport::Incoming;
use switchboard_call::session::CallSetup;
use switchboard_call::voice::VoiceCall;
use switchboard_domain::calls::{Channel, Direction};
use switchboard_domain::tenants::{SIP_REALM, Tenant};
use switchboard_media::rtp_stream::{Codec, RtpLeg};

/// A final non-2xx answer; over UDP it is repeated for retransmitted INVITEs until the ACK.
/// Send a final refusal and wait for its ACK (answering retransmissions). A new INVITE on
/// the same Call-ID (the same call again with credentials, after a 401) is kept in
/// `follow_up`, to be served once this one is done.
async fn refuse(
    ep: &Endpoint,
    invite: &Incoming,
    rx: &mut mpsc::UnboundedReceiver<Incoming>,
    follow_up: &mut Option<Incoming>,
    resp: SipMessage,
) {
    let resp = if resp.to_tag().is_none() {
        let mut r = resp;
        let to = r.header("To").unwrap_or_default().to_string();
        r.set("To", format!("{to};tag={}", random_token(4)));
        r
    } else {
        resp
    };
    ep.send(invite.from, invite.transport, &resp);
    let refused_cseq = invite.msg.cseq();
    let until_ack = async {
        while let Some(inc) = rx.recv().await {
            match inc.msg.method() {
                Some("ACK") => return,
                Some("INVITE") if inc.msg.cseq() != refused_cseq => {
                    *follow_up = Some(inc);
                    return;
                }
                Some("INVITE") => ep.send(inc.from, inc.transport, &resp),
                Some("CANCEL") => ep.reply(&inc, 200, "OK"),
                _ => {}
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(4), until_ack).await;
    // A follow-up that came right behind the ACK is still in the queue.
    while follow_up.is_none()
        && let Ok(inc) = rx.try_recv()
    {
        if inc.msg.method() == Some("INVITE") && inc.msg.cseq() != refused_cseq {
            *follow_up = Some(inc);
        }
    }
}

fn caller_id(msg: &SipMessage) -> String {
    let from_pai = msg.header("P-Asserted-Identity").and_then(|v| uri_user(addr_uri(v)));
    let from = msg.header("From").and_then(|v| uri_user(addr_uri(v)));
    from_pai.or(from).map(normalise_number).filter(|n| !n.is_empty()).unwrap_or_else(|| "anonymous".into())
}

fn dialled_number(msg: &SipMessage) -> Option<String> {
    let user = msg.uri().and_then(uri_user).or_else(|| msg.header("To").and_then(|v| uri_user(addr_uri(v))))?;
    Some(normalise_number(user))
}

/// Serve one incoming INVITE; `rx` gets the rest of the dialog's messages.
pub async fn answer(ep: Arc<Endpoint>, invite: Incoming, rx: mpsc::UnboundedReceiver<Incoming>) {
    let call_id = invite.msg.call_id().to_string();
    let span = tracing::info_span!("sip", sip_call_id = %call_id, from = %invite.from);
    let mut follow_up = None;
    let _ = tracing::Instrument::instrument(answer_inner(&ep, &invite, rx, &mut follow_up), span).await;
    ep.forget_dialog(&call_id);
    if let Some(next) = follow_up {
        ep.dispatch(next);
    }
}

async fn answer_inner(
    ep: &Arc<Endpoint>,
    invite: &Incoming,
    mut rx: mpsc::UnboundedReceiver<Incoming>,
    follow_up: &mut Option<Incoming>,
) {
    let msg = &invite.msg;
    ep.reply(invite, 100, "Trying");
    let Some(number) = dialled_number(msg) else {
        tracing::warn!(uri = msg.uri().unwrap_or_default(), "no number in the Request-URI or To");
        return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 404, "Not Found")).await;
    };
    let lookup = number.clone();
    let tenant: Option<Tenant> = match ep.app.db.tenant_by_number(&lookup).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "tenant lookup failed");
            return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 500, "Server Internal Error"))
                .await;
        }
    };
    let Some(tenant) = tenant else {
        tracing::warn!(%number, "call for a number no tenant has");
        return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 404, "Not Found")).await;
    };
    if !tenant.telephony.allows(invite.from.ip()) {
        tracing::warn!(tenant_id = %tenant.id, source = %invite.from.ip(), %number, "call from an address the tenant does not allow");
        return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 403, "Forbidden")).await;
    }
    if let Some(creds) = &tenant.telephony.auth {
        use super::auth::Verdict;
        let presented = msg.header("Authorization").or_else(|| msg.header("Proxy-Authorization"));
        let verdict = presented.map(|h| ep.auth.verify(h, "INVITE", msg.uri().unwrap_or_default(), SIP_REALM, creds));
        match verdict {
            Some(Verdict::Authenticated) => {}
            None | Some(Verdict::Stale { .. }) => {
                let stale = matches!(verdict, Some(Verdict::Stale { credentials_ok: true }));
                tracing::info!(stale, "challenging the INVITE (digest)");
                let resp = SipMessage::response_to(msg, 401, "Unauthorized")
                    .with("WWW-Authenticate", ep.auth.challenge(SIP_REALM, stale));
                return refuse(ep, invite, &mut rx, follow_up, resp).await;
            }
            Some(Verdict::Replayed) => {
                tracing::warn!(tenant_id = %tenant.id, source = %invite.from, "INVITE with an answer used before (a replay)");
                return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 403, "Forbidden")).await;
            }
            Some(Verdict::Refused) => {
                tracing::warn!(tenant_id = %tenant.id, source = %invite.from, "INVITE with wrong credentials");
                return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 403, "Forbidden")).await;
            }
        }
    }
    let Some(_slot) = ep.call_slot() else {
        tracing::warn!(max = ep.config.max_calls, "at the call limit: 503");
        let resp = SipMessage::response_to(msg, 503, "Service Unavailable").with("Retry-After", "30");
        return refuse(ep, invite, &mut rx, follow_up, resp).await;
    };
    // The tenant's calls at once, counted across the cluster.
    let limit = tenant.telephony.max_calls;
    let _place = match switchboard_call::places::take(
        &ep.app,
        &tenant.id,
        switchboard_call::places::CALLS,
        msg.call_id(),
        limit,
    )
    .await
    {
        Ok(Some(place)) => place,
        Ok(None) => {
            tracing::warn!(tenant_id = %tenant.id, limit, "the tenant's calls at once are at their limit: 486");
            return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 486, "Busy Here")).await;
        }
        Err(e) => {
            tracing::error!(tenant_id = %tenant.id, error = %e, "the tenant's call places could not be counted: 503");
            let resp = SipMessage::response_to(msg, 503, "Service Unavailable").with("Retry-After", "5");
            return refuse(ep, invite, &mut rx, follow_up, resp).await;
        }
    };
    let offer = AudioStream::parse(&String::from_utf8_lossy(&msg.body)).and_then(|o| o.negotiate().map(|n| (o, n)));
    let (offer, negotiated) = match offer {
        Ok(x) => x,
        Err(why) => {
            tracing::warn!(tenant_id = %tenant.id, %why, "unusable SDP offer");
            let resp = SipMessage::response_to(msg, 488, "Not Acceptable Here")
                .with("Warning", format!("399 switchboard \"{}\"", why.replace('"', "'")));
            return refuse(ep, invite, &mut rx, follow_up, resp).await;
        }
    };
    let leg = match RtpLeg::bind(&ep.config.rtp).await {
        Ok(l) => Arc::new(l),
        Err(e) => {
            tracing::error!(error = %e, "no RTP port");
            return refuse(ep, invite, &mut rx, follow_up, SipMessage::response_to(msg, 503, "Service Unavailable"))
                .await;
        }
    };
    leg.configure(
        SocketAddr::new(offer.address, offer.port),
        Codec { law: negotiated.law, payload_type: negotiated.payload_type, dtmf: negotiated.dtmf },
    );
    let local_tag = random_token(6);
    let to_tagged = format!("{};tag={local_tag}", msg.header("To").unwrap_or_default());
    let mut ringing = SipMessage::response_to(msg, 180, "Ringing");
    ringing.set("To", to_tagged.clone());
    ep.send(invite.from, invite.transport, &ringing);

    // Ring, and start the session meanwhile; a CANCEL ends it before the answer.
    let caller = caller_id(msg);
    let setup = CallSetup {
        tenant: tenant.clone(),
        caller: caller.clone(),
        callee: number.clone(),
        channel: Channel::Sip,
        direction: Direction::Inbound,
        flow_input: String::new(),
        flow_version: None,
        replay: false,
    };
    let ring = tokio::time::sleep(Duration::from_millis(tenant.telephony.ring_ms as u64));
    let start = VoiceCall::start(ep.app.clone(), ep.engines.clone(), setup, 16_000);
    let started = async {
        let s = start.await;
        ring.await;
        s
    };
    tokio::pin!(started);
    let mut cancel = None;
    let (mut call, greeting) = loop {
        tokio::select! {
            biased;
            inc = rx.recv(), if cancel.is_none() => match inc {
                Some(inc) if inc.msg.method() == Some("CANCEL") => cancel = Some(inc),
                Some(inc) if inc.msg.method() == Some("INVITE") => ep.send(inc.from, inc.transport, &ringing),
                Some(_) => {}
                None => cancel = Some(invite.clone()),
            },
            s = &mut started => break s,
        }
    };
    if let Some(c) = cancel {
        if c.msg.method() == Some("CANCEL") {
            ep.reply(&c, 200, "OK");
        }
        tracing::info!("caller cancelled while ringing");
        call.hang_up().await;
        let mut resp = SipMessage::response_to(msg, 487, "Request Terminated");
        resp.set("To", to_tagged);
        return refuse(ep, invite, &mut rx, follow_up, resp).await;
    }
    // A CANCEL that arrived while the answer was being prepared still wins.
    while let Ok(inc) = rx.try_recv() {
        if inc.msg.method() == Some("CANCEL") {
            ep.reply(&inc, 200, "OK");
            tracing::info!("caller cancelled before the answer");
            call.hang_up().await;
            let mut resp = SipMessage::response_to(msg, 487, "Request Terminated");
            resp.set("To", to_tagged);
            return refuse(ep, invite, &mut rx, follow_up, resp).await;
        }
    }
    let sdp = describe(
        1,
        1,
        ep.config.advertised_ip,
        leg.local_port,
        &[(negotiated.payload_type, negotiated.law)],
        negotiated.dtmf,
        negotiated.direction,
    );
    let dialog = Arc::new(Mutex::new(dialog::from_invite(invite, &local_tag, sdp.clone())));
    let mut ok = SipMessage::response_to(msg, 200, "OK");
    ok.set("To", to_tagged);
    let ok = ok
        .with("Contact", ep.contact(invite.transport))
        .with("Allow", ALLOW)
        .with("Supported", "replaces")
        .with_body("application/sdp", sdp.into_bytes());
    ep.send(invite.from, invite.transport, &ok);
    tracing::info!(call_id = %call.session.id(), %caller, %number, law = negotiated.law.name(), "call answered");
    let (media_tx, media_rx) = mpsc::channel(1024);
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    // From here the dialog task gets the dialog's messages.
    let branch = msg.branch().unwrap_or_default().to_string();
    let serving = tokio::spawn(dialog::serve(
        ep.clone(),
        dialog.clone(),
        rx,
        media_tx.clone(),
        events_tx,
        leg.clone(),
        Some((ok, branch)),
    ));
    let span = tracing::info_span!("call", call_id = %call.session.id(), tenant_id = %tenant.id);
    let receiving = leg.receive(media_tx, span);
    let live = LiveCall { ep: ep.clone(), tenant, dialog, leg, media: media_rx, events: events_rx };
    run(live, call, greeting).await;
    receiving.abort();
    serving.abort();
}
