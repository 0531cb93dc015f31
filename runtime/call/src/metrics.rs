//! Prometheus metrics: calls started and ended (by tenant and outcome), calls in
//! progress, flow errors (by tenant and kind), flow event latency, reply latency,
//! and what ended callers' turns. Kept and encoded by `prometheus-client` (the
//! OpenMetrics text format, label values escaped).

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use switchboard_domain::calls::Outcome;

/// Upper bounds of the event latency histogram, in seconds.
const LATENCY_BUCKETS: &[f64] = &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0];
/// Upper bounds of the reply latency histogram (end of the caller's speech → bot audio), in seconds.
const REPLY_BUCKETS: &[f64] = &[0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TenantLabel {
    tenant: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    tenant: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    tenant: String,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PathLabel {
    path: &'static str,
}

pub struct Metrics {
    registry: Registry,
    calls_started: Family<TenantLabel, Counter>,
    calls_ended: Family<OutcomeLabels, Counter>,
    calls_active: Gauge,
    flow_errors: Family<ErrorLabels, Counter>,
    flow_events: Histogram,
    replies: Histogram,
    /// Caller turns ended, by what ended them (silence, semantic, expected-answer, digits).
    turn_ends: Family<PathLabel, Counter>,
    /// Told whenever a call ends (a drain waits for the last).
    ended: tokio::sync::Notify,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let calls_started = Family::<TenantLabel, Counter>::default();
        let calls_ended = Family::<OutcomeLabels, Counter>::default();
        let calls_active = Gauge::default();
        let flow_errors = Family::<ErrorLabels, Counter>::default();
        let flow_events = Histogram::new(LATENCY_BUCKETS.iter().copied());
        let replies = Histogram::new(REPLY_BUCKETS.iter().copied());
        let turn_ends = Family::<PathLabel, Counter>::default();
        // Counters are exposed with `_total` added to these names.
        registry.register("switchboard_calls_started", "Calls answered", calls_started.clone());
        registry.register("switchboard_calls", "Calls ended, by outcome", calls_ended.clone());
        registry.register("switchboard_calls_active", "Calls in progress", calls_active.clone());
        registry.register("switchboard_flow_errors", "Flow failures, by kind", flow_errors.clone());
        registry.register("switchboard_turn_ends", "Caller turns ended, by what ended them", turn_ends.clone());
        registry.register(
            "switchboard_flow_event_seconds",
            "Time to deliver one event to a flow and get its actions",
            flow_events.clone(),
        );
        registry.register(
            "switchboard_reply_latency_seconds",
            "End of the caller's speech to the first audio of the bot's answer, on phone and browser calls",
            replies.clone(),
        );
        Metrics {
            registry,
            calls_started,
            calls_ended,
            calls_active,
            flow_errors,
            flow_events,
            replies,
            turn_ends,
            ended: tokio::sync::Notify::new(),
        }
    }
}

impl Metrics {
    pub fn call_started(&self, tenant: &str) {
        self.calls_started.get_or_create(&TenantLabel { tenant: tenant.to_string() }).inc();
        self.calls_active.inc();
    }

    pub fn call_ended(&self, tenant: &str, outcome: Outcome) {
        self.calls_ended.get_or_create(&OutcomeLabels { tenant: tenant.to_string(), outcome: outcome.as_str() }).inc();
        self.calls_active.dec();
        self.ended.notify_waiters();
    }

    /// Calls in progress on this node (every channel, text included).
    pub fn calls_active(&self) -> i64 {
        self.calls_active.get()
    }

    /// Wait until no call is in progress on this node.
    pub async fn no_calls(&self) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if self.calls_active() <= 0 {
                return;
            }
            ended.await;
        }
    }

    pub fn flow_error(&self, tenant: &str, kind: &'static str) {
        self.flow_errors.get_or_create(&ErrorLabels { tenant: tenant.to_string(), kind }).inc();
    }

    pub fn flow_event(&self, elapsed: Duration) {
        self.flow_events.observe(elapsed.as_secs_f64());
    }

    /// End of the caller's speech → first audio of the bot's answer, on a live call.
    pub fn reply_latency(&self, elapsed: Duration) {
        self.replies.observe(elapsed.as_secs_f64());
    }

    /// A caller's turn ended, and what ended it.
    pub fn turn_ended(&self, path: &'static str) {
        self.turn_ends.get_or_create(&PathLabel { path }).inc();
    }

    /// The text exposition (OpenMetrics).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_histograms_and_escaped_labels() {
        let m = Metrics::default();
        m.call_started("ten_1");
        m.call_ended("ten_\"odd\"\n", Outcome::Completed);
        m.flow_error("ten_1", "deadline");
        m.turn_ended("semantic");
        m.reply_latency(Duration::from_millis(600));
        let text = m.render();
        assert!(text.contains("switchboard_calls_started_total{tenant=\"ten_1\"} 1"), "{text}");
        assert!(text.contains("switchboard_flow_errors_total{tenant=\"ten_1\",kind=\"deadline\"} 1"), "{text}");
        assert!(text.contains("switchboard_turn_ends_total{path=\"semantic\"} 1"), "{text}");
        assert!(text.contains("switchboard_reply_latency_seconds_bucket{le=\"0.75\"} 1"), "{text}");
        assert!(text.contains("tenant=\"ten_\\\"odd\\\"\\n\""), "label values are escaped: {text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
