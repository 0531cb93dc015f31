//! What the benchmarks that drive the real server (`sip_load`, `webrtc_load`, `desk_ring`)
//! share: starting it, the server's CPU use, and the figures read back from its log.

#![allow(dead_code)]

/// Start the real `switchboard serve` on `dir` with `args` (ports 0: ephemeral), its log in
/// `dir/server.log`: the process, its SIP address and its HTTP base URL.
pub fn serve(dir: &std::path::Path, args: &[&str]) -> (std::process::Child, String, String) {
    use std::io::BufRead;
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "info")
        .env("SWITCHBOARD_ADMIN_TOKEN", "adm_bench")
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("switchboard binary");
    let (mut sip, mut http) = (String::new(), String::new());
    for line in std::io::BufReader::new(server.stdout.take().unwrap()).lines().map_while(Result::ok) {
        if let Some(a) = line.strip_prefix("sip on udp+tcp ") {
            sip = a.to_string();
        }
        if let Some(a) = line.strip_prefix("listening on ") {
            http = a.to_string();
            break;
        }
    }
    (server, sip, http)
}

/// CPU time (user + system) of process `pid` so far, in clock ticks (USER_HZ: 100 a second).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may contain spaces; the fields after it are plain.
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    fields.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

/// Percent of one core used by `ticks` of CPU time over `wall`.
pub fn cpu_percent(ticks: u64, wall: std::time::Duration) -> f64 {
    ticks as f64 / 100.0 / wall.as_secs_f64() * 100.0
}

pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// What the server's log (plain text, `RUST_LOG=info`) says about the calls.
#[derive(Default)]
pub struct LogFigures {
    /// End of the caller's speech → first audio of the bot's answer, sorted.
    pub latencies_ms: Vec<u64>,
    /// Per caller turn: how long the turn waited for its text after the end of the turn, sorted.
    pub waits_ms: Vec<u64>,
    /// Caller turns whose recognition started in the pause, before the turn was over.
    pub early_turns: usize,
    /// Caller turns recognised with a draft taken while the caller spoke.
    pub drafted_turns: usize,
}

impl LogFigures {
    pub fn read(log: &str) -> LogFigures {
        let field = |line: &str, name: &str| -> Option<u64> {
            line.split(&format!("{name}=")).nth(1)?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        };
        let mut latencies_ms: Vec<u64> =
            log.lines().filter(|l| l.contains("reply latency")).filter_map(|l| field(l, "latency_ms")).collect();
        latencies_ms.sort_unstable();
        let turns: Vec<&str> = log.lines().filter(|l| l.contains("caller turn recognised")).collect();
        let mut waits_ms: Vec<u64> = turns.iter().filter_map(|l| field(l, "waited_ms")).collect();
        waits_ms.sort_unstable();
        LogFigures {
            latencies_ms,
            waits_ms,
            early_turns: turns.iter().filter(|l| l.contains("in the pause")).count(),
            drafted_turns: turns.iter().filter(|l| field(l, "drafted").is_some_and(|d| d > 0)).count(),
        }
    }

    /// The table's header for [`LogFigures::row`].
    pub const HEADER: &str =
        "replies | reply p50 ms | reply p95 ms | turns: recognised early / drafted / all | wait for text p50 / p95 ms";

    pub fn row(&self) -> String {
        format!(
            "{:>7} | {:>12} | {:>12} | {:>39} | {:>26}",
            self.latencies_ms.len(),
            percentile(&self.latencies_ms, 0.5),
            percentile(&self.latencies_ms, 0.95),
            format!("{} / {} / {}", self.early_turns, self.drafted_turns, self.waits_ms.len()),
            format!("{} / {}", percentile(&self.waits_ms, 0.5), percentile(&self.waits_ms, 0.95)),
        )
    }
}
