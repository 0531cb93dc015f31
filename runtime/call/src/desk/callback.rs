//! An agent calls a follow-up's customer back from the desk.

use super::*;

impl Desk {
    /// The agent calls a follow-up's customer back from the desk: their browser's offer
    /// becomes the desk leg (the answer goes back), and the customer's phone is dialled
    /// (through the tenant's trunk). The callback is a call record of its own (outbound, with
    /// the agent), the task is done once the customer answers, and the agent writes the call up
    /// afterwards as any other. Returns the SDP answer and the new call's id.
    pub async fn call_back(
        &self,
        user: &DeskUser,
        task_id: &str,
        offer_sdp: &str,
    ) -> Result<(String, String), DeskError> {
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
        let phones = self
            .phones
            .get()
            .cloned()
            .ok_or_else(|| DeskError::Invalid("callbacks need SIP (serve with --sip and a trunk)".into()))?;
        let tenant = db.tenant(&user.tenant_id).await.map_err(|e| DeskError::Store(e.to_string()))?;
        {
            let board = self.board();
            if !board.agents.get(&user.id).is_some_and(|p| matches!(p.state, AgentState::Available | AgentState::Away))
            {
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
            ticket_ids: Vec::new(),
            transcript: vec![TranscriptEntry::plain(
                now,
                Speaker::System,
                format!("[{} calls back {} for call {}: {}]", user.name, task.phone, task.call_id, task.note),
            )],
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
    pub(super) async fn run_callback(
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
}
