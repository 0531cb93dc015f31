//! Load: N browser calls at once into the real `switchboard` binary. Each is a headless
//! Chromium on the demo page, its fake microphone speaking a whole tea order (no caller
//! ID, so the phone number is spoken too). Reports calls connected, orders stored, reply
//! latency (end of the caller's speech → first audio of the bot's answer) p50 and p95,
//! how recognition kept up, and the CPU of the server and of the browsers.
//!
//! `cargo bench -p switchboard --bench webrtc_load` (needs Chromium and the speech
//! models: `scripts/setup --tests`). `SWITCHBOARD_LOAD_CALLS=1,2,4` picks the N.
//!
//! The browsers run on the same 2 cores as the server: each renders its page, captures
//! and encodes the microphone, and decodes the bot's Opus. The server's CPU figure is
//! its own; the reply latencies include the browsers' competition for the cores.

use std::time::{Duration, Instant};

#[path = "../../tests/common/browser.rs"]
mod browser;
#[path = "../../tests/common/caller.rs"]
mod caller;
#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "support/load.rs"]
mod load;

use browser::{Chromium, STATE};
use common::Server;
use load::{LogFigures, cpu_percent, cpu_ticks};

struct Run {
    calls: usize,
    connected: usize,
    orders: usize,
    log: LogFigures,
    server_cpu: f64,
    wall: Duration,
}

fn run(calls: usize) -> Run {
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    let wav = server.data_dir.join("caller.wav");
    caller::spoken(&caller::ORDER_TURNS_NO_CALLER_ID, 48_000, 9.0, 7.0).write_wav(&wav).unwrap();
    let demo = format!("{}/demo", server.base);
    let pid = server.pid();
    let cpu_before = cpu_ticks(pid);
    let started = Instant::now();
    // Each browser calls as soon as its page is up; the calls overlap for most of the order.
    let mut pages: Vec<Chromium> = Vec::new();
    let mut connected = 0;
    for _ in 0..calls {
        let mut page = Chromium::open(&demo, &wav);
        page.press_call();
        pages.push(page);
    }
    for page in pages.iter_mut() {
        page.wait_for(&format!("{STATE} === 'connected' || {STATE} === 'ended'"), Duration::from_secs(60));
        if page.eval(STATE) == "connected" {
            connected += 1;
        }
    }
    // Until every call has stored its order, or has ended, or time is up.
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut orders = 0;
    while Instant::now() < deadline {
        let body = server.get(&key, &format!("/v1/tenants/{tenant}/orders")).body;
        orders = body["orders"].as_array().map(Vec::len).unwrap_or(0);
        let ended = pages.iter_mut().map(|p| p.eval(STATE)).filter(|s| s == "ended").count();
        if orders >= calls || orders + ended >= calls {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let wall = started.elapsed();
    let server_cpu = cpu_percent(cpu_ticks(pid) - cpu_before, wall);
    drop(pages);
    std::thread::sleep(Duration::from_secs(1));
    let log = LogFigures::read(&std::fs::read_to_string(server.data_dir.join("server.log")).unwrap_or_default());
    Run { calls, connected, orders, log, server_cpu, wall }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let ns: Vec<usize> = std::env::var("SWITCHBOARD_LOAD_CALLS")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    println!("calls | connected | orders | server CPU % (of one core) | wall s | {}", LogFigures::HEADER);
    for n in ns {
        let r = run(n);
        println!(
            "{:>5} | {:>9} | {:>6} | {:>26.0} | {:>6.1} | {}",
            r.calls,
            r.connected,
            r.orders,
            r.server_cpu,
            r.wall.as_secs_f64(),
            r.log.row()
        );
    }
}
