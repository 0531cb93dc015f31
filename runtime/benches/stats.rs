//! The figures API over a large history: seeds 100,000 ended calls (90 days, two tenants,
//! every outcome, orders, reply latencies) into a redb file, starts the real server on it,
//! and times `GET /v1/tenants/{id}/stats` (90 days by day; 31 days by hour) and the
//! provider's `GET /v1/stats`, end to end over HTTP.
//!
//! Run: `cargo bench -p switchboard --bench stats` (`SWITCHBOARD_STATS_CALLS` changes the count).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use switchboard::domain::api_keys::KeyKind;
use switchboard::domain::calls::{CallRecord, Channel, Direction, Outcome, Speaker, TranscriptEntry};
use switchboard::domain::stats::{DAY_MS, HOUR_MS};
use switchboard::domain::tenants::TenantPatch;
use switchboard::storage::{ApiKeys, Tenants};

const ADMIN: &str = "adm_stats_bench";
const REQUESTS: usize = 30;

fn record(tenant: &str, i: usize, now: u64, span_ms: u64) -> CallRecord {
    let started_at_ms = now - span_ms + (i as u64 * 7_919 * 1000) % span_ms;
    let outcome = match i % 10 {
        0..=5 => Outcome::Completed,
        6 | 7 => Outcome::Transferred,
        8 => Outcome::Abandoned,
        _ => Outcome::Failed,
    };
    let tags = match i % 10 {
        0..=2 => vec!["order-placed".to_string()],
        3 | 4 => vec!["faq-answered".to_string()],
        _ => vec![],
    };
    // One caller turn in seven was not understood.
    let understood = Some(i % 7 != 0);
    let turn = |speaker, text: &str, latency_ms: Option<u32>| TranscriptEntry {
        at_ms: started_at_ms,
        speaker,
        text: text.into(),
        latency_ms,
        intent: latency_ms.map(|_| "order".into()),
        faq: None,
        understood: latency_ms.and(understood),
    };
    CallRecord {
        id: format!("call_{started_at_ms:013}_{i:07}"),
        tenant_id: tenant.into(),
        caller: format!("+8869{:08}", i % 100_000_000),
        callee: "+886223456789".into(),
        channel: if i % 3 == 0 { Channel::Webrtc } else { Channel::Sip },
        direction: Direction::Inbound,
        flow_version: Some(1),
        started_at_ms,
        ended_at_ms: Some(started_at_ms + 30_000 + (i as u64 % 120) * 1000),
        outcome,
        end_reason: None,
        tags,
        flow_error: (outcome == Outcome::Failed).then(|| "trap".into()),
        transfer: None,
        order_ids: vec![],
        ticket_ids: Vec::new(),
        transcript: vec![
            turn(Speaker::Bot, "您好，歡迎致電！請問今天想喝點什麼？", None),
            turn(Speaker::Caller, "兩杯大杯珍奶半糖少冰", Some(400 + (i as u32 % 50) * 10)),
            turn(Speaker::Bot, "好的，大杯珍珠奶茶2杯，半糖、少冰。請問怎麼稱呼您？", None),
            turn(Speaker::Caller, "我姓陳", Some(350 + (i as u32 % 30) * 20)),
        ],
        recording: None,
        agent: None,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let calls: usize = std::env::var("SWITCHBOARD_STATS_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("switchboard-stats-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let now = switchboard::ids::now_ms();
    let span = 90 * DAY_MS;

    let seeded = Instant::now();
    let (tenants, key) = {
        let store = switchboard::storage::redb::RedbStore::open(&dir.join("switchboard.redb")).expect("store");
        let mut tenants = Vec::new();
        for (name, number) in [("Bench Tea", "+886223456789"), ("Bench Two", "+886223450000")] {
            let patch = TenantPatch { numbers: Some(vec![number.into()]), ..Default::default() };
            tenants.push(store.create_tenant(name, patch).await.expect("tenant").id);
        }
        let (key, _) = store.create_api_key(&tenants[0], KeyKind::Tenant).await.expect("key");
        for chunk in (0..calls).collect::<Vec<_>>().chunks(5_000) {
            let records: Vec<CallRecord> = chunk.iter().map(|&i| record(&tenants[i % 2], i, now, span)).collect();
            store.import_calls(&records).expect("import");
        }
        (tenants, key)
    };
    println!("seeded {calls} calls over 90 days for 2 tenants in {:.1} s", seeded.elapsed().as_secs_f64());

    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["serve", "--listen", "127.0.0.1:0", "--no-demo", "--data-dir"])
        .arg(&dir)
        .env("SWITCHBOARD_ADMIN_TOKEN", ADMIN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("switchboard");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let base = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on ").map(str::to_string))
        .expect("the server's address");
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(30))).build().into();

    let day_from = now - span;
    let hour_from = now - 31 * DAY_MS + HOUR_MS;
    let cases = [
        (
            "tenant, 90 days by day",
            format!("/v1/tenants/{}/stats?from={day_from}&to={now}&bucket=day", tenants[0]),
            key.as_str(),
        ),
        (
            "tenant, 31 days by hour",
            format!("/v1/tenants/{}/stats?from={hour_from}&to={now}&bucket=hour", tenants[0]),
            key.as_str(),
        ),
        ("provider, 90 days by week", format!("/v1/stats?from={day_from}&to={now}&bucket=week"), ADMIN),
    ];
    for (name, path, token) in cases {
        let mut times = Vec::new();
        let mut answered = 0;
        for _ in 0..REQUESTS {
            let started = Instant::now();
            let body: serde_json::Value = agent
                .get(format!("{base}{path}"))
                .header("Authorization", format!("Bearer {token}"))
                .call()
                .expect("stats")
                .body_mut()
                .read_json()
                .expect("JSON");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            answered = body["totals"]["answered"].as_i64().unwrap_or(0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name:28} p50 {:6.1} ms  p95 {:6.1} ms  max {:6.1} ms  (answered calls in the period: {answered})",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1]
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
