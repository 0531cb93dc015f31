//! The live conversation every audio channel runs (SIP now, WebRTC next): a
//! real-time loop around a [`VoiceCall`].
//!
//! ```text
//!  channel ──MediaIn (16 kHz audio, keys, hang-up)──► loop ──► brain task (VoiceCall: VAD → ASR → flow → TTS)
//!     ▲                                                │                     │
//!     └──── 20 ms frames, paced ◄── playout queue ◄────┴──── VoiceEvents ◄────┘
//! ```
//!
//! The brain runs in its own task so that recognition and synthesis never
//! stall the 20 ms playout clock. Barge-in: when the caller starts speaking
//! over an interruptible prompt, playback pauses at once (the VAD's speech
//! start); if the sound turns out not to be a turn (a cough, a short "嗯" or
//! "mm-hm") playback resumes where it stopped, otherwise the rest of the prompt
//! is dropped and the caller's words are the next turn.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::recording::Recorder;
use super::session::Handover;
use super::voice::{VoiceCall, VoiceEvent};
use switchboard_domain::calls::Outcome;
use switchboard_domain::calls::TransferStatus;
use switchboard_domain::tenants::TransferFallback;

pub use switchboard_media::{AudioOut, FRAME, MediaIn};

/// What a watching channel is told as the call goes (the widget's live transcript).
#[derive(Debug, Clone)]
pub enum Progress {
    /// The caller's turn, as recognised.
    Heard(String),
    /// What the bot says.
    Said(String),
    /// The caller's speech cut the bot short.
    BargeIn,
    /// The bot's turn has played out: the caller's turn (the widget shows it; a test caller waits
    /// for it before answering).
    Listening,
}

/// Why [`Conversation::run`] returned.
#[derive(Debug, PartialEq)]
pub enum Stop {
    /// The call ended (bot or host hung up, or a transfer connected); the last words have played.
    Ended(Outcome),
    /// The flow asked for a transfer and its announcement has played: the channel carries it out,
    /// then calls [`Conversation::transfer_finished`] and runs the conversation again.
    Transfer(Handover),
    /// The caller hung up; the call record is closed.
    CallerHungUp,
}

enum BrainIn {
    /// Caller audio and when it arrived.
    Audio(Vec<f32>, Instant),
    Dtmf(char),
    PlaybackDone,
    Hangup,
    TimeLimit,
    /// With the fallback that overrides the tenant's (a queue's own).
    TransferFinished(TransferStatus, Option<TransferFallback>),
    /// The caller's speech cut the bot short: noted in the transcript.
    BargeIn,
    /// The agent desk's part of the call, for the record's next save.
    AgentHandling(Box<switchboard_domain::desk::AgentHandling>),
    /// The first audio of the bot's answer played this long after the caller's speech ended.
    ReplyLatency(Duration),
}

struct Segment {
    samples: Vec<f32>,
    pos: usize,
    interruptible: bool,
    /// The first reply to a spoken turn: when the caller stopped speaking.
    end_of_speech: Option<Instant>,
}

pub struct Conversation {
    pub call_id: String,
    to_brain: mpsc::UnboundedSender<BrainIn>,
    from_brain: mpsc::UnboundedReceiver<VoiceEvent>,
    playout: VecDeque<Segment>,
    /// Playback paused by the caller's speech, pending the decision (barge-in or a cough).
    paused: bool,
    /// The brain has handed over all of the turn's audio: once it has played, the caller's turn starts.
    turn_spoken: bool,
    /// The bot has said something since the caller's turn last started (a turn that only listens
    /// on, such as a key of a number being typed, does not start a new one for the watcher).
    spoke: bool,
    bot_speaking: Arc<std::sync::atomic::AtomicBool>,
    barge_in: bool,
    deadline: Instant,
    time_limit_sent: bool,
    ending: Option<Outcome>,
    handover: Option<Handover>,
    pub recorder: Option<Recorder>,
    /// End of the caller's speech → first audio of the bot's answer, per spoken turn.
    pub reply_latencies: Vec<Duration>,
    /// Where reply latencies are exported as they are measured.
    app: Option<Arc<crate::app::App>>,
    /// Told of every line of the transcript as it happens.
    pub watcher: Option<Box<dyn FnMut(Progress) + Send>>,
    /// What a failed transfer falls back to, when not the tenant's setting (a queue sets its own).
    pub transfer_fallback: Option<TransferFallback>,
    /// The language the bot last spoke in (the caller's, as the flow chose it): what the host
    /// says on its own later in the call (queue announcements) uses it.
    pub speaking: Option<String>,
}

impl Conversation {
    /// Start the brain for an answered call; `events` are the greeting's (from [`VoiceCall::start`]).
    pub fn new(mut call: VoiceCall, events: Vec<VoiceEvent>, barge_in: bool, max_call: Duration) -> Conversation {
        let call_id = call.session.id().to_string();
        let bot_speaking = call.bot_speaking.clone();
        let (to_brain, brain_rx) = mpsc::unbounded_channel();
        let (brain_tx, from_brain) = mpsc::unbounded_channel();
        for e in events {
            let _ = brain_tx.send(e);
        }
        call.stream = Some(brain_tx.clone());
        tokio::spawn(brain(call, brain_rx, brain_tx));
        Conversation {
            call_id,
            to_brain,
            from_brain,
            playout: VecDeque::new(),
            paused: false,
            turn_spoken: false,
            spoke: false,
            bot_speaking,
            barge_in,
            deadline: Instant::now() + max_call,
            time_limit_sent: false,
            ending: None,
            handover: None,
            recorder: None,
            reply_latencies: Vec::new(),
            app: None,
            watcher: None,
            transfer_fallback: None,
            speaking: None,
        }
    }

    /// A live call on any audio channel, as its tenant configured it: barge-in, the maximum
    /// length, recording; reply latencies go to the app's metrics.
    pub fn live(
        call: VoiceCall,
        greeting: Vec<VoiceEvent>,
        telephony: &switchboard_domain::tenants::TelephonySettings,
        app: Arc<crate::app::App>,
    ) -> Conversation {
        let max_call = Duration::from_secs(telephony.max_call_secs as u64);
        let mut conv = Conversation::new(call, greeting, telephony.barge_in, max_call);
        conv.app = Some(app);
        if telephony.recording {
            conv.recorder = Some(Recorder::default());
        }
        conv
    }

    /// The call is over: save its recording, if it was recorded.
    pub async fn save_recording(&mut self, tenant_id: &str) {
        let (Some(rec), Some(app)) = (self.recorder.take(), self.app.clone()) else { return };
        if let Err(e) = rec.save(&app, tenant_id, &self.call_id).await {
            tracing::error!(call_id = %self.call_id, error = %e, "could not save the recording");
        }
    }

    fn tell(&mut self, p: Progress) {
        if let Some(w) = self.watcher.as_mut() {
            w(p);
        }
    }

    fn playing(&self) -> bool {
        !self.playout.is_empty()
    }

    /// Whether caller speech may interrupt what is playing now.
    fn interruptible(&self) -> bool {
        self.barge_in && self.playout.front().is_some_and(|s| s.interruptible)
    }

    /// The next 20 ms of bot audio (silence when there is none or playback is paused).
    fn next_frame(&mut self, frame: &mut [f32]) {
        frame.fill(0.0);
        if self.paused {
            return;
        }
        let mut filled = 0;
        while filled < frame.len() {
            let Some(seg) = self.playout.front_mut() else { break };
            if let Some(at) = seg.end_of_speech.take() {
                let latency = at.elapsed();
                tracing::info!(call_id = %self.call_id, latency_ms = latency.as_millis() as u64, "reply latency");
                self.reply_latencies.push(latency);
                let _ = self.to_brain.send(BrainIn::ReplyLatency(latency));
                if let Some(app) = &self.app {
                    app.metrics.reply_latency(latency);
                }
            }
            let n = (seg.samples.len() - seg.pos).min(frame.len() - filled);
            frame[filled..filled + n].copy_from_slice(&seg.samples[seg.pos..seg.pos + n]);
            seg.pos += n;
            filled += n;
            if seg.pos >= seg.samples.len() {
                self.playout.pop_front();
            }
        }
    }

    /// A transfer the channel carried out has ended; run the conversation again to hear what follows.
    pub fn transfer_finished(&mut self, status: TransferStatus) {
        self.handover = None;
        let _ = self.to_brain.send(BrainIn::TransferFinished(status, self.transfer_fallback.take()));
    }

    /// What the agent desk did with the call, kept on the record when the session next saves
    /// it (before it announces the call's end).
    pub fn agent_handling(&mut self, handling: switchboard_domain::desk::AgentHandling) {
        let _ = self.to_brain.send(BrainIn::AgentHandling(Box::new(handling)));
    }

    /// The caller went away (also during a transfer, outside [`Conversation::run`]): close the session.
    pub async fn caller_gone(&mut self) {
        let _ = self.to_brain.send(BrainIn::Hangup);
        self.wait_ended().await;
    }

    /// Wait (briefly) until the session has closed the call record.
    pub async fn wait_ended(&mut self) -> Option<Outcome> {
        if self.ending.is_some() {
            return self.ending;
        }
        let wait = async {
            while let Some(e) = self.from_brain.recv().await {
                if let VoiceEvent::Ended(o) = e {
                    return Some(o);
                }
            }
            None
        };
        let outcome = tokio::time::timeout(Duration::from_secs(10), wait).await.ok().flatten();
        self.ending = outcome;
        outcome
    }

    /// Play the bot, listen to the caller, until the call ends or needs the channel.
    pub async fn run(&mut self, media: &mut mpsc::Receiver<MediaIn>, out: &mut dyn AudioOut) -> Stop {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut frame = vec![0.0f32; FRAME];
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    self.next_frame(&mut frame);
                    out.play(&frame);
                    if let Some(r) = self.recorder.as_mut() {
                        r.bot(&frame);
                    }
                    let playing = self.playing() || self.paused;
                    self.bot_speaking.store(playing, Ordering::Relaxed);
                    if self.turn_spoken && !playing {
                        self.turn_spoken = false;
                        let _ = self.to_brain.send(BrainIn::PlaybackDone);
                        if self.spoke && self.ending.is_none() && self.handover.is_none() {
                            self.spoke = false;
                            self.tell(Progress::Listening);
                        }
                    }
                    if !playing {
                        if let Some(outcome) = self.ending {
                            return Stop::Ended(outcome);
                        }
                        if let Some(h) = self.handover.clone() {
                            return Stop::Transfer(h);
                        }
                    }
                    if !self.time_limit_sent && Instant::now() >= self.deadline {
                        self.time_limit_sent = true;
                        tracing::info!(call_id = %self.call_id, "maximum call length reached");
                        let _ = self.to_brain.send(BrainIn::TimeLimit);
                    }
                }
                m = media.recv() => match m {
                    Some(MediaIn::Audio(mut a)) => {
                        if let Some(r) = self.recorder.as_mut() {
                            r.caller(&a);
                        }
                        if self.playing() && !self.paused && !self.interruptible() {
                            // Not interruptible: the caller's sound over this prompt is not heard as a turn.
                            a.fill(0.0);
                        }
                        let _ = self.to_brain.send(BrainIn::Audio(a, Instant::now()));
                    }
                    Some(MediaIn::Dtmf(key)) => {
                        if self.interruptible() {
                            self.playout.clear();
                            self.paused = false;
                        }
                        let _ = self.to_brain.send(BrainIn::Dtmf(key));
                    }
                    Some(MediaIn::Hangup) | None => {
                        self.caller_gone().await;
                        return Stop::CallerHungUp;
                    }
                },
                e = self.from_brain.recv() => match e {
                    Some(e) => self.on_event(e),
                    None => return Stop::Ended(self.ending.unwrap_or(Outcome::Failed)),
                },
            }
        }
    }

    fn on_event(&mut self, e: VoiceEvent) {
        match e {
            VoiceEvent::SpeechStarted { heard_at, onset_ms } => {
                if self.playing() && self.interruptible() && !self.paused {
                    self.paused = true;
                    // Speech onset → pause: the jitter buffer's hold (JITTER_DEPTH packets), the
                    // audio the VAD needed to be sure, and the time since that audio arrived.
                    let reaction_ms = heard_at.map(|at| at.elapsed().as_millis() as u64).unwrap_or(0);
                    let onset_to_pause_ms = switchboard_media::rtp_stream::JITTER_HOLD_MS + onset_ms + reaction_ms;
                    tracing::info!(call_id = %self.call_id, onset_to_pause_ms, onset_ms, reaction_ms, "barge-in: playback paused");
                }
            }
            VoiceEvent::Ignored => {
                if self.paused {
                    self.paused = false;
                    tracing::debug!(call_id = %self.call_id, "not a turn: playback resumed");
                }
            }
            VoiceEvent::Heard(t) => {
                if self.paused {
                    self.paused = false;
                    self.playout.clear();
                    let _ = self.to_brain.send(BrainIn::BargeIn);
                    tracing::info!(call_id = %self.call_id, "barge-in: the rest of the prompt is dropped");
                    self.tell(Progress::BargeIn);
                }
                self.tell(Progress::Heard(t.text));
            }
            VoiceEvent::Said { text, language, audio, interruptible, end_of_speech } => {
                self.speaking = Some(language);
                self.tell(Progress::Said(text));
                self.spoke = true;
                if let Some(a) = audio {
                    self.playout.push_back(Segment { samples: a.samples, pos: 0, interruptible, end_of_speech });
                }
            }
            VoiceEvent::Continued { audio, interruptible } => {
                self.playout.push_back(Segment { samples: audio.samples, pos: 0, interruptible, end_of_speech: None });
            }
            VoiceEvent::TurnSpoken => self.turn_spoken = true,
            VoiceEvent::Transfer(h) => {
                self.handover = Some(h);
            }
            VoiceEvent::Ended(outcome) => {
                self.ending = Some(outcome);
            }
        }
    }
}

/// The brain: owns the call's VoiceCall and turns channel input into events.
async fn brain(mut call: VoiceCall, mut rx: mpsc::UnboundedReceiver<BrainIn>, tx: mpsc::UnboundedSender<VoiceEvent>) {
    while let Some(input) = rx.recv().await {
        let events = match input {
            BrainIn::Audio(a, arrived) => {
                call.audio_arrived = Some(arrived);
                call.push(&a).await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "voice activity detection failed");
                    Vec::new()
                })
            }
            BrainIn::Dtmf(key) => call.dtmf(key).await,
            BrainIn::PlaybackDone => {
                call.playback_done();
                Vec::new()
            }
            BrainIn::Hangup => {
                // A call the bot already ended says so again, so that the channel stops waiting.
                let was_ended = call.is_ended();
                let mut events = call.hang_up().await;
                if was_ended {
                    events.push(VoiceEvent::Ended(call.session.record.outcome));
                }
                events
            }
            BrainIn::TimeLimit => call.host_end("max-duration").await,
            BrainIn::TransferFinished(status, fallback) => call.transfer_finished(status, fallback).await,
            BrainIn::AgentHandling(h) => {
                call.session.set_agent_handling(*h);
                Vec::new()
            }
            BrainIn::BargeIn => {
                call.session.note("[barge-in: the caller spoke over the bot]".into());
                Vec::new()
            }
            BrainIn::ReplyLatency(latency) => {
                call.session.reply_latency(latency).await;
                Vec::new()
            }
        };
        for e in events {
            if tx.send(e).is_err() {
                return;
            }
        }
    }
}
