//! Load: N concurrent phone calls (sipp), each speaking a whole tea order, into
//! the real `switchboard` binary. Reports completed calls and orders, reply
//! latency (end of the caller's speech → first audio of the bot's answer) p50
//! and p95, and the server's CPU use; and the largest N whose p95 stays under 1 s.
//! Per caller turn, from the server's log: whether recognition started before the
//! turn was over (in the pause, or drafted while the caller spoke), and how long
//! the turn then waited for its text.
//!
//! `cargo bench -p switchboard --bench sip_load` (needs sipp and the speech
//! models: `scripts/setup`). `SWITCHBOARD_LOAD_CALLS=1,2,4,8` picks the N.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../tests/common/caller.rs"]
mod caller;
#[path = "support/load.rs"]
mod load;

use load::{LogFigures, cpu_percent, cpu_ticks};

const DEMO_NUMBER: &str = "+886223456789";

struct Run {
    calls: usize,
    completed: usize,
    orders: usize,
    log: LogFigures,
    cpu_percent: f64,
    wall: Duration,
}

fn run(calls: usize, work: &Path) -> Run {
    let dir = work.join(format!("n{calls}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(work.join("caller_order.pcap"), dir.join("caller_order.pcap")).unwrap();
    let (mut server, sip, http) = load::serve(&dir, &["--sip", "127.0.0.1:0", "--asr", "tiny-en"]);
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("demo_tenant.json")).unwrap()).unwrap();
    let (tenant, key) =
        (demo["tenant_id"].as_str().unwrap().to_string(), demo["api_key"].as_str().unwrap().to_string());
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sip/caller_order.xml");
    let cpu_before = cpu_ticks(server.id());
    let started = Instant::now();
    let rate = calls.to_string();
    let out = Command::new("sipp")
        .arg("-sf")
        .arg(&scenario)
        .args(["-s", DEMO_NUMBER, "-i", "127.0.0.1", "-p", "46200", "-mi", "127.0.0.1", "-mp", "46300"])
        .args(["-m", &rate, "-l", &rate, "-r", &rate, "-rp", "1000", "-timeout", "300s", "-nostdin", "-trace_err"])
        .arg(&sip)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("sipp (scripts/setup installs it)");
    let wall = started.elapsed();
    std::thread::sleep(Duration::from_secs(2));
    let cpu_percent = cpu_percent(cpu_ticks(server.id()) - cpu_before, wall);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let get = |path: &str| -> serde_json::Value {
        let mut r = agent.get(format!("{http}{path}")).header("Authorization", format!("Bearer {key}")).call().unwrap();
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
    };
    let orders = get(&format!("/v1/tenants/{tenant}/orders"))["orders"].as_array().map(Vec::len).unwrap_or(0);
    let completed = get(&format!("/v1/tenants/{tenant}/calls"))["calls"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["outcome"] == "completed").count())
        .unwrap_or(0);
    let _ = server.kill();
    let _ = server.wait();
    // The server writes plain logs when stderr is not a terminal.
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    let log = LogFigures::read(&log);
    if !out.success() {
        eprintln!("  (sipp reported failed calls at N={calls}; see {})", dir.display());
    }
    Run { calls, completed, orders, log, cpu_percent, wall }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let work: PathBuf = std::env::temp_dir().join(format!("switchboard-load-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let order = caller::spoken_order(8000, 8.0, 7.0);
    caller::write_rtp_pcap(&order, &work.join("caller_order.pcap"));
    let ns: Vec<usize> = std::env::var("SWITCHBOARD_LOAD_CALLS")
        .unwrap_or_else(|_| "1,2,4,8".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    println!("calls | completed | orders | server CPU % (of one core) | wall s | {}", LogFigures::HEADER);
    let mut best = None;
    for n in ns {
        let r = run(n, &work);
        println!(
            "{:>5} | {:>9} | {:>6} | {:>26.0} | {:>6.1} | {}",
            r.calls,
            r.completed,
            r.orders,
            r.cpu_percent,
            r.wall.as_secs_f64(),
            r.log.row()
        );
        if load::percentile(&r.log.latencies_ms, 0.95) < 1000 && r.completed == r.calls {
            best = Some(n);
        }
    }
    match best {
        Some(n) => println!("largest N with every call completed and reply p95 under 1 s: {n}"),
        None => println!("no N kept reply p95 under 1 s with every call completed"),
    }
    let _ = std::fs::remove_dir_all(&work);
}
