//! Call records: who called, which flow version answered, the full transcript,
//! and how the call ended (and why, when a flow failed).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Simulated,
    Sip,
    Webrtc,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// How a call ended, for reports and metrics.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still going.
    InProgress,
    /// The bot finished the conversation and hung up.
    Completed,
    /// Handed to a human.
    Transferred,
    /// The caller hung up before the bot finished.
    Abandoned,
    /// The flow failed and no agent could take the call.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::InProgress => "in_progress",
            Outcome::Completed => "completed",
            Outcome::Transferred => "transferred",
            Outcome::Abandoned => "abandoned",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Caller,
    Bot,
    /// Something the host did or noticed (transfer, flow failure, hang-up).
    System,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TranscriptEntry {
    pub at_ms: u64,
    pub speaker: Speaker,
    pub text: String,
    /// On a caller's voice turn: from the end of their speech to the first audio of the
    /// bot's answer, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u32>,
    /// On a caller's turn: the intent the host's understanding found in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// On a caller's turn: the FAQ question that answers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faq: Option<String>,
    /// On a caller's turn: whether the host's understanding found anything in it (an intent,
    /// an order, an answer to the question, a FAQ entry); unset when the flow did not ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub understood: Option<bool>,
}

impl TranscriptEntry {
    /// A line of the transcript with nothing read from it (a system note, an agent's talk).
    pub fn plain(at_ms: u64, speaker: Speaker, text: String) -> TranscriptEntry {
        TranscriptEntry { at_ms, speaker, text, latency_ms: None, intent: None, faq: None, understood: None }
    }
}

/// A transfer the bot asked for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransferRecord {
    pub target: String,
    pub reason: String,
    pub summary: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallRecord {
    pub id: String,
    pub tenant_id: String,
    pub caller: String,
    pub callee: String,
    pub channel: Channel,
    pub direction: Direction,
    /// The flow version that handled the call, if any was active.
    pub flow_version: Option<u32>,
    pub started_at_ms: u64,
    pub ended_at_ms: Option<u64>,
    pub outcome: Outcome,
    /// Why the call ended, in a word or two (`order-placed`, `caller-hangup`, `flow-error`...).
    pub end_reason: Option<String>,
    /// Outcome tags set by the flow.
    pub tags: Vec<String>,
    /// What went wrong with the flow, if anything did.
    pub flow_error: Option<String>,
    pub transfer: Option<TransferRecord>,
    /// Orders placed during the call.
    pub order_ids: Vec<String>,
    /// Tickets opened during the call (none for records written before).
    #[serde(default)]
    pub ticket_ids: Vec<String>,
    pub transcript: Vec<TranscriptEntry>,
    /// The recording (stereo WAV: caller left, bot right), relative to the data directory,
    /// when the tenant records calls.
    #[serde(default)]
    pub recording: Option<String>,
    /// The call's time with a person at the agent desk: its queue, the agent, the wrap-up.
    #[serde(default)]
    pub agent: Option<crate::desk::AgentHandling>,
}

/// A call record without its transcript, for listings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallSummary {
    pub id: String,
    pub caller: String,
    pub channel: Channel,
    pub direction: Direction,
    pub flow_version: Option<u32>,
    pub started_at_ms: u64,
    pub ended_at_ms: Option<u64>,
    pub outcome: Outcome,
    pub end_reason: Option<String>,
    pub tags: Vec<String>,
    pub flow_error: Option<String>,
    pub turns: usize,
}

impl From<CallRecord> for CallSummary {
    fn from(r: CallRecord) -> Self {
        CallSummary {
            turns: r.transcript.iter().filter(|t| t.speaker == Speaker::Caller).count(),
            id: r.id,
            caller: r.caller,
            channel: r.channel,
            direction: r.direction,
            flow_version: r.flow_version,
            started_at_ms: r.started_at_ms,
            ended_at_ms: r.ended_at_ms,
            outcome: r.outcome,
            end_reason: r.end_reason,
            tags: r.tags,
            flow_error: r.flow_error,
        }
    }
}

/// How a hand-over to a person ended, as every channel reports it (the flow hears
/// it as its WIT `transfer-status`, mapped at the flow boundary).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TransferStatus {
    /// A person took the call.
    Connected,
    /// Nobody answered in time.
    NoAnswer,
    /// The agent or queue was busy.
    Busy,
    /// The transfer could not be attempted (no target, a signalling error).
    Failed,
}

impl TransferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::Connected => "connected",
            TransferStatus::NoAnswer => "no-answer",
            TransferStatus::Busy => "busy",
            TransferStatus::Failed => "failed",
        }
    }
}

/// A caller turn the bot may have failed: the host's understanding found nothing in it, or
/// it was the caller's last word before a transfer. The analytics group these by meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnheardTurn {
    pub call_id: String,
    pub at_ms: u64,
    pub text: String,
    /// The caller's last turn before the call went to a person.
    pub led_to_transfer: bool,
}

/// The turns of an ended call that the analytics look at, with their index in the transcript.
pub fn unheard_turns(r: &CallRecord) -> Vec<(usize, UnheardTurn)> {
    let transferred = r.outcome == Outcome::Transferred;
    let spoken = |t: &TranscriptEntry| t.speaker == Speaker::Caller && !t.text.starts_with("[DTMF");
    let last = r.transcript.iter().rposition(spoken);
    r.transcript
        .iter()
        .enumerate()
        .filter(|(i, t)| spoken(t) && (t.understood == Some(false) || (transferred && Some(*i) == last)))
        .map(|(i, t)| {
            let turn = UnheardTurn {
                call_id: r.id.clone(),
                at_ms: t.at_ms,
                text: t.text.clone(),
                led_to_transfer: transferred && Some(i) == last,
            };
            (i, turn)
        })
        .collect()
}

/// Which calls a listing wants, newest first.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// Calls that started at or after this moment (ms since the epoch).
    pub from_ms: Option<u64>,
    /// Calls that started before this moment (ms since the epoch).
    pub to_ms: Option<u64>,
    pub outcome: Option<Outcome>,
    pub channel: Option<Channel>,
    /// An outcome tag the call carries.
    pub tag: Option<String>,
    /// Words the transcript contains (each of them; Chinese by its characters).
    pub text: Option<String>,
    /// At most this many (1 to 1000; 100 when left out).
    pub limit: Option<usize>,
}

impl CallQuery {
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(100).clamp(1, 1000)
    }

    /// Whether a call record is one the listing wants (the text is matched by the index).
    pub fn admits(&self, r: &CallRecord) -> bool {
        self.from_ms.is_none_or(|f| r.started_at_ms >= f)
            && self.to_ms.is_none_or(|t| r.started_at_ms < t)
            && self.outcome.is_none_or(|o| r.outcome == o)
            && self.channel.is_none_or(|c| r.channel == c)
            && self.tag.as_ref().is_none_or(|t| r.tags.contains(t))
    }
}

/// The terms a transcript is found by: English words and numbers, lower-cased, and each
/// Chinese character alone and in pairs, so that any word of a few characters is found
/// without a dictionary.
pub fn search_terms(text: &str) -> Vec<String> {
    let mut terms = std::collections::BTreeSet::new();
    let mut word = String::new();
    let mut prev_cjk: Option<char> = None;
    for c in text.chars() {
        if is_cjk(c) {
            if word.chars().count() >= 2 || word.chars().any(|c| c.is_ascii_digit()) {
                terms.insert(std::mem::take(&mut word));
            }
            word.clear();
            terms.insert(c.to_string());
            if let Some(p) = prev_cjk {
                terms.insert(format!("{p}{c}"));
            }
            prev_cjk = Some(c);
        } else {
            prev_cjk = None;
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else {
                if word.chars().count() >= 2 || word.chars().any(|c| c.is_ascii_digit()) {
                    terms.insert(std::mem::take(&mut word));
                }
                word.clear();
            }
        }
    }
    if word.chars().count() >= 2 || word.chars().any(|c| c.is_ascii_digit()) {
        terms.insert(word);
    }
    let terms: std::collections::BTreeSet<String> =
        terms.into_iter().map(|t| if t.is_ascii() { english_term(&t) } else { t }).collect();
    terms.into_iter().filter(|t| t.len() <= 64).collect()
}

/// The terms of a search: the words, and a Chinese run by its pairs (or its one character).
pub fn query_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text.split(|c: char| !(c.is_alphanumeric())).filter(|r| !r.is_empty()) {
        let chars: Vec<char> = run.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if is_cjk(chars[i]) {
                let start = i;
                while i < chars.len() && is_cjk(chars[i]) {
                    i += 1;
                }
                let cjk = &chars[start..i];
                if cjk.len() == 1 {
                    out.push(cjk[0].to_string());
                }
                out.extend(cjk.windows(2).map(|w| w.iter().collect::<String>()));
            } else {
                let start = i;
                while i < chars.len() && !is_cjk(chars[i]) {
                    i += 1;
                }
                let w: String = chars[start..i].iter().collect::<String>().to_lowercase();
                if w.chars().count() >= 2 || w.chars().any(|c| c.is_ascii_digit()) {
                    out.push(if w.is_ascii() { english_term(&w) } else { w });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// An English word as indexed: lower-cased, a plural's `s` dropped ("teas" finds "tea").
fn english_term(word: &str) -> String {
    let w = word.to_lowercase();
    match w.strip_suffix('s') {
        Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem.to_string(),
        _ => w,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn a_query_finds_the_terms_its_transcript_was_indexed_by() {
        let indexed = search_terms("我要兩杯珍奶, Bubble milk tea x2 at 0912-345-678");
        for q in ["珍奶", "珍", "兩杯珍奶", "bubbles", "MILK tea", "0912"] {
            let terms = query_terms(q);
            assert!(!terms.is_empty(), "{q}");
            assert!(terms.iter().all(|t| indexed.contains(t)), "{q}: {terms:?} in {indexed:?}");
        }
        assert!(query_terms("紅茶").iter().any(|t| !indexed.contains(t)));
    }
}
