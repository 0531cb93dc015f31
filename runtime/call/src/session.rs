//! The call session: one per call, owned by the task that serves the call.
//!
//! ```text
//! caller input ──► event ──► flow (sandboxed) ──► actions ──► replies / transfer / hang-up
//!                                   │ fault
//!                                   └──► apology, transfer to an agent (or polite end), recorded
//! ```
//!
//! Every turn is saved to the call record before the session returns, so a
//! crash loses at most the turn in progress.

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::app::App;
use crate::events::{CallEvent, CallEventKind};
use switchboard_domain::calls::{
    CallRecord, Channel, Direction, Outcome, Speaker, TranscriptEntry, TransferRecord, TransferStatus,
};
use switchboard_domain::ids;
use switchboard_domain::tenants::{Agent, Tenant, TransferFallback};
use switchboard_flows::actions::Action;
use switchboard_flows::bindings::types as wit;
use switchboard_flows::context::CallScope;
use switchboard_flows::instance::{FlowFault, FlowInstance};

/// Most events a single caller input may cause (a transfer result feeds back into the flow).
const MAX_EVENTS_PER_INPUT: usize = 4;
/// A call is ended by the host after this many caller turns.
pub const MAX_TURNS: usize = 200;

/// What is needed to start a call.
pub struct CallSetup {
    pub tenant: Tenant,
    pub caller: String,
    pub callee: String,
    pub channel: Channel,
    pub direction: Direction,
    pub flow_input: String,
    /// A stored flow version to run instead of the active one (the console's chat panel).
    pub flow_version: Option<u32>,
    /// Replay a saved conversation: nothing is stored (no call record, no order, no tenant
    /// state), no event is announced and no metric counted.
    pub replay: bool,
}

impl CallSetup {
    /// An inbound call without audio (simulated calls, the WebSocket session, `switchboard chat`).
    pub fn inbound_text(tenant: Tenant, caller: String, callee: String) -> CallSetup {
        CallSetup {
            tenant,
            caller,
            callee,
            channel: Channel::Simulated,
            direction: Direction::Inbound,
            flow_input: String::new(),
            flow_version: None,
            replay: false,
        }
    }
}

/// One thing the caller did.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum CallerInput {
    Speech {
        text: String,
        #[serde(default)]
        confidence: Option<f32>,
        #[serde(default)]
        language: Option<String>,
    },
    Dtmf {
        dtmf: String,
    },
    NoInput {
        no_input: bool,
    },
    Hangup {
        hangup: bool,
    },
}

/// Something the bot says.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Reply {
    pub text: String,
    pub language: String,
    /// Whether caller speech may cut it short (barge-in).
    pub interruptible: bool,
}

/// A transfer a live channel (SIP, WebRTC) carries out: the session waits for
/// [`CallSession::transfer_finished`].
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Handover {
    pub agent: Agent,
    pub reason: String,
    /// What the agent is told: reason, order details, transcript summary.
    pub summary: String,
}

/// The bot's answer to one input (or to the call starting).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Turn {
    pub replies: Vec<Reply>,
    pub actions: Vec<Action>,
    /// Set when the call ended during this turn.
    pub ended: Option<Outcome>,
    /// Set when the flow asked for a transfer the channel must carry out.
    pub handover: Option<Handover>,
    /// The flow's last gather: how long to wait for the caller once the replies have played.
    pub gather_timeout_ms: Option<u32>,
    /// What the flow expects the caller to say next (recognition and end of turn use it).
    #[serde(skip)]
    pub expecting: Option<switchboard_understand::Expectation>,
}

pub struct CallSession {
    app: Arc<App>,
    tenant: Tenant,
    info: wit::CallInfo,
    flow: Option<FlowInstance>,
    pub record: CallRecord,
    span: tracing::Span,
    replay: bool,
}

fn is_cjk(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{3400}'..='\u{9fff}'))
}

/// Apologies the host speaks when the flow cannot, in the tenant's language.
fn host_phrase(language: &str, zh: &str, en: &str) -> String {
    if language.starts_with("zh") { zh.to_string() } else { en.to_string() }
}

impl CallSession {
    /// Answer a call: pick the tenant's active flow, instantiate it, deliver `call-started`.
    pub async fn start(app: Arc<App>, setup: CallSetup) -> (CallSession, Turn) {
        let call_id = ids::new_id("call");
        let span = tracing::info_span!("call", call_id = %call_id, tenant_id = %setup.tenant.id);
        let started_at_ms = ids::now_ms();
        let info = wit::CallInfo {
            call_id: call_id.clone(),
            caller: setup.caller.clone(),
            callee: setup.callee.clone(),
            direction: match setup.direction {
                Direction::Inbound => wit::Direction::Inbound,
                Direction::Outbound => wit::Direction::Outbound,
            },
            channel: match setup.channel {
                Channel::Simulated => wit::Channel::Simulated,
                Channel::Sip => wit::Channel::Sip,
                Channel::Webrtc => wit::Channel::Webrtc,
            },
            language: setup.tenant.language.clone(),
            flow_input: setup.flow_input.clone(),
            started_at_ms,
        };
        let record = CallRecord {
            id: call_id.clone(),
            tenant_id: setup.tenant.id.clone(),
            caller: setup.caller,
            callee: setup.callee,
            channel: setup.channel,
            direction: setup.direction,
            // A version asked for; else the active one, once the flow is loaded.
            flow_version: setup.flow_version,
            started_at_ms,
            ended_at_ms: None,
            outcome: Outcome::InProgress,
            end_reason: None,
            tags: Vec::new(),
            flow_error: None,
            transfer: None,
            order_ids: Vec::new(),
            ticket_ids: Vec::new(),
            transcript: Vec::new(),
            recording: None,
            agent: None,
        };
        let replay = setup.replay;
        let mut session =
            CallSession { app, tenant: setup.tenant, info, flow: None, record, span: span.clone(), replay };
        let turn = async {
            if !session.replay {
                session.app.metrics.call_started(&session.tenant.id);
            }
            session.announce(CallEventKind::Started {
                channel: session.record.channel,
                caller: session.record.caller.clone(),
            });
            let mut turn = Turn::default();
            match session.instantiate().await {
                Ok(instance) => {
                    session.record.flow_version = Some(instance.version());
                    session.flow = Some(instance);
                    session.dispatch(wit::Event::CallStarted, &mut turn).await;
                }
                Err(fault) => session.flow_failed(fault, &mut turn).await,
            }
            session.save().await;
            tracing::info!(caller = %session.record.caller, version = ?session.record.flow_version, "call started");
            turn
        }
        .instrument(span)
        .await;
        (session, turn)
    }

    async fn instantiate(&mut self) -> Result<FlowInstance, FlowFault> {
        let wanted = match self.record.flow_version {
            Some(v) => self.app.flows.load(&self.tenant.id, v).await.map(Some),
            None => self.app.flows.active(&self.tenant.id).await,
        };
        let flow = match wanted {
            Ok(Some(flow)) => flow,
            Ok(None) => return Err(FlowFault::NoFlow),
            Err(e) => return Err(FlowFault::Instantiate(e.to_string())),
        };
        let scope = CallScope {
            tenant_id: self.tenant.id.as_str().into(),
            call_id: self.info.call_id.as_str().into(),
            caller: self.info.caller.clone(),
            customer: match self.record.direction {
                Direction::Inbound => self.record.caller.clone(),
                Direction::Outbound => self.record.callee.clone(),
            },
            // A campaign's calls carry its id in their flow input (the scheduler puts it there).
            campaign: serde_json::from_str::<serde_json::Value>(&self.info.flow_input)
                .ok()
                .and_then(|v| v.get("campaign")?.as_str().map(str::to_string)),
            started_at_ms: self.info.started_at_ms,
            language: self.tenant.language.clone(),
            utc_offset_minutes: self.tenant.utc_offset_minutes,
            db: self.app.db.clone(),
            knowledge: self.app.knowledge.clone(),
            replay: self.replay,
        };
        FlowInstance::start(flow, scope, self.tenant.limits).await
    }

    pub fn id(&self) -> &str {
        &self.record.id
    }

    pub fn is_ended(&self) -> bool {
        self.record.outcome != Outcome::InProgress
    }

    /// Handle one caller input.
    pub async fn input(&mut self, input: CallerInput) -> Turn {
        let span = self.span.clone();
        async move {
            let mut turn = Turn::default();
            if self.is_ended() {
                return turn;
            }
            let event = match input {
                CallerInput::Speech { text, confidence, language } => {
                    let text: String = text.chars().take(2000).collect();
                    self.transcribe(Speaker::Caller, text.clone());
                    let language = language.unwrap_or_else(|| if is_cjk(&text) { "zh".into() } else { "en".into() });
                    let confidence = confidence.unwrap_or(1.0).clamp(0.0, 1.0);
                    wit::Event::Utterance(wit::Utterance { text, confidence, language })
                }
                CallerInput::Dtmf { dtmf } => {
                    let digits: String = dtmf
                        .chars()
                        .filter(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D'))
                        .take(32)
                        .collect();
                    self.transcribe(Speaker::Caller, format!("[DTMF {digits}]"));
                    wit::Event::Dtmf(digits)
                }
                CallerInput::NoInput { .. } => {
                    self.transcribe(Speaker::System, "[no input]".into());
                    wit::Event::NoInput
                }
                CallerInput::Hangup { .. } => {
                    self.end(Outcome::Abandoned, "caller-hangup", wit::HangupParty::Caller, &mut turn).await;
                    return turn;
                }
            };
            let caller_turns = self.record.transcript.iter().filter(|t| t.speaker == Speaker::Caller).count();
            if caller_turns > MAX_TURNS {
                self.end(Outcome::Abandoned, "max-turns", wit::HangupParty::Host, &mut turn).await;
                return turn;
            }
            self.dispatch(event, &mut turn).await;
            self.save().await;
            turn
        }
        .instrument(span)
        .await
    }

    /// The process's metrics.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.app.metrics
    }

    /// The caller hung up (or the channel went away).
    pub async fn caller_hung_up(&mut self) -> Turn {
        self.input(CallerInput::Hangup { hangup: true }).await
    }

    /// Deliver an event and act on the flow's answer; follow-up events (a
    /// transfer's result) are delivered in the same turn.
    async fn dispatch(&mut self, event: wit::Event, turn: &mut Turn) {
        let mut next = Some(event);
        let mut delivered = 0;
        while let Some(event) = next.take() {
            delivered += 1;
            if delivered > MAX_EVENTS_PER_INPUT {
                self.flow_failed(
                    FlowFault::InvalidAction("transfer loop: too many transfers in one turn".into()),
                    turn,
                )
                .await;
                return;
            }
            let Some(flow) = self.flow.as_mut() else { return };
            let started = Instant::now();
            let result = flow.handle(&self.info, &event).await;
            self.app.metrics.flow_event(started.elapsed());
            let orders = flow.take_new_orders();
            self.record.order_ids.extend(orders);
            self.record.ticket_ids.extend(flow.take_new_tickets());
            if matches!(event, wit::Event::Utterance(_)) {
                // What the host understood of the turn, for the analytics.
                let reading = flow.reading();
                if let Some(said) = self.record.transcript.iter_mut().rev().find(|t| t.speaker == Speaker::Caller) {
                    said.understood = reading.understood();
                    said.intent = reading.intent;
                    said.faq = reading.faq;
                }
            }
            turn.expecting = flow.expecting();
            let actions = match result {
                Ok(actions) => actions,
                Err(fault) => {
                    self.flow_failed(fault, turn).await;
                    return;
                }
            };
            for action in actions {
                turn.actions.push(action.clone());
                match action {
                    Action::Say { text, language, interruptible } => {
                        if let Some(flow) = self.flow.as_mut() {
                            flow.bot_said(&text);
                        }
                        self.transcribe(Speaker::Bot, text.clone());
                        let language = language.unwrap_or_else(|| self.tenant.language.clone());
                        turn.replies.push(Reply { text, language, interruptible });
                    }
                    Action::Gather { timeout_ms, .. } => turn.gather_timeout_ms = Some(timeout_ms),
                    Action::Tag { tags } => {
                        for tag in tags {
                            if !self.record.tags.contains(&tag) {
                                self.record.tags.push(tag);
                            }
                        }
                    }
                    Action::Hangup { reason } => {
                        let reason = reason.unwrap_or_else(|| "bot-hangup".into());
                        self.end(Outcome::Completed, &reason, wit::HangupParty::Bot, turn).await;
                        return;
                    }
                    Action::Transfer { target, reason, summary } => {
                        next = self.transfer(target, reason, summary, turn).await;
                        // Actions after a transfer are not acted on: the call has left the bot
                        // or the flow will answer the transfer result.
                        break;
                    }
                }
            }
        }
    }

    /// Hand the call to an agent. A live channel (SIP, WebRTC) gets a
    /// [`Handover`] to carry out and reports back through
    /// [`CallSession::transfer_finished`]. A text call has no audio to bridge:
    /// when the tenant has an agent, the hand-over is recorded and the call ends
    /// as transferred. Without an agent the flow is told the transfer failed.
    async fn transfer(
        &mut self,
        target: Option<String>,
        reason: String,
        summary: String,
        turn: &mut Turn,
    ) -> Option<wit::Event> {
        let agent = match &target {
            Some(t) => self.tenant.agents.iter().find(|a| &a.name == t || &a.uri == t).cloned().or_else(|| {
                // A flow may name one of the tenant's queues directly (`queue:<id>`).
                let id = switchboard_domain::desk::queue_of(t)?;
                let q = self.tenant.queues.iter().find(|q| q.id == id)?;
                Some(Agent { name: q.name.clone(), uri: t.clone(), mode: Default::default() })
            }),
            None => self.tenant.agents.first().cloned(),
        };
        let target_name = agent.as_ref().map(|a| a.uri.clone()).or(target).unwrap_or_default();
        let live = matches!(self.record.channel, Channel::Sip | Channel::Webrtc);
        let status = match (&agent, live) {
            (None, _) => "failed",
            (Some(_), true) => "pending",
            (Some(_), false) => "connected",
        };
        self.transcribe(Speaker::System, format!("[transfer to {target_name}: {reason}; {status}]"));
        self.record.transfer = Some(TransferRecord {
            target: target_name.clone(),
            reason: reason.clone(),
            summary: summary.clone(),
            status: status.into(),
        });
        tracing::info!(target = %target_name, %reason, status, "transfer");
        match (agent, live) {
            (Some(agent), true) => {
                turn.handover = Some(Handover { agent, reason, summary });
                None
            }
            (Some(_), false) => {
                self.end(Outcome::Transferred, &format!("transfer: {reason}"), wit::HangupParty::Host, turn).await;
                None
            }
            (None, _) => Some(wit::Event::TransferResult(wit::TransferResult {
                target: target_name,
                status: wit::TransferStatus::Failed,
            })),
        }
    }

    /// A live channel's transfer ended. Connected: the call leaves the bot.
    /// Otherwise the tenant's fallback applies: back to the flow (it hears the
    /// transfer result), or a callback request and a polite goodbye. `fallback` overrides the
    /// tenant's choice (a queue has its own).
    pub async fn transfer_finished(&mut self, status: TransferStatus, fallback: Option<TransferFallback>) -> Turn {
        let span = self.span.clone();
        async move {
            let mut turn = Turn::default();
            let status_word = status.as_str();
            let target = self.record.transfer.as_ref().map(|t| t.target.clone()).unwrap_or_default();
            let reason = self.record.transfer.as_ref().map(|t| t.reason.clone()).unwrap_or_default();
            if let Some(t) = self.record.transfer.as_mut() {
                t.status = status_word.into();
            }
            self.transcribe(Speaker::System, format!("[transfer to {target}: {status_word}]"));
            tracing::info!(%target, status = status_word, "transfer finished");
            if status == TransferStatus::Connected {
                self.end(Outcome::Transferred, &format!("transfer: {reason}"), wit::HangupParty::Host, &mut turn).await;
                return turn;
            }
            if fallback.unwrap_or(self.tenant.telephony.transfer_fallback) == TransferFallback::Callback {
                self.say_host(
                    &mut turn,
                    "很抱歉，專人目前無法接聽。我們已記下您的電話，會盡快回電給您，謝謝。",
                    "Sorry, nobody could take your call right now. We have noted your number and will call you back soon. Goodbye.",
                );
                if !self.record.tags.iter().any(|t| t == "callback-requested") {
                    self.record.tags.push("callback-requested".into());
                }
                self.end(Outcome::Completed, "callback-requested", wit::HangupParty::Host, &mut turn).await;
                return turn;
            }
            let event = wit::Event::TransferResult(wit::TransferResult { target, status: status.into() });
            self.dispatch(event, &mut turn).await;
            self.save().await;
            turn
        }
        .instrument(span)
        .await
    }

    /// The host ends the call (maximum call length, shutdown) with a polite word.
    pub async fn host_end(&mut self, reason: &str) -> Turn {
        let span = self.span.clone();
        async move {
            let mut turn = Turn::default();
            if self.is_ended() {
                return turn;
            }
            self.say_host(
                &mut turn,
                "很抱歉，通話時間已到上限，謝謝您的來電，再見。",
                "Sorry, this call has reached its time limit. Thank you for calling. Goodbye.",
            );
            self.end(Outcome::Completed, reason, wit::HangupParty::Host, &mut turn).await;
            turn
        }
        .instrument(span)
        .await
    }

    /// Something the host itself says, in the tenant's language, not to be interrupted.
    fn say_host(&mut self, turn: &mut Turn, zh: &str, en: &str) {
        let language = self.tenant.language.clone();
        let text = host_phrase(&language, zh, en);
        self.transcribe(Speaker::Bot, text.clone());
        turn.replies.push(Reply { text, language, interruptible: false });
    }

    /// Note something the channel did (recording consent, a barge-in) in the transcript.
    /// What the agent desk did with the call (its queue, its agent): kept on the record from
    /// the next save on.
    pub fn set_agent_handling(&mut self, handling: switchboard_domain::desk::AgentHandling) {
        self.record.agent = Some(handling);
    }

    pub fn note(&mut self, text: String) {
        self.transcribe(Speaker::System, text);
    }

    /// The flow failed: apologise, hand over to an agent if the tenant has one,
    /// otherwise end politely. The record says why.
    async fn flow_failed(&mut self, fault: FlowFault, turn: &mut Turn) {
        tracing::warn!(fault = %fault, kind = fault.kind(), "flow failed");
        self.app.metrics.flow_error(&self.tenant.id, fault.kind());
        self.record.flow_error = Some(fault.to_string());
        self.flow = None;
        let has_agent = !self.tenant.agents.is_empty() && !matches!(fault, FlowFault::NoFlow);
        let (zh, en) = if matches!(fault, FlowFault::NoFlow) {
            (
                "很抱歉，這支電話目前無法提供服務，請稍後再撥。",
                "Sorry, this line is not in service right now. Please call again later.",
            )
        } else if has_agent {
            (
                "很抱歉，系統發生問題，現在為您轉接專人服務。",
                "Sorry, something went wrong on our side. Let me put you through to a member of our team.",
            )
        } else {
            (
                "很抱歉，系統發生問題，請稍後再撥，謝謝您。",
                "Sorry, something went wrong on our side. Please call again later. Goodbye.",
            )
        };
        self.say_host(turn, zh, en);
        if has_agent {
            let agent = self.tenant.agents[0].clone();
            let summary = format!(
                "The bot failed ({}); caller {}. Last words: {}",
                fault.kind(),
                self.record.caller,
                self.last_caller_words()
            );
            turn.actions.push(Action::Transfer {
                target: Some(agent.name.clone()),
                reason: "flow-error".into(),
                summary: summary.clone(),
            });
            self.record.transfer = Some(TransferRecord {
                target: agent.uri,
                reason: "flow-error".into(),
                summary,
                status: "connected".into(),
            });
            self.end(Outcome::Transferred, "flow-error", wit::HangupParty::Host, turn).await;
        } else {
            turn.actions.push(Action::Hangup { reason: Some("flow-error".into()) });
            self.end(Outcome::Failed, "flow-error", wit::HangupParty::Host, turn).await;
        }
    }

    fn last_caller_words(&self) -> String {
        self.record
            .transcript
            .iter()
            .rev()
            .find(|t| t.speaker == Speaker::Caller)
            .map(|t| t.text.clone())
            .unwrap_or_default()
    }

    /// End the call: tell a healthy flow (its answer is not acted on), close the record.
    async fn end(&mut self, outcome: Outcome, reason: &str, party: wit::HangupParty, turn: &mut Turn) {
        if self.is_ended() {
            return;
        }
        self.record.outcome = outcome;
        self.record.end_reason = Some(reason.to_string());
        self.record.ended_at_ms = Some(ids::now_ms());
        if let Some(mut flow) = self.flow.take() {
            if let Err(fault) = flow.handle(&self.info, &wit::Event::Hangup(party)).await {
                tracing::warn!(fault = %fault, "flow failed handling hang-up");
            }
            self.record.order_ids.extend(flow.take_new_orders());
            self.record.ticket_ids.extend(flow.take_new_tickets());
        }
        turn.ended = Some(outcome);
        if !self.replay {
            self.app.metrics.call_ended(&self.tenant.id, outcome);
            // The analytics group the turns the bot failed by meaning: embed them now, in the
            // background, so that the console finds them ready.
            let failed: Vec<String> = switchboard_domain::calls::unheard_turns(&self.record)
                .into_iter()
                .map(|(_, t)| t.text.trim().to_string())
                .collect();
            if !failed.is_empty() {
                self.app.knowledge.warm_turns(failed);
            }
        }
        tracing::info!(outcome = outcome.as_str(), reason, "call ended");
        self.save().await;
        self.announce(CallEventKind::Ended { outcome, reason: reason.to_string() });
    }

    fn announce(&self, kind: CallEventKind) {
        if self.replay {
            return;
        }
        let (tenant_id, call_id) = (self.tenant.id.clone(), self.record.id.clone());
        self.app.events.publish(CallEvent { tenant_id, call_id, kind });
    }

    /// The bot's answer to the caller's last spoken turn began this long after their speech
    /// ended: kept on that turn in the transcript (saved with the next turn, or now when the
    /// call has ended: the goodbye is the last answer).
    pub async fn reply_latency(&mut self, latency: std::time::Duration) {
        let turn = self.record.transcript.iter_mut().rev().find(|t| t.speaker == Speaker::Caller);
        if let Some(t) = turn.filter(|t| t.latency_ms.is_none()) {
            t.latency_ms = Some(latency.as_millis().min(u32::MAX as u128) as u32);
            if self.record.ended_at_ms.is_some() {
                self.save().await;
            }
        }
    }

    fn transcribe(&mut self, speaker: Speaker, text: String) {
        self.announce(CallEventKind::Turn { speaker, text: text.clone() });
        self.record.transcript.push(TranscriptEntry {
            at_ms: ids::now_ms(),
            speaker,
            text,
            latency_ms: None,
            intent: None,
            faq: None,
            understood: None,
        });
    }

    async fn save(&mut self) {
        if self.replay {
            return;
        }
        let record = self.record.clone();
        if let Err(e) = self.app.db.save_call(&record).await {
            tracing::error!(error = %e, "could not save the call record");
        }
    }
}
