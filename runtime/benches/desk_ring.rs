//! From a caller asking for a person to an agent's desk ringing: SIP callers (sipp) press 0
//! on the demo tenant, whose transfers go to a queue with one available agent; the agent's
//! desk is an HTTP client on the desk's event stream (signed in as a desk user), which lets
//! each ring pass. Reported from each call record, p50 and p95:
//! - request → ring: the caller's request (the key press, as the bot heard it) to the first
//!   desk ringing; it includes the bot saying it is transferring the call;
//! - queued → ring: the caller entering the queue (once the bot's hand-over sentence has
//!   played) to the desk ringing: the queue's own work, finding the longest-idle agent and
//!   telling their desk.
//!
//! `cargo bench -p switchboard --bench desk_ring` (needs sipp and the speech models:
//! `scripts/setup`). `SWITCHBOARD_DESK_CALLS=20` sets how many calls (one after another).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "support/load.rs"]
mod load;

const DEMO_NUMBER: &str = "+886223456789";
const LOGIN: &str = "bench-agent@desk";
const PASSWORD: &str = "bench agent password";

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let calls: usize = std::env::var("SWITCHBOARD_DESK_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let dir: PathBuf = std::env::temp_dir().join(format!("switchboard-desk-ring-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut server, sip, http) =
        load::serve(&dir, &["--sip", "127.0.0.1:0", "--webrtc", "127.0.0.1:0", "--asr", "tiny-en"]);
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("demo_tenant.json")).unwrap()).unwrap();
    let (tenant, key) =
        (demo["tenant_id"].as_str().unwrap().to_string(), demo["api_key"].as_str().unwrap().to_string());
    let client: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let bearer = format!("Bearer {key}");
    let patch = serde_json::json!({
        "agents": [{ "name": "客服", "uri": "queue:support" }],
        "queues": [{ "id": "support", "name": "客服", "ring_secs": 30, "max_wait_secs": 600 }],
    });
    let r =
        client.patch(format!("{http}/v1/tenants/{tenant}")).header("Authorization", &bearer).send_json(&patch).unwrap();
    assert_eq!(r.status(), 200, "queue set up");
    let user = serde_json::json!({ "name": "Bench", "login": LOGIN, "password": PASSWORD });
    let r = client
        .post(format!("{http}/v1/tenants/{tenant}/desk/users"))
        .header("Authorization", &bearer)
        .send_json(&user)
        .unwrap();
    assert_eq!(r.status(), 201, "desk user");
    desk_agent(&http);

    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sip/caller_dtmf_waits.xml");
    for i in 0..calls {
        let status = Command::new("sipp")
            .arg("-sf")
            .arg(&scenario)
            .args(["-s", DEMO_NUMBER, "-i", "127.0.0.1", "-p", "46400", "-mi", "127.0.0.1", "-mp", "46500"])
            .args(["-m", "1", "-l", "1", "-d", "6000", "-timeout", "60s", "-nostdin", "-trace_err"])
            .arg(&sip)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("sipp (scripts/setup installs it)");
        if !status.success() {
            eprintln!("  call {i}: sipp reported a failure (see {})", dir.display());
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    let get = |path: &str| -> serde_json::Value {
        let mut r = client.get(format!("{http}{path}")).header("Authorization", &bearer).call().unwrap();
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
    };
    let (mut request_to_ring, mut queued_to_ring) = (Vec::new(), Vec::new());
    for c in get(&format!("/v1/tenants/{tenant}/calls?limit=500"))["calls"].as_array().unwrap() {
        let record = get(&format!("/v1/tenants/{tenant}/calls/{}", c["id"].as_str().unwrap()));
        let Some(ring) = record["agent"]["first_ring_at_ms"].as_u64() else { continue };
        let transcript = record["transcript"].as_array().unwrap();
        let handover =
            transcript.iter().position(|e| e["text"].as_str().is_some_and(|t| t.starts_with("[transfer to")));
        let Some(handover) = handover else { continue };
        let asked =
            transcript[..handover].iter().rev().find(|e| e["speaker"] == "caller").and_then(|e| e["at_ms"].as_u64());
        if let Some(asked) = asked {
            request_to_ring.push(ring.saturating_sub(asked));
        }
        queued_to_ring.push(ring.saturating_sub(record["agent"]["queued_at_ms"].as_u64().unwrap_or(ring)));
    }
    let _ = server.kill();
    let _ = server.wait();
    request_to_ring.sort_unstable();
    queued_to_ring.sort_unstable();
    println!("calls rung: {} of {calls}", request_to_ring.len());
    println!(
        "request → ring: p50 {} ms, p95 {} ms",
        load::percentile(&request_to_ring, 0.5),
        load::percentile(&request_to_ring, 0.95)
    );
    println!(
        "queued → ring: p50 {} ms, p95 {} ms",
        load::percentile(&queued_to_ring, 0.5),
        load::percentile(&queued_to_ring, 0.95)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An agent's desk without a browser: signed in with the desk user's login, available, and
/// letting every ring pass (so that it is free for the next caller).
fn desk_agent(http: &str) {
    let client: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let body = serde_json::json!({ "login": LOGIN, "password": PASSWORD });
    let mut r = client.post(format!("{http}/v1/console/session")).send_json(&body).unwrap();
    assert_eq!(r.status(), 201, "desk sign-in");
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let session: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_string();
    let events = client.get(format!("{http}/v1/desk/events")).header("Cookie", &cookie).call().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let (http_, cookie_, csrf_) = (http.to_string(), cookie.clone(), csrf.clone());
    let passing = client.clone();
    std::thread::spawn(move || {
        let (http, cookie, csrf, client) = (http_, cookie_, csrf_, passing);
        let mut reader = BufReader::new(events.into_body().into_reader());
        let mut line = String::new();
        let mut told = false;
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            if !told {
                // The desk is open: the agent is on the board.
                let _ = tx.send(());
                told = true;
            }
            if let Some(data) = line.trim().strip_prefix("data:") {
                let e: serde_json::Value = serde_json::from_str(data.trim()).unwrap_or_default();
                if e["type"] == "offer" {
                    let call = e["call_id"].as_str().unwrap_or_default();
                    let _ = client
                        .post(format!("{http}/v1/desk/calls/{call}/decline"))
                        .header("Cookie", &cookie)
                        .header("X-CSRF-Token", &csrf)
                        .send_empty();
                }
            }
            line.clear();
        }
    });
    rx.recv_timeout(Duration::from_secs(30)).expect("the desk's event stream opened");
    let r = client
        .put(format!("{http}/v1/desk/state"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .send_json(serde_json::json!({ "state": "available" }))
        .unwrap();
    assert_eq!(r.status(), 200, "the agent is available");
}
