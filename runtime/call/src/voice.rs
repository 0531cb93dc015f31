//! A voice call on top of the [`CallSession`]: caller audio in, bot audio out.
//!
//! ```text
//! 16 kHz audio ─► VAD (endpointing) ─► end of turn ─► ASR ─► CallSession::input ─► replies ─► TTS ─► audio
//! ```
//!
//! Channels (SIP, WebRTC, the voice mode of `switchboard chat`) decode their
//! audio to 16 kHz, push it here, and play what comes back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::session::{CallSession, CallSetup, CallerInput, Handover, Reply, Turn};
use crate::app::App;
use switchboard_domain::calls::TransferStatus;
use switchboard_domain::calls::{Channel, Outcome};
use switchboard_speech::asr::{AsrError, AsrPool, Hints, Transcript, Whisper, WhisperSize};
use switchboard_speech::audio::Audio;
use switchboard_speech::tts::{Tts, mandarin::MandarinVoice, piper::Piper, speaking_chunks};
use switchboard_speech::turn::{SmartTurn, TurnDetector};
use switchboard_speech::vad::{Endpointing, SAMPLE_RATE, Vad, VadEvent, VadStream, VoiceActivity};
use switchboard_understand::{AnswerKind, Expectation};

/// Synthesised replies kept for reuse: greetings and other fixed prompts are
/// said on every call and need not be synthesised again.
const PROMPT_CACHE_ENTRIES: usize = 512;
/// Replies longer than this are rarely repeated word for word; not cached.
const PROMPT_CACHE_MAX_CHARS: usize = 200;

type PromptKey = (String, String, u32, u32);

/// End-of-turn silences this short leave no time worth recognising in: the turn ends first.
const SPECULATE_BELOW_TURN_MS: u64 = 220;

/// While the caller speaks, what they have said so far is recognised again after this much
/// more speech, when a recognition worker is idle. The result is not a turn: its tokens are
/// the draft that makes the final recognition faster (see `Whisper::transcribe_drafted`).
const PARTIAL_EVERY_MS: u64 = 1000;

/// A recognition of the caller's speech from `start_ms` to `end_ms` (stream time), started
/// before the turn is over; dropping `rx` cancels it.
struct Early {
    start_ms: u64,
    end_ms: u64,
    rx: switchboard_speech::asr::pool::Pending,
}

/// Digits a phone number has at the least: fewer recognised in a pause means the caller
/// is still saying it.
const PHONE_DIGITS: usize = 8;
/// More silence allowed while a phone number is being said (callers pause between groups).
const DIGITS_EXTRA_MS: u32 = 1000;

/// Extra silence allowed in a turn whose words so far are unfinished: a hesitation or a
/// count with nothing counted at its end.
const UNFINISHED_EXTRA_MS: u32 = 1000;

/// Silence (as the VAD counts it, from about 100 ms after the voice fades) after which an
/// expected answer recognised in the pause, or a whole phone number, ends the turn: at once, in
/// effect, since recognition takes about as long. (A tenant's lower `end_of_turn_min_ms` wins.)
const ANSWER_MIN_SILENCE_MS: u32 = 200;

/// The end-of-turn model's verdict on the speech from `start_ms` to `end_ms`.
struct Verdict {
    start_ms: u64,
    end_ms: u64,
    rx: tokio::sync::oneshot::Receiver<f32>,
    probability: Option<f32>,
}

/// The latest finished early recognition of the speech that began at `start_ms`.
struct Recognised {
    start_ms: u64,
    end_ms: u64,
    transcript: Transcript,
}

/// The speech engines, loaded once per process and shared by every voice call. Each is
/// behind a trait (`VoiceActivity`, `Recogniser` in the pool, `TurnDetector`, `Tts`), so
/// the conversation can be tested with fakes and no model loaded ([`SpeechEngines::with`]).
pub struct SpeechEngines {
    pub vad: Arc<dyn VoiceActivity>,
    pub asr: AsrPool,
    /// tiny.en beside multilingual base: English-only tenants get the faster recogniser.
    pub asr_english: Option<AsrPool>,
    pub voices: Vec<Arc<dyn Tts>>,
    /// Is the caller done? (Smart Turn); without it turns end on silence alone.
    pub turn: Option<Arc<dyn TurnDetector>>,
    /// (language, text, speed in thousandths, sample rate) → audio.
    prompts: Mutex<HashMap<PromptKey, Audio>>,
}

impl SpeechEngines {
    pub fn load(asr: WhisperSize) -> anyhow::Result<Arc<SpeechEngines>> {
        let whisper = Whisper::load(asr)?;
        let asr_english = match asr {
            WhisperSize::TinyEn => None,
            _ => match Whisper::load(WhisperSize::TinyEn) {
                Ok(w) => Some(AsrPool::start(Arc::new(w), 0, 32)),
                Err(e) => {
                    tracing::warn!(error = %e, "tiny.en not available: English-only tenants use the multilingual model");
                    None
                }
            },
        };
        let turn: Option<Arc<dyn TurnDetector>> = match SmartTurn::load() {
            Ok(t) => Some(Arc::new(t)),
            Err(e) => {
                tracing::warn!(error = %e, "Smart Turn not available: turns end on silence alone");
                None
            }
        };
        let english: Arc<dyn Tts> = Arc::new(Piper::load()?);
        let mandarin: Arc<dyn Tts> = Arc::new(MandarinVoice::load()?);
        let vad: Arc<dyn VoiceActivity> = Vad::load()?;
        Ok(SpeechEngines::with(
            vad,
            AsrPool::start(Arc::new(whisper), 0, 32),
            asr_english,
            vec![english, mandarin],
            turn,
        ))
    }

    /// Engines from parts: the models, or fakes in tests.
    pub fn with(
        vad: Arc<dyn VoiceActivity>,
        asr: AsrPool,
        asr_english: Option<AsrPool>,
        voices: Vec<Arc<dyn Tts>>,
        turn: Option<Arc<dyn TurnDetector>>,
    ) -> Arc<SpeechEngines> {
        Arc::new(SpeechEngines { vad, asr, asr_english, voices, turn, prompts: Mutex::new(HashMap::new()) })
    }

    /// The recogniser for a call whose callers speak `languages`: tiny.en (about 2× faster
    /// than base on 3 s of English) when that is English alone and it is loaded.
    pub fn recogniser(&self, languages: &[String]) -> &AsrPool {
        match (&self.asr_english, languages) {
            (Some(english), [only]) if only == "en" => english,
            _ => &self.asr,
        }
    }

    fn voice(&self, language: &str) -> Option<&Arc<dyn Tts>> {
        let base = language.split('-').next().unwrap_or(language);
        self.voices.iter().find(|v| v.language() == base)
    }

    /// A short text (a queue's announcement, an agent's whisper) as audio at `rate`, sentence
    /// by sentence through the prompt cache, off the async executor. Empty without a voice.
    pub async fn speak(self: &Arc<Self>, language: &str, text: &str, rate: u32) -> Vec<f32> {
        let (engines, language, text) = (self.clone(), language.to_string(), text.to_string());
        let work = move || {
            let mut samples = Vec::new();
            for sentence in switchboard_speech::tts::sentences(&text) {
                match engines.render_sentence(&language, &sentence, 1.0, rate) {
                    Some(Ok(audio)) => samples.extend(audio.samples),
                    Some(Err(e)) => tracing::warn!(error = %e, "synthesis failed"),
                    None => break,
                }
            }
            samples
        };
        tokio::task::spawn_blocking(work).await.unwrap_or_default()
    }

    /// One sentence as audio at `rate`: from the prompt cache, or synthesised (and cached when short).
    fn render_sentence(&self, language: &str, sentence: &str, speed: f32, rate: u32) -> Option<anyhow::Result<Audio>> {
        let voice = self.voice(language)?.clone();
        let key = (language.to_string(), sentence.to_string(), (speed * 1000.0) as u32, rate);
        if let Some(hit) = self.prompts.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Some(Ok(hit.clone()));
        }
        let audio = match voice.synthesize(sentence, speed) {
            Ok(a) => a.resampled(rate),
            Err(e) => return Some(Err(e)),
        };
        if sentence.chars().count() <= PROMPT_CACHE_MAX_CHARS {
            let mut cache = self.prompts.lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() >= PROMPT_CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, audio.clone());
        }
        Some(Ok(audio))
    }
}

/// What happened on the call, for the channel to play or show.
#[derive(Debug)]
pub enum VoiceEvent {
    /// The caller started to speak (the channel pauses interruptible playback: barge-in).
    /// `heard_at`: when the audio that showed it arrived, on live channels; `onset_ms`: how much
    /// of that audio had passed since the speech began (the VAD's detection delay).
    SpeechStarted {
        heard_at: Option<std::time::Instant>,
        onset_ms: u64,
    },
    /// The caller's turn, as recognised.
    Heard(Transcript),
    /// The bot speaks: its text and, when there is a voice for its language, the audio.
    Said {
        text: String,
        language: String,
        audio: Option<Audio>,
        interruptible: bool,
        /// For the first reply to a spoken turn: when the caller stopped speaking (for latency).
        end_of_speech: Option<std::time::Instant>,
    },
    /// The next sentence of the reply just `Said`, as soon as it is synthesised.
    Continued {
        audio: Audio,
        interruptible: bool,
    },
    /// Everything the bot had to say for this turn has been handed over.
    TurnSpoken,
    /// The flow asked for a transfer; the channel carries it out and reports back.
    Transfer(Handover),
    /// The caller said something too short to be a turn (a cough, "mm").
    Ignored,
    Ended(Outcome),
}

pub struct VoiceCall {
    pub session: CallSession,
    engines: Arc<SpeechEngines>,
    vad: VadStream,
    /// The silence since the caller's voice was last loud (the VAD's count starts later).
    loudness: switchboard_speech::loudness::Loudness,
    /// Caller audio since `buffer_start_ms` (stream time).
    buffer: Vec<f32>,
    buffer_start_ms: u64,
    /// Sample rate the channel plays.
    out_rate: u32,
    /// Languages the caller may speak (the tenant's setting, else its language and English).
    languages: Vec<String>,
    /// The bot's speaking speed (tenant setting).
    speed: f32,
    /// The last turn's gather timeout: armed once its replies have played.
    pending_gather: Option<u32>,
    /// What the flow expects the caller to say next, for the recogniser.
    hints: Hints,
    /// The script of the tenant's Chinese (its locale), for transcripts.
    script: switchboard_speech::asr::chinese::Script,
    /// Set by the channel while bot audio is playing (or paused by the caller's speech).
    pub bot_speaking: Arc<AtomicBool>,
    /// When the audio being pushed arrived (set by live channels), to time replies from the end of speech.
    pub audio_arrived: Option<std::time::Instant>,
    /// Live channels: events are sent here as they happen (a reply's first sentence plays while
    /// the next is synthesised) instead of being returned at the end of a call to `push`.
    pub stream: Option<tokio::sync::mpsc::UnboundedSender<VoiceEvent>>,
    end_of_turn_ms: u32,
    min_speech_ms: u32,
    /// Semantic end of turn (tenant settings): on, the silence after which a finished-sounding
    /// turn ends, and the probability that counts as finished.
    semantic: bool,
    end_of_turn_min_ms: u32,
    turn_threshold: f32,
    /// What the flow expects next (a phone number waits for all its digits).
    expecting: Option<Expectation>,
    verdict: Option<Verdict>,
    end_of_speech: Option<std::time::Instant>,
    /// Recognition under way before the end of the turn (at most one per call).
    early: Option<Early>,
    recognised: Option<Recognised>,
    /// Live channels: the task that synthesises replies, so that the caller's audio is
    /// listened to while the bot's next sentence is made.
    speaker: Option<mpsc::UnboundedSender<SpeechJob>>,
    /// Bumped when the caller's next turn is heard: a reply still being synthesised is
    /// stale, and the rest of its sentences are dropped (see [`speaker`]).
    generation: Arc<Mutex<u64>>,
}

/// A turn's replies for the speaker task, and what to say when they are handed over.
struct SpeechJob {
    generation: u64,
    replies: Vec<Reply>,
    end_of_speech: Option<std::time::Instant>,
    /// `TurnSpoken`, then any transfer or end: sent even when the audio went stale.
    after: Vec<VoiceEvent>,
}

/// Whether a transcript ends mid-phrase: on a hesitation or a word that joins to more
/// ("um", "and", 「嗯」, 「還有」).
fn trails_off(text: &str) -> bool {
    const ZH: &[&str] = &["嗯", "呃", "那個", "還有", "跟", "和", "然後", "就是", "要"];
    const EN: &[&str] = &["um", "uh", "er", "erm", "and", "or", "with", "like", "the", "a", "so", "some"];
    let t = text.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    ZH.iter().any(|w| t.ends_with(w))
        || t.rsplit(|c: char| !c.is_alphanumeric()).next().is_some_and(|w| EN.contains(&w))
}

/// Whether an order so far ends on a count with nothing counted yet (「我要兩杯」, "I'd like
/// two"): the caller is still saying what. (Asked "how many?", a count alone is the answer;
/// that question has expected choices, and this is not asked then.)
fn counts_without_item(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| !c.is_alphanumeric());
    let mut tail = t.chars().rev();
    // (倍 is how Whisper often writes 杯 said alone.)
    let measure = tail.next().is_some_and(|c| "杯倍個份瓶".contains(c));
    let numeral = tail.next().is_some_and(|c| "一二兩两三四五六七八九十幾".contains(c) || c.is_ascii_digit());
    if measure && numeral {
        return true;
    }
    const COUNTS: &[&str] = &["one", "two", "three", "four", "five", "six", "a couple of", "a few", "a"];
    let lower = t.to_lowercase();
    COUNTS.iter().any(|c| lower.ends_with(&format!(" {c}")) || lower == *c)
}

/// Acknowledgements a caller makes while listening; heard over the bot, they are not a turn.
fn is_backchannel(text: &str) -> bool {
    let t: String = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    const WORDS: &[&str] = &[
        "嗯", "嗯嗯", "恩", "恩恩", "喔", "哦", "噢", "啊", "呃", "mm", "mmm", "mhm", "mmhmm", "mmhm", "hmm", "hm",
        "uhhuh", "uh", "um", "ah", "oh",
    ];
    !t.is_empty() && WORDS.contains(&t.as_str())
}

impl VoiceCall {
    /// Answer: start the session and speak its greeting.
    /// Listening and speaking follow the tenant's speech settings.
    pub async fn start(
        app: Arc<App>,
        engines: Arc<SpeechEngines>,
        setup: CallSetup,
        out_rate: u32,
    ) -> (VoiceCall, Vec<VoiceEvent>) {
        let settings = setup.tenant.speech.clone();
        let languages = if settings.caller_languages.is_empty() {
            let own = setup.tenant.language.split('-').next().unwrap_or("en").to_string();
            if own == "en" { vec![own] } else { vec![own, "en".into()] }
        } else {
            settings.caller_languages.clone()
        };
        let endpointing = Endpointing {
            end_of_turn_ms: settings.end_of_turn_ms,
            min_speech_ms: settings.min_speech_ms,
            ..Endpointing::default()
        };
        let script = switchboard_speech::asr::chinese::Script::for_locale(&setup.tenant.language);
        let live = matches!(setup.channel, Channel::Sip | Channel::Webrtc);
        let consent = (live && setup.tenant.telephony.recording).then(|| {
            let lang = setup.tenant.language.clone();
            let text = setup.tenant.telephony.consent_prompt.clone().unwrap_or_else(|| {
                if lang.starts_with("zh") {
                    "為了維護服務品質，本通電話將會錄音。".into()
                } else {
                    "This call is recorded to help us improve our service.".into()
                }
            });
            Reply { text, language: lang, interruptible: false }
        });
        let (session, greeting) = CallSession::start(app, setup).await;
        let vad = VadStream::new(engines.vad.clone(), endpointing);
        let call = VoiceCall {
            session,
            engines,
            vad,
            buffer: Vec::new(),
            buffer_start_ms: 0,
            out_rate,
            languages,
            speed: settings.speed,
            pending_gather: None,
            hints: Hints { script, ..Hints::default() },
            script,
            bot_speaking: Arc::new(AtomicBool::new(false)),
            audio_arrived: None,
            stream: None,
            end_of_turn_ms: settings.end_of_turn_ms,
            min_speech_ms: settings.min_speech_ms,
            semantic: settings.semantic_end_of_turn,
            end_of_turn_min_ms: settings.end_of_turn_min_ms,
            turn_threshold: settings.turn_complete_threshold,
            expecting: None,
            verdict: None,
            loudness: Default::default(),
            end_of_speech: None,
            early: None,
            recognised: None,
            speaker: None,
            generation: Arc::new(Mutex::new(0)),
        };
        let mut call = call;
        let mut greeting = greeting;
        if let Some(consent) = consent {
            call.session.note("[recording: consent prompt played]".into());
            greeting.replies.insert(0, consent);
        }
        let events = call.speak(greeting).await;
        (call, events)
    }

    pub fn is_ended(&self) -> bool {
        self.session.is_ended()
    }

    /// Feed caller audio (16 kHz mono, any chunk size).
    pub async fn push(&mut self, samples: &[f32]) -> anyhow::Result<Vec<VoiceEvent>> {
        self.buffer.extend_from_slice(samples);
        self.loudness.push(samples);
        let mut events = Vec::new();
        for e in self.vad.push(samples)? {
            match e {
                VadEvent::EndOfTurn { start_ms, end_ms } => {
                    self.finish_turn(start_ms, end_ms, "silence", &mut events).await;
                    if self.is_ended() {
                        break;
                    }
                }
                VadEvent::Discarded { end_ms, .. } => {
                    self.take(end_ms, end_ms);
                    self.emit(&mut events, VoiceEvent::Ignored);
                }
                VadEvent::NoInput => {
                    let turn = self.session.input(CallerInput::NoInput { no_input: true }).await;
                    events.extend(self.speak(turn).await);
                }
                VadEvent::SpeechStart { at_ms } => {
                    let onset_ms = self.vad.now_ms().saturating_sub(at_ms + self.vad.pad_ms());
                    let e = VoiceEvent::SpeechStarted { heard_at: self.audio_arrived, onset_ms };
                    self.emit(&mut events, e);
                }
            }
        }
        if !self.is_ended() {
            self.recognise_early();
            if let Some(path) = self.done_early()
                && let Some(VadEvent::EndOfTurn { start_ms, end_ms }) = self.vad.end_turn()
            {
                self.finish_turn(start_ms, end_ms, path, &mut events).await;
            }
        }
        Ok(events)
    }

    /// The caller's turn is over (`path` says what decided it): recognise it and answer.
    async fn finish_turn(&mut self, start_ms: u64, end_ms: u64, path: &'static str, events: &mut Vec<VoiceEvent>) {
        // The caller stopped speaking this long ago: the silence heard since the last voiced frame.
        let silence_ms = self.vad.now_ms().saturating_sub(end_ms.saturating_sub(self.vad.pad_ms()));
        self.end_of_speech =
            self.audio_arrived.and_then(|at| at.checked_sub(std::time::Duration::from_millis(silence_ms)));
        tracing::info!(path, silence_ms, "caller turn ended");
        self.session.metrics().turn_ended(path);
        self.verdict = None;
        let utterance = self.take(start_ms, end_ms);
        events.extend(self.turn(utterance, start_ms, end_ms).await);
    }

    /// Whether the speech in progress is a finished turn before the full silence:
    /// - an expected answer was recognised in the pause: at once;
    /// - a phone number is expected: when all its digits were recognised in the pause,
    ///   and never on the model's word alone (callers pause between groups of digits);
    /// - otherwise when the end-of-turn model says the caller sounds done, and the silence has
    ///   lasted `end_of_turn_min_ms`.
    fn done_early(&mut self) -> Option<&'static str> {
        if !self.semantic {
            return None;
        }
        let p = self.vad.pending()?;
        let answer_min_ms = ANSWER_MIN_SILENCE_MS.min(self.end_of_turn_min_ms) as u64;
        if p.voiced_ms < self.min_speech_ms as u64 || p.silence_ms < answer_min_ms {
            return None;
        }
        let covers = |start_ms: u64, end_ms: u64| start_ms == p.start_ms && end_ms == p.end_ms;
        let heard = self.recognised.as_ref().filter(|r| covers(r.start_ms, r.end_ms)).map(|r| &r.transcript);
        if let Some(t) = heard
            && (t.free_text.is_some()
                || self.hints.candidates.iter().any(|c| switchboard_speech::asr::whisper::same_answer(c, &t.text)))
        {
            return Some("expected-answer");
        }
        let wants_digits =
            self.expecting.as_ref().is_some_and(|e| matches!(e.kind, AnswerKind::Phone | AnswerKind::Digits));
        if wants_digits {
            let digits = heard.map(|t| switchboard_understand::numbers::spoken_digits(&t.text).len()).unwrap_or(0);
            return (digits >= PHONE_DIGITS).then_some("digits");
        }
        // The recognition of this speech is under way, and the turn cannot end before it is
        // done (the reply needs it, and a closed question's answer ends the turn by itself): the
        // end-of-turn model waits for it, rather than take the cores it runs on.
        let recognising = self.early.as_ref().is_some_and(|e| covers(e.start_ms, e.end_ms));
        if heard.is_none() && recognising {
            return None;
        }
        let detector = self.engines.turn.clone()?;
        // The words too: a turn that ends on "um" or 「還有」 is not over, however it sounds.
        // The reply needs the pause's recognition anyway, so waiting for it costs nothing.
        let ordering =
            self.expecting.as_ref().is_none_or(|e| matches!(e.kind, AnswerKind::Order | AnswerKind::Anything))
                && self.hints.candidates.is_empty();
        let trails_off = heard.map(|t| trails_off(&t.text) || (ordering && counts_without_item(&t.text)));
        if let Some(unfinished) = trails_off {
            // While the words say the caller is not done (「我要兩杯，嗯…」), the turn may pause
            // longer before the silence alone ends it.
            self.vad.set_end_of_turn_ms(self.end_of_turn_ms + if unfinished { UNFINISHED_EXTRA_MS } else { 0 });
        }
        match &mut self.verdict {
            Some(v) if covers(v.start_ms, v.end_ms) => {
                if v.probability.is_none()
                    && let Ok(probability) = v.rx.try_recv()
                {
                    tracing::debug!(probability, silence_ms = p.silence_ms, "end-of-turn model");
                    v.probability = Some(probability);
                }
                let complete = v.probability.is_some_and(|pr| pr >= self.turn_threshold);
                // A caller who sounds done may still be listing (「兩杯綠茶，…半糖少冰」): a turn that
                // ends on the model's word waits `end_of_turn_min_ms` of silence, as heard (on a
                // quiet line the VAD's count starts about 0.1 s after the voice; on a noisy one
                // the VAD's count is all there is).
                let silence_ms = p.silence_ms.max(self.loudness.quiet_ms());
                let long_enough = silence_ms >= self.end_of_turn_min_ms as u64;
                (complete && long_enough && trails_off == Some(false)).then_some("semantic")
            }
            _ => {
                // The turn so far, with the silence after it, judged off the media path.
                let audio = self.peek(p.start_ms, self.vad.now_ms());
                let (tx, rx) = tokio::sync::oneshot::channel();
                tokio::task::spawn_blocking(move || match detector.complete(&audio) {
                    Ok(probability) => {
                        let _ = tx.send(probability);
                    }
                    Err(e) => tracing::warn!(error = %e, "end-of-turn model failed"),
                });
                self.verdict = Some(Verdict { start_ms: p.start_ms, end_ms: p.end_ms, rx, probability: None });
                None
            }
        }
    }

    /// Recognise the caller's speech before the turn is over, so that the text is (nearly)
    /// ready when it is:
    /// - as the voice fades, everything said so far: if the pause lasts to the end of the
    ///   turn, that is the turn's text;
    /// - while the caller speaks, every [`PARTIAL_EVERY_MS`] of speech when a worker is idle
    ///   and the model uses drafts: that text is a draft for the next recognition of the same
    ///   speech.
    fn recognise_early(&mut self) {
        if let Some(e) = &mut self.early {
            match e.rx.try_recv() {
                Ok(Ok(transcript)) => {
                    let (start_ms, end_ms) = (e.start_ms, e.end_ms);
                    self.early = None;
                    self.recognised = Some(Recognised { start_ms, end_ms, transcript });
                }
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => {}
                _ => self.early = None,
            }
        }
        let Some(p) = self.vad.pending() else { return };
        if p.voiced_ms < self.min_speech_ms as u64 {
            return;
        }
        let covers = |start_ms: u64, end_ms: u64| start_ms == p.start_ms && end_ms == p.end_ms;
        if self.recognised.as_ref().is_some_and(|r| covers(r.start_ms, r.end_ms))
            || self.early.as_ref().is_some_and(|e| covers(e.start_ms, e.end_ms))
        {
            return;
        }
        let pool = self.engines.recogniser(&self.languages);
        // The caller spoke on after the pause it was started in: its text is not the turn's,
        // and a model that takes no drafts has no use for it. Dropping it stops the work.
        if !pool.uses_drafts && self.early.as_ref().is_some_and(|e| e.start_ms != p.start_ms || e.end_ms < p.end_ms) {
            self.early = None;
        }
        // Recognition starts as soon as the voice fades (the VAD's probability falls below its
        // threshold, a frame or two before the hysteresis calls it silence): when the pause lasts
        // to the end of the turn, this is the turn's text. When the caller speaks on, it is
        // cancelled above (its work stops at the next stage or decoding step).
        let in_pause = p.fading;
        if in_pause {
            if self.end_of_turn_ms as u64 <= SPECULATE_BELOW_TURN_MS {
                return;
            }
            // What was under way is stale: the pause's recognition replaces it.
            self.early = None;
        } else {
            let done_to =
                self.recognised.as_ref().filter(|r| r.start_ms == p.start_ms).map_or(p.start_ms, |r| r.end_ms);
            if !pool.uses_drafts || self.early.is_some() || p.end_ms < done_to + PARTIAL_EVERY_MS {
                return;
            }
        }
        let (utterance, draft) = (self.peek(p.start_ms, p.end_ms), self.draft(p.start_ms));
        if let Some(rx) = pool.start_early(utterance, self.languages.clone(), draft, self.hints.clone(), !in_pause) {
            self.early = Some(Early { start_ms: p.start_ms, end_ms: p.end_ms, rx });
        }
    }

    /// Wait for the recognition begun before the end of the turn, if any. Tests use it to
    /// step the caller's audio by events, not by the clock.
    pub async fn settle(&mut self) {
        if let Some(e) = self.early.take()
            && let Ok(Ok(transcript)) = e.rx.await
        {
            self.recognised = Some(Recognised { start_ms: e.start_ms, end_ms: e.end_ms, transcript });
        }
    }

    /// The tokens last recognised of the speech that began at `start_ms`, as a draft.
    fn draft(&self, start_ms: u64) -> Vec<u32> {
        self.recognised
            .as_ref()
            .filter(|r| r.start_ms == start_ms)
            .map(|r| r.transcript.token_ids.clone())
            .unwrap_or_default()
    }

    /// The caller hung up.
    pub async fn hang_up(&mut self) -> Vec<VoiceEvent> {
        let turn = self.session.caller_hung_up().await;
        self.speak(turn).await
    }

    /// The caller's turn as text (a benchmark or test reaching a question quickly; a widget's
    /// typed message): the flow answers as to speech, and the bot speaks.
    pub async fn typed(&mut self, text: &str) -> Vec<VoiceEvent> {
        let turn =
            self.session.input(CallerInput::Speech { text: text.into(), confidence: None, language: None }).await;
        self.speak(turn).await
    }

    /// The caller pressed a key.
    pub async fn dtmf(&mut self, key: char) -> Vec<VoiceEvent> {
        let turn = self.session.input(CallerInput::Dtmf { dtmf: key.to_string() }).await;
        self.speak(turn).await
    }

    /// The channel finished playing the bot's replies: wait for the caller if the flow gathered.
    pub fn playback_done(&mut self) {
        if let Some(timeout) = self.pending_gather.take() {
            self.vad.listen(timeout);
        }
    }

    /// A transfer the channel carried out has ended.
    pub async fn transfer_finished(
        &mut self,
        status: TransferStatus,
        fallback: Option<switchboard_domain::tenants::TransferFallback>,
    ) -> Vec<VoiceEvent> {
        let turn = self.session.transfer_finished(status, fallback).await;
        self.speak(turn).await
    }

    /// The host ends the call (the maximum call length).
    pub async fn host_end(&mut self, reason: &str) -> Vec<VoiceEvent> {
        let turn = self.session.host_end(reason).await;
        self.speak(turn).await
    }

    /// Caller audio between two stream times; older audio is dropped.
    fn peek(&self, start_ms: u64, end_ms: u64) -> Vec<f32> {
        let per_ms = SAMPLE_RATE as u64 / 1000;
        let from = (start_ms.saturating_sub(self.buffer_start_ms) * per_ms) as usize;
        let to = ((end_ms.saturating_sub(self.buffer_start_ms) * per_ms) as usize).min(self.buffer.len());
        self.buffer.get(from.min(to)..to).map(<[f32]>::to_vec).unwrap_or_default()
    }

    fn take(&mut self, start_ms: u64, end_ms: u64) -> Vec<f32> {
        let per_ms = SAMPLE_RATE as u64 / 1000;
        let to = ((end_ms.saturating_sub(self.buffer_start_ms) * per_ms) as usize).min(self.buffer.len());
        let utterance = self.peek(start_ms, end_ms);
        self.buffer.drain(..to);
        self.buffer_start_ms += (to as u64) / per_ms;
        utterance
    }

    async fn turn(&mut self, utterance: Vec<f32>, start_ms: u64, end_ms: u64) -> Vec<VoiceEvent> {
        // Recognition started during the pause, on exactly this audio, is reused; an earlier
        // one of part of it is the draft.
        let draft = self.draft(start_ms);
        let done = self.recognised.take().filter(|r| r.start_ms == start_ms && r.end_ms == end_ms);
        let early = self.early.take().filter(|e| e.start_ms == start_ms && e.end_ms == end_ms);
        let pool = self.engines.recogniser(&self.languages);
        let started = std::time::Instant::now();
        let (result, when) = match (done, early) {
            (Some(r), _) => (Ok(r.transcript), "in the pause"),
            (None, Some(e)) => match e.rx.await {
                Ok(r) => (r.map_err(AsrError::Failed), "in the pause"),
                Err(_) => (Err(AsrError::Failed("a recognition worker stopped".into())), "in the pause"),
            },
            (None, None) => {
                let hints = self.hints.clone();
                (pool.transcribe_drafted(utterance, self.languages.clone(), draft, hints).await, "at the end")
            }
        };
        if let Ok(t) = &result {
            tracing::info!(
                started = when,
                waited_ms = started.elapsed().as_millis() as u64,
                recognition_ms = t.total_ms as u64,
                tokens = t.tokens,
                drafted = t.drafted,
                expected_answer = t.free_text.is_some(),
                free_text = t.free_text.as_deref().unwrap_or(""),
                "caller turn recognised"
            );
        }
        let transcript = match result {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "recognition failed");
                return vec![VoiceEvent::Ignored];
            }
        };
        if transcript.text.trim().is_empty() {
            return vec![VoiceEvent::Ignored];
        }
        if self.bot_speaking.load(Ordering::Relaxed) && is_backchannel(&transcript.text) {
            tracing::debug!(text = %transcript.text, "acknowledgement over the bot's speech: not a turn");
            return vec![VoiceEvent::Ignored];
        }
        let input = CallerInput::Speech {
            text: transcript.text.clone(),
            confidence: Some(transcript.confidence),
            language: Some(transcript.language.clone()),
        };
        let mut events = Vec::new();
        {
            // The caller's new turn makes whatever the bot was still going to say stale.
            let mut generation = self.generation.lock().unwrap_or_else(|p| p.into_inner());
            *generation += 1;
            self.emit(&mut events, VoiceEvent::Heard(transcript));
        }
        let turn = self.session.input(input).await;
        events.extend(self.speak(turn).await);
        events
    }

    /// Hand an event to the channel: at once when it streams, else with the call's return value.
    fn emit(&self, events: &mut Vec<VoiceEvent>, e: VoiceEvent) {
        match &self.stream {
            Some(tx) => {
                let _ = tx.send(e);
            }
            None => events.push(e),
        }
    }

    /// Say the turn's replies and prepare to listen for what the flow expects next.
    /// On a live channel the speaker task synthesises them while this call goes on
    /// listening; otherwise they are synthesised here and returned.
    async fn speak(&mut self, turn: Turn) -> Vec<VoiceEvent> {
        self.pending_gather = turn.gather_timeout_ms;
        // The flow's expectation holds for the caller's next turn only.
        self.hints = super::steering::hints(turn.expecting.as_ref(), &self.languages);
        self.hints.script = self.script;
        let wants_digits =
            turn.expecting.as_ref().is_some_and(|e| matches!(e.kind, AnswerKind::Phone | AnswerKind::Digits));
        self.vad.set_end_of_turn_ms(self.end_of_turn_ms + if wants_digits { DIGITS_EXTRA_MS } else { 0 });
        self.expecting = turn.expecting.clone();
        let mut after = vec![VoiceEvent::TurnSpoken];
        after.extend(turn.handover.map(VoiceEvent::Transfer));
        after.extend(turn.ended.map(VoiceEvent::Ended));
        let job = SpeechJob {
            generation: *self.generation.lock().unwrap_or_else(|p| p.into_inner()),
            replies: turn.replies,
            end_of_speech: self.end_of_speech.take(),
            after,
        };
        let Some(stream) = self.stream.clone() else {
            // Not live: synthesise here, in order, and hand everything back.
            let mut events = Vec::new();
            let synth = Synthesis { engines: self.engines.clone(), speed: self.speed, rate: self.out_rate };
            synth.say(job, &mut |e| events.push(e)).await;
            return events;
        };
        let speaker = self.speaker.get_or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let synth = Synthesis { engines: self.engines.clone(), speed: self.speed, rate: self.out_rate };
            tokio::spawn(speaker(synth, rx, stream, self.generation.clone()));
            tx
        });
        if let Err(mpsc::error::SendError(job)) = speaker.send(job) {
            // The speaker stopped (the channel went away): nobody plays the audio, but the
            // turn's end still counts.
            for e in job.after {
                self.emit(&mut Vec::new(), e);
            }
        }
        Vec::new()
    }
}

/// Makes the bot's audio: each reply sentence by sentence, through the prompt cache.
struct Synthesis {
    engines: Arc<SpeechEngines>,
    speed: f32,
    rate: u32,
}

impl Synthesis {
    /// One sentence as audio at the channel's rate, off the async executor.
    async fn render(&self, language: &str, sentence: String) -> Option<Audio> {
        let (engines, language, speed, rate) = (self.engines.clone(), language.to_string(), self.speed, self.rate);
        match tokio::task::spawn_blocking(move || engines.render_sentence(&language, &sentence, speed, rate)).await {
            Ok(Some(Ok(audio))) => Some(audio),
            Ok(Some(Err(e))) => {
                tracing::warn!(error = %e, "synthesis failed");
                None
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "synthesis task failed");
                None
            }
        }
    }

    /// The job's replies as `Said` (the first sentence of each, with its text) and
    /// `Continued` events, then its `after` events; each goes to `send` as soon as it is
    /// ready. `send` returns whether the audio is still wanted.
    async fn say(&self, job: SpeechJob, send: &mut (dyn FnMut(VoiceEvent) + Send)) {
        self.say_while(job, &mut |e| {
            send(e);
            true
        })
        .await
    }

    async fn say_while(&self, job: SpeechJob, send: &mut (dyn FnMut(VoiceEvent) -> bool + Send)) {
        let mut end_of_speech = job.end_of_speech;
        'replies: for reply in job.replies {
            let mut first = true;
            for sentence in speaking_chunks(&reply.text) {
                let audio = self.render(&reply.language, sentence).await;
                let event = match (first, audio) {
                    (true, audio) => VoiceEvent::Said {
                        text: reply.text.clone(),
                        language: reply.language.clone(),
                        end_of_speech: if audio.is_some() { end_of_speech.take() } else { None },
                        audio,
                        interruptible: reply.interruptible,
                    },
                    (false, Some(audio)) => VoiceEvent::Continued { audio, interruptible: reply.interruptible },
                    (false, None) => continue,
                };
                first = false;
                if !send(event) {
                    break 'replies;
                }
            }
        }
        for e in job.after {
            send(e);
        }
    }
}

/// A live call's speaker: synthesises each turn's replies in order and streams them to
/// the channel. A reply whose turn went stale (the caller's next turn was heard) stops at
/// its next sentence; its closing events (turn spoken, transfer, end) are still sent.
async fn speaker(
    synth: Synthesis,
    mut jobs: mpsc::UnboundedReceiver<SpeechJob>,
    stream: tokio::sync::mpsc::UnboundedSender<VoiceEvent>,
    generation: Arc<Mutex<u64>>,
) {
    while let Some(job) = jobs.recv().await {
        let wanted = job.generation;
        synth
            .say_while(job, &mut |e| {
                // Checked and sent under the lock the brain holds to bump the generation and
                // send `Heard`: a stale sentence never reaches the channel after the new turn.
                let current = generation.lock().unwrap_or_else(|p| p.into_inner());
                let keep = matches!(e, VoiceEvent::TurnSpoken | VoiceEvent::Transfer(_) | VoiceEvent::Ended(_));
                if *current == wanted || keep {
                    let _ = stream.send(e);
                }
                *current == wanted
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_hesitations_are_not_the_end() {
        for text in ["I'd like two large, um.", "我要兩杯，嗯", "two teas and", "我要一杯紅茶，還有"] {
            assert!(trails_off(text), "{text}");
        }
        for text in ["Two large bubble milk teas.", "我要兩杯大杯珍珠奶茶。", "對", "Yes.", "半糖"] {
            assert!(!trails_off(text), "{text}");
        }
    }

    #[test]
    fn a_count_with_nothing_counted_is_not_the_end() {
        for text in ["我要兩杯。", "給我三杯", "我要兩倍。", "I'd like two.", "Can I get a couple of"] {
            assert!(counts_without_item(text), "{text}");
        }
        for text in ["我要兩杯紅茶。", "兩杯大杯珍奶", "Two large teas.", "I'd like two large bubble milk teas"]
        {
            assert!(!counts_without_item(text), "{text}");
        }
    }

    #[test]
    fn acknowledgements_are_not_turns() {
        for t in ["嗯。", "Mm-hmm.", "Mhm", "uh-huh", " 喔 "] {
            assert!(is_backchannel(t), "{t}");
        }
        for t in ["對", "No", "我要一杯紅茶", "Hmm, one black tea please", ""] {
            assert!(!is_backchannel(t), "{t}");
        }
    }

    /// A whole text, sentence by sentence, through the prompt cache.
    fn render(engines: &SpeechEngines, language: &str, text: &str, speed: f32, rate: u32) -> Option<Audio> {
        let mut all = Audio { rate, samples: Vec::new() };
        for sentence in switchboard_speech::tts::sentences(text) {
            all.samples.extend(engines.render_sentence(language, &sentence, speed, rate)?.unwrap().samples);
        }
        Some(all)
    }

    #[test]
    fn fixed_prompts_are_synthesised_once() {
        let engines = SpeechEngines::load(WhisperSize::TinyEn).expect("speech models (scripts/setup fetches them)");
        let greeting = "Hello, welcome to Zhenzhen Tea House!";
        let first = render(&engines, "en-US", greeting, 1.0, 8000).unwrap();
        // The English voice varies its prosody on every synthesis; the same audio back means the cache answered.
        let again = render(&engines, "en-US", greeting, 1.0, 8000).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.rate, 8000);
        let faster = render(&engines, "en-US", greeting, 1.3, 8000).unwrap();
        assert!(faster.samples.len() < first.samples.len(), "speed is part of the key");
        assert!(render(&engines, "fr-FR", "Bonjour", 1.0, 8000).is_none(), "no French voice");
        let zh = render(&engines, "zh-TW", "您好，歡迎致電珍珍茶坊！", 1.0, 8000).unwrap();
        assert!(zh.duration_secs() > 1.0);
    }
}
