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
    pub transcript: Vec<TranscriptEntry>,
    /// The recording (stereo WAV: caller left, bot right), relative to the data directory,
    /// when the tenant records calls.
    #[serde(default)]
    pub recording: Option<String>,
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
