//! The caller's side: waiting in a queue (the chime, the position, the rings), the
//! screen-pop the desks show, and the queue's fallback.

use super::*;

impl Desk {
    /// The context a ringing desk shows: the caller's number, their customer record and
    /// recent orders, why the bot transferred, its summary, and the transcript so far.
    pub(super) async fn popup(&self, tenant: &Tenant, call_id: &str, handover: &Handover) -> (Value, String) {
        let db = &self.app.db;
        let record = db.call(&tenant.id, call_id).await.ok();
        let caller = record.as_ref().map(|r| r.caller.clone()).unwrap_or_default();
        let customer =
            if caller.is_empty() { None } else { db.customer_by_phone(&tenant.id, &caller).await.ok().flatten() };
        let orders = if caller.is_empty() {
            Vec::new()
        } else {
            db.orders_by_phone(&tenant.id, &caller, 5).await.unwrap_or_default()
        };
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
    pub(super) async fn queue_call(
        &self,
        tenant: &Tenant,
        queue: &Queue,
        media: &mut mpsc::Receiver<MediaIn>,
        conv: &mut Conversation,
        out: &mut dyn AudioOut,
        handover: &Handover,
    ) -> Result<Bridged, Option<TransferStatus>> {
        let call_id = conv.call_id.clone();
        // What the caller hears from here is in the language the bot last spoke to them in.
        let language = conv.speaking.clone().unwrap_or_else(|| tenant.language.clone());
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
            let agent = match self
                .wait_for_agent(tenant, &language, &queue, only.clone(), media, out, handover, &call_id)
                .await
            {
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
                        &language,
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
                handling.within_service_level = handling.time_in_queue_ms() <= queue.service_level_secs as u64 * 1000;
                handling.first_ring_at_ms = first_ring_at_ms;
                handling.rang = rang;
            }
            handling.agent_id = Some(agent_id.clone());
            handling.agent_name = Some(agent_name.clone());
            tracing::info!(agent = %agent_id, "agent accepted: bridging");
            let first = !connected;
            connected = true;
            match self
                .bridge_to_desk(tenant, &queue, media, conv, out, handover, &mut handling, &agent_id, leg, first)
                .await
            {
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
    pub(super) async fn wait_for_agent(
        &self,
        tenant: &Tenant,
        language: &str,
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
        let mut ring_check = tokio::time::interval(Duration::from_millis(200));
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
                        let (tx, engines, language) = (said_tx.clone(), self.engines.clone(), language.to_string());
                        tokio::spawn(async move {
                            let zh = format!("專人都在忙線中，請稍候。您目前是第 {position} 位。");
                            let en = format!("All our agents are busy. Please hold; you are number {position} in line.");
                            let _ = tx.send(speech(&engines, &language, &zh, &en).await);
                        });
                    }
                    play_hold(out, &mut speaking, &mut hold, &mut frame);
                }
                // Rings that ran out pass on (everything else rings at once, from the event
                // that frees an agent or queues a caller): not on every 20 ms frame.
                _ = ring_check.tick() => self.board().assign(),
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
    pub(super) fn rang(&self, call_id: &str) -> (Vec<String>, Option<u64>) {
        let board = self.board();
        let w = board.waiting.iter().find(|w| w.call_id == call_id);
        w.map(|w| (w.rang.clone(), w.first_ring_at_ms)).unwrap_or_default()
    }

    /// The wait ran out: a callback request, back to the bot, or a SIP agent.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn queue_fallback(
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
}

/// How a caller's wait in a queue ended.
pub(super) enum Waited {
    Accepted(Accepted),
    CallerLeft { rang: Vec<String>, first_ring_at_ms: Option<u64> },
    TimedOut { rang: Vec<String>, first_ring_at_ms: Option<u64> },
}

/// Play `samples` to `out` in real time (20 ms frames).
pub(super) async fn play_all(out: &mut dyn AudioOut, samples: &[f32]) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for chunk in samples.chunks(FRAME) {
        tick.tick().await;
        out.play(chunk);
    }
}

/// Take the caller off the board however the wait ends.
pub(super) struct LeaveQueue<'a> {
    pub(super) desk: &'a Desk,
    pub(super) call_id: String,
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

pub(super) fn fallback_of(f: &QueueFallback) -> TransferFallback {
    match f {
        QueueFallback::Bot => TransferFallback::Bot,
        _ => TransferFallback::Callback,
    }
}

pub(super) fn play_hold(out: &mut dyn AudioOut, speaking: &mut Vec<f32>, hold: &mut HoldAudio, frame: &mut [f32]) {
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
