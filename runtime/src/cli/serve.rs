//! `switchboard serve`: open the data directory, seed the demo tenant on first
//! start, serve the API until Ctrl-C or SIGTERM (which drain the node first: see
//! [`crate::call::drain`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::api::{ApiState, router};
use crate::app::App;
use crate::call::voice::SpeechEngines;
use crate::demo;
use crate::domain::api_keys::hash_key;
use crate::media::rtp_stream::RtpConfig;
use crate::sip::SipConfig;
use crate::webrtc::{WebRtcConfig, WebRtcEndpoint};

/// The address this machine uses to reach the outside, for SDP when bound to 0.0.0.0.
fn local_ip() -> Option<std::net::IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    s.local_addr().ok().map(|a| a.ip())
}

#[derive(Args)]
pub struct ServeArgs {
    /// Where the database and caches live.
    #[arg(long, env = "SWITCHBOARD_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// The database: a PostgreSQL URL (`postgres://user:password@host/db`) that several nodes
    /// share, or nothing for the embedded file in the data directory.
    #[arg(long, env = "SWITCHBOARD_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Address for the HTTP API (port 0 picks a free port and prints it).
    #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Do not create the demo tenant on first start.
    #[arg(long)]
    no_demo: bool,
    /// Take phone calls: SIP over UDP and TCP on this address (e.g. 0.0.0.0:5060). Loads the speech models.
    #[arg(long, env = "SWITCHBOARD_SIP")]
    sip: Option<SocketAddr>,
    /// Take browser calls (the click-to-call widget): WebRTC media for every call on this UDP address.
    #[arg(long, env = "SWITCHBOARD_WEBRTC")]
    webrtc: Option<SocketAddr>,
    /// The address put in SIP Contact and SDP and in WebRTC ICE candidates, when it differs from the
    /// bound one (NAT, 0.0.0.0).
    #[arg(long, env = "SWITCHBOARD_PUBLIC_IP")]
    public_ip: Option<std::net::IpAddr>,
    /// RTP ports, as FIRST-LAST.
    #[arg(long, env = "SWITCHBOARD_RTP_PORTS", default_value = "20000-29999")]
    rtp_ports: String,
    /// Phone calls carried at once; more are refused with 503 (size it to the CPU: see the load benchmark).
    #[arg(long, env = "SWITCHBOARD_MAX_CALLS", default_value_t = 32)]
    max_calls: usize,
    /// A secret the nodes of a cluster share: SIP digest nonces are signed with it, so a
    /// trunk's answer to one node's challenge is good on another. Unset: a key per process.
    #[arg(long, env = "SWITCHBOARD_CLUSTER_SECRET", hide_env_values = true)]
    cluster_secret: Option<String>,
    /// Where call recordings are kept: a directory every node of a cluster mounts (so any
    /// node serves any recording); default: the data directory.
    #[arg(long, env = "SWITCHBOARD_RECORDINGS_DIR")]
    recordings_dir: Option<PathBuf>,
    /// Addresses of SIP proxies in front of this node (Kamailio), comma-separated: the
    /// per-source INVITE throttle does not count them (every call comes through them).
    #[arg(long, env = "SWITCHBOARD_SIP_PROXIES", value_delimiter = ',')]
    sip_proxies: Vec<std::net::IpAddr>,
    /// This node's name in a cluster (default: one made on first start and kept in the data
    /// directory).
    #[arg(long, env = "SWITCHBOARD_NODE_ID")]
    node_id: Option<String>,
    /// Speech recogniser for calls: `base` (multilingual) or `tiny-en` (English only, fastest).
    #[arg(long, env = "SWITCHBOARD_ASR", default_value = "base")]
    asr: String,
}

fn rtp_range(s: &str) -> anyhow::Result<(u16, u16)> {
    let (a, b) = s.split_once('-').context("--rtp-ports is FIRST-LAST, e.g. 20000-29999")?;
    let (a, b): (u16, u16) = (a.trim().parse()?, b.trim().parse()?);
    anyhow::ensure!(a >= 1024 && b > a + 1, "--rtp-ports: FIRST must be at least 1024 and below LAST");
    Ok((a, b))
}

/// The admin token: from the environment, else from the data directory, else a new one written there.
fn admin_token(data_dir: &std::path::Path) -> anyhow::Result<(String, String)> {
    if let Ok(t) = std::env::var("SWITCHBOARD_ADMIN_TOKEN")
        && !t.trim().is_empty()
    {
        return Ok((t.trim().to_string(), "$SWITCHBOARD_ADMIN_TOKEN".into()));
    }
    let path = data_dir.join("admin_token");
    if let Ok(t) = std::fs::read_to_string(&path)
        && !t.trim().is_empty()
    {
        return Ok((t.trim().to_string(), path.display().to_string()));
    }
    let token = crate::domain::ids::new_secret("adm_");
    demo::write_secret(&path, &token)?;
    Ok((token, format!("{} (new)", path.display())))
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    crate::cli::init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let backing = crate::app::Backing {
        database: args.database.clone(),
        node_id: args.node_id.clone(),
        recordings: args.recordings_dir.clone(),
    };
    let app = App::open_with(&args.data_dir, &backing)?;
    app.follow_changes();
    crate::call::places::keep_leases(&app).await.context("the call places of this node")?;
    let (token, token_source) = admin_token(&args.data_dir)?;
    if !args.no_demo
        && let Some(demo) = demo::seed_if_empty(&app).await.context("creating the demo tenant")?
    {
        println!("demo tenant {} created (珍珍茶坊 Zhenzhen Tea House, {})", demo.id, demo::DEMO_NUMBER);
        println!("demo tenant API key: {}", demo.api_key);
        println!("demo agent at the desk: login {} password {}", demo.desk_login, demo.desk_password);
        println!("  (also saved in {})", args.data_dir.join("demo_tenant.json").display());
    }
    // Every tenant's FAQ is embedded for semantic search: for up to a few seconds before
    // serving (all of it, for most providers), the rest in the background.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let done = app.knowledge.faq.warm(&app.db, Some(until)).await;
    if !matches!(done, Ok(true)) {
        let warming = app.clone();
        tokio::spawn(async move {
            match warming.knowledge.faq.warm(&warming.db, None).await {
                Ok(_) => tracing::info!("FAQ index complete"),
                Err(e) => tracing::warn!(error = %e, "FAQ index not warmed"),
            }
        });
    }
    let engines = if args.sip.is_some() || args.webrtc.is_some() {
        let asr = crate::speech::asr::WhisperSize::parse(&args.asr)?;
        let engines = tokio::task::spawn_blocking(move || SpeechEngines::load(asr))
            .await?
            .context("loading the speech models for calls (scripts/setup fetches them)")?;
        Some(engines)
    } else {
        None
    };
    let (mut sip_endpoint, mut webrtc_endpoint) = (None, None);
    // The agent desk routes every transfer: `queue:` targets to the desk's agents (over
    // WebRTC), the rest to SIP agents.
    let desk = engines.clone().map(|engines| crate::call::desk::Desk::new(app.clone(), engines));
    // Campaigns and order-update calls; they are dialled once SIP is up.
    let outreach = crate::call::outreach::Outreach::new(app.clone());
    if let (Some(sip), Some(engines)) = (args.sip, engines.clone()) {
        let (port_min, port_max) = rtp_range(&args.rtp_ports)?;
        let advertised_ip = match args.public_ip {
            Some(ip) => ip,
            None if sip.ip().is_unspecified() => local_ip().unwrap_or(sip.ip()),
            None => sip.ip(),
        };
        let bind_ip = sip.ip();
        let config = SipConfig {
            listen: sip,
            max_calls: args.max_calls,
            advertised_ip,
            rtp: RtpConfig { bind_ip, advertised_ip, port_min, port_max },
            nonce_key: args.cluster_secret.clone(),
            proxies: args.sip_proxies.clone(),
        };
        let endpoint =
            crate::sip::start(app.clone(), engines, config).await.with_context(|| format!("binding SIP on {sip}"))?;
        // Tests and scripts read this line to find the SIP port.
        println!("sip on udp+tcp {}", endpoint.local_addr());
        if let Some(desk) = &desk {
            desk.set_sip(
                std::sync::Arc::new(crate::sip::transfer::SipAgentLine(endpoint.clone())),
                std::sync::Arc::new(crate::sip::outbound::SipPhoneLine(endpoint.clone())),
            );
            let _ = endpoint.desk.set(desk.clone());
        }
        outreach.set_dialer(std::sync::Arc::new(crate::sip::outbound::SipDialer(endpoint.clone())));
        sip_endpoint = Some(endpoint);
    }
    if let (Some(listen), Some(engines)) = (args.webrtc, engines) {
        // ICE host candidates: the public address, else every address a browser may reach us on.
        let announced = match args.public_ip {
            Some(ip) => vec![ip],
            None if listen.ip().is_unspecified() => {
                let mut ips: Vec<std::net::IpAddr> = local_ip().into_iter().collect();
                ips.push(std::net::Ipv4Addr::LOCALHOST.into());
                ips
            }
            None => vec![listen.ip()],
        };
        let agents = desk.clone().map(|d| d as std::sync::Arc<dyn crate::call::agents::AgentLine>);
        let endpoint = WebRtcEndpoint::start(app.clone(), engines, WebRtcConfig { listen, announced, agents })
            .await
            .with_context(|| format!("binding WebRTC on udp {listen}"))?;
        if let Some(desk) = &desk {
            desk.set_media(endpoint.clone());
        }
        // Tests and scripts read this line to find the WebRTC port.
        println!("webrtc on udp {}", endpoint.local_addr());
        webrtc_endpoint = Some(endpoint);
    }
    let has_webrtc = webrtc_endpoint.is_some();
    let state = ApiState {
        app: app.clone(),
        admin_token_hash: hash_key(&token),
        sip: sip_endpoint,
        webrtc: webrtc_endpoint,
        sessions: Default::default(),
        desk,
        outreach: outreach.clone(),
    };
    tokio::spawn(outreach.run());
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("admin token: {token_source}");
    // Tests and scripts read this line to find the port.
    println!("listening on http://{addr}");
    if has_webrtc && !args.no_demo && crate::demo::demo_tenant_id(&args.data_dir).is_some() {
        println!("demo page (call the bot from your browser): http://{addr}/demo");
    }
    if switchboard_api::console::console_dir().join("index.html").exists() {
        println!("console (sign in with the admin token or a tenant key): http://{addr}/console");
    } else {
        println!("console not built: run scripts/console (scripts/setup does)");
    }
    tracing::info!(%addr, data_dir = %args.data_dir.display(), "switchboard serving");
    // SIGTERM, Ctrl-C or `POST /v1/admin/drain` drains the node: no new calls, and once the
    // calls in progress have ended the server stops. A second signal stops it at once.
    let (drained_tx, drained_rx) = tokio::sync::oneshot::channel::<()>();
    let draining = app.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = stop_signal() => { draining.drain.start(); }
            _ = draining.drain.started() => {}
        }
        println!("draining: {} calls in progress", draining.metrics.calls_active());
        let calls_done = async {
            draining.metrics.no_calls().await;
            // The hang-ups' own exchanges (a BYE and its answer) finish, within reason.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(35), draining.drain.no_legs()).await;
        };
        tokio::select! {
            _ = calls_done => tracing::info!("drained: the last call has ended"),
            _ = stop_signal() => tracing::warn!("a second signal: stopping with calls in progress"),
        }
        let _ = drained_tx.send(());
    });
    let server = tokio::spawn(async move {
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async move {
                let _ = drained_rx.await;
            })
            .await
    });
    // Open event streams (a console's live view) would hold a graceful stop forever: they get
    // a few seconds once the calls are done.
    let stopping = async {
        while !app.drain.is_draining() || app.metrics.calls_active() > 0 {
            app.drain.started().await;
            app.metrics.no_calls().await;
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(35), app.drain.no_legs()).await;
    };
    tokio::select! {
        result = server => result??,
        _ = async { stopping.await; tokio::time::sleep(std::time::Duration::from_secs(5)).await } => {
            tracing::info!("HTTP connections still open at the stop: closed");
        }
    }
    tracing::info!("shut down");
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return ctrl_c.await.unwrap_or(()),
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
