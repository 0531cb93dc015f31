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
use switchboard_speech::vad::{Endpointing, VadEvent, VadStream};
use switchboard_domain::desk::{AgentHandling, AgentState, DeskUser, FollowUp, Queue, QueueFallback, WrapUpInput, queue_of};
use switchboard_domain::ids::{new_id, now_ms};
use switchboard_domain::orders::{Order, OrderRequest, OrderStatus};
use switchboard_domain::tenants::{Agent, Tenant, TransferFallback, TransferMode};
use switchboard_media::{AudioOut, FRAME, MediaIn};

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

struct Presence {
    user: DeskUser,
    state: AgentState,
    since_ms: u64,
    /// Since when they have been free (longest idle is offered first).
    idle_since: Instant,
    call_id: Option<String>,
    /// Open desk pages of this agent.
    watchers: Vec<mpsc::UnboundedSender<Value>>,
}

impl Presence {
    fn tell(&mut self, event: Value) {
        self.watchers.retain(|w| w.send(event.clone()).is_ok());
    }

    fn view(&self) -> AgentView {
        AgentView {
            id: self.user.id.clone(),
            name: self.user.name.clone(),
            groups: self.user.groups.clone(),
            state: self.state,
            since_ms: self.since_ms,
            call_id: self.call_id.clone(),
        }
    }
}

/// An agent's leg handed to the waiting caller's task.
struct Accepted {
    agent_id: String,
    agent_name: String,
    leg: DeskLeg,
    rang: Vec<String>,
    first_ring_at_ms: Option<u64>,
}

struct Waiting {
    call_id: String,
    tenant_id: String,
    queue: String,
    group: String,
    caller: String,
    since: Instant,
    /// Agents who let it ring out (each is rung once before anyone twice).
    tried: HashSet<String>,
    ringing: Option<(String, Instant)>,
    ring_for: Duration,
    /// What the ringing desk shows: caller, customer, orders, summary, transcript.
    popup: Value,
    accept: Option<oneshot::Sender<Accepted>>,
    /// Desks that rang without answering, in order (for the call record).
    rang: Vec<String>,
    first_ring_at_ms: Option<u64>,
    /// A call an agent transferred to one colleague: only their desk rings.
    only: Option<String>,
}

#[derive(Default)]
struct Board {
    agents: HashMap<String, Presence>,
    waiting: Vec<Waiting>,
    /// Calls on a desk now: call id → (agent id, what the agent's page asks of the call).
    talking: HashMap<String, (String, mpsc::UnboundedSender<DeskCommand>)>,
}

impl Board {
    /// Ring desks for every waiting call that has none ringing: the longest-idle available
    /// agent of the call's tenant and group, not ringing for another call, not yet tried.
    fn assign(&mut self) {
        let now = Instant::now();
        for i in 0..self.waiting.len() {
            // A ring that ran out passes the call on.
            if let Some((agent, until)) = self.waiting[i].ringing.clone()
                && now >= until
            {
                let w = &mut self.waiting[i];
                w.ringing = None;
                w.tried.insert(agent.clone());
                w.rang.push(agent.clone());
                let call_id = w.call_id.clone();
                if let Some(p) = self.agents.get_mut(&agent) {
                    p.tell(json!({ "type": "offer_withdrawn", "call_id": call_id, "why": "no_answer" }));
                }
                tracing::info!(%call_id, %agent, "desk rang out: the call passes on");
            }
            if self.waiting[i].ringing.is_some() {
                continue;
            }
            let ringing_now: HashSet<String> =
                self.waiting.iter().filter_map(|w| w.ringing.as_ref().map(|(a, _)| a.clone())).collect();
            let (tenant, group) = (self.waiting[i].tenant_id.clone(), self.waiting[i].group.clone());
            let only = self.waiting[i].only.clone();
            let free: Vec<(String, Instant)> = self
                .agents
                .values()
                .filter(|p| {
                    p.user.tenant_id == tenant
                        && p.state == AgentState::Available
                        && match &only {
                            Some(one) => &p.user.id == one,
                            None => group.is_empty() || p.user.groups.iter().any(|g| g == &group),
                        }
                        && !ringing_now.contains(&p.user.id)
                })
                .map(|p| (p.user.id.clone(), p.idle_since))
                .collect();
            let w = &mut self.waiting[i];
            if !free.is_empty() && free.iter().all(|(id, _)| w.tried.contains(id)) {
                // Everyone was rung once: start another round.
                w.tried.clear();
            }
            let Some(agent) =
                free.into_iter().filter(|(id, _)| !w.tried.contains(id)).min_by_key(|(_, idle)| *idle).map(|(id, _)| id)
            else {
                continue;
            };
            let w = &mut self.waiting[i];
            w.ringing = Some((agent.clone(), now + w.ring_for));
            w.first_ring_at_ms.get_or_insert_with(now_ms);
            let offer = json!({ "type": "offer", "call_id": w.call_id, "queue": w.queue, "ring_ms": w.ring_for.as_millis() as u64, "popup": w.popup });
            if let Some(p) = self.agents.get_mut(&agent) {
                p.tell(offer);
            }
            tracing::info!(call_id = %w.call_id, %agent, "desk rings");
        }
    }

    /// How many callers wait ahead of `call_id` in its queue, plus one.
    fn position(&self, call_id: &str) -> Option<usize> {
        let w = self.waiting.iter().find(|w| w.call_id == call_id)?;
        Some(self.waiting.iter().filter(|o| o.tenant_id == w.tenant_id && o.queue == w.queue && o.since <= w.since).count())
    }

    fn set_state(&mut self, agent: &str, state: AgentState, call_id: Option<String>) {
        if let Some(p) = self.agents.get_mut(agent) {
            if p.state != AgentState::Available && state == AgentState::Available {
                p.idle_since = Instant::now();
            }
            p.state = state;
            p.since_ms = now_ms();
            p.call_id = call_id;
            let view = p.view();
            p.tell(json!({ "type": "state", "agent": view }));
        }
    }
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

    /// A desk page opened: the agent appears (offline until they choose a state) and is
    /// told everything that concerns them from now on.
    pub fn watch(&self, user: &DeskUser) -> DeskWatch {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut board = self.board();
        let p = board.agents.entry(user.id.clone()).or_insert_with(|| Presence {
            user: user.clone(),
            state: AgentState::Offline,
            since_ms: now_ms(),
            idle_since: Instant::now(),
            call_id: None,
            watchers: Vec::new(),
        });
        p.user = user.clone();
        let _ = tx.send(json!({ "type": "state", "agent": p.view() }));
        p.watchers.push(tx);
        // A call ringing for this agent rings on the new page too.
        let offers: Vec<Value> = board
            .waiting
            .iter()
            .filter(|w| w.ringing.as_ref().is_some_and(|(a, _)| a == &user.id))
            .map(|w| json!({ "type": "offer", "call_id": w.call_id, "queue": w.queue, "popup": w.popup }))
            .collect();
        if let Some(p) = board.agents.get_mut(&user.id) {
            offers.into_iter().for_each(|o| p.tell(o));
        }
        DeskWatch { events: rx }
    }

    /// The agent chooses available, away or offline (on a call and wrap-up are the desk's).
    pub fn set_state(&self, user: &DeskUser, state: AgentState) -> Result<AgentView, DeskError> {
        if matches!(state, AgentState::OnCall | AgentState::WrapUp) {
            return Err(DeskError::Invalid("on_call and wrap_up follow the calls; choose available, away or offline".into()));
        }
        let mut board = self.board();
        let current = board.agents.get(&user.id).map(|p| (p.state, p.call_id.clone()));
        match current {
            None => return Err(DeskError::Invalid("open the desk first".into())),
            Some((AgentState::OnCall, _)) => {
                return Err(DeskError::Invalid("you are on a call: hang up first".into()));
            }
            Some((AgentState::WrapUp, Some(_))) if state == AgentState::Available => {
                return Err(DeskError::Invalid("write the wrap-up of your last call first".into()));
            }
            _ => {}
        }
        board.set_state(&user.id, state, None);
        // Calls ringing for an agent who stepped away pass on.
        if state != AgentState::Available {
            for w in board.waiting.iter_mut() {
                if w.ringing.as_ref().is_some_and(|(a, _)| a == &user.id) {
                    w.ringing = Some((user.id.clone(), Instant::now()));
                }
            }
        }
        board.assign();
        Ok(board.agents[&user.id].view())
    }

    /// Where an agent may transfer a call: the tenant's queues and the colleagues at the desk.
    pub fn directory(&self, user: &DeskUser, tenant: &Tenant) -> Value {
        let (agents, _) = self.overview(&user.tenant_id);
        let colleagues: Vec<AgentView> = agents.into_iter().filter(|a| a.id != user.id).collect();
        let queues: Vec<Value> = tenant.queues.iter().map(|q| json!({ "id": q.id, "name": q.name })).collect();
        json!({ "queues": queues, "agents": colleagues })
    }

    /// The agents and the waiting callers of a tenant.
    pub fn overview(&self, tenant_id: &str) -> (Vec<AgentView>, Vec<WaitingView>) {
        let board = self.board();
        let mut agents: Vec<AgentView> =
            board.agents.values().filter(|p| p.user.tenant_id == tenant_id).map(Presence::view).collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name));
        let waiting = board
            .waiting
            .iter()
            .filter(|w| w.tenant_id == tenant_id)
            .map(|w| WaitingView {
                call_id: w.call_id.clone(),
                queue: w.queue.clone(),
                caller: w.caller.clone(),
                waiting_ms: w.since.elapsed().as_millis() as u64,
                ringing: w.ringing.as_ref().map(|(a, _)| a.clone()),
            })
            .collect();
        (agents, waiting)
    }

    /// The agent takes the call ringing on their desk: their browser's offer becomes the
    /// desk's leg, handed to the waiting caller; the answer goes back to the browser.
    pub async fn accept(&self, user: &DeskUser, call_id: &str, offer_sdp: &str) -> Result<String, DeskError> {
        let offered = |board: &Board| {
            board.waiting.iter().any(|w| {
                w.call_id == call_id
                    && w.tenant_id == user.tenant_id
                    && w.ringing.as_ref().is_some_and(|(a, _)| a == &user.id)
            })
        };
        if !offered(&self.board()) {
            return Err(DeskError::NotOffered);
        }
        let media = self.media.get().ok_or(DeskError::NoMedia)?;
        let leg = media.connect(&user.tenant_id, call_id, offer_sdp).await.map_err(DeskError::Media)?;
        let mut board = self.board();
        let Some(i) = board.waiting.iter().position(|w| {
            w.call_id == call_id && w.tenant_id == user.tenant_id && w.ringing.as_ref().is_some_and(|(a, _)| a == &user.id)
        }) else {
            // The caller left (or the ring ran out) while the leg was being made.
            (leg.close)();
            return Err(DeskError::NotOffered);
        };
        let mut w = board.waiting.remove(i);
        let answer = leg.answer_sdp.clone();
        let rang = std::mem::take(&mut w.rang);
        let accepted = Accepted {
            agent_id: user.id.clone(),
            agent_name: user.name.clone(),
            leg,
            rang,
            first_ring_at_ms: w.first_ring_at_ms,
        };
        match w.accept.take().map(|tx| tx.send(accepted)) {
            Some(Ok(())) => {}
            _ => return Err(DeskError::NotOffered),
        }
        board.set_state(&user.id, AgentState::OnCall, Some(call_id.to_string()));
        board.assign();
        Ok(answer)
    }

    /// The agent turns the ring down: the call passes to the next agent.
    pub fn decline(&self, user: &DeskUser, call_id: &str) -> Result<(), DeskError> {
        let mut board = self.board();
        let w = board
            .waiting
            .iter_mut()
            .find(|w| w.call_id == call_id && w.ringing.as_ref().is_some_and(|(a, _)| a == &user.id))
            .ok_or(DeskError::NotOffered)?;
        w.ringing = Some((user.id.clone(), Instant::now()));
        board.assign();
        Ok(())
    }

    /// The agent hangs up from the desk.
    pub fn hang_up(&self, user: &DeskUser, call_id: &str) -> Result<(), DeskError> {
        self.command(user, call_id, DeskCommand::HangUp)
    }

    /// The agent puts the caller on hold (they hear the chime, neither hears the other) or
    /// takes them back.
    pub fn hold(&self, user: &DeskUser, call_id: &str, on: bool) -> Result<(), DeskError> {
        self.command(user, call_id, DeskCommand::Hold(on))
    }

    /// The agent sends the caller to another queue or colleague of the same tenant; the
    /// caller waits (hold chime, position) until someone accepts, and this agent wraps up.
    pub fn transfer(&self, user: &DeskUser, call_id: &str, target: DeskTarget) -> Result<(), DeskError> {
        match &target {
            DeskTarget::Agent(id) if id == &user.id => {
                return Err(DeskError::Invalid("that is you: choose a colleague or a queue".into()));
            }
            DeskTarget::Agent(id) => {
                let board = self.board();
                if !board.agents.get(id).is_some_and(|p| p.user.tenant_id == user.tenant_id) {
                    return Err(DeskError::Invalid("no such colleague at the desk".into()));
                }
            }
            DeskTarget::Queue(_) => {}
        }
        self.command(user, call_id, DeskCommand::Transfer(target))
    }

    fn command(&self, user: &DeskUser, call_id: &str, command: DeskCommand) -> Result<(), DeskError> {
        let board = self.board();
        match board.talking.get(call_id) {
            Some((agent, tx)) if agent == &user.id => {
                let _ = tx.send(command);
                Ok(())
            }
            _ => Err(DeskError::NoSuchCall),
        }
    }

    /// The agent creates an order for the caller of a call they are on or writing up, priced
    /// by the host from the catalogue like any other; `replaces` (an order of the same call)
    /// is cancelled and leaves the call's figures, so a correction is counted once.
    pub async fn place_order(
        &self,
        user: &DeskUser,
        call_id: &str,
        request: OrderRequest,
        replaces: Option<String>,
    ) -> Result<Order, DeskError> {
        self.mine(user, call_id)?;
        let db = &self.app.db;
        let tenant = db.tenant(&user.tenant_id).await.map_err(|e| DeskError::Store(e.to_string()))?;
        let _writing = self.lock_record(call_id).await;
        let mut record = db.call(&user.tenant_id, call_id).await.map_err(|e| DeskError::Store(e.to_string()))?;
        if let Some(old) = &replaces
            && !record.order_ids.contains(old)
        {
            return Err(DeskError::Invalid(format!("order {old} is not one of this call's")));
        }
        let order = db.create_order(&user.tenant_id, call_id, request, &tenant.language).await.map_err(|e| match e {
            switchboard_store::StorageError::Invalid(m) => DeskError::Invalid(m),
            other => DeskError::Store(other.to_string()),
        })?;
        if let Some(old) = &replaces {
            db.update_order_status(&user.tenant_id, old, OrderStatus::Cancelled)
                .await
                .map_err(|e| DeskError::Store(e.to_string()))?;
            record.order_ids.retain(|id| id != old);
        }
        record.order_ids.push(order.id.clone());
        let what = match &replaces {
            Some(old) => format!("[{} replaced order {old} with order #{} ({} {})]", user.name, order.number, order.total, order.currency),
            None => format!("[{} placed order #{} ({} {})]", user.name, order.number, order.total, order.currency),
        };
        record.transcript.push(TranscriptEntry { at_ms: now_ms(), speaker: Speaker::System, text: what, latency_ms: None, intent: None, faq: None, understood: None });
        db.save_call(&record).await.map_err(|e| DeskError::Store(e.to_string()))?;
        tracing::info!(order = %order.id, replaces = ?replaces, "order from the desk");
        Ok(order)
    }

    /// The agent calls a follow-up's customer back from the desk: their browser's offer
    /// becomes the desk leg (the answer goes back), and the customer's phone is dialled
    /// (through the tenant's trunk). The callback is a call record of its own (outbound, with
    /// the agent), the task is done once the customer answers, and the agent writes the call up
    /// afterwards as any other. Returns the SDP answer and the new call's id.
    pub async fn call_back(&self, user: &DeskUser, task_id: &str, offer_sdp: &str) -> Result<(String, String), DeskError> {
        let db = self.app.db.clone();
        let task = db
            .follow_ups(&user.tenant_id)
            .await
            .map_err(|e| DeskError::Store(e.to_string()))?
            .into_iter()
            .find(|t| t.id == task_id && !t.done)
            .ok_or_else(|| DeskError::Invalid("no such open follow-up in your tenant".into()))?;
        if task.phone.trim().is_empty() {
            return Err(DeskError::Invalid("this follow-up has no number to call".into()));
        }
        let phones = self.phones.get().cloned().ok_or_else(|| DeskError::Invalid("callbacks need SIP (serve with --sip and a trunk)".into()))?;
        let tenant = db.tenant(&user.tenant_id).await.map_err(|e| DeskError::Store(e.to_string()))?;
        {
            let board = self.board();
            if !board.agents.get(&user.id).is_some_and(|p| matches!(p.state, AgentState::Available | AgentState::Away)) {
                return Err(DeskError::Invalid("finish your call and its wrap-up first".into()));
            }
        }
        let media = self.media.get().ok_or(DeskError::NoMedia)?;
        let call_id = new_id("call");
        let leg = media.connect(&user.tenant_id, &call_id, offer_sdp).await.map_err(DeskError::Media)?;
        let answer = leg.answer_sdp.clone();
        let now = now_ms();
        let record = CallRecord {
            id: call_id.clone(),
            tenant_id: tenant.id.clone(),
            caller: tenant.numbers.first().cloned().unwrap_or_default(),
            callee: task.phone.clone(),
            channel: Channel::Sip,
            direction: Direction::Outbound,
            flow_version: None,
            started_at_ms: now,
            ended_at_ms: None,
            outcome: Outcome::InProgress,
            end_reason: None,
            tags: vec!["callback".into()],
            flow_error: None,
            transfer: None,
            order_ids: Vec::new(),
            transcript: vec![TranscriptEntry {
                at_ms: now,
                speaker: Speaker::System,
                text: format!("[{} calls back {} for call {}: {}]", user.name, task.phone, task.call_id, task.note),
                latency_ms: None,
                intent: None,
                faq: None,
                understood: None,
            }],
            recording: None,
            agent: Some(AgentHandling {
                queue: String::new(),
                queued_at_ms: now,
                left_queue_at_ms: now,
                answered: true,
                within_service_level: true,
                agent_id: Some(user.id.clone()),
                agent_name: Some(user.name.clone()),
                ..AgentHandling::default()
            }),
        };
        db.save_call(&record).await.map_err(|e| DeskError::Store(e.to_string()))?;
        let (command_tx, commands) = mpsc::unbounded_channel();
        {
            let mut board = self.board();
            board.talking.insert(call_id.clone(), (user.id.clone(), command_tx));
            board.set_state(&user.id, AgentState::OnCall, Some(call_id.clone()));
        }
        let desk = self.self_arc();
        let user = user.clone();
        let id = call_id.clone();
        let span = tracing::info_span!("callback", call_id = %call_id, tenant_id = %tenant.id);
        tokio::spawn(tracing::Instrument::instrument(
            async move { desk.run_callback(tenant, user, task, id, leg, phones, commands, record).await },
            span,
        ));
        Ok((answer, call_id))
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_callback(
        self: Arc<Self>,
        tenant: Tenant,
        user: DeskUser,
        mut task: FollowUp,
        call_id: String,
        leg: DeskLeg,
        phones: Arc<dyn PhoneLine>,
        mut commands: mpsc::UnboundedReceiver<DeskCommand>,
        mut record: CallRecord,
    ) {
        let DeskLeg { media: mut agent_media, out: mut agent_out, close, .. } = leg;
        let ring = Duration::from_secs(tenant.telephony.transfer_timeout_secs as u64);
        tracing::info!(phone = %task.phone, "calling the customer back");
        let dialling = phones.ring(&tenant, &task.phone, ring);
        tokio::pin!(dialling);
        // While it rings, the agent may hang up (or close the page).
        let phone = loop {
            tokio::select! {
                r = &mut dialling => match r {
                    Ok(leg) => break Some(leg),
                    Err(e) => {
                        tracing::info!(error = %e, "the callback did not connect");
                        break None;
                    }
                },
                c = commands.recv() => if matches!(c, Some(DeskCommand::HangUp) | None) {
                    tracing::info!("the agent hung up before the customer answered");
                    break None;
                },
                m = agent_media.recv() => if matches!(m, Some(MediaIn::Hangup) | None) {
                    tracing::info!("the agent's page went away before the customer answered");
                    break None;
                },
            }
        };
        let answered = phone.is_some();
        let mut by = "agent";
        if let Some(PhoneLeg { media: mut far, out: mut far_out, hang_up }) = phone {
            tracing::info!("the customer answered the callback");
            self.announce(&user.id, json!({ "type": "connected", "call_id": call_id }));
            task.done = true;
            if let Err(e) = self.app.db.save_follow_up(&task).await {
                tracing::error!(error = %e, "could not mark the follow-up done");
            }
            let mut held = false;
            let mut hold = HoldAudio::new();
            let mut frame = vec![0.0f32; FRAME];
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            loop {
                tokio::select! {
                    m = far.recv() => match m {
                        Some(MediaIn::Audio(a)) => if !held { agent_out.play(&a) },
                        Some(MediaIn::Dtmf(_)) => {}
                        Some(MediaIn::Hangup) | None => { by = "caller"; break }
                    },
                    m = agent_media.recv() => match m {
                        Some(MediaIn::Audio(a)) => if !held { far_out.play(&a) },
                        Some(MediaIn::Dtmf(_)) => {}
                        Some(MediaIn::Hangup) | None => break,
                    },
                    _ = tick.tick(), if held => { hold.frame(&mut frame); far_out.play(&frame); }
                    c = commands.recv() => match c {
                        Some(DeskCommand::Hold(on)) => {
                            held = on;
                            self.announce(&user.id, json!({ "type": "hold", "call_id": call_id, "on": on }));
                        }
                        // A callback is not transferred on: the agent hangs up.
                        Some(DeskCommand::Transfer(_)) | Some(DeskCommand::HangUp) | None => break,
                    },
                }
            }
            let _ = hang_up.send(());
        } else {
            self.announce(&user.id, json!({ "type": "callback_failed", "call_id": call_id }));
        }
        close();
        let end = now_ms();
        record.ended_at_ms = Some(end);
        record.outcome = if answered { Outcome::Completed } else { Outcome::Failed };
        record.end_reason = Some(if answered { format!("{by}-hangup") } else { "no-answer".into() });
        if let Some(a) = record.agent.as_mut() {
            a.answered = answered;
            a.talk_ended_at_ms = Some(end);
        }
        {
            let _writing = self.lock_record(&call_id).await;
            if let Err(e) = self.app.db.save_call(&record).await {
                tracing::error!(error = %e, "could not save the callback's record");
            }
        }
        let mut board = self.board();
        board.talking.remove(&call_id);
        if answered {
            board.set_state(&user.id, AgentState::WrapUp, Some(call_id.clone()));
        } else {
            board.set_state(&user.id, AgentState::Available, None);
        }
        if let Some(p) = board.agents.get_mut(&user.id) {
            p.tell(json!({ "type": "ended", "call_id": call_id, "by": by }));
        }
        board.assign();
    }

    fn self_arc(&self) -> Arc<Desk> {
        self.me.get().and_then(std::sync::Weak::upgrade).expect("the desk is alive while it is used")
    }

    /// Whether `call_id` is the call this agent is on or writing up.
    fn mine(&self, user: &DeskUser, call_id: &str) -> Result<(), DeskError> {
        let board = self.board();
        let mine = board.agents.get(&user.id).is_some_and(|p| {
            matches!(p.state, AgentState::OnCall | AgentState::WrapUp) && p.call_id.as_deref() == Some(call_id)
        });
        if mine { Ok(()) } else { Err(DeskError::NoSuchCall) }
    }

    /// The agent writes the call up: outcome and notes land on the call record, a callback
    /// becomes a follow-up task, and the agent is available again.
    pub async fn wrap_up(&self, user: &DeskUser, call_id: &str, input: WrapUpInput) -> Result<(), DeskError> {
        input.validate().map_err(|e| DeskError::Invalid(e.to_string()))?;
        {
            let board = self.board();
            let mine = board.agents.get(&user.id).is_some_and(|p| {
                p.state == AgentState::WrapUp && p.call_id.as_deref() == Some(call_id)
            });
            if !mine {
                return Err(DeskError::NoSuchCall);
            }
        }
        let db = &self.app.db;
        let _writing = self.lock_record(call_id).await;
        let mut record = db.call(&user.tenant_id, call_id).await.map_err(|e| DeskError::Store(e.to_string()))?;
        let mut follow_up_id = None;
        if let Some(f) = &input.follow_up {
            let assignee = if f.assignee.trim().is_empty() { user.id.clone() } else { f.assignee.trim().to_string() };
            // The assignee must be a person of the same tenant.
            db.desk_user(&user.tenant_id, &assignee)
                .await
                .map_err(|_| DeskError::Invalid(format!("no desk user `{assignee}` in your tenant")))?;
            let task = FollowUp {
                id: new_id("task"),
                tenant_id: user.tenant_id.clone(),
                call_id: call_id.to_string(),
                phone: if f.phone.trim().is_empty() { record.caller.clone() } else { f.phone.trim().to_string() },
                due_at_ms: f.due_at_ms,
                assignee,
                note: f.note.trim().to_string(),
                done: false,
                created_by: user.id.clone(),
                created_at_ms: now_ms(),
            };
            db.save_follow_up(&task).await.map_err(|e| DeskError::Store(e.to_string()))?;
            follow_up_id = Some(task.id);
        }
        let handling = record.agent.get_or_insert_with(AgentHandling::default);
        handling.wrapped_up_at_ms = Some(now_ms());
        handling.outcome = Some(input.outcome.trim().to_string());
        // Several agents may have had the call (transfers): each one's notes are kept, by name.
        let notes = input.notes.trim();
        if !notes.is_empty() {
            let line = format!("{}: {notes}", user.name);
            handling.notes = Some(match handling.notes.take() {
                Some(before) => format!("{before}\n{line}"),
                None => line,
            });
        }
        handling.follow_up = follow_up_id;
        let tag = format!("agent:{}", input.outcome.trim());
        if !record.tags.contains(&tag) {
            record.tags.push(tag);
        }
        db.save_call(&record).await.map_err(|e| DeskError::Store(e.to_string()))?;
        let mut board = self.board();
        board.set_state(&user.id, AgentState::Available, None);
        board.assign();
        Ok(())
    }

    /// The context a ringing desk shows: the caller's number, their customer record and
    /// recent orders, why the bot transferred, its summary, and the transcript so far.
    async fn popup(&self, tenant: &Tenant, call_id: &str, handover: &Handover) -> (Value, String) {
        let db = &self.app.db;
        let record = db.call(&tenant.id, call_id).await.ok();
        let caller = record.as_ref().map(|r| r.caller.clone()).unwrap_or_default();
        let customer = if caller.is_empty() { None } else { db.customer_by_phone(&tenant.id, &caller).await.ok().flatten() };
        let orders = if caller.is_empty() { Vec::new() } else { db.orders_by_phone(&tenant.id, &caller, 5).await.unwrap_or_default() };
        let draft = match &record {
            Some(r) => match r.order_ids.last() {
                Some(id) => db.order(&tenant.id, id).await.ok(),
                None => None,
            },
            None => None,
        };
        let transcript = record.as_ref().map(|r| r.transcript.clone()).unwrap_or_default();
        let popup = json!({
            "caller": caller,
            "channel": record.as_ref().map(|r| r.channel),
            "reason": handover.reason,
            "summary": handover.summary,
            "customer": customer,
            "orders": orders,
            "order": draft,
            "transcript": transcript,
        });
        (popup, caller)
    }

    /// Wait in `queue` and talk with the agent who accepts, and with whoever they transfer the
    /// caller to; see the module's picture.
    async fn queue_call(
        &self,
        tenant: &Tenant,
        queue: &Queue,
        media: &mut mpsc::Receiver<MediaIn>,
        conv: &mut Conversation,
        out: &mut dyn AudioOut,
        handover: &Handover,
    ) -> Result<Bridged, Option<TransferStatus>> {
        let call_id = conv.call_id.clone();
        let mut handling =
            AgentHandling { queue: queue.id.clone(), queued_at_ms: now_ms(), ..AgentHandling::default() };
        handling.closed = !queue.open_at(now_ms(), tenant.utc_offset_minutes);
        if handling.closed {
            tracing::info!(queue = %queue.id, "queue closed: nobody is available");
            handling.left_queue_at_ms = handling.queued_at_ms;
            conv.agent_handling(handling);
            conv.transfer_fallback = Some(fallback_of(&queue.fallback));
            return Err(Some(TransferStatus::Busy));
        }
        let (mut queue, mut only) = (queue.clone(), None::<String>);
        let mut connected = false;
        loop {
            let agent = match self.wait_for_agent(tenant, &queue, only.clone(), media, out, handover, &call_id).await {
                Waited::Accepted(a) => a,
                Waited::CallerLeft { rang, first_ring_at_ms } => {
                    if !connected {
                        handling.left_queue_at_ms = now_ms();
                        handling.abandoned = true;
                        (handling.rang, handling.first_ring_at_ms) = (rang, first_ring_at_ms);
                        conv.agent_handling(handling);
                    }
                    tracing::info!(queue = %queue.id, "caller hung up in the queue");
                    conv.caller_gone().await;
                    return Err(None);
                }
                Waited::TimedOut { rang, first_ring_at_ms } if !connected => {
                    handling.left_queue_at_ms = now_ms();
                    (handling.rang, handling.first_ring_at_ms) = (rang, first_ring_at_ms);
                    tracing::info!(queue = %queue.id, "the wait ran out: the queue's fallback");
                    return self.queue_fallback(tenant, &queue, media, conv, out, handover, handling).await;
                }
                Waited::TimedOut { .. } => {
                    // Transferred on by an agent, and nobody took it: the call ends politely.
                    tracing::info!(queue = %queue.id, "nobody took the transferred call");
                    let sorry = speech(
                        &self.engines,
                        &tenant.language,
                        "很抱歉，目前沒有專人可以接聽，我們會盡快回電給您。",
                        "Sorry, nobody can take your call now. We will call you back soon.",
                    )
                    .await;
                    play_all(out, &sorry).await;
                    return Ok(Bridged::AgentLeft);
                }
            };
            let Accepted { agent_id, agent_name, leg, rang, first_ring_at_ms } = agent;
            if !connected {
                handling.left_queue_at_ms = now_ms();
                handling.answered = true;
                handling.within_service_level =
                    handling.time_in_queue_ms() <= queue.service_level_secs as u64 * 1000;
                handling.first_ring_at_ms = first_ring_at_ms;
                handling.rang = rang;
            }
            handling.agent_id = Some(agent_id.clone());
            handling.agent_name = Some(agent_name.clone());
            tracing::info!(agent = %agent_id, "agent accepted: bridging");
            let first = !connected;
            connected = true;
            match self.bridge_to_desk(tenant, &queue, media, conv, out, handover, &mut handling, &agent_id, leg, first).await {
                DeskEnd::CallerLeft => return Ok(Bridged::CallerLeft),
                DeskEnd::AgentLeft => return Ok(Bridged::AgentLeft),
                DeskEnd::Transferred(target) => {
                    handling.transferred_by.push(agent_name);
                    match target {
                        DeskTarget::Queue(id) => {
                            if let Some(q) = tenant.queues.iter().find(|q| q.id == id) {
                                queue = q.clone();
                            }
                            only = None;
                        }
                        DeskTarget::Agent(id) => only = Some(id),
                    }
                }
            }
        }
    }

    /// The caller waits in `queue` (the hold chime, and their position when it is time)
    /// until a desk accepts, they hang up, or the queue's longest wait runs out.
    #[allow(clippy::too_many_arguments)]
    async fn wait_for_agent(
        &self,
        tenant: &Tenant,
        queue: &Queue,
        only: Option<String>,
        media: &mut mpsc::Receiver<MediaIn>,
        out: &mut dyn AudioOut,
        handover: &Handover,
        call_id: &str,
    ) -> Waited {
        let (popup, caller) = self.popup(tenant, call_id, handover).await;
        let (accept_tx, mut accepted) = oneshot::channel();
        {
            let mut board = self.board();
            board.waiting.push(Waiting {
                call_id: call_id.to_string(),
                tenant_id: tenant.id.clone(),
                queue: queue.id.clone(),
                group: queue.group.clone(),
                caller,
                since: Instant::now(),
                tried: HashSet::new(),
                ringing: None,
                ring_for: Duration::from_secs(queue.ring_secs as u64),
                popup,
                accept: Some(accept_tx),
                rang: Vec::new(),
                first_ring_at_ms: None,
                only,
            });
            board.assign();
        }
        tracing::info!(queue = %queue.id, "caller queued");
        let _leave = LeaveQueue { desk: self, call_id: call_id.to_string() };
        let mut hold = HoldAudio::new();
        let mut frame = vec![0.0f32; FRAME];
        let mut speaking: Vec<f32> = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let announce_every = Duration::from_secs(queue.announce_every_secs as u64);
        let mut next_announcement = Instant::now() + Duration::from_millis(300);
        let (said_tx, mut said_rx) = mpsc::unbounded_channel::<Vec<f32>>();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(queue.max_wait_secs as u64);
        loop {
            tokio::select! {
                a = &mut accepted => match a {
                    Ok(a) => return Waited::Accepted(a),
                    Err(_) => {
                        let (rang, first_ring_at_ms) = self.rang(call_id);
                        return Waited::TimedOut { rang, first_ring_at_ms };
                    }
                },
                _ = tick.tick() => {
                    if Instant::now() >= next_announcement {
                        // Rendered off this loop, so that the chime goes on meanwhile.
                        next_announcement = Instant::now() + announce_every;
                        let position = self.board().position(call_id).unwrap_or(1);
                        let (tx, engines, language) = (said_tx.clone(), self.engines.clone(), tenant.language.clone());
                        tokio::spawn(async move {
                            let zh = format!("專人都在忙線中，請稍候。您目前是第 {position} 位。");
                            let en = format!("All our agents are busy. Please hold; you are number {position} in line.");
                            let _ = tx.send(speech(&engines, &language, &zh, &en).await);
                        });
                    }
                    self.board().assign();
                    play_hold(out, &mut speaking, &mut hold, &mut frame);
                }
                s = said_rx.recv() => if let Some(s) = s { speaking.extend(s) },
                m = media.recv() => if matches!(m, Some(MediaIn::Hangup) | None) {
                    let (rang, first_ring_at_ms) = self.rang(call_id);
                    return Waited::CallerLeft { rang, first_ring_at_ms };
                },
                _ = tokio::time::sleep_until(deadline) => {
                    let (rang, first_ring_at_ms) = self.rang(call_id);
                    return Waited::TimedOut { rang, first_ring_at_ms };
                }
            }
        }
    }

    /// The desks a waiting call rang without an answer, and when the first rang.
    fn rang(&self, call_id: &str) -> (Vec<String>, Option<u64>) {
        let board = self.board();
        let w = board.waiting.iter().find(|w| w.call_id == call_id);
        w.map(|w| (w.rang.clone(), w.first_ring_at_ms)).unwrap_or_default()
    }

    /// The caller and the agent's desk leg, until one leaves or the agent transfers the call.
    /// `first`: this is the call's first agent (the session hears it connected).
    #[allow(clippy::too_many_arguments)]
    async fn bridge_to_desk(
        &self,
        tenant: &Tenant,
        queue: &Queue,
        media: &mut mpsc::Receiver<MediaIn>,
        conv: &mut Conversation,
        out: &mut dyn AudioOut,
        handover: &Handover,
        handling: &mut AgentHandling,
        agent_id: &str,
        leg: DeskLeg,
        first: bool,
    ) -> DeskEnd {
        let call_id = conv.call_id.clone();
        let DeskLeg { media: mut agent_media, out: mut agent_out, close, .. } = leg;
        let (command_tx, mut commands) = mpsc::unbounded_channel();
        self.board().talking.insert(call_id.clone(), (agent_id.to_string(), command_tx));
        if first {
            conv.agent_handling(handling.clone());
            conv.transfer_finished(TransferStatus::Connected);
        }
        // The whisper: the agent hears why the caller is coming while the caller still holds.
        let mut whisper = if queue.whisper {
            let summary = if handover.summary.is_empty() { handover.reason.clone() } else { handover.summary.clone() };
            speech(&self.engines, &tenant.language, &format!("來電轉接：{summary}"), &format!("Incoming call: {summary}")).await
        } else {
            Vec::new()
        };
        whisper.reverse();
        let mut hold = HoldAudio::new();
        let mut frame = vec![0.0f32; FRAME];
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        while !whisper.is_empty() {
            tokio::select! {
                _ = tick.tick() => {
                    let n = whisper.len().min(FRAME);
                    let chunk: Vec<f32> = (0..n).map(|_| whisper.pop().unwrap_or(0.0)).collect();
                    agent_out.play(&chunk);
                    hold.frame(&mut frame);
                    out.play(&frame);
                }
                m = media.recv() => if matches!(m, Some(MediaIn::Hangup) | None) { whisper.clear(); }
            }
        }
        self.announce(agent_id, json!({ "type": "connected", "call_id": call_id }));
        let (mut scribe, mut heard) = CallerScribe::new(self.engines.clone(), tenant);
        let mut said = Vec::new();
        let mut held = false;
        let end = loop {
            tokio::select! {
                m = media.recv() => match m {
                    Some(MediaIn::Audio(a)) => {
                        if let Some(r) = conv.recorder.as_mut() { r.caller(&a); }
                        if !held {
                            agent_out.play(&a);
                            scribe.push(&a);
                        }
                    }
                    Some(MediaIn::Dtmf(_)) => {}
                    Some(MediaIn::Hangup) | None => break DeskEnd::CallerLeft,
                },
                m = agent_media.recv() => match m {
                    Some(MediaIn::Audio(a)) => {
                        if !held {
                            if let Some(r) = conv.recorder.as_mut() { r.bot(&a); }
                            out.play(&a);
                        }
                    }
                    Some(MediaIn::Dtmf(_)) => {}
                    Some(MediaIn::Hangup) | None => break DeskEnd::AgentLeft,
                },
                _ = tick.tick(), if held => {
                    hold.frame(&mut frame);
                    out.play(&frame);
                }
                c = commands.recv() => match c {
                    Some(DeskCommand::Hold(on)) => {
                        held = on;
                        tracing::info!(held, "hold");
                        self.announce(agent_id, json!({ "type": "hold", "call_id": call_id, "on": on }));
                    }
                    Some(DeskCommand::Transfer(target)) => break DeskEnd::Transferred(target),
                    Some(DeskCommand::HangUp) | None => break DeskEnd::AgentLeft,
                },
                Some(text) = heard.recv() => {
                    self.announce(agent_id, json!({ "type": "transcript", "call_id": call_id, "who": "caller", "text": text }));
                    self.app.events.publish(super::events::CallEvent {
                        tenant_id: tenant.id.clone(),
                        call_id: call_id.clone(),
                        kind: super::events::CallEventKind::Turn { speaker: Speaker::Caller, text: text.clone() },
                    });
                    said.push(TranscriptEntry { at_ms: now_ms(), speaker: Speaker::Caller, text, latency_ms: None, intent: None, faq: None, understood: None });
                }
            }
        };
        close();
        let (by, transferred) = match &end {
            DeskEnd::CallerLeft => ("caller", false),
            DeskEnd::AgentLeft => ("agent", false),
            DeskEnd::Transferred(_) => ("transfer", true),
        };
        tracing::info!(by, "the agent's part of the call is over");
        conv.wait_ended().await;
        handling.talk_ended_at_ms = Some(now_ms());
        // Words still being recognised when the agent's part ended are kept too.
        drop(scribe);
        while let Ok(Some(text)) = tokio::time::timeout(Duration::from_secs(5), heard.recv()).await {
            said.push(TranscriptEntry { at_ms: now_ms(), speaker: Speaker::Caller, text, latency_ms: None, intent: None, faq: None, understood: None });
        }
        if transferred {
            said.push(TranscriptEntry { at_ms: now_ms(), speaker: Speaker::System, text: "[transferred on by the agent]".into(), latency_ms: None, intent: None, faq: None, understood: None });
        }
        self.note_with(tenant, &call_id, handling.clone(), said).await;
        {
            let mut board = self.board();
            board.talking.remove(&call_id);
            board.set_state(agent_id, AgentState::WrapUp, Some(call_id.clone()));
            if let Some(p) = board.agents.get_mut(agent_id) {
                p.tell(json!({ "type": "ended", "call_id": call_id, "by": by }));
            }
        }
        end
    }

    /// The wait ran out: a callback request, back to the bot, or a SIP agent.
    #[allow(clippy::too_many_arguments)]
    async fn queue_fallback(
        &self,
        tenant: &Tenant,
        queue: &Queue,
        media: &mut mpsc::Receiver<MediaIn>,
        conv: &mut Conversation,
        out: &mut dyn AudioOut,
        handover: &Handover,
        handling: AgentHandling,
    ) -> Result<Bridged, Option<TransferStatus>> {
        conv.agent_handling(handling);
        let result = match (&queue.fallback, self.sip.get()) {
            (QueueFallback::Sip { uri }, Some(sip)) => {
                let agent = Agent { name: queue.name.clone(), uri: uri.clone(), mode: TransferMode::Bridged };
                let h = Handover { agent, reason: handover.reason.clone(), summary: handover.summary.clone() };
                sip.bridge(tenant, media, conv, out, &h).await
            }
            (fallback, _) => {
                conv.transfer_fallback = Some(fallback_of(fallback));
                Err(Some(TransferStatus::NoAnswer))
            }
        };
        result
    }

    fn announce(&self, agent: &str, event: Value) {
        if let Some(p) = self.board().agents.get_mut(agent) {
            p.tell(event);
        }
    }

    /// After the agent's talk: its end and what the caller said to the agent (marked as such
    /// in the transcript) go on the record the session saved when the caller was put through.
    async fn note_with(&self, tenant: &Tenant, call_id: &str, mut handling: AgentHandling, said: Vec<TranscriptEntry>) {
        let db = &self.app.db;
        let _writing = self.lock_record(call_id).await;
        match db.call(&tenant.id, call_id).await {
            Ok(mut record) => {
                // What agents wrote up already (an agent who transferred the call on) stays.
                if let Some(stored) = record.agent.take() {
                    handling.outcome = stored.outcome;
                    handling.notes = stored.notes;
                    handling.wrapped_up_at_ms = stored.wrapped_up_at_ms;
                    handling.follow_up = stored.follow_up;
                }
                if let Some(name) = handling.agent_name.as_ref().filter(|_| handling.answered) {
                    record.transcript.push(TranscriptEntry {
                        at_ms: said.first().map_or_else(now_ms, |e| e.at_ms),
                        speaker: Speaker::System,
                        text: format!("[with {name} at the desk]"),
                        latency_ms: None,
                        intent: None,
                        faq: None,
                        understood: None,
                    });
                }
                record.transcript.extend(said);
                record.agent = Some(handling);
                if let Err(e) = db.save_call(&record).await {
                    tracing::error!(error = %e, "could not keep the queue's part of the call record");
                }
            }
            Err(e) => tracing::error!(error = %e, "the call record to add the queue's part to is missing"),
        }
    }
}

/// The caller's side of a desk call, transcribed as it is said: the same VAD and recogniser
/// as the bot's turns, with the tenant's languages; each utterance is recognised off the bridge
/// loop and its text comes back on `heard`.
struct CallerScribe {
    vad: VadStream,
    /// Caller audio from `buffer_start_ms` on (stream time of the VAD).
    buffer: Vec<f32>,
    buffer_start_ms: u64,
    engines: Arc<SpeechEngines>,
    languages: Vec<String>,
    heard: mpsc::UnboundedSender<String>,
}

/// 16 kHz: samples per ms.
const PER_MS: u64 = 16;
/// The most caller audio kept while no utterance has ended (a monologue is cut here).
const SCRIBE_MAX_MS: u64 = 30_000;

impl CallerScribe {
    fn new(engines: Arc<SpeechEngines>, tenant: &Tenant) -> (CallerScribe, mpsc::UnboundedReceiver<String>) {
        let settings = &tenant.speech;
        let languages = if settings.caller_languages.is_empty() {
            let own = tenant.language.split('-').next().unwrap_or("en").to_string();
            if own == "en" { vec![own] } else { vec![own, "en".into()] }
        } else {
            settings.caller_languages.clone()
        };
        let endpointing =
            Endpointing { end_of_turn_ms: 700, min_speech_ms: settings.min_speech_ms, ..Endpointing::default() };
        let (heard, rx) = mpsc::unbounded_channel();
        let vad = VadStream::new(engines.vad.clone(), endpointing);
        (CallerScribe { vad, buffer: Vec::new(), buffer_start_ms: 0, engines, languages, heard }, rx)
    }

    fn push(&mut self, samples: &[f32]) {
        self.buffer.extend_from_slice(samples);
        let events = self.vad.push(samples).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "voice activity detection failed");
            Vec::new()
        });
        for e in events {
            if let VadEvent::EndOfTurn { start_ms, end_ms } = e {
                let from = (start_ms.saturating_sub(self.buffer_start_ms) * PER_MS) as usize;
                let to = ((end_ms.saturating_sub(self.buffer_start_ms) * PER_MS) as usize).min(self.buffer.len());
                if from < to {
                    let utterance = self.buffer[from..to].to_vec();
                    let (engines, languages, heard) = (self.engines.clone(), self.languages.clone(), self.heard.clone());
                    tokio::spawn(async move {
                        match engines.recogniser(&languages).transcribe(utterance, languages.clone()).await {
                            Ok(t) if !t.text.trim().is_empty() => {
                                let _ = heard.send(t.text.trim().to_string());
                            }
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "the caller's words with the agent were not recognised"),
                        }
                    });
                }
                self.drop_until(end_ms);
            }
        }
        let now = self.vad.now_ms();
        if now.saturating_sub(self.buffer_start_ms) > SCRIBE_MAX_MS && !self.vad.in_speech() {
            self.drop_until(now.saturating_sub(1000));
        }
    }

    fn drop_until(&mut self, ms: u64) {
        let n = ((ms.saturating_sub(self.buffer_start_ms) * PER_MS) as usize).min(self.buffer.len());
        self.buffer.drain(..n);
        self.buffer_start_ms += n as u64 / PER_MS;
    }
}

/// How a caller's wait in a queue ended.
enum Waited {
    Accepted(Accepted),
    CallerLeft { rang: Vec<String>, first_ring_at_ms: Option<u64> },
    TimedOut { rang: Vec<String>, first_ring_at_ms: Option<u64> },
}

/// Play `samples` to `out` in real time (20 ms frames).
async fn play_all(out: &mut dyn AudioOut, samples: &[f32]) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for chunk in samples.chunks(FRAME) {
        tick.tick().await;
        out.play(chunk);
    }
}

/// Take the caller off the board however the wait ends.
struct LeaveQueue<'a> {
    desk: &'a Desk,
    call_id: String,
}

impl Drop for LeaveQueue<'_> {
    fn drop(&mut self) {
        let mut board = self.desk.board();
        if let Some(i) = board.waiting.iter().position(|w| w.call_id == self.call_id) {
            let w = board.waiting.remove(i);
            if let Some((agent, _)) = w.ringing
                && let Some(p) = board.agents.get_mut(&agent)
            {
                p.tell(json!({ "type": "offer_withdrawn", "call_id": w.call_id, "why": "caller_left" }));
            }
        }
    }
}

/// Speech in the tenant's language at the channel's rate: announcements, the whisper.
async fn speech(engines: &Arc<SpeechEngines>, language: &str, zh: &str, en: &str) -> Vec<f32> {
    let (text, language) = if language.starts_with("zh") { (zh, "zh") } else { (en, "en") };
    engines.speak(language, text, switchboard_media::RATE).await
}

fn fallback_of(f: &QueueFallback) -> TransferFallback {
    match f {
        QueueFallback::Bot => TransferFallback::Bot,
        _ => TransferFallback::Callback,
    }
}

fn play_hold(out: &mut dyn AudioOut, speaking: &mut Vec<f32>, hold: &mut HoldAudio, frame: &mut [f32]) {
    if speaking.is_empty() {
        hold.frame(frame);
        out.play(frame);
    } else {
        let n = speaking.len().min(FRAME);
        let mut chunk: Vec<f32> = speaking.drain(..n).collect();
        chunk.resize(FRAME, 0.0);
        out.play(&chunk);
    }
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
