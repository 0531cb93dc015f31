//! What an agent asks of the desk: their state, the ringing call, the call they are on
//! (hold, transfer, hang-up), the caller's order, and the wrap-up.

use super::*;

impl Desk {
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
            return Err(DeskError::Invalid(
                "on_call and wrap_up follow the calls; choose available, away or offline".into(),
            ));
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
            w.call_id == call_id
                && w.tenant_id == user.tenant_id
                && w.ringing.as_ref().is_some_and(|(a, _)| a == &user.id)
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
        match w.accept.take() {
            Some(tx) => {
                if let Err(refused) = tx.send(accepted) {
                    // The caller's side stopped waiting meanwhile: the desk's leg goes too.
                    (refused.leg.close)();
                    return Err(DeskError::NotOffered);
                }
            }
            None => {
                (accepted.leg.close)();
                return Err(DeskError::NotOffered);
            }
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

    /// A desk user was deleted: their pages are closed, a call ringing for them passes on,
    /// and they leave the board (once off any call they are on, which goes on to its end).
    pub fn remove_agent(&self, tenant_id: &str, user_id: &str) {
        let mut board = self.board();
        let Some(p) = board.agents.get_mut(user_id).filter(|p| p.user.tenant_id == tenant_id) else { return };
        p.watchers.clear();
        p.state = AgentState::Offline;
        if p.call_id.is_none() {
            board.agents.remove(user_id);
        }
        let now = Instant::now();
        for w in board.waiting.iter_mut().filter(|w| w.ringing.as_ref().is_some_and(|(a, _)| a == user_id)) {
            w.ringing = Some((user_id.to_string(), now));
        }
        board.assign();
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

    pub(super) fn command(&self, user: &DeskUser, call_id: &str, command: DeskCommand) -> Result<(), DeskError> {
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
        let order =
            db.create_order(&user.tenant_id, call_id, request, &tenant.language).await.map_err(|e| match e {
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
            Some(old) => format!(
                "[{} replaced order {old} with order #{} ({} {})]",
                user.name, order.number, order.total, order.currency
            ),
            None => format!("[{} placed order #{} ({} {})]", user.name, order.number, order.total, order.currency),
        };
        record.transcript.push(TranscriptEntry::plain(now_ms(), Speaker::System, what));
        db.save_call(&record).await.map_err(|e| DeskError::Store(e.to_string()))?;
        tracing::info!(order = %order.id, replaces = ?replaces, "order from the desk");
        Ok(order)
    }

    /// Whether `call_id` is the call this agent is on or writing up.
    pub(super) fn mine(&self, user: &DeskUser, call_id: &str) -> Result<(), DeskError> {
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
            let mine = board
                .agents
                .get(&user.id)
                .is_some_and(|p| p.state == AgentState::WrapUp && p.call_id.as_deref() == Some(call_id));
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
}
