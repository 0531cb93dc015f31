//! The caller and an agent's desk leg: the whisper, the talk (hold, transfer, hang-up),
//! the caller's words transcribed as they are said, and the agent's part on the record.

use super::*;

impl Desk {
    /// The caller and the agent's desk leg, until one leaves or the agent transfers the call.
    /// `first`: this is the call's first agent (the session hears it connected).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn bridge_to_desk(
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
            speech(
                &self.engines,
                &tenant.language,
                &format!("來電轉接：{summary}"),
                &format!("Incoming call: {summary}"),
            )
            .await
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
                    self.app.events.publish(crate::events::CallEvent {
                        tenant_id: tenant.id.clone(),
                        call_id: call_id.clone(),
                        kind: crate::events::CallEventKind::Turn { speaker: Speaker::Caller, text: text.clone() },
                    });
                    said.push(TranscriptEntry::plain(now_ms(), Speaker::Caller, text));
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
            said.push(TranscriptEntry::plain(now_ms(), Speaker::Caller, text));
        }
        if transferred {
            said.push(TranscriptEntry::plain(now_ms(), Speaker::System, "[transferred on by the agent]".into()));
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

    /// After the agent's talk: its end and what the caller said to the agent (marked as such
    /// in the transcript) go on the record the session saved when the caller was put through.
    pub(super) async fn note_with(
        &self,
        tenant: &Tenant,
        call_id: &str,
        mut handling: AgentHandling,
        said: Vec<TranscriptEntry>,
    ) {
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
                    let at = said.first().map_or_else(now_ms, |e| e.at_ms);
                    record.transcript.push(TranscriptEntry::plain(
                        at,
                        Speaker::System,
                        format!("[with {name} at the desk]"),
                    ));
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
pub(super) struct CallerScribe {
    pub(super) vad: VadStream,
    /// Caller audio from `buffer_start_ms` on (stream time of the VAD).
    pub(super) buffer: Vec<f32>,
    pub(super) buffer_start_ms: u64,
    pub(super) engines: Arc<SpeechEngines>,
    pub(super) languages: Vec<String>,
    pub(super) heard: mpsc::UnboundedSender<String>,
}

/// 16 kHz: samples per ms.
pub(super) const PER_MS: u64 = 16;

/// The most caller audio kept while no utterance has ended (a monologue is cut here).
pub(super) const SCRIBE_MAX_MS: u64 = 30_000;

impl CallerScribe {
    pub(super) fn new(engines: Arc<SpeechEngines>, tenant: &Tenant) -> (CallerScribe, mpsc::UnboundedReceiver<String>) {
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

    pub(super) fn push(&mut self, samples: &[f32]) {
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
                    let (engines, languages, heard) =
                        (self.engines.clone(), self.languages.clone(), self.heard.clone());
                    tokio::spawn(async move {
                        match engines.recogniser(&languages).transcribe(utterance, languages.clone()).await {
                            Ok(t) if !t.text.trim().is_empty() => {
                                let _ = heard.send(t.text.trim().to_string());
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "the caller's words with the agent were not recognised")
                            }
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

    pub(super) fn drop_until(&mut self, ms: u64) {
        let n = ((ms.saturating_sub(self.buffer_start_ms) * PER_MS) as usize).min(self.buffer.len());
        self.buffer.drain(..n);
        self.buffer_start_ms += n as u64 / PER_MS;
    }
}
