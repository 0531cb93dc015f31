//! Voice activity detection and endpointing with silero VAD v6.
//!
//! One [`Vad`] per process holds the ONNX session; each call owns a
//! [`VadStream`] with the model's recurrent state, the last 64 samples of
//! context, and the endpointing state machine. Audio goes in as 16 kHz mono in
//! any chunk size; events come out:
//!
//! - [`VadEvent::SpeechStart`] as soon as a frame is voiced (barge-in reacts to it);
//! - [`VadEvent::EndOfTurn`] once the caller has been silent for the tenant's
//!   end-of-turn silence, if they spoke for at least the minimum speech length;
//! - [`VadEvent::Discarded`] for voiced bursts shorter than that (a cough, "mm");
//! - [`VadEvent::NoInput`] when [`VadStream::listen`] was armed and nobody spoke in time.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The model works on 512-sample frames at 16 kHz (32 ms).
pub const SAMPLE_RATE: u32 = 16_000;
pub const FRAME: usize = 512;
const CONTEXT: usize = 64;
const FRAME_MS: u64 = 32;
const STATE: usize = 2 * 128;

/// Endpointing settings; a per-tenant setting.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Endpointing {
    /// Speech probability at which a frame counts as voiced.
    pub threshold: f32,
    /// Silence that ends the caller's turn, in ms.
    pub end_of_turn_ms: u32,
    /// Voiced time below which a burst is not a turn (coughs, clicks), in ms.
    pub min_speech_ms: u32,
    /// Audio kept before the first and after the last voiced frame, in ms.
    pub pad_ms: u32,
}

impl Default for Endpointing {
    fn default() -> Self {
        // 600 ms of silence ends a turn: short enough to feel responsive, long
        // enough not to cut callers who pause between items of an order.
        Endpointing { threshold: 0.5, end_of_turn_ms: 600, min_speech_ms: 200, pad_ms: 96 }
    }
}

/// What decides whether a frame is speech: silero VAD, or a fake in tests of the
/// conversation. `input` is one frame with its 64 samples of context before it;
/// `state` is the caller's recurrent state, which the model updates.
pub trait VoiceActivity: Send + Sync {
    fn probability(&self, input: Vec<f32>, state: &mut Vec<f32>) -> anyhow::Result<f32>;
}

/// The shared model.
pub struct Vad {
    session: Mutex<ort::session::Session>,
}

impl Vad {
    /// Load silero VAD from the models directory.
    pub fn load() -> anyhow::Result<Arc<Vad>> {
        let path = super::models::model_file("silero-vad", "silero_vad.onnx")?;
        let session = super::onnx::session(&path, 1)?;
        Ok(Arc::new(Vad { session: Mutex::new(session) }))
    }
}

impl VoiceActivity for Vad {
    /// Speech probability of one frame (with its 64 samples of context), updating `state`.
    fn probability(&self, input: Vec<f32>, state: &mut Vec<f32>) -> anyhow::Result<f32> {
        use ort::value::Tensor;
        let x = Tensor::from_array(([1usize, CONTEXT + FRAME], input))?;
        let s = Tensor::from_array(([2usize, 1, 128], std::mem::take(state)))?;
        let sr = Tensor::from_array(([1usize], vec![SAMPLE_RATE as i64]))?;
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = session.run(ort::inputs!["input" => x, "state" => s, "sr" => sr]).context("silero VAD")?;
        let (_, prob) = outputs["output"].try_extract_tensor::<f32>()?;
        let (_, next) = outputs["stateN"].try_extract_tensor::<f32>()?;
        *state = next.to_vec();
        Ok(prob.first().copied().unwrap_or(0.0))
    }
}

/// Something the endpointer noticed. Times are ms since the stream began.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VadEvent {
    SpeechStart { at_ms: u64 },
    EndOfTurn { start_ms: u64, end_ms: u64 },
    Discarded { start_ms: u64, end_ms: u64 },
    NoInput,
}

/// Speech that has started and not yet ended a turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingSpeech {
    pub start_ms: u64,
    pub end_ms: u64,
    pub silence_ms: u64,
    pub voiced_ms: u64,
    /// The latest frame is below the speech threshold: silence, or the fading end of speech
    /// that the hysteresis still counts as voiced (silero's probability trails the voice by one
    /// to three frames). Speech that ends here ends at `end_ms` unless the voice comes back.
    pub fading: bool,
}

/// One call's VAD: recurrent state, context, and endpointing.
pub struct VadStream {
    vad: Arc<dyn VoiceActivity>,
    config: Endpointing,
    state: Vec<f32>,
    context: [f32; CONTEXT],
    pending: Vec<f32>,
    /// Start of the next frame, in ms.
    now_ms: u64,
    speech: Option<Speech>,
    /// When armed: the time by which speech must start.
    no_input_deadline: Option<u64>,
    /// The latest probability, for meters and tests.
    pub last_probability: f32,
}

struct Speech {
    start_ms: u64,
    last_voiced_end_ms: u64,
    voiced_ms: u64,
}

impl VadStream {
    pub fn new(vad: Arc<dyn VoiceActivity>, config: Endpointing) -> VadStream {
        VadStream {
            vad,
            config,
            state: vec![0.0; STATE],
            context: [0.0; CONTEXT],
            pending: Vec::with_capacity(FRAME * 2),
            now_ms: 0,
            speech: None,
            no_input_deadline: None,
            last_probability: 0.0,
        }
    }

    /// Expect the caller to start speaking within `timeout_ms` (a gather).
    pub fn listen(&mut self, timeout_ms: u32) {
        self.no_input_deadline = Some(self.now_ms + timeout_ms as u64);
    }

    /// Stream time processed so far, in ms.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Audio kept before the first voiced frame, in ms (speech starts this much after `at_ms`).
    pub fn pad_ms(&self) -> u64 {
        self.config.pad_ms as u64
    }

    /// The speech in progress, if any: its start and end (with padding) in stream ms, the silence
    /// since its last voiced frame, and its voiced time.
    pub fn pending(&self) -> Option<PendingSpeech> {
        self.speech.as_ref().map(|s| PendingSpeech {
            start_ms: s.start_ms,
            end_ms: s.last_voiced_end_ms + self.config.pad_ms as u64,
            silence_ms: self.now_ms - s.last_voiced_end_ms,
            voiced_ms: s.voiced_ms,
            fading: self.last_probability < self.config.threshold,
        })
    }

    /// End the speech in progress as a turn now (the caller sounds done before the full
    /// silence): an end of turn, or a discarded burst when it was too short.
    pub fn end_turn(&mut self) -> Option<VadEvent> {
        let s = self.speech.take()?;
        let (start_ms, end_ms) = (s.start_ms, s.last_voiced_end_ms + self.config.pad_ms as u64);
        Some(if s.voiced_ms >= self.config.min_speech_ms as u64 {
            VadEvent::EndOfTurn { start_ms, end_ms }
        } else {
            VadEvent::Discarded { start_ms, end_ms }
        })
    }

    /// Change the silence that ends a turn (longer while a phone number is being said).
    pub fn set_end_of_turn_ms(&mut self, ms: u32) {
        self.config.end_of_turn_ms = ms;
    }

    /// Whether the caller is speaking right now.
    pub fn in_speech(&self) -> bool {
        self.speech.is_some()
    }

    /// Feed 16 kHz mono samples; returns what happened, in order.
    pub fn push(&mut self, samples: &[f32]) -> anyhow::Result<Vec<VadEvent>> {
        self.pending.extend_from_slice(samples);
        let mut events = Vec::new();
        let mut offset = 0;
        while self.pending.len() - offset >= FRAME {
            let frame = &self.pending[offset..offset + FRAME];
            let mut input = Vec::with_capacity(CONTEXT + FRAME);
            input.extend_from_slice(&self.context);
            input.extend_from_slice(frame);
            self.context.copy_from_slice(&frame[FRAME - CONTEXT..]);
            let p = self.vad.probability(input, &mut self.state)?;
            self.last_probability = p;
            self.step(p, &mut events);
            offset += FRAME;
        }
        self.pending.drain(..offset);
        Ok(events)
    }

    fn step(&mut self, p: f32, events: &mut Vec<VadEvent>) {
        let (start, end) = (self.now_ms, self.now_ms + FRAME_MS);
        self.now_ms = end;
        let c = self.config;
        // Hysteresis: once speaking, a frame must fall well below the threshold to count as silence.
        let voiced = if self.speech.is_some() { p >= c.threshold - 0.15 } else { p >= c.threshold };
        match (&mut self.speech, voiced) {
            (None, true) => {
                let at = start.saturating_sub(c.pad_ms as u64);
                self.speech = Some(Speech { start_ms: at, last_voiced_end_ms: end, voiced_ms: FRAME_MS });
                self.no_input_deadline = None;
                events.push(VadEvent::SpeechStart { at_ms: at });
            }
            (Some(s), true) => {
                s.voiced_ms += FRAME_MS;
                s.last_voiced_end_ms = end;
            }
            (Some(s), false) => {
                if end - s.last_voiced_end_ms >= c.end_of_turn_ms as u64 {
                    let (start_ms, end_ms) = (s.start_ms, s.last_voiced_end_ms + c.pad_ms as u64);
                    let event = if s.voiced_ms >= c.min_speech_ms as u64 {
                        VadEvent::EndOfTurn { start_ms, end_ms }
                    } else {
                        VadEvent::Discarded { start_ms, end_ms }
                    };
                    events.push(event);
                    self.speech = None;
                }
            }
            (None, false) => {
                if self.no_input_deadline.is_some_and(|d| end >= d) {
                    self.no_input_deadline = None;
                    events.push(VadEvent::NoInput);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::Audio;

    /// Real speech: espeak-ng (installed by scripts/setup) saying `text`, at 16 kHz.
    pub(crate) fn espeak(text: &str, voice: &str) -> Audio {
        let out = std::process::Command::new("espeak-ng")
            .args(["-v", voice, "--stdout", text])
            .output()
            .expect("espeak-ng is needed for speech tests; scripts/setup installs it");
        assert!(out.status.success(), "espeak-ng failed");
        Audio::parse_wav(&out.stdout).expect("espeak-ng WAV").resampled(SAMPLE_RATE)
    }

    fn silence(ms: u64) -> Vec<f32> {
        vec![0.0; (SAMPLE_RATE as u64 * ms / 1000) as usize]
    }

    fn run(samples: &[f32], config: Endpointing, listen: Option<u32>) -> Vec<VadEvent> {
        let vad = Vad::load().expect("silero VAD model (scripts/setup fetches it)");
        let mut stream = VadStream::new(vad, config);
        if let Some(t) = listen {
            stream.listen(t);
        }
        // Feed in 20 ms packets, as telephony delivers them.
        let mut events = Vec::new();
        for chunk in samples.chunks(320) {
            events.extend(stream.push(chunk).unwrap());
        }
        events
    }

    #[test]
    fn a_spoken_sentence_is_one_turn_at_the_right_place() {
        let speech = espeak("I would like two large bubble milk teas please", "en-us");
        let lead = 1000u64;
        let speech_ms = (speech.duration_secs() * 1000.0) as u64;
        let mut samples = silence(lead);
        samples.extend_from_slice(&speech.samples);
        samples.extend(silence(1500));
        let events = run(&samples, Endpointing::default(), None);
        let turns: Vec<_> = events.iter().filter(|e| matches!(e, VadEvent::EndOfTurn { .. })).collect();
        assert_eq!(turns.len(), 1, "one turn: {events:?}");
        let VadEvent::EndOfTurn { start_ms, end_ms } = *turns[0] else { unreachable!() };
        assert!(start_ms.abs_diff(lead) < 250, "starts near {lead} ms: {start_ms}");
        assert!(end_ms.abs_diff(lead + speech_ms) < 400, "ends near {} ms: {end_ms}", lead + speech_ms);
        assert!(matches!(events[0], VadEvent::SpeechStart { .. }));
    }

    #[test]
    fn silence_and_a_click_are_not_turns() {
        let mut samples = silence(800);
        // A 60 ms burst of noise: not a turn.
        let mut seed = 12345u32;
        samples.extend((0..960).map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            ((seed >> 16) as f32 / 32768.0 - 1.0) * 0.3
        }));
        samples.extend(silence(1500));
        let events = run(&samples, Endpointing::default(), None);
        assert!(!events.iter().any(|e| matches!(e, VadEvent::EndOfTurn { .. })), "{events:?}");
    }

    #[test]
    fn nobody_speaking_is_no_input() {
        let events = run(&silence(2000), Endpointing::default(), Some(1000));
        assert_eq!(events, vec![VadEvent::NoInput]);
    }

    #[test]
    fn mandarin_speech_is_detected_too() {
        let speech = espeak("我要兩杯大杯珍珠奶茶，半糖少冰", "cmn");
        let mut samples = silence(500);
        samples.extend_from_slice(&speech.samples);
        samples.extend(silence(1200));
        let events = run(&samples, Endpointing::default(), None);
        assert!(events.iter().any(|e| matches!(e, VadEvent::EndOfTurn { .. })), "{events:?}");
    }
}
