//! The agent desk: people of a tenant who take calls in the browser, the queues
//! callers wait in, and the hand-over between them.
//!
//! ```text
//! flow: transfer("queue:support") ─► Desk::bridge (the caller's channel task)
//!        │  hold chime + "you are number N" every announce_every_secs
//!        │  ring the longest-idle available agent of the queue's group ─► desk page (events)
//!        │  ring_secs without an answer ─► the next agent
//!        ▼
//!  the agent accepts with a WebRTC offer ─► DeskMedia::connect (the WebRTC endpoint)
//!        │  (whisper of the summary to the agent while the caller still hears hold)
//!        ▼
//!  caller ◄──► agent until one hangs up ─► wrap-up on the desk ─► call record, follow-up task
//! ```
//!
//! Presence and the queues live in this server's memory (one instance; the scale-out issue
//! moves them to a shared store). What is decided about a call lands on its record.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use super::agents::{AgentLine, Bridged, HoldAudio, PhoneLeg, PhoneLine};
use super::app::App;
use super::conversation::Conversation;
use super::session::Handover;
use super::voice::SpeechEngines;
use switchboard_domain::calls::{CallRecord, Channel, Direction, Outcome, Speaker, TranscriptEntry, TransferStatus};
use switchboard_domain::desk::{
    AgentHandling, AgentState, DeskUser, FollowUp, Queue, QueueFallback, WrapUpInput, queue_of,
};
use switchboard_domain::ids::{new_id, now_ms};
use switchboard_domain::orders::{Order, OrderRequest, OrderStatus};
use switchboard_domain::tenants::{Agent, Tenant, TransferFallback, TransferMode};
use switchboard_media::{AudioOut, FRAME, MediaIn};
use switchboard_speech::vad::{Endpointing, VadEvent, VadStream};

mod agent;
mod board;
mod bridge;
mod callback;
mod queue;

use board::{Accepted, Board, Presence, Waiting};

/// A desk's audio leg, made from the desk browser's WebRTC offer.
pub struct DeskLeg {
    pub answer_sdp: String,
    /// The agent's voice (16 kHz) and their hang-up.
    pub media: mpsc::Receiver<MediaIn>,
    /// What the agent hears.
    pub out: Box<dyn AudioOut>,
    /// Ends the leg (the caller left, or the agent's page hung up).
    pub close: Box<dyn Fn() + Send + Sync>,
}

/// Who makes desk legs: the WebRTC endpoint, the same media path as browser callers.
#[async_trait]
pub trait DeskMedia: Send + Sync {
    async fn connect(&self, tenant_id: &str, call_id: &str, offer_sdp: &str) -> Result<DeskLeg, String>;
}

/// Why a desk request was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no such call is offered to you")]
    NotOffered,
    #[error("no such call of yours")]
    NoSuchCall,
    #[error("{0}")]
    Invalid(String),
    #[error("the desk has no audio path on this server (start it with --webrtc)")]
    NoMedia,
    #[error("the desk's audio could not start: {0}")]
    Media(String),
    #[error("storage: {0}")]
    Store(String),
}

/// Where an agent sends the caller on.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeskTarget {
    /// Another of the tenant's queues, by id.
    Queue(String),
    /// A colleague, by desk user id: only their desk rings.
    Agent(String),
}

/// What an agent's page asks of the call they are on.
#[derive(Debug)]
enum DeskCommand {
    HangUp,
    Hold(bool),
    Transfer(DeskTarget),
}

/// How an agent's part of a call ended.
enum DeskEnd {
    CallerLeft,
    AgentLeft,
    Transferred(DeskTarget),
}

/// An agent as the desk knows them now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgentView {
    pub id: String,
    pub name: String,
    pub groups: Vec<String>,
    pub state: AgentState,
    pub since_ms: u64,
    /// The call they are on or writing up.
    pub call_id: Option<String>,
}

/// A caller waiting in a queue, as the desk shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaitingView {
    pub call_id: String,
    pub queue: String,
    pub caller: String,
    pub waiting_ms: u64,
    /// The agent whose desk rings now.
    pub ringing: Option<String>,
}

pub struct Desk {
    app: Arc<App>,
    engines: Arc<SpeechEngines>,
    media: OnceLock<Arc<dyn DeskMedia>>,
    /// How calls reach SIP agents (other transfer targets, a queue's SIP fallback).
    sip: OnceLock<Arc<dyn AgentLine>>,
    /// How the desk calls customers back.
    phones: OnceLock<Arc<dyn PhoneLine>>,
    board: Mutex<Board>,
    /// One writer at a time per call record (the talk's end, each agent's wrap-up).
    record_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Itself, for the tasks it starts (callbacks).
    me: OnceLock<std::sync::Weak<Desk>>,
}

/// An open desk page: its events, until dropped.
pub struct DeskWatch {
    pub events: mpsc::UnboundedReceiver<Value>,
}

impl Desk {
    pub fn new(app: Arc<App>, engines: Arc<SpeechEngines>) -> Arc<Desk> {
        let desk = Arc::new(Desk {
            app,
            engines,
            media: OnceLock::new(),
            sip: OnceLock::new(),
            phones: OnceLock::new(),
            board: Mutex::new(Board::default()),
            record_locks: Mutex::new(HashMap::new()),
            me: OnceLock::new(),
        });
        let _ = desk.me.set(Arc::downgrade(&desk));
        desk
    }

    pub fn set_media(&self, media: Arc<dyn DeskMedia>) {
        let _ = self.media.set(media);
    }

    pub fn set_sip(&self, sip: Arc<dyn AgentLine>, phones: Arc<dyn PhoneLine>) {
        let _ = self.sip.set(sip);
        let _ = self.phones.set(phones);
    }

    /// Hold the call record of `call_id` for a read-modify-write.
    async fn lock_record(&self, call_id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.record_locks.lock().unwrap_or_else(|p| p.into_inner());
            // Locks of calls nobody holds any more go.
            locks.retain(|_, l| Arc::strong_count(l) > 1);
            locks.entry(call_id.to_string()).or_default().clone()
        };
        lock.lock_owned().await
    }

    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn self_arc(&self) -> Arc<Desk> {
        self.me.get().and_then(std::sync::Weak::upgrade).expect("the desk is alive while it is used")
    }

    fn announce(&self, agent: &str, event: Value) {
        if let Some(p) = self.board().agents.get_mut(agent) {
            p.tell(event);
        }
    }
}

/// Speech in `language` at the channel's rate: announcements, the whisper.
async fn speech(engines: &Arc<SpeechEngines>, language: &str, zh: &str, en: &str) -> Vec<f32> {
    let (text, language) = if language.starts_with("zh") { (zh, "zh") } else { (en, "en") };
    engines.speak(language, text, switchboard_media::RATE).await
}

/// Transfers: a `queue:<id>` target waits for the desk; any other goes to SIP.
#[async_trait]
impl AgentLine for Desk {
    async fn bridge(
        &self,
        tenant: &Tenant,
        media: &mut mpsc::Receiver<MediaIn>,
        conv: &mut Conversation,
        out: &mut dyn AudioOut,
        handover: &Handover,
    ) -> Result<Bridged, Option<TransferStatus>> {
        match queue_of(&handover.agent.uri) {
            Some(id) => match tenant.queues.iter().find(|q| q.id == id) {
                Some(queue) if self.media.get().is_some() => {
                    self.queue_call(tenant, queue, media, conv, out, handover).await
                }
                Some(_) => {
                    tracing::warn!(queue = id, "a queue needs the desk's audio path (--webrtc)");
                    Err(Some(TransferStatus::Failed))
                }
                None => {
                    tracing::warn!(queue = id, "transfer to a queue the tenant does not have");
                    Err(Some(TransferStatus::Failed))
                }
            },
            None => match self.sip.get() {
                Some(sip) => sip.bridge(tenant, media, conv, out, handover).await,
                None => {
                    tracing::warn!(agent = %handover.agent.uri, "transfer asked, but this server has no SIP to reach agents (--sip)");
                    Err(Some(TransferStatus::Failed))
                }
            },
        }
    }
}
