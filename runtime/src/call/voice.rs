//! A voice call on top of the [`CallSession`]: caller audio in, bot audio out.
//!
//! ```text
//! 16 kHz audio ─► VAD (endpointing) ─► end of turn ─► ASR ─► CallSession::input ─► replies ─► TTS ─► audio
//! ```
//!
//! Channels (SIP, WebRTC, the voice mode of `switchboard chat`) decode their
//! audio to 16 kHz, push it here, and play what comes back.

use std::sync::Arc;

use super::session::{CallSession, CallSetup, CallerInput, Turn};
use crate::app::App;
use crate::speech::asr::{AsrPool, Transcript, Whisper, WhisperSize};
use crate::speech::audio::Audio;
use crate::speech::tts::{Tts, mandarin::MandarinVoice, piper::Piper, sentences};
use crate::speech::vad::{Endpointing, SAMPLE_RATE, Vad, VadEvent, VadStream};
use crate::storage::calls::Outcome;

/// The speech engines, loaded once per process and shared by every voice call.
pub struct SpeechEngines {
    pub vad: Arc<Vad>,
    pub asr: AsrPool,
    pub voices: Vec<Arc<dyn Tts>>,
}

impl SpeechEngines {
    pub fn load(asr: WhisperSize) -> anyhow::Result<Arc<SpeechEngines>> {
        let whisper = Whisper::load(asr)?;
        let english: Arc<dyn Tts> = Arc::new(Piper::load()?);
        let mandarin: Arc<dyn Tts> = Arc::new(MandarinVoice::load()?);
        Ok(Arc::new(SpeechEngines {
            vad: Vad::load()?,
            asr: AsrPool::start(whisper, 0, 32),
            voices: vec![english, mandarin],
        }))
    }

    fn voice(&self, language: &str) -> Option<&Arc<dyn Tts>> {
        let base = language.split('-').next().unwrap_or(language);
        self.voices.iter().find(|v| v.language() == base)
    }
}

/// What happened on the call, for the channel to play or show.
#[derive(Debug)]
pub enum VoiceEvent {
    /// The caller's turn, as recognised.
    Heard(Transcript),
    /// The bot speaks: its text and, when there is a voice for its language, the audio.
    Said {
        text: String,
        language: String,
        audio: Option<Audio>,
    },
    /// The caller said something too short to be a turn (a cough, "mm").
    Ignored,
    Ended(Outcome),
}

pub struct VoiceCall {
    pub session: CallSession,
    engines: Arc<SpeechEngines>,
    vad: VadStream,
    /// Caller audio since `buffer_start_ms` (stream time).
    buffer: Vec<f32>,
    buffer_start_ms: u64,
    /// Sample rate the channel plays.
    out_rate: u32,
    /// Languages the caller may speak: the tenant's, and English.
    languages: Vec<String>,
}

impl VoiceCall {
    /// Answer: start the session and speak its greeting.
    pub async fn start(
        app: Arc<App>,
        engines: Arc<SpeechEngines>,
        setup: CallSetup,
        endpointing: Endpointing,
        out_rate: u32,
    ) -> (VoiceCall, Vec<VoiceEvent>) {
        let tenant_language = setup.tenant.language.split('-').next().unwrap_or("en").to_string();
        let mut languages = vec![tenant_language];
        if languages[0] != "en" {
            languages.push("en".into());
        }
        let (session, greeting) = CallSession::start(app, setup).await;
        let vad = VadStream::new(engines.vad.clone(), endpointing);
        let call = VoiceCall { session, engines, vad, buffer: Vec::new(), buffer_start_ms: 0, out_rate, languages };
        let events = call.speak(greeting).await;
        (call, events)
    }

    pub fn is_ended(&self) -> bool {
        self.session.is_ended()
    }

    /// Feed caller audio (16 kHz mono, any chunk size).
    pub async fn push(&mut self, samples: &[f32]) -> anyhow::Result<Vec<VoiceEvent>> {
        self.buffer.extend_from_slice(samples);
        let mut events = Vec::new();
        for e in self.vad.push(samples)? {
            match e {
                VadEvent::EndOfTurn { start_ms, end_ms } => {
                    let utterance = self.take(start_ms, end_ms);
                    events.extend(self.turn(utterance).await);
                    if self.is_ended() {
                        break;
                    }
                }
                VadEvent::Discarded { end_ms, .. } => {
                    self.take(end_ms, end_ms);
                    events.push(VoiceEvent::Ignored);
                }
                VadEvent::NoInput => {
                    let turn = self.session.input(CallerInput::NoInput { no_input: true }).await;
                    events.extend(self.speak(turn).await);
                }
                VadEvent::SpeechStart { .. } => {}
            }
        }
        Ok(events)
    }

    /// The caller hung up.
    pub async fn hang_up(&mut self) -> Vec<VoiceEvent> {
        let turn = self.session.caller_hung_up().await;
        self.speak(turn).await
    }

    /// Caller audio between two stream times; older audio is dropped.
    fn take(&mut self, start_ms: u64, end_ms: u64) -> Vec<f32> {
        let per_ms = SAMPLE_RATE as u64 / 1000;
        let from = (start_ms.saturating_sub(self.buffer_start_ms) * per_ms) as usize;
        let to = ((end_ms.saturating_sub(self.buffer_start_ms) * per_ms) as usize).min(self.buffer.len());
        let utterance = self.buffer.get(from.min(to)..to).map(<[f32]>::to_vec).unwrap_or_default();
        self.buffer.drain(..to);
        self.buffer_start_ms += (to as u64) / per_ms;
        utterance
    }

    async fn turn(&mut self, utterance: Vec<f32>) -> Vec<VoiceEvent> {
        let transcript = match self.engines.asr.transcribe(utterance, self.languages.clone()).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "recognition failed");
                return vec![VoiceEvent::Ignored];
            }
        };
        if transcript.text.trim().is_empty() {
            return vec![VoiceEvent::Ignored];
        }
        let input = CallerInput::Speech {
            text: transcript.text.clone(),
            confidence: Some(transcript.confidence),
            language: Some(transcript.language.clone()),
        };
        let mut events = vec![VoiceEvent::Heard(transcript)];
        let turn = self.session.input(input).await;
        events.extend(self.speak(turn).await);
        events
    }

    /// Synthesise the turn's replies sentence by sentence (the first can play while the rest is made).
    async fn speak(&self, turn: Turn) -> Vec<VoiceEvent> {
        let mut events = Vec::new();
        for reply in turn.replies {
            let audio = match self.engines.voice(&reply.language) {
                Some(voice) => {
                    let (voice, text, rate) = (voice.clone(), reply.text.clone(), self.out_rate);
                    tokio::task::spawn_blocking(move || -> anyhow::Result<Audio> {
                        let mut all: Option<Audio> = None;
                        for sentence in sentences(&text) {
                            let a = voice.synthesize(&sentence, 1.0)?.resampled(rate);
                            match &mut all {
                                Some(x) => x.samples.extend(a.samples),
                                None => all = Some(a),
                            }
                        }
                        all.ok_or_else(|| anyhow::anyhow!("nothing to say"))
                    })
                    .await
                    .map_err(anyhow::Error::from)
                    .and_then(|r| r)
                    .inspect_err(|e| tracing::warn!(error = %e, "synthesis failed"))
                    .ok()
                }
                None => None,
            };
            events.push(VoiceEvent::Said { text: reply.text, language: reply.language, audio });
        }
        if let Some(outcome) = turn.ended {
            events.push(VoiceEvent::Ended(outcome));
        }
        events
    }
}
