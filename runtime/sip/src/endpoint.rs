//! The SIP endpoint: takes every incoming message and sends it where it
//! belongs — a new call, an existing dialog, or one of our own client
//! transactions waiting for a response — and answers what needs no call
//! (OPTIONS keep-alives, methods we do not serve, requests for calls we do not
//! know).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::auth::Authenticator;
use super::message::SipMessage;
use super::transport::{Incoming, Transport, Transports};
use switchboard_call::app::App;
use switchboard_call::voice::SpeechEngines;
use switchboard_media::rtp_stream::RtpConfig;

/// RFC 3261 timers.
pub const T1: Duration = Duration::from_millis(500);
pub const T2: Duration = Duration::from_secs(4);
/// How long a client transaction waits for a final response (64·T1).
pub const TIMER_B: Duration = Duration::from_secs(32);

pub const ALLOW: &str = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY";

/// New calls one source may start: a burst of this many, then `INVITE_RATE` a second.
const INVITE_BURST: f64 = 20.0;
const INVITE_RATE: f64 = 5.0;

/// A token bucket per source address, against INVITE floods.
#[derive(Default)]
struct Throttle {
    buckets: Mutex<HashMap<IpAddr, (f64, std::time::Instant)>>,
}

impl Throttle {
    fn allow(&self, ip: IpAddr) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 60);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((INVITE_BURST, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * INVITE_RATE).min(INVITE_BURST);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Debug, Clone)]
pub struct SipConfig {
    /// Where SIP listens (UDP and TCP).
    pub listen: SocketAddr,
    /// Calls (inbound and outbound) this server carries at once; more get 503.
    pub max_calls: usize,
    /// The address put in Contact and Via (a public address behind NAT).
    pub advertised_ip: IpAddr,
    pub rtp: RtpConfig,
    /// The key digest nonces are signed with. Nodes behind one proxy share it, so that a
    /// trunk may answer a challenge from one node on another; `None` draws a key for
    /// this process.
    pub nonce_key: Option<String>,
    /// Proxies in front (Kamailio): every call comes from them, so the per-source INVITE
    /// throttle, meant for one caller flooding, does not apply to them.
    pub proxies: Vec<IpAddr>,
}

/// What answers a new INVITE (the crate root gives `inbound::answer`): the endpoint
/// dispatches, it does not know how calls are answered.
pub type InviteHandler = fn(
    Arc<Endpoint>,
    Incoming,
    mpsc::UnboundedReceiver<Incoming>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

pub struct Endpoint {
    pub app: Arc<App>,
    on_invite: InviteHandler,
    pub engines: Arc<SpeechEngines>,
    pub transports: Arc<Transports>,
    pub config: SipConfig,
    pub auth: Authenticator,
    /// Dialogs (and calls being set up), by Call-ID.
    dialogs: Mutex<HashMap<String, mpsc::UnboundedSender<Incoming>>>,
    /// Our client transactions waiting for responses, by Via branch.
    transactions: Mutex<HashMap<String, mpsc::UnboundedSender<SipMessage>>>,
    throttle: Throttle,
    /// Incoming calls being set up or in progress.
    pub active_calls: std::sync::atomic::AtomicUsize,
    /// Where transfers to a `queue:` target go (the agent desk), when the server has one.
    pub desk: std::sync::OnceLock<Arc<dyn switchboard_call::agents::AgentLine>>,
}

pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A call slot (see [`Endpoint::call_slot`]), given back when dropped; a leg a drain waits for.
pub struct CallSlot(Arc<Endpoint>, #[allow(dead_code)] switchboard_call::drain::Leg);

impl Drop for CallSlot {
    fn drop(&mut self) {
        self.0.active_calls.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Endpoint {
    /// Bind the transports and serve until the process ends; new INVITEs go to `on_invite`.
    pub async fn start(
        app: Arc<App>,
        engines: Arc<SpeechEngines>,
        config: SipConfig,
        on_invite: InviteHandler,
    ) -> anyhow::Result<Arc<Endpoint>> {
        let (transports, mut rx) = Transports::bind(config.listen).await?;
        let auth = config.nonce_key.as_deref().map(Authenticator::with_secret).unwrap_or_default();
        let ep = Arc::new(Endpoint {
            app,
            on_invite,
            engines,
            transports,
            config,
            auth,
            dialogs: Mutex::new(HashMap::new()),
            transactions: Mutex::new(HashMap::new()),
            throttle: Throttle::default(),
            active_calls: std::sync::atomic::AtomicUsize::new(0),
            desk: Default::default(),
        });
        let serving = ep.clone();
        tokio::spawn(async move {
            while let Some(incoming) = rx.recv().await {
                serving.dispatch(incoming);
            }
        });
        Ok(ep)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.transports.local
    }

    /// `host:port` for Via and Contact.
    pub fn host_port(&self) -> String {
        let ip = self.config.advertised_ip;
        let port = self.transports.local.port();
        if ip.is_ipv6() { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") }
    }

    pub fn contact(&self, transport: Transport) -> String {
        match transport {
            Transport::Udp => format!("<sip:switchboard@{}>", self.host_port()),
            Transport::Tcp => format!("<sip:switchboard@{};transport=tcp>", self.host_port()),
        }
    }

    pub fn send(&self, to: SocketAddr, transport: Transport, msg: &SipMessage) {
        self.transports.send(to, transport, msg);
    }

    pub fn reply(&self, req: &Incoming, status: u16, reason: &str) {
        let resp = SipMessage::response_to(&req.msg, status, reason);
        self.send(req.from, req.transport, &resp);
    }

    /// Route a dialog's messages (by Call-ID) to `tx` until [`Endpoint::forget_dialog`].
    pub fn register_dialog(&self, call_id: &str, tx: mpsc::UnboundedSender<Incoming>) {
        self.dialogs.lock().unwrap_or_else(|p| p.into_inner()).insert(call_id.to_string(), tx);
    }

    /// One of the `max_calls` slots for a call let in (authenticated, routed), held until
    /// the guard is dropped; `None` at the limit.
    pub fn call_slot(self: &Arc<Self>) -> Option<CallSlot> {
        use std::sync::atomic::Ordering::SeqCst;
        let taken = self.active_calls.fetch_add(1, SeqCst);
        if taken >= self.config.max_calls {
            self.active_calls.fetch_sub(1, SeqCst);
            return None;
        }
        Some(CallSlot(self.clone(), self.app.drain.leg()))
    }

    pub fn forget_dialog(&self, call_id: &str) {
        self.dialogs.lock().unwrap_or_else(|p| p.into_inner()).remove(call_id);
    }

    pub(crate) fn dispatch(self: &Arc<Self>, incoming: Incoming) {
        let msg = &incoming.msg;
        if msg.status().is_some() {
            let branch = msg.branch().unwrap_or_default().to_string();
            let txns = self.transactions.lock().unwrap_or_else(|p| p.into_inner());
            match txns.get(&branch) {
                Some(tx) => {
                    let _ = tx.send(incoming.msg);
                }
                None => tracing::debug!(%branch, "response to no transaction of ours"),
            }
            return;
        }
        let method = msg.method().unwrap_or_default().to_string();
        let existing = self.dialogs.lock().unwrap_or_else(|p| p.into_inner()).get(msg.call_id()).cloned();
        if let Some(tx) = existing
            && (method != "OPTIONS" || msg.to_tag().is_some())
        {
            if tx.send(incoming.clone()).is_ok() {
                return;
            }
            self.forget_dialog(msg.call_id());
        }
        match method.as_str() {
            "INVITE" if msg.to_tag().is_none() => {
                if self.app.drain.is_draining() {
                    // A proxy in front tries another node on a 503.
                    tracing::info!(call_id = msg.call_id(), "draining: a new call refused with 503");
                    self.reply(&incoming, 503, "Draining");
                    return;
                }
                let source = incoming.from.ip();
                if !self.config.proxies.contains(&source) && !self.throttle.allow(source) {
                    tracing::warn!(from = %incoming.from, "too many new calls from one source: 503");
                    let resp = SipMessage::response_to(msg, 503, "Service Unavailable").with("Retry-After", "5");
                    self.send(incoming.from, incoming.transport, &resp);
                    return;
                }
                // Call slots are taken once a call is let in (`Endpoint::call_slot`): INVITEs
                // being challenged or refused do not hold one.
                let (tx, rx) = mpsc::unbounded_channel();
                self.register_dialog(msg.call_id(), tx);
                let ep = self.clone();
                tokio::spawn((self.on_invite)(ep, incoming, rx));
            }
            // A proxy's dispatcher probes with OPTIONS: a draining node says it is unavailable.
            "OPTIONS" if self.app.drain.is_draining() => self.reply(&incoming, 503, "Draining"),
            "OPTIONS" => {
                let resp = SipMessage::response_to(msg, 200, "OK")
                    .with("Allow", ALLOW)
                    .with("Accept", "application/sdp, application/dtmf-relay, application/dtmf")
                    .with("Supported", "replaces")
                    .with("User-Agent", "Switchboard");
                self.send(incoming.from, incoming.transport, &resp);
            }
            "ACK" => {}
            "BYE" | "CANCEL" | "INFO" | "INVITE" | "NOTIFY" | "REFER" | "UPDATE" | "PRACK" => {
                tracing::info!(call_id = msg.call_id(), %method, "request for a call we do not have");
                self.reply(&incoming, 481, "Call/Transaction Does Not Exist");
            }
            "REGISTER" | "SUBSCRIBE" | "MESSAGE" | "PUBLISH" => {
                let resp = SipMessage::response_to(msg, 405, "Method Not Allowed").with("Allow", ALLOW);
                self.send(incoming.from, incoming.transport, &resp);
            }
            _ => {
                tracing::info!(%method, from = %incoming.from, "unknown SIP method");
                self.reply(&incoming, 501, "Not Implemented");
            }
        }
    }

    /// Send a request as a client transaction: retransmitted over UDP (T1 doubling to T2)
    /// until a response; the responses arrive on the returned channel until it is dropped.
    pub fn request(self: &Arc<Self>, mut msg: SipMessage, to: SocketAddr, transport: Transport) -> ClientTransaction {
        let branch = format!("z9hG4bK-{}", random_token(8));
        let via = format!("SIP/2.0/{} {};branch={branch};rport", transport.via_name(), self.host_port());
        msg.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Via"));
        msg.headers.insert(0, ("Via".into(), via));
        let (tx, rx) = mpsc::unbounded_channel();
        self.transactions.lock().unwrap_or_else(|p| p.into_inner()).insert(branch.clone(), tx);
        let answered = Arc::new(std::sync::atomic::AtomicBool::new(false));
        self.send(to, transport, &msg);
        if transport == Transport::Udp {
            let (ep, msg, answered) = (self.clone(), msg.clone(), answered.clone());
            tokio::spawn(async move {
                let mut wait = T1;
                let mut total = Duration::ZERO;
                while total < TIMER_B {
                    tokio::time::sleep(wait).await;
                    total += wait;
                    if answered.load(std::sync::atomic::Ordering::Relaxed) {
                        return;
                    }
                    ep.send(to, transport, &msg);
                    wait = (wait * 2).min(T2);
                }
            });
        }
        ClientTransaction { ep: self.clone(), branch, rx, answered, request: msg, to, transport }
    }
}

pub struct ClientTransaction {
    ep: Arc<Endpoint>,
    pub branch: String,
    rx: mpsc::UnboundedReceiver<SipMessage>,
    answered: Arc<std::sync::atomic::AtomicBool>,
    pub request: SipMessage,
    pub to: SocketAddr,
    pub transport: Transport,
}

impl ClientTransaction {
    /// The next response, or `None` after `timeout`.
    pub async fn response(&mut self, timeout: Duration) -> Option<SipMessage> {
        let r = tokio::time::timeout(timeout, self.rx.recv()).await.ok().flatten();
        if r.is_some() {
            self.answered.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        r
    }

    /// The final response (provisional ones are skipped), or `None` when none came in time.
    pub async fn final_response(&mut self, timeout: Duration) -> Option<SipMessage> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let r = self.response(left).await?;
            if r.status().unwrap_or(0) >= 200 {
                return Some(r);
            }
        }
    }
}

impl Drop for ClientTransaction {
    fn drop(&mut self) {
        self.answered.store(true, std::sync::atomic::Ordering::Relaxed);
        self.ep.transactions.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.branch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_from_one_source_is_throttled_and_others_are_not() {
        let t = Throttle::default();
        let (flood, other): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let allowed = (0..100).filter(|_| t.allow(flood)).count();
        assert!((20..=21).contains(&allowed), "a burst of 20 (allowed {allowed})");
        assert!(t.allow(other), "another source is not affected");
    }
}
