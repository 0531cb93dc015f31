//! Prometheus metrics: calls started and ended (by tenant and outcome), calls
//! in progress, flow errors (by tenant and kind), flow event latency, orders.
//! Rendered by hand in the text exposition format; no registry crate needed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::storage::calls::Outcome;

/// Upper bounds of the event latency histogram, in seconds.
const LATENCY_BUCKETS: &[f64] = &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0];
/// Upper bounds of the reply latency histogram (end of the caller's speech → bot audio), in seconds.
const REPLY_BUCKETS: &[f64] = &[0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0];

/// A Prometheus histogram with fixed buckets.
struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_ns: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_ns: AtomicU64::new(0),
        }
    }

    fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", bucket.load(Ordering::Relaxed));
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9);
        let _ = writeln!(out, "{name}_count {count}");
    }
}

pub struct Metrics {
    calls_started: Mutex<BTreeMap<String, u64>>,
    calls_ended: Mutex<BTreeMap<(String, &'static str), u64>>,
    calls_active: AtomicI64,
    flow_errors: Mutex<BTreeMap<(String, &'static str), u64>>,
    flow_events: Histogram,
    replies: Histogram,
    /// Caller turns ended, by what ended them (silence, semantic, expected-answer, digits).
    turn_ends: Mutex<BTreeMap<&'static str, u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            calls_started: Default::default(),
            calls_ended: Default::default(),
            calls_active: Default::default(),
            flow_errors: Default::default(),
            flow_events: Histogram::new(LATENCY_BUCKETS),
            replies: Histogram::new(REPLY_BUCKETS),
            turn_ends: Default::default(),
        }
    }
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default() += 1;
}

impl Metrics {
    pub fn call_started(&self, tenant: &str) {
        bump(&self.calls_started, tenant.to_string());
        self.calls_active.fetch_add(1, Ordering::Relaxed);
    }

    pub fn call_ended(&self, tenant: &str, outcome: Outcome) {
        bump(&self.calls_ended, (tenant.to_string(), outcome.as_str()));
        self.calls_active.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn flow_error(&self, tenant: &str, kind: &'static str) {
        bump(&self.flow_errors, (tenant.to_string(), kind));
    }

    pub fn flow_event(&self, elapsed: Duration) {
        self.flow_events.observe(elapsed);
    }

    /// End of the caller's speech → first audio of the bot's answer, on a live call.
    pub fn reply_latency(&self, elapsed: Duration) {
        self.replies.observe(elapsed);
    }

    /// A caller's turn ended, and what ended it.
    pub fn turn_ended(&self, path: &'static str) {
        bump(&self.turn_ends, path);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP switchboard_calls_started_total Calls answered.\n# TYPE switchboard_calls_started_total counter"
        );
        for (tenant, n) in self.calls_started.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "switchboard_calls_started_total{{tenant=\"{tenant}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP switchboard_calls_total Calls ended, by outcome.\n# TYPE switchboard_calls_total counter"
        );
        for ((tenant, outcome), n) in self.calls_ended.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "switchboard_calls_total{{tenant=\"{tenant}\",outcome=\"{outcome}\"}} {n}");
        }
        let _ =
            writeln!(out, "# HELP switchboard_calls_active Calls in progress.\n# TYPE switchboard_calls_active gauge");
        let _ = writeln!(out, "switchboard_calls_active {}", self.calls_active.load(Ordering::Relaxed));
        let _ = writeln!(
            out,
            "# HELP switchboard_flow_errors_total Flow failures, by kind.\n# TYPE switchboard_flow_errors_total counter"
        );
        for ((tenant, kind), n) in self.flow_errors.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "switchboard_flow_errors_total{{tenant=\"{tenant}\",kind=\"{kind}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP switchboard_turn_ends_total Caller turns ended, by what ended them.\n# TYPE switchboard_turn_ends_total counter"
        );
        for (path, n) in self.turn_ends.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "switchboard_turn_ends_total{{path=\"{path}\"}} {n}");
        }
        self.flow_events.render(
            &mut out,
            "switchboard_flow_event_seconds",
            "Time to deliver one event to a flow and get its actions.",
        );
        self.replies.render(
            &mut out,
            "switchboard_reply_latency_seconds",
            "End of the caller's speech to the first audio of the bot's answer, on phone and browser calls.",
        );
        out
    }
}
