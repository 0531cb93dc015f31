//! Speech engines that load no model, for testing the conversation: what it does
//! with turns, silence, interruptions and expected answers, with the flow and the
//! session real and the models replaced by rules a test controls.
//!
//! The scripted caller's words are tones: the `k`-th line of the script is a tone
//! of level `0.1 + 0.02·k`, so a test "says" a line by pushing its tone, and the
//! fake recogniser reads the line back from the level, however the audio was cut.

use std::sync::{Arc, Condvar, Mutex};

use super::voice::SpeechEngines;
use switchboard_speech::asr::{AsrPool, Hints, Recogniser, Transcript};
use switchboard_speech::audio::Audio;
use switchboard_speech::tts::Tts;
use switchboard_speech::vad::{SAMPLE_RATE, VoiceActivity};

const LEVEL_BASE: f32 = 0.1;
const LEVEL_STEP: f32 = 0.02;

/// Speech is anything louder than a whisper.
pub struct LoudIsSpeech;

impl VoiceActivity for LoudIsSpeech {
    fn probability(&self, input: Vec<f32>, _state: &mut Vec<f32>) -> anyhow::Result<f32> {
        // The frame is the last 512 samples; the 64 before are context.
        let frame = &input[input.len().saturating_sub(512)..];
        let loud = frame.iter().filter(|s| s.abs() > 0.01).count() * 2 > frame.len();
        Ok(if loud { 0.95 } else { 0.02 })
    }
}

/// A caller's line as audio: `ms` of the line's tone.
pub fn say(line: usize, ms: u64) -> Vec<f32> {
    let level = LEVEL_BASE + LEVEL_STEP * line as f32;
    (0..SAMPLE_RATE as u64 * ms / 1000)
        .map(|i| if (i / 20) % 2 == 0 { level } else { -level }) // a 400 Hz square wave
        .collect()
}

pub fn silence(ms: u64) -> Vec<f32> {
    vec![0.0; (SAMPLE_RATE as u64 * ms / 1000) as usize]
}

/// Hears the script's lines by their tone; every recognition is counted.
pub struct ScriptedEars {
    pub lines: Vec<&'static str>,
    pub language: &'static str,
    pub heard: Mutex<usize>,
}

impl Recogniser for ScriptedEars {
    fn recognise(
        &self,
        samples: &[f32],
        _languages: &[String],
        _draft: &[u32],
        _hints: &Hints,
        _cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<Transcript> {
        *self.heard.lock().unwrap() += 1;
        let loudest = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        let line = ((loudest - LEVEL_BASE) / LEVEL_STEP).round().max(0.0) as usize;
        let text = if loudest < 0.05 { "" } else { self.lines.get(line).copied().unwrap_or("") };
        Ok(Transcript {
            text: text.into(),
            language: self.language.into(),
            confidence: 0.9,
            audio_ms: samples.len() as u64 * 1000 / SAMPLE_RATE as u64,
            features_ms: 0.0,
            encode_ms: 0.0,
            decode_ms: 0.0,
            total_ms: 0.0,
            tokens: text.chars().count(),
            token_ids: Vec::new(),
            drafted: 0,
            free_text: None,
        })
    }
}

/// A voice that speaks silence, `ms_per_char` for each character; with a gate, each
/// synthesis waits until the test opens it (to catch the bot mid-reply).
pub struct QuietVoice {
    pub language: &'static str,
    pub ms_per_char: u64,
    pub gate: Option<Arc<Gate>>,
}

impl Tts for QuietVoice {
    fn language(&self) -> &str {
        self.language
    }

    fn synthesize(&self, sentence: &str, _speed: f32) -> anyhow::Result<Audio> {
        if let Some(gate) = &self.gate {
            gate.pass();
        }
        let ms = sentence.chars().count() as u64 * self.ms_per_char;
        Ok(Audio { rate: 22_050, samples: vec![0.0; (22_050 * ms / 1000) as usize] })
    }
}

/// Closed until opened; counts who waited at it.
#[derive(Default)]
pub struct Gate {
    state: Mutex<(bool, usize)>,
    changed: Condvar,
}

impl Gate {
    pub fn open(&self) {
        self.state.lock().unwrap().0 = true;
        self.changed.notify_all();
    }

    pub fn close(&self) {
        self.state.lock().unwrap().0 = false;
    }

    /// How many syntheses have reached the gate.
    pub fn arrivals(&self) -> usize {
        self.state.lock().unwrap().1
    }

    fn pass(&self) {
        let mut state = self.state.lock().unwrap();
        state.1 += 1;
        self.changed.notify_all();
        while !state.0 {
            state = self.changed.wait(state).unwrap();
        }
    }

    /// Wait (blocking) until `n` syntheses have reached the gate.
    pub fn wait_arrivals(&self, n: usize) {
        let mut state = self.state.lock().unwrap();
        while state.1 < n {
            state = self.changed.wait(state).unwrap();
        }
    }
}

/// Engines for a Mandarin caller saying `lines`, with quiet voices (the Mandarin one
/// behind `gate`, when given) and no end-of-turn model.
pub fn engines(lines: Vec<&'static str>, gate: Option<Arc<Gate>>) -> (Arc<SpeechEngines>, Arc<ScriptedEars>) {
    let ears = Arc::new(ScriptedEars { lines, language: "zh", heard: Mutex::new(0) });
    let asr = AsrPool::start(ears.clone(), 1, 8);
    let voices: Vec<Arc<dyn Tts>> = vec![
        Arc::new(QuietVoice { language: "zh", ms_per_char: 40, gate }),
        Arc::new(QuietVoice { language: "en", ms_per_char: 20, gate: None }),
    ];
    (SpeechEngines::with(Arc::new(LoudIsSpeech), asr, None, voices, None), ears)
}
