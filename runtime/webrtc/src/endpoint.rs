//! The WebRTC endpoint: one UDP port for every browser call. Offers come in
//! over HTTP (see `api::widget`); each answer names this port as an ICE host
//! candidate (or the configured public address). Switchboard is ICE-lite: the
//! browser checks connectivity and we answer, so the browser's own candidates
//! are learned from its checks and NATs in front of browsers need nothing.
//!
//! Routing: a STUN check names its call by our ICE username fragment; the
//! address it came from then carries that call's DTLS and SRTP. Datagrams
//! nobody claims are dropped and counted.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, Once};
use std::time::Instant;

use str0m::change::SdpOffer;
use str0m::format::{Codec, FormatParams};
use str0m::media::Frequency;
use str0m::{Candidate, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::peer::{self, Datagram, Peer, PeerLink};
use super::stun;
use switchboard_call::agents::AgentLine;
use switchboard_call::app::App;
use switchboard_call::places::{self, Place};
use switchboard_call::voice::SpeechEngines;
use switchboard_domain::tenants::Tenant;

#[derive(Clone)]
pub struct WebRtcConfig {
    /// Where the UDP port listens.
    pub listen: SocketAddr,
    /// Addresses announced as ICE host candidates (with the bound port).
    pub announced: Vec<IpAddr>,
    /// How a browser caller reaches a person (a browser cannot be REFERred: the SIP
    /// layer dials the agent and bridges). `None`: transfers fail over to the fallback.
    pub agents: Option<Arc<dyn AgentLine>>,
}

/// Why a browser call could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("unusable SDP offer: {0}")]
    BadOffer(String),
    #[error("this tenant is at its limit of {0} calls at once (browser calls, or all calls)")]
    TooMany(u32),
    #[error("this server is draining: it takes no new calls (try again; a balancer sends you to another node)")]
    Draining,
    #[error("the call could not start: {0}")]
    Internal(String),
}

/// A browser call in progress.
struct LiveBrowserCall {
    tenant_id: String,
    link: PeerLink,
    /// Hold the call's places in its tenant's limits (all calls, browser calls, across the
    /// cluster) until the call is forgotten.
    _places: [Place; 2],
    /// A leg a drain waits for.
    _leg: switchboard_call::drain::Leg,
}

#[derive(Default)]
struct Routes {
    by_ufrag: HashMap<String, mpsc::Sender<Datagram>>,
    by_addr: HashMap<SocketAddr, mpsc::Sender<Datagram>>,
}

pub struct WebRtcEndpoint {
    pub app: Arc<App>,
    agents: Option<Arc<dyn AgentLine>>,
    pub engines: Arc<SpeechEngines>,
    socket: Arc<UdpSocket>,
    local: SocketAddr,
    announced: Vec<SocketAddr>,
    routes: Mutex<Routes>,
    calls: Mutex<HashMap<String, LiveBrowserCall>>,
    unrouted: std::sync::atomic::AtomicU64,
    /// Itself, for the tasks of desk legs (which outlive the call that made them).
    self_ref: std::sync::OnceLock<std::sync::Weak<WebRtcEndpoint>>,
}

/// Routes kept per call at most (a browser's candidate pairs).
const MAX_ADDRS_PER_CALL: usize = 16;

impl WebRtcEndpoint {
    pub async fn start(app: Arc<App>, engines: Arc<SpeechEngines>, config: WebRtcConfig) -> anyhow::Result<Arc<Self>> {
        static CRYPTO: Once = Once::new();
        CRYPTO.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
        let socket = Arc::new(UdpSocket::bind(config.listen).await?);
        let local = socket.local_addr()?;
        let announced = config.announced.iter().map(|ip| SocketAddr::new(*ip, local.port())).collect();
        let ep = Arc::new(WebRtcEndpoint {
            app,
            agents: config.agents.clone(),
            engines,
            socket,
            local,
            announced,
            routes: Mutex::new(Routes::default()),
            calls: Mutex::new(HashMap::new()),
            unrouted: Default::default(),
            self_ref: Default::default(),
        });
        let _ = ep.self_ref.set(Arc::downgrade(&ep));
        tokio::spawn(receive(ep.clone()));
        Ok(ep)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Accept a browser's offer for `tenant`: returns the call id and the SDP answer, and the call runs.
    ///
    /// The work runs in its own task: a browser that gives up waiting for the answer does not
    /// leave a half-started call behind (it starts, finds no browser, and ends on its own).
    pub async fn start_call(
        self: &Arc<Self>,
        tenant: Tenant,
        offer: String,
        origin: String,
    ) -> Result<(String, String), StartError> {
        let ep = self.clone();
        tokio::spawn(async move { ep.answer(tenant, &offer, &origin).await })
            .await
            .map_err(|e| StartError::Internal(e.to_string()))?
    }

    /// The call's places: one of the tenant's calls at once and one of its browser calls,
    /// counted across the cluster (taken before the call starts, so that offers at once
    /// cannot overshoot).
    async fn take_places(&self, tenant: &Tenant) -> Result<[Place; 2], StartError> {
        let key = switchboard_domain::ids::new_id("web");
        let take = |kind, limit| places::take(&self.app, &tenant.id, kind, &key, limit);
        let internal = |e: places::Error| StartError::Internal(format!("counting the tenant's calls: {e}"));
        let limit = tenant.telephony.max_browser_calls;
        let browser = take(places::BROWSER, limit).await.map_err(internal)?.ok_or(StartError::TooMany(limit))?;
        let limit = tenant.telephony.max_calls;
        let call = take(places::CALLS, limit).await.map_err(internal)?.ok_or(StartError::TooMany(limit))?;
        Ok([browser, call])
    }

    async fn answer(
        self: &Arc<Self>,
        tenant: Tenant,
        offer: &str,
        origin: &str,
    ) -> Result<(String, String), StartError> {
        if self.app.drain.is_draining() {
            return Err(StartError::Draining);
        }
        let places = self.take_places(&tenant).await?;
        if !offer.lines().any(|l| l.starts_with("m=audio")) {
            return Err(StartError::BadOffer("the offer has no audio".into()));
        }
        let (rtc, answer, ufrag) = self.accept_offer(offer)?;

        let setup = switchboard_call::session::CallSetup {
            tenant: tenant.clone(),
            // A browser has no phone number: the flow sees a withheld caller (and asks for one).
            caller: String::new(),
            callee: tenant.numbers.first().cloned().unwrap_or_else(|| "widget".into()),
            channel: switchboard_domain::calls::Channel::Webrtc,
            direction: switchboard_domain::calls::Direction::Inbound,
            flow_input: String::new(),
            flow_version: None,
            replay: false,
        };
        let (mut call, greeting) =
            switchboard_call::voice::VoiceCall::start(self.app.clone(), self.engines.clone(), setup, 16_000).await;
        call.session.note(format!("[browser call from {}]", origin.chars().take(200).collect::<String>()));
        let call_id = call.session.id().to_string();
        let span = tracing::info_span!("call", call_id = %call_id, tenant_id = %tenant.id, channel = "webrtc");
        let (net_tx, net_rx) = mpsc::channel(512);
        let (media_tx, media_rx) = mpsc::channel(1024);
        let link = peer::spawn(
            Peer { rtc, socket: self.socket.clone(), local: self.local, net: net_rx, media: media_tx },
            span.clone(),
        );
        self.routes.lock().unwrap_or_else(|p| p.into_inner()).by_ufrag.insert(ufrag.clone(), net_tx);
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).insert(
            call_id.clone(),
            LiveBrowserCall {
                tenant_id: tenant.id.clone(),
                link: link.clone(),
                _places: places,
                _leg: self.app.drain.leg(),
            },
        );
        tracing::info!(parent: &span, %origin, "browser call answered");
        let ep = self.clone();
        let id = call_id.clone();
        tokio::spawn(tracing::Instrument::instrument(
            async move {
                super::call::run(ep.app.clone(), ep.agents.clone(), tenant, call, greeting, media_rx, link).await;
                ep.forget(&id, &ufrag);
            },
            span,
        ));
        Ok((call_id, answer))
    }

    /// Our side of a browser's offer: the connection, the SDP answer and our ICE username.
    fn accept_offer(&self, offer: &str) -> Result<(Rtc, String, String), StartError> {
        let offer = SdpOffer::from_sdp_string(offer).map_err(|e| StartError::BadOffer(e.to_string()))?;
        let mut config = Rtc::builder().set_ice_lite(true).clear_codecs().enable_opus(true, false);
        // RFC 4733 key presses, at both rates browsers offer.
        for (pt, rate) in [(110u8, Frequency::FORTY_EIGHT_KHZ), (126u8, Frequency::EIGHT_KHZ)] {
            config.codec_config().add_config(
                pt.into(),
                None,
                Codec::Tele,
                rate,
                None,
                FormatParams::parse_line("0-15"),
            );
        }
        let mut rtc = config.build(Instant::now());
        for addr in &self.announced {
            match Candidate::host(*addr, "udp") {
                Ok(c) => {
                    rtc.add_local_candidate(c);
                }
                Err(e) => tracing::warn!(%addr, error = %e, "not a usable ICE candidate"),
            }
        }
        let answer = rtc.sdp_api().accept_offer(offer).map_err(|e| StartError::BadOffer(e.to_string()))?;
        let answer = answer.to_sdp_string();
        if !answer.lines().any(|l| l.starts_with("m=audio") && !l.starts_with("m=audio 0 ")) {
            return Err(StartError::BadOffer("no Opus audio in the offer".into()));
        }
        let ufrag = answer
            .lines()
            .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
            .map(|u| u.trim().to_string())
            .ok_or_else(|| StartError::Internal("the answer has no ICE username".into()))?;

        Ok((rtc, answer, ufrag))
    }

    /// The caller's page hung up (the widget's button). `false`: no such call of this tenant.
    pub fn hang_up(&self, tenant_id: &str, call_id: &str) -> bool {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        match calls.get(call_id) {
            Some(c) if c.tenant_id == tenant_id => {
                c.link.close();
                true
            }
            _ => false,
        }
    }

    fn forget(&self, call_id: &str, ufrag: &str) {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).remove(call_id);
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = routes.by_ufrag.remove(ufrag) {
            routes.by_addr.retain(|_, t| !t.same_channel(&tx));
        }
    }

    /// Where a datagram goes: by the STUN username, else by its source.
    fn route(&self, from: SocketAddr, data: &[u8]) -> Option<mpsc::Sender<Datagram>> {
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(ufrag) = stun::local_ufrag(data) {
            let tx = routes.by_ufrag.get(ufrag)?.clone();
            if !routes.by_addr.contains_key(&from) {
                let known = routes.by_addr.values().filter(|t| t.same_channel(&tx)).count();
                if known < MAX_ADDRS_PER_CALL {
                    routes.by_addr.insert(from, tx.clone());
                }
            }
            return Some(tx);
        }
        routes.by_addr.get(&from).cloned()
    }
}

async fn receive(ep: Arc<WebRtcEndpoint>) {
    let mut buf = vec![0u8; 2048];
    loop {
        let (n, from) = match ep.socket.recv_from(&mut buf).await {
            Ok(x) => x,
            Err(e) => {
                // ICMP port-unreachable from a browser that left shows up here on Linux.
                tracing::debug!(error = %e, "webrtc socket receive error");
                continue;
            }
        };
        let data = &buf[..n];
        match ep.route(from, data) {
            Some(tx) => {
                if tx.try_send(Datagram { from, at: Instant::now(), data: data.to_vec() }).is_err() {
                    tracing::debug!(%from, "webrtc peer behind: datagram dropped");
                }
            }
            None => {
                let count = ep.unrouted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if count.is_power_of_two() {
                    tracing::debug!(%from, len = n, count, "datagram for no call: dropped");
                }
            }
        }
    }
}

/// Agent desks talk over the same media path as browser callers: a desk's offer becomes a
/// peer on this endpoint's port, bridged by the desk to the waiting caller.
#[async_trait::async_trait]
impl switchboard_call::desk::DeskMedia for WebRtcEndpoint {
    async fn connect(
        &self,
        tenant_id: &str,
        call_id: &str,
        offer_sdp: &str,
    ) -> Result<switchboard_call::desk::DeskLeg, String> {
        if !offer_sdp.lines().any(|l| l.starts_with("m=audio")) {
            return Err("the offer has no audio".into());
        }
        let (rtc, answer, ufrag) = self.accept_offer(offer_sdp).map_err(|e| e.to_string())?;
        let span = tracing::info_span!("desk_leg", call_id = %call_id, tenant_id = %tenant_id);
        let (net_tx, net_rx) = mpsc::channel(512);
        let (media_tx, mut media_rx) = mpsc::channel(1024);
        let link = peer::spawn(
            Peer { rtc, socket: self.socket.clone(), local: self.local, net: net_rx, media: media_tx },
            span,
        );
        self.routes.lock().unwrap_or_else(|p| p.into_inner()).by_ufrag.insert(ufrag.clone(), net_tx);
        // The desk reads the agent's audio from here; when the leg ends its routes go.
        let (agent_tx, agent_rx) = mpsc::channel(1024);
        let me = self.self_ref.get().and_then(std::sync::Weak::upgrade);
        tokio::spawn(async move {
            while let Some(m) = media_rx.recv().await {
                let last = matches!(m, switchboard_media::MediaIn::Hangup);
                if agent_tx.send(m).await.is_err() || last {
                    break;
                }
            }
            if let Some(ep) = me {
                let mut routes = ep.routes.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(tx) = routes.by_ufrag.remove(&ufrag) {
                    routes.by_addr.retain(|_, t| !t.same_channel(&tx));
                }
            }
        });
        let closing = link.clone();
        Ok(switchboard_call::desk::DeskLeg {
            answer_sdp: answer,
            media: agent_rx,
            out: Box::new(link),
            close: Box::new(move || closing.close()),
        })
    }
}
