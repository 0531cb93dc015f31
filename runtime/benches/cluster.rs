//! One node against three, on this machine: each node in a network namespace of its own,
//! one PostgreSQL database, Kamailio in front (as `tests/cluster.rs` sets them up).
//!
//! - **Text calls sustained**: `SWITCHBOARD_CLUSTER_CLIENTS` clients (default 16) place
//!   whole text orders back to back (`POST …/calls/simulate`, five turns, an order stored
//!   in PostgreSQL), spread over the nodes, for `SWITCHBOARD_CLUSTER_SECS` seconds (20):
//!   calls per second and the call's p50/p95.
//! - **Phone calls admitted**: sipp offers `SWITCHBOARD_CLUSTER_SIP_CALLS` calls (100) at
//!   10 per second through Kamailio; each is answered, greeted and hung up: calls completed
//!   per second of the run, and how many failed.
//!
//! The nodes share this machine's 2 cores, so three nodes cannot be faster than one here:
//! the figures show what the cluster costs (the database on the network, Kamailio's hop,
//! three processes' memory), not what three machines would give.
//!
//! `cargo bench -p switchboard --bench cluster` (root, with PostgreSQL, Kamailio and sipp:
//! `scripts/setup --tests`).

#[path = "../../tests/common/caller.rs"]
#[allow(dead_code)]
mod caller;
#[path = "../../tests/common/cluster.rs"]
mod cluster;
#[path = "../../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;
#[path = "../../tests/common/sipp.rs"]
#[allow(dead_code)]
mod sipp;

use std::path::Path;
use std::time::{Duration, Instant};

use cluster::{Backbone, HOST_IP, namespace, node_ip};
use common::Server;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

struct Figures {
    text_calls_per_s: f64,
    p50: Duration,
    p95: Duration,
    failed_text: usize,
    sip_per_s: f64,
    sip_ok: u64,
    sip_failed: u64,
}

fn run(nodes: usize, dir: &Path) -> Figures {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let backbone = Backbone::start(nodes, dir);
    let url = backbone.database_url.clone();
    let servers: Vec<Server> = (1..=nodes)
        .map(|i| {
            let (sip, id) = (format!("{}:5060", node_ip(i)), format!("node{i}"));
            let args = [
                "--sip",
                &sip,
                "--asr",
                "tiny-en",
                "--database",
                &url,
                "--node-id",
                &id,
                "--max-calls",
                "64",
                "--sip-proxies",
                HOST_IP,
            ];
            Server::start_node(&namespace(i), &node_ip(i), &dir.join(&id), &args)
        })
        .collect();
    let (tenant, key) = servers[0].demo();
    let r = servers[0].patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        serde_json::json!({"telephony": {"max_calls": 10000}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // Text calls, back to back, spread over the nodes.
    let clients = env("SWITCHBOARD_CLUSTER_CLIENTS", 16) as usize;
    let until = Instant::now() + Duration::from_secs(env("SWITCHBOARD_CLUSTER_SECS", 20));
    let started = Instant::now();
    let (latencies, failed): (Vec<Duration>, usize) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let (server, tenant, key) = (&servers[c % nodes], &tenant, &key);
                scope.spawn(move || {
                    let (mut took, mut failed) = (Vec::new(), 0);
                    let mut n = 0;
                    while Instant::now() < until {
                        n += 1;
                        let caller = format!("+8869{:02}{:06}", c, n);
                        let t = Instant::now();
                        let body = serde_json::json!({"caller": caller, "inputs": [
                            {"text": "兩杯大杯珍珠奶茶，半糖少冰"}, {"text": "我姓王"}, {"text": "對"}, {"text": "自取"}, {"text": "對"}]});
                        let r = server.post(key, &format!("/v1/tenants/{tenant}/calls/simulate"), body);
                        if r.status == 200 && r.body["order_ids"].as_array().is_some_and(|o| o.len() == 1) {
                            took.push(t.elapsed());
                        } else {
                            failed += 1;
                        }
                    }
                    (took, failed)
                })
            })
            .collect();
        let mut all = (Vec::new(), 0);
        for h in handles {
            let (took, failed) = h.join().unwrap();
            all.0.extend(took);
            all.1 += failed;
        }
        all
    });
    let wall = started.elapsed();
    let mut sorted = latencies.clone();
    sorted.sort();

    // Phone calls offered at 10 a second through Kamailio.
    let calls = env("SWITCHBOARD_CLUSTER_SIP_CALLS", 100) as usize;
    let started = Instant::now();
    let out = cluster::sipp("caller_hangup.xml", &backbone.kamailio.addr, sipp::DEMO_NUMBER, dir, calls, 64)
        .args(["-r", "10"])
        .output()
        .expect("sipp");
    let sip_wall = started.elapsed();
    let stats = String::from_utf8_lossy(&out.stdout).to_string();
    let count = |label: &str| -> u64 {
        stats
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split('|').nth(2))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let (sip_ok, sip_failed) = (count("Successful call"), count("Failed call"));
    drop(servers);
    drop(backbone);
    Figures {
        text_calls_per_s: latencies.len() as f64 / wall.as_secs_f64(),
        p50: percentile(&sorted, 0.5),
        p95: percentile(&sorted, 0.95),
        failed_text: failed,
        sip_per_s: sip_ok as f64 / sip_wall.as_secs_f64(),
        sip_ok,
        sip_failed,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let work = std::env::temp_dir().join(format!("switchboard-cluster-bench-{}", std::process::id()));
    println!(
        "nodes | text calls/s | text call p50 ms | p95 ms | failed | phone calls completed/s (offered 10/s) | ok | failed"
    );
    for nodes in [1, 3] {
        let f = run(nodes, &work.join(format!("n{nodes}")));
        println!(
            "{nodes:>5} | {:>12.1} | {:>16} | {:>6} | {:>6} | {:>39.1} | {:>3} | {:>6}",
            f.text_calls_per_s,
            f.p50.as_millis(),
            f.p95.as_millis(),
            f.failed_text,
            f.sip_per_s,
            f.sip_ok,
            f.sip_failed
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}
