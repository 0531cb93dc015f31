//! How the bot does, in figures: what each ended call adds to its hour, and the rates a
//! period of hours gives.
//!
//! Stores keep one [`CallFigures`] per tenant and hour, updated in the transaction that
//! saves a call record ([`CallFigures::of_call`]), so a report reads a few rows per hour
//! of its period and never the calls themselves. The definitions follow the contact-centre
//! ones (Dialogflow CX containment, Genesys abandonment and handle time); [`DEFINITIONS`]
//! says each one, and where it differs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calls::{CallRecord, Direction, Outcome, Speaker};

pub const HOUR_MS: u64 = 3_600_000;
pub const DAY_MS: u64 = 24 * HOUR_MS;

/// Width of a reply-latency bin, in ms; the last bin holds everything slower.
const LATENCY_BIN_MS: u32 = 50;
const LATENCY_BINS: usize = 120;

/// The tags that count a call as resolved unless the tenant says otherwise.
pub const DEFAULT_RESOLUTION_TAGS: &[&str] =
    &["order-placed", "order-status", "order-cancelled", "faq-answered", "resolved"];

/// The tag the host sets when a caller asked to be called back.
pub const CALLBACK_TAG: &str = "callback-requested";

/// What the calls that ended in one hour add up to. Every field is a sum, so figures
/// add and subtract (a call saved again after it ended replaces what it added).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallFigures {
    pub offered: i64,
    pub answered: i64,
    pub outbound: i64,
    pub contained: i64,
    pub transferred: i64,
    pub resolved: i64,
    pub abandoned: i64,
    pub callbacks: i64,
    /// Sum of the handled calls' durations, ms.
    pub handle_ms: i64,
    pub orders: i64,
    /// Order totals by currency, in the catalogue's minor units.
    pub revenue: BTreeMap<String, i64>,
    pub flow_errors: i64,
    /// Reply latencies, counted in bins of 50 ms.
    pub latency_bins: Vec<i64>,
    /// Calls carrying each outcome tag.
    pub tags: BTreeMap<String, i64>,
    /// Caller turns by the intent the host found in them.
    pub intents: BTreeMap<String, i64>,
    /// Caller turns by the FAQ question that answered them.
    pub questions: BTreeMap<String, i64>,
    /// Caller turns the host's understanding found nothing in, and those it was asked about.
    pub not_understood: i64,
    pub turns_read: i64,
    /// Calls that entered an agent queue; of them answered by an agent, abandoned there, and
    /// answered within the queue's service-level threshold.
    pub queued: i64,
    pub queue_answered: i64,
    pub queue_abandoned: i64,
    pub within_service_level: i64,
    /// Time in queue of every queued call, and of the answered ones (speed of answer), ms.
    pub queue_ms: i64,
    pub answer_wait_ms: i64,
    /// Calls a person talked on (from a queue, or an agent's callback).
    pub agent_answered: i64,
    /// Agents' talk time and after-call work (wrap-up) on the calls they took, ms.
    pub agent_talk_ms: i64,
    pub wrap_up_ms: i64,
    pub wrapped_up: i64,
    /// Calls each agent took, by the agent's name.
    pub agent_calls: BTreeMap<String, i64>,
    /// Calls each agent transferred on to a colleague or another queue.
    pub agent_transfers: BTreeMap<String, i64>,
}

impl CallFigures {
    /// What one ended call adds: `orders` are the totals (currency, amount) of the orders
    /// it placed, `resolution_tags` the tenant's tags that mean "resolved".
    pub fn of_call(record: &CallRecord, orders: &[(String, u32)], resolution_tags: &[String]) -> CallFigures {
        let mut f = CallFigures::default();
        if record.outcome == Outcome::InProgress || record.ended_at_ms.is_none() {
            return f;
        }
        let answered = record.transcript.iter().any(|t| t.speaker == Speaker::Bot);
        match record.direction {
            Direction::Inbound => f.offered = 1,
            Direction::Outbound => f.outbound = 1,
        }
        let resolved = record.tags.iter().any(|t| resolution_tags.contains(t));
        let callback = record.tags.iter().any(|t| t == CALLBACK_TAG);
        if answered {
            f.answered = 1;
            f.handle_ms =
                record.ended_at_ms.unwrap_or(record.started_at_ms).saturating_sub(record.started_at_ms) as i64;
            f.transferred = (record.outcome == Outcome::Transferred) as i64;
            f.contained = (record.outcome == Outcome::Completed && !callback) as i64;
            f.resolved = resolved as i64;
            f.callbacks = callback as i64;
        }
        f.abandoned = (record.outcome == Outcome::Abandoned && !resolved) as i64;
        f.flow_errors = record.flow_error.is_some() as i64;
        f.orders = orders.len() as i64;
        for (currency, total) in orders {
            *f.revenue.entry(currency.clone()).or_default() += *total as i64;
        }
        for t in &record.transcript {
            if let Some(ms) = t.latency_ms {
                f.add_latency(ms);
            }
        }
        for tag in &record.tags {
            f.tags.insert(tag.clone(), 1);
        }
        for t in record.transcript.iter().filter(|t| t.speaker == Speaker::Caller) {
            if let Some(intent) = &t.intent {
                *f.intents.entry(intent.clone()).or_default() += 1;
            }
            if let Some(q) = &t.faq {
                *f.questions.entry(q.clone()).or_default() += 1;
            }
            if let Some(understood) = t.understood {
                f.turns_read += 1;
                f.not_understood += (!understood) as i64;
            }
        }
        // A queue outside its hours offered the call to nobody: not a queued call. A call
        // without a queue (an agent's callback) counts for its agent only.
        if let Some(a) = record.agent.as_ref().filter(|a| !a.closed) {
            let queued = !a.queue.is_empty();
            if queued {
                f.queued = 1;
                f.queue_ms = a.time_in_queue_ms() as i64;
                f.queue_abandoned = a.abandoned as i64;
            }
            if a.answered {
                if queued {
                    f.queue_answered = 1;
                    f.answer_wait_ms = a.time_in_queue_ms() as i64;
                    f.within_service_level = a.within_service_level as i64;
                }
                f.agent_answered = 1;
                if let Some(end) = a.talk_ended_at_ms {
                    f.agent_talk_ms = end.saturating_sub(a.left_queue_at_ms) as i64;
                    if let Some(done) = a.wrapped_up_at_ms {
                        f.wrapped_up = 1;
                        f.wrap_up_ms = done.saturating_sub(end) as i64;
                    }
                }
                let name = a.agent_name.clone().or_else(|| a.agent_id.clone()).unwrap_or_default();
                f.agent_calls.insert(name, 1);
                // Every agent who had the call took it once; those who passed it on transferred it.
                for by in &a.transferred_by {
                    f.agent_calls.insert(by.clone(), 1);
                    f.agent_transfers.insert(by.clone(), 1);
                }
            }
        }
        f
    }

    fn add_latency(&mut self, ms: u32) {
        if self.latency_bins.len() < LATENCY_BINS {
            self.latency_bins.resize(LATENCY_BINS, 0);
        }
        let bin = ((ms / LATENCY_BIN_MS) as usize).min(LATENCY_BINS - 1);
        self.latency_bins[bin] += 1;
    }

    /// Add `other` (`sign` 1) or take it away (`sign` -1).
    pub fn add(&mut self, other: &CallFigures, sign: i64) {
        let pairs = [
            (&mut self.offered, other.offered),
            (&mut self.answered, other.answered),
            (&mut self.outbound, other.outbound),
            (&mut self.contained, other.contained),
            (&mut self.transferred, other.transferred),
            (&mut self.resolved, other.resolved),
            (&mut self.abandoned, other.abandoned),
            (&mut self.callbacks, other.callbacks),
            (&mut self.handle_ms, other.handle_ms),
            (&mut self.orders, other.orders),
            (&mut self.flow_errors, other.flow_errors),
            (&mut self.not_understood, other.not_understood),
            (&mut self.turns_read, other.turns_read),
            (&mut self.queued, other.queued),
            (&mut self.queue_answered, other.queue_answered),
            (&mut self.queue_abandoned, other.queue_abandoned),
            (&mut self.within_service_level, other.within_service_level),
            (&mut self.queue_ms, other.queue_ms),
            (&mut self.answer_wait_ms, other.answer_wait_ms),
            (&mut self.agent_answered, other.agent_answered),
            (&mut self.agent_talk_ms, other.agent_talk_ms),
            (&mut self.wrap_up_ms, other.wrap_up_ms),
            (&mut self.wrapped_up, other.wrapped_up),
        ];
        for (mine, theirs) in pairs {
            *mine += sign * theirs;
        }
        add_map(&mut self.revenue, &other.revenue, sign);
        add_map(&mut self.tags, &other.tags, sign);
        add_map(&mut self.intents, &other.intents, sign);
        add_map(&mut self.questions, &other.questions, sign);
        add_map(&mut self.agent_calls, &other.agent_calls, sign);
        add_map(&mut self.agent_transfers, &other.agent_transfers, sign);
        if !other.latency_bins.is_empty() && self.latency_bins.len() < LATENCY_BINS {
            self.latency_bins.resize(LATENCY_BINS, 0);
        }
        for (mine, theirs) in self.latency_bins.iter_mut().zip(&other.latency_bins) {
            *mine += sign * theirs;
        }
    }

    /// The sum of many hours' figures.
    pub fn total<'a>(hours: impl IntoIterator<Item = &'a CallFigures>) -> CallFigures {
        let mut sum = CallFigures::default();
        for f in hours {
            sum.add(f, 1);
        }
        sum
    }

    /// The latency below which `share` (0..1) of the replies came, interpolated within its bin.
    fn latency_percentile(&self, share: f64) -> Option<u32> {
        let total: i64 = self.latency_bins.iter().sum();
        if total <= 0 {
            return None;
        }
        let target = share * total as f64;
        let mut below = 0.0;
        for (i, &n) in self.latency_bins.iter().enumerate() {
            let n = n as f64;
            if n > 0.0 && below + n >= target {
                let within = ((target - below) / n).clamp(0.0, 1.0);
                return Some(((i as f64 + within) * LATENCY_BIN_MS as f64).round() as u32);
            }
            below += n;
        }
        Some(LATENCY_BINS as u32 * LATENCY_BIN_MS)
    }

    /// The figures as a report reads them: counts, rates and averages.
    pub fn report(&self, start_ms: u64) -> Report {
        let rate = |n: i64, of: i64| (of > 0).then(|| n as f64 / of as f64);
        Report {
            start_ms,
            offered: self.offered,
            answered: self.answered,
            outbound: self.outbound,
            containment_rate: rate(self.contained, self.answered),
            transfer_rate: rate(self.transferred, self.answered),
            resolution_rate: rate(self.resolved, self.answered),
            abandonment_rate: rate(self.abandoned, self.offered + self.outbound),
            callbacks: self.callbacks,
            average_handle_time_s: rate(self.handle_ms, self.answered).map(|ms| ms / 1000.0),
            orders: self.orders,
            revenue: self.revenue.clone(),
            reply_latency_p50_ms: self.latency_percentile(0.5),
            reply_latency_p95_ms: self.latency_percentile(0.95),
            flow_errors: self.flow_errors,
            tags: most_first(&self.tags),
            intents: most_first(&self.intents),
            questions: most_first(&self.questions),
            not_understood_rate: rate(self.not_understood, self.turns_read),
            queued: self.queued,
            average_time_in_queue_s: rate(self.queue_ms, self.queued).map(|ms| ms / 1000.0),
            average_speed_of_answer_s: rate(self.answer_wait_ms, self.queue_answered).map(|ms| ms / 1000.0),
            queue_abandonment_rate: rate(self.queue_abandoned, self.queued),
            service_level: rate(self.within_service_level, self.queued),
            agent_handle_time_s: rate(self.agent_talk_ms + self.wrap_up_ms, self.agent_answered).map(|ms| ms / 1000.0),
            agent_calls: self.agent_answered,
            average_wrap_up_s: rate(self.wrap_up_ms, self.wrapped_up).map(|ms| ms / 1000.0),
            calls_per_agent: most_first(&self.agent_calls),
            transfers_per_agent: most_first(&self.agent_transfers),
        }
    }
}

/// A count map's entries, most frequent first (ties by name).
fn most_first(m: &BTreeMap<String, i64>) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = m.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (k.clone(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn add_map(mine: &mut BTreeMap<String, i64>, theirs: &BTreeMap<String, i64>, sign: i64) {
    for (k, v) in theirs {
        let e = mine.entry(k.clone()).or_default();
        *e += sign * v;
    }
    mine.retain(|_, v| *v != 0);
}

/// The hour a moment falls in (UTC), as the start of that hour in ms.
pub fn hour_of(at_ms: u64) -> u64 {
    at_ms - at_ms % HOUR_MS
}

/// How a report groups its hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    Day,
    Week,
}

impl Bucket {
    pub fn parse(s: &str) -> Option<Bucket> {
        match s {
            "hour" => Some(Bucket::Hour),
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            _ => None,
        }
    }

    /// The start of the bucket holding `at_ms`, in a clock `utc_offset_minutes` from UTC
    /// (days and weeks begin at local midnight; weeks on Monday).
    pub fn start_of(self, at_ms: u64, utc_offset_minutes: i32) -> u64 {
        let offset = utc_offset_minutes as i64 * 60_000;
        let local = at_ms as i64 + offset;
        let width = match self {
            Bucket::Hour => HOUR_MS as i64,
            Bucket::Day => DAY_MS as i64,
            Bucket::Week => 7 * DAY_MS as i64,
        };
        // 1970-01-01 was a Thursday, 3 days after a Monday.
        let shift = if self == Bucket::Week { 3 * DAY_MS as i64 } else { 0 };
        let start = (local + shift).div_euclid(width) * width - shift;
        (start - offset).max(0) as u64
    }
}

/// A period's figures as the API and the console show them.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Report {
    /// Start of the bucket (ms since the epoch); the period's start for totals.
    pub start_ms: u64,
    pub offered: i64,
    pub answered: i64,
    pub outbound: i64,
    pub containment_rate: Option<f64>,
    pub transfer_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    pub abandonment_rate: Option<f64>,
    pub callbacks: i64,
    pub average_handle_time_s: Option<f64>,
    pub orders: i64,
    /// Order totals by currency, in minor units of the catalogue.
    pub revenue: BTreeMap<String, i64>,
    pub reply_latency_p50_ms: Option<u32>,
    pub reply_latency_p95_ms: Option<u32>,
    pub flow_errors: i64,
    /// Calls per outcome tag, most frequent first.
    pub tags: Vec<(String, i64)>,
    /// Caller turns per intent the host found, most frequent first.
    pub intents: Vec<(String, i64)>,
    /// Caller turns per FAQ question that answered them, most frequent first.
    pub questions: Vec<(String, i64)>,
    /// Caller turns the host's understanding found nothing in, over those it read.
    pub not_understood_rate: Option<f64>,
    /// Calls that entered an agent queue.
    pub queued: i64,
    pub average_time_in_queue_s: Option<f64>,
    pub average_speed_of_answer_s: Option<f64>,
    pub queue_abandonment_rate: Option<f64>,
    pub service_level: Option<f64>,
    pub agent_handle_time_s: Option<f64>,
    /// Calls a person talked on: answered from a queue, or an agent's callback.
    pub agent_calls: i64,
    pub average_wrap_up_s: Option<f64>,
    /// Calls each agent took (by name), most first.
    pub calls_per_agent: Vec<(String, i64)>,
    /// Calls each agent transferred on to a colleague or another queue, most first.
    pub transfers_per_agent: Vec<(String, i64)>,
}

/// A figure and what it means.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Definition {
    pub figure: &'static str,
    pub definition: &'static str,
}

/// What each figure means, next to it in the API and the console.
pub const DEFINITIONS: &[Definition] = &[
    Definition {
        figure: "offered",
        definition: "Inbound calls that reached the tenant and ended in the period, including calls refused before the bot spoke (blocked callers, no active flow). Outbound calls are counted apart.",
    },
    Definition { figure: "answered", definition: "Calls in which the bot spoke to the caller." },
    Definition {
        figure: "containment_rate",
        definition: "Answered calls the bot finished itself, without a transfer to a person, a callback request or the caller hanging up first, over answered calls. Dialogflow CX counts every session not escalated to a person as contained; we also leave out abandons and callbacks, as the seed asks.",
    },
    Definition { figure: "transfer_rate", definition: "Answered calls handed to a person, over answered calls." },
    Definition {
        figure: "resolution_rate",
        definition: "Answered calls carrying one of the tenant's resolution tags (set by the flow, for example order-placed or faq-answered; tenant setting analytics.resolution_tags), over answered calls. The tags in force when a call ends decide.",
    },
    Definition {
        figure: "abandonment_rate",
        definition: "Calls the caller hung up before the conversation reached an end and without a resolution tag, over all calls. Genesys counts calls abandoned in a queue before an agent answers; here the bot answers at once, so the caller leaving the bot mid-conversation is the abandon.",
    },
    Definition {
        figure: "average_handle_time_s",
        definition: "Mean duration of answered calls, from answer to hang-up or hand-over, in seconds. Genesys AHT is talk + hold + after-call work of an agent; the bot has no hold or wrap-up, so it is talk time.",
    },
    Definition {
        figure: "orders",
        definition: "Orders placed during calls, and their totals by currency (revenue), in the catalogue's minor units.",
    },
    Definition {
        figure: "reply_latency",
        definition: "From the end of the caller's speech to the first audio of the bot's answer, on voice calls: p50 and p95, to 50 ms.",
    },
    Definition {
        figure: "flow_errors",
        definition: "Calls in which the tenant's flow failed (trapped, ran out of time or answered with an invalid action).",
    },
    Definition {
        figure: "queued",
        definition: "Calls the bot handed to an agent queue (a transfer target queue:<id>), ended in the period.",
    },
    Definition {
        figure: "average_time_in_queue_s",
        definition: "Mean time from entering the queue to an agent accepting, the caller hanging up or the wait running out, over queued calls, in seconds (Amazon Connect: average queue answer time counts answered contacts only; this counts every queued call).",
    },
    Definition {
        figure: "average_speed_of_answer_s",
        definition: "Mean time in queue of the calls an agent answered, in seconds (Genesys ASA: the wait before an agent answers; ring time at the desks is part of it).",
    },
    Definition {
        figure: "queue_abandonment_rate",
        definition: "Queued calls whose caller hung up before an agent answered, over queued calls (Genesys abandon rate; no short-abandon threshold is applied).",
    },
    Definition {
        figure: "service_level",
        definition: "Queued calls answered within the queue's service-level threshold (service_level_secs), over all queued calls, abandoned ones included (Amazon Connect's service level; Genesys can leave abandons out).",
    },
    Definition {
        figure: "agent_handle_time_s",
        definition: "Mean of talk time (hold included) plus after-call work (wrap-up) per call an agent talked on (from a queue, or their own callback), in seconds: Genesys AHT.",
    },
    Definition {
        figure: "average_wrap_up_s",
        definition: "Mean after-call work: from the end of the agent's talk to the wrap-up being written, over the calls wrapped up, in seconds.",
    },
    Definition {
        figure: "calls_per_agent",
        definition: "Calls each agent took from a queue in the period (a call transferred between agents counts for each).",
    },
    Definition {
        figure: "transfers_per_agent",
        definition: "Calls each agent transferred on to a colleague or another queue (Genesys: transfers by agent).",
    },
    Definition {
        figure: "not_understood_rate",
        definition: "Caller turns in which the host's understanding found nothing (no intent, no order, no answer to the question, no FAQ entry), over the turns the flow asked it about.",
    },
];

/// A report over a period: totals and the series by bucket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub from_ms: u64,
    pub to_ms: u64,
    pub bucket: Bucket,
    pub totals: Report,
    pub series: Vec<Report>,
    pub definitions: &'static [Definition],
}

/// Group hourly figures (`(hour start, figures)`, any order) into a report from `from_ms`
/// to `to_ms` by `bucket`; every bucket of the period appears, empty ones too.
pub fn summarise(
    hours: impl IntoIterator<Item = (u64, CallFigures)>,
    from_ms: u64,
    to_ms: u64,
    bucket: Bucket,
    utc_offset_minutes: i32,
) -> Stats {
    let mut totals = CallFigures::default();
    let mut buckets: BTreeMap<u64, CallFigures> = BTreeMap::new();
    let mut at = bucket.start_of(from_ms, utc_offset_minutes);
    // At most a few thousand buckets: the API bounds the period.
    while at < to_ms {
        buckets.insert(at, CallFigures::default());
        let next = bucket.start_of(at + width_hint(bucket), utc_offset_minutes);
        at = if next > at { next } else { at + HOUR_MS };
    }
    for (hour, figures) in hours {
        if hour < hour_of(from_ms) || hour >= to_ms {
            continue;
        }
        totals.add(&figures, 1);
        buckets.entry(bucket.start_of(hour, utc_offset_minutes)).or_default().add(&figures, 1);
    }
    Stats {
        from_ms,
        to_ms,
        bucket,
        totals: totals.report(from_ms),
        series: buckets.iter().map(|(start, f)| f.report(*start)).collect(),
        definitions: DEFINITIONS,
    }
}

fn width_hint(bucket: Bucket) -> u64 {
    match bucket {
        Bucket::Hour => HOUR_MS,
        Bucket::Day => DAY_MS,
        Bucket::Week => 7 * DAY_MS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_and_agent_figures_follow_the_contact_centre_definitions() {
        use crate::desk::AgentHandling;
        let queued = |handling: AgentHandling| {
            let mut r = record_for_queue();
            r.agent = Some(handling);
            CallFigures::of_call(&r, &[], &[])
        };
        let answered = queued(AgentHandling {
            queue: "support".into(),
            queued_at_ms: 1_000,
            left_queue_at_ms: 11_000,
            answered: true,
            within_service_level: true,
            agent_name: Some("Ken".into()),
            talk_ended_at_ms: Some(71_000),
            wrapped_up_at_ms: Some(101_000),
            ..AgentHandling::default()
        });
        let abandoned = queued(AgentHandling {
            queue: "support".into(),
            queued_at_ms: 1_000,
            left_queue_at_ms: 31_000,
            abandoned: true,
            ..AgentHandling::default()
        });
        let r = CallFigures::total([&answered, &abandoned]).report(0);
        assert_eq!(r.queued, 2);
        assert_eq!(r.average_time_in_queue_s, Some(20.0), "(10 s + 30 s) / 2");
        assert_eq!(r.average_speed_of_answer_s, Some(10.0), "answered calls only");
        assert_eq!(r.queue_abandonment_rate, Some(0.5));
        assert_eq!(r.service_level, Some(0.5), "abandons count against the service level");
        assert_eq!(r.agent_handle_time_s, Some(90.0), "60 s talk + 30 s wrap-up");
        assert_eq!(r.average_wrap_up_s, Some(30.0));
        assert_eq!(r.calls_per_agent, vec![("Ken".to_string(), 1)]);
    }

    fn record_for_queue() -> CallRecord {
        call(Outcome::Transferred, &[], &[])
    }
    use crate::calls::{Channel, TranscriptEntry};

    fn call(outcome: Outcome, tags: &[&str], latencies: &[u32]) -> CallRecord {
        let mut transcript = vec![TranscriptEntry {
            at_ms: 0,
            speaker: Speaker::Bot,
            text: "hi".into(),
            latency_ms: None,
            intent: None,
            faq: None,
            understood: None,
        }];
        for &ms in latencies {
            transcript.push(TranscriptEntry {
                at_ms: 0,
                speaker: Speaker::Caller,
                text: "x".into(),
                latency_ms: Some(ms),
                intent: None,
                faq: None,
                understood: None,
            });
        }
        CallRecord {
            id: "c".into(),
            tenant_id: "t".into(),
            caller: "+1".into(),
            callee: "+2".into(),
            channel: Channel::Sip,
            direction: Direction::Inbound,
            flow_version: Some(1),
            started_at_ms: 1_000,
            ended_at_ms: Some(61_000),
            outcome,
            end_reason: None,
            tags: tags.iter().map(|s| s.to_string()).collect(),
            flow_error: None,
            transfer: None,
            order_ids: vec![],
            ticket_ids: Vec::new(),
            transcript,
            recording: None,
            agent: None,
        }
    }

    fn tags() -> Vec<String> {
        DEFAULT_RESOLUTION_TAGS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rates_follow_their_definitions() {
        let mut f = CallFigures::default();
        let orders = [("TWD".to_string(), 130u32)];
        f.add(&CallFigures::of_call(&call(Outcome::Completed, &["order-placed"], &[400, 600]), &orders, &tags()), 1);
        f.add(&CallFigures::of_call(&call(Outcome::Transferred, &["complaint"], &[500]), &[], &tags()), 1);
        f.add(&CallFigures::of_call(&call(Outcome::Abandoned, &[], &[]), &[], &tags()), 1);
        f.add(&CallFigures::of_call(&call(Outcome::Completed, &[CALLBACK_TAG], &[]), &[], &tags()), 1);
        let r = f.report(0);
        assert_eq!((r.offered, r.answered, r.orders), (4, 4, 1));
        assert_eq!(r.containment_rate, Some(0.25));
        assert_eq!(r.transfer_rate, Some(0.25));
        assert_eq!(r.resolution_rate, Some(0.25));
        assert_eq!(r.abandonment_rate, Some(0.25));
        assert_eq!(r.average_handle_time_s, Some(60.0));
        assert_eq!(r.revenue.get("TWD"), Some(&130));
        let p50 = r.reply_latency_p50_ms.unwrap();
        assert!((450..=550).contains(&p50), "p50 {p50}");
        assert!(r.reply_latency_p95_ms.unwrap() >= 600);
    }

    #[test]
    fn a_call_saved_again_replaces_what_it_added() {
        let first = CallFigures::of_call(&call(Outcome::Completed, &[], &[300]), &[], &tags());
        let again = CallFigures::of_call(&call(Outcome::Completed, &["order-placed"], &[300]), &[], &tags());
        let mut f = CallFigures::default();
        f.add(&first, 1);
        f.add(&first, -1);
        f.add(&again, 1);
        assert_eq!(f, again);
        let live = CallFigures::of_call(&call(Outcome::InProgress, &[], &[]), &[], &tags());
        assert_eq!(live, CallFigures::default(), "a call in progress adds nothing");
    }

    #[test]
    fn buckets_begin_at_local_midnight_and_monday() {
        // 2026-12-02 (a Wednesday) 01:00 in Taipei is 2026-12-01 17:00 UTC.
        let at = 1_796_144_400_000u64; // 2026-12-01T17:00:00Z
        let day = Bucket::Day.start_of(at, 480);
        assert_eq!(day, 1_796_140_800_000); // 2026-12-01T16:00:00Z = local midnight
        let week = Bucket::Week.start_of(at, 480);
        assert_eq!((day - week) / DAY_MS, 2, "Wednesday is two days after Monday");
        let s = summarise(
            vec![(hour_of(at), CallFigures::of_call(&call(Outcome::Completed, &[], &[]), &[], &tags()))],
            day,
            day + 3 * DAY_MS,
            Bucket::Day,
            480,
        );
        assert_eq!(s.series.len(), 3);
        assert_eq!(s.series[0].answered, 1);
        assert_eq!(s.totals.answered, 1);
    }
}
