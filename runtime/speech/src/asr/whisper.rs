//! Whisper speech recognition on candle, loading CTranslate2-layout weights.
//!
//! Latency is the point: the encoder runs on the audio there is (Whisper's
//! audio context cut to the utterance, not padded to 30 s), decoding is greedy
//! with the cross-attention keys and values computed once, and the number of
//! tokens is bounded by the utterance length.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use candle_core::Device;
use candle_nn::VarBuilder;
use candle_transformers::models::whisper::Config;

use super::decoder::Decoder;
use super::encoder::{AudioEncoder, Encoder, OnnxEncoder};
use super::{ct2, mel, tokenizer::Tokenizer};
use crate::models::model_file;

/// Which Whisper to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WhisperSize {
    /// Multilingual base: Mandarin and English, language detection.
    Base,
    /// English only, about three times faster.
    TinyEn,
}

/// Log-odds bonus of the first candidate language in detection: another language wins only when it
/// is about three times as likely.
const FIRST_LANGUAGE_PRIOR: f32 = 1.1;

impl WhisperSize {
    /// From a command-line name: `base` or `tiny-en`.
    pub fn parse(name: &str) -> anyhow::Result<WhisperSize> {
        match name {
            "base" => Ok(WhisperSize::Base),
            "tiny-en" => Ok(WhisperSize::TinyEn),
            other => anyhow::bail!("unknown recogniser `{other}` (base or tiny-en)"),
        }
    }

    fn model_dir(self) -> &'static str {
        match self {
            WhisperSize::Base => "whisper-base",
            WhisperSize::TinyEn => "whisper-tiny-en",
        }
    }

    /// Where the encoder's ONNX graph is (`scripts/models.py` makes it from the weights), for
    /// the models whose encoder runs on ONNX Runtime (see `encoder.rs`).
    fn encoder_onnx(self) -> Option<&'static str> {
        match self {
            WhisperSize::Base => Some("whisper-base-encoder"),
            WhisperSize::TinyEn => None,
        }
    }
}

/// What the flow expects the caller to say, in the recogniser's terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    /// Text the model is conditioned on, as if said just before (Whisper's
    /// `<|startofprev|>` prompt), per language (`zh`, `en`): the expected phrases and words
    /// of the moment. It steers spelling and vocabulary (微糖, not 維唐) and the script
    /// (Traditional). The prompt of the language heard is used.
    pub prompts: Vec<(String, String)>,
    /// Whole answers a closed question expects (「對」, "yes", 「大杯」). Each is scored
    /// by teacher-forced log-probability against what the model decoded freely; the
    /// best is taken when it is about as likely ([`CANDIDATE_MARGIN`]).
    pub candidates: Vec<String>,
    /// The script Chinese is written in for this tenant (its locale).
    pub script: super::chinese::Script,
    /// Open answers of a known shape (「我姓」 and a surname): when free decoding did not
    /// come out in that shape, the likeliest fillers after its opening are scored as
    /// expected answers.
    pub slots: Vec<SlotHint>,
}

/// An answer of a known shape: `before`, one of `fillers`, `after` (「我姓」, a surname, "").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlotHint {
    pub before: String,
    pub fillers: Vec<String>,
    pub after: String,
    /// Whether the likeliest fillers are scored when no shape matched; a shape that is not
    /// (「陳小姐」) only says that the free decoding is already an answer.
    pub scored: bool,
}

impl SlotHint {
    /// The language of the answers it shapes: `zh` when it has Han characters.
    fn language(&self) -> &'static str {
        let mut words =
            self.before.chars().chain(self.after.chars()).chain(self.fillers.iter().flat_map(|f| f.chars()));
        if words.any(super::chinese::is_han) { "zh" } else { "en" }
    }

    /// Whether `text` already is this shape, with any of its fillers.
    fn matches(&self, text: &str) -> bool {
        let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
        let text = key(text);
        text.strip_prefix(&key(&self.before))
            .and_then(|rest| rest.strip_suffix(&key(&self.after)))
            .is_some_and(|filler| self.fillers.iter().any(|f| key(f) == filler))
    }
}

impl Hints {
    /// The prompt for `language`, or nothing.
    pub fn prompt_for(&self, language: &str) -> &str {
        self.prompts.iter().find(|(l, _)| l == language).map_or("", |(_, p)| p.trim())
    }
}

/// How much less likely (in nats, over the whole answer) an expected answer may be
/// than free decoding and still be taken. Free decoding is greedy, so it is nearly
/// always the likelier; a real answer scores close to it ("big" against 「對」), an
/// answer not said scores far below (measured with `--bench recognition`).
pub const CANDIDATE_MARGIN: f32 = 2.5;
/// [`CANDIDATE_MARGIN`], or `SWITCHBOARD_CANDIDATE_MARGIN` (for measuring another).
fn candidate_margin() -> f32 {
    static MARGIN: std::sync::OnceLock<f32> = std::sync::OnceLock::new();
    *MARGIN.get_or_init(|| {
        std::env::var("SWITCHBOARD_CANDIDATE_MARGIN").ok().and_then(|v| v.parse().ok()).unwrap_or(CANDIDATE_MARGIN)
    })
}

/// A transcript this short (in tokens) is too little speech to trust language detection with.
const SHORT_TURN_TOKENS: usize = 3;

/// Expected answers scored at most (each costs one decoder pass).
const MAX_CANDIDATES: usize = 24;
/// Fillers of a slot scored whole, the likeliest by their first token (each costs a pass).
const SLOT_FILLERS_SCORED: usize = 3;
/// Prompt tokens kept (Whisper allows half its 448-token context; short is enough).
const MAX_PROMPT_TOKENS: usize = 64;

/// What was said, and how long it took to find out.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Transcript {
    pub text: String,
    /// Language code (`zh`, `en`...).
    pub language: String,
    /// exp(mean token log-probability), 0 to 1.
    pub confidence: f32,
    pub audio_ms: u64,
    pub features_ms: f64,
    pub encode_ms: f64,
    pub decode_ms: f64,
    pub total_ms: f64,
    pub tokens: usize,
    /// The text's tokens: a draft for recognising a longer stretch of the same speech.
    #[serde(skip)]
    pub token_ids: Vec<u32>,
    /// How many of them came from the draft, checked in one pass rather than decoded one by one.
    pub drafted: usize,
    /// Set when an expected answer was taken instead of the free transcript: what the
    /// model decoded freely.
    pub free_text: Option<String>,
}

/// A loaded model; clones share the weights (each call to `transcribe` uses its own clone).
#[derive(Clone)]
pub struct Whisper {
    config: Arc<Config>,
    encoder: Arc<AudioEncoder>,
    decoder: Arc<Decoder>,
    tokenizer: Arc<Tokenizer>,
    suppress: Arc<Vec<u32>>,
    suppress_at_start: Arc<Vec<u32>>,
    /// Tokens with Latin letters (see [`Tokenizer::latin_tokens`]).
    latin: Arc<Vec<u32>>,
    pub size: WhisperSize,
    /// Audio shorter than this is padded with silence before encoding, in seconds.
    ///
    /// Whisper was trained on 30 s windows. Measured here: tiny.en is right with
    /// 3 s of context (less and it repeats short sentences). Base, on 12 Mandarin
    /// and 9 English order-taking sentences (our voices): Mandarin CER 0.084 at
    /// 4, 6 and 8 s, 0.074 at 10 s (one character: 信用卡 heard as 系用卡);
    /// English WER 0.00 from 4 s up (one error at 3 s). But a browser caller's
    /// "half sugar" (through Opus) came back as "F sugar" at 4 s and right at
    /// 5 s, so base gets 5 s: a 3 s utterance took about 0.35 s (before the faster GELU), against 0.6 s
    /// at 10 s and 2.4–3.8 s at 30 s. The sweep is `speech::accuracy::context_sweep`.
    /// Padding costs encoder time, so each model gets the least context that
    /// keeps it accurate (`SWITCHBOARD_WHISPER_CONTEXT_SECS` overrides it).
    pub context_secs: f32,
    multilingual: bool,
}

/// 8-bit decoder weights: for base, whose transcripts are the same with them on the
/// evaluation set; not for tiny.en, which then repeats the end of a long sentence ("$190.
/// $190."). `SWITCHBOARD_WHISPER_Q8=0` or `=1` overrides, for comparison.
fn decoder_q8(size: WhisperSize) -> bool {
    match std::env::var("SWITCHBOARD_WHISPER_Q8") {
        Ok(v) => v != "0",
        Err(_) => size == WhisperSize::Base,
    }
}

impl std::fmt::Debug for Whisper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Whisper").field("size", &self.size).field("context_secs", &self.context_secs).finish()
    }
}

#[derive(serde::Deserialize)]
struct Ct2Config {
    #[serde(default)]
    suppress_ids: Vec<u32>,
    #[serde(default)]
    suppress_ids_begin: Vec<u32>,
}

impl Whisper {
    pub fn load(size: WhisperSize) -> anyhow::Result<Whisper> {
        let dir = size.model_dir();
        let device = Device::Cpu;
        let weights = ct2::load(&model_file(dir, "model.bin")?, &device)?;
        let tokenizer = Tokenizer::load(&model_file(dir, "tokenizer.json")?)?;
        let latin = tokenizer.latin_tokens();
        let config_path = model_file(dir, "config.json")?;
        let config: Ct2Config = serde_json::from_str(&std::fs::read_to_string(&config_path)?)
            .with_context(|| format!("parsing {}", config_path.display()))?;
        // English-only models have one token fewer (no language tokens in use).
        let multilingual = weights.config.vocab_size >= 51865;
        let vb = VarBuilder::from_tensors(weights.tensors, candle_core::DType::F32, &device);
        let encoder = Arc::new(match size.encoder_onnx() {
            Some(dir) if std::env::var("SWITCHBOARD_WHISPER_ENCODER").as_deref() != Ok("candle") => {
                AudioEncoder::Onnx(OnnxEncoder::load(&model_file(dir, "encoder.onnx")?)?)
            }
            _ => AudioEncoder::Candle(
                Encoder::load(vb.pp("model.encoder"), &weights.config).context("building the encoder")?,
            ),
        });
        let decoder = Arc::new(
            Decoder::load(vb.pp("model.decoder"), &weights.config, decoder_q8(size)).context("building the decoder")?,
        );
        Ok(Whisper {
            config: Arc::new(weights.config),
            encoder,
            decoder,
            tokenizer: Arc::new(tokenizer),
            suppress: Arc::new(config.suppress_ids),
            suppress_at_start: Arc::new(config.suppress_ids_begin),
            latin: Arc::new(latin),
            size,
            context_secs: std::env::var("SWITCHBOARD_WHISPER_CONTEXT_SECS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(match size {
                    WhisperSize::Base => 5.0,
                    // Shorter context makes tiny.en repeat short sentences (measured).
                    WhisperSize::TinyEn => 3.0,
                }),
            multilingual,
        })
    }

    /// Transcribe 16 kHz mono audio. `language`: a code such as `zh` or `en`, or
    /// `None` to detect it among all languages (multilingual models only).
    pub fn transcribe(&self, samples: &[f32], language: Option<&str>) -> anyhow::Result<Transcript> {
        let languages: Vec<String> = language.map(|l| vec![l.to_string()]).unwrap_or_default();
        self.transcribe_among(samples, &languages)
    }

    /// Transcribe, detecting the language among `languages` (a tenant's
    /// languages: short turns such as 「對」 are otherwise easily taken for
    /// another language). One language fixes it; none means any.
    pub fn transcribe_among(&self, samples: &[f32], languages: &[String]) -> anyhow::Result<Transcript> {
        self.transcribe_drafted(samples, languages, &[], &|| false)
    }

    /// Transcribe with a draft: the tokens of an earlier recognition of the start of this
    /// speech (taken while the caller was still speaking). Decoding is greedy, so each token
    /// the model would pick anyway is accepted; the draft is checked in one pass over the
    /// decoder's weights, where decoding it would take one pass per token, and decoding goes
    /// on one token at a time from the first token the model disagrees with. The text is
    /// what it would be without the draft (up to rounding); only the time changes. Models
    /// for which checking a draft is not cheaper ignore it ([`Whisper::uses_drafts`]).
    ///
    /// `cancelled` is asked between stages and tokens: once it says yes (nobody wants the
    /// result any more), recognition stops with an error.
    pub fn transcribe_drafted(
        &self,
        samples: &[f32],
        languages: &[String],
        draft: &[u32],
        cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<Transcript> {
        self.transcribe_steered(samples, languages, draft, &Hints::default(), cancelled)
    }

    /// [`Whisper::transcribe_drafted`], steered by what the flow expects ([`Hints`]).
    pub fn transcribe_steered(
        &self,
        samples: &[f32],
        languages: &[String],
        draft: &[u32],
        hints: &Hints,
        cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<Transcript> {
        let started = Instant::now();
        let n_mels = self.config.num_mel_bins;
        // The encoder halves the frames; its context is at most 1500 positions (30 s).
        let max_samples = self.config.max_source_positions * 2 * mel::HOP;
        let mut samples = samples[..samples.len().min(max_samples)].to_vec();
        // Pad to the context window this model needs for accuracy (see `context_secs`).
        let min_samples = (self.context_secs * 16_000.0) as usize;
        let audio_ms = (samples.len() / 16) as u64;
        anyhow::ensure!(audio_ms >= 100, "{audio_ms} ms of audio is too short to transcribe");
        // Whisper needs to hear the speech end: without trailing silence it tends
        // to start the sentence again (live calls have it after endpointing; files may not).
        samples.extend(std::iter::repeat_n(0.0, TRAILING_SILENCE));
        if samples.len() < min_samples {
            samples.resize(min_samples, 0.0);
        }
        let mel = mel::log_mel(&samples, n_mels)?;
        let frames = mel.dim(2)? - mel.dim(2)? % 2;
        anyhow::ensure!(frames >= 2, "the audio is too short to transcribe");
        let mel = mel.narrow(2, 0, frames)?;
        let features_ms = ms(started);

        anyhow::ensure!(!cancelled(), "recognition cancelled");
        let t = Instant::now();
        let encoded = self.encoder.forward_unless(&mel, cancelled)?;
        let encode_ms = ms(t);

        let t = Instant::now();
        let tk = &self.tokenizer;
        let mut state = match encoded.cross {
            Some(cross) => self.decoder.start_with(cross)?,
            None => self.decoder.start(&encoded.audio)?,
        };
        let cross_ms = ms(t);
        // The language is heard first, from the audio alone (a prompt in the tenant's language
        // would talk an English caller into Mandarin); then the prompt in that language.
        let mut language_logprobs: Vec<(String, f32)> = Vec::new();
        let language = match (self.multilingual, languages) {
            (false, _) => "en".to_string(),
            (true, [code]) => code.clone(),
            (true, candidates) => {
                let logits = self.decoder.step(&mut state, &[tk.sot])?;
                let allowed = |code: &str| candidates.is_empty() || candidates.iter().any(|c| c == code);
                // The first candidate is the tenant's own language: another language must be
                // clearly more likely (by `FIRST_LANGUAGE_PRIOR`) to win. Short turns ("對。")
                // otherwise come back as English words ("big").
                let score = |(id, code): &(u32, String)| {
                    let bonus = if candidates.first().is_some_and(|c| c == code) { FIRST_LANGUAGE_PRIOR } else { 0.0 };
                    logits.get(*id as usize).copied().unwrap_or(f32::MIN) + bonus
                };
                let scored: Vec<(String, f32)> =
                    tk.languages.iter().filter(|(_, code)| allowed(code)).map(|l| (l.1.clone(), score(l))).collect();
                let max = scored.iter().map(|(_, s)| *s).fold(f32::NEG_INFINITY, f32::max);
                let norm = max + scored.iter().map(|(_, s)| (s - max).exp()).sum::<f32>().ln();
                language_logprobs = scored.iter().map(|(c, s)| (c.clone(), s - norm)).collect();
                let best = scored.iter().max_by(|a, b| a.1.total_cmp(&b.1));
                best.map(|(code, _)| code.clone()).unwrap_or_else(|| "en".into())
            }
        };
        let language_ms = ms(t) - cross_ms;
        let free = self.decode_freely(state, &language, hints, draft, audio_ms, &[], cancelled)?;
        let free_ms = ms(t) - cross_ms - language_ms;
        let FreeDecoding { mut state, tokens, prompt_len, sot_at, logprob_sum, drafted, .. } = free;
        let generated = &tokens[prompt_len..];
        let mut text = self.text_of(generated, &language, hints);
        let mut confidence = (logprob_sum / (generated.len() + 1) as f32).exp();
        let mut free_text = None;
        let mut language = language;
        let generated_len = generated.len();
        let unmatched = |text: &str| !hints.candidates.iter().any(|c| same_answer(c, text));
        let shaped = hints.slots.iter().any(|slot| slot.matches(&text));
        let expected = !hints.candidates.is_empty() && unmatched(&text);
        if expected || (!hints.slots.is_empty() && !shaped) {
            anyhow::ensure!(!cancelled(), "recognition cancelled");
            // Half a second of speech says little about its language ("Play" for 「對」): for a
            // short turn the expected answers compete on their words alone.
            let language_logprobs: &[(String, f32)] =
                if generated_len <= SHORT_TURN_TOKENS { &[] } else { &language_logprobs };
            let lang_logprob = |code: &str| language_logprobs.iter().find(|(c, _)| c == code).map_or(0.0, |(_, l)| *l);
            let free_score = logprob_sum + lang_logprob(&language);
            let heard = Heard { prefix: &tokens[..=sot_at], languages, language_logprobs };
            let mut candidates: Vec<String> = hints.candidates.clone();
            if !shaped {
                let scored = hints.slots.iter().filter(|slot| slot.scored && slot.language() == language);
                for slot in scored {
                    candidates.extend(self.likely_fillers(&mut state, &heard, slot)?);
                }
            }
            let floor = free_score - candidate_margin();
            if let Some((answer, score, tokens)) = self.best_candidate(&mut state, &heard, &candidates, floor)? {
                tracing::debug!(free = %text, free_logprob = free_score, answer = %answer, logprob = score, "expected answers scored");
                if stands_for(generated_len, free_score, score, tokens) {
                    confidence = (score / (tokens + 1) as f32).exp();
                    free_text = Some(std::mem::replace(&mut text, answer));
                }
            }
        }
        // Nor does it say which language to decode it in (「對」 heard as "Play", "Yes" as
        // 「言所」): a short turn that is none of a closed question's answers is decoded again in
        // the tenant's other languages, and the expected answers in each are weighed against
        // what was heard in it, as above. A word or two in Latin letters, however many tokens
        // ("Waison" for 「外送」), is decoded again in Mandarin too, even when it was decoded in
        // Mandarin. Mandarin is decoded again in Chinese characters only, and an answer that
        // sounds like what is heard then (the same syllables, tones aside: 「兌」 for 「對」)
        // stands for it when the model finds those characters about as likely as what it
        // heard first.
        let steer_ms = ms(t) - cross_ms - language_ms - free_ms;
        let short = generated_len <= SHORT_TURN_TOKENS;
        // A closed Mandarin answer is a few characters; an English sentence is what was said.
        let in_letters = !text.chars().any(super::chinese::is_han)
            && text.chars().any(|c| c.is_ascii_alphabetic())
            && text.split_whitespace().count() <= 2;
        let again_in: Vec<&String> = languages
            .iter()
            .filter(|l| (**l != language && short) || (*l == "zh" && in_letters))
            .collect();
        if expected && free_text.is_none() && self.multilingual {
            for other in again_in {
                anyhow::ensure!(!cancelled(), "recognition cancelled");
                tracing::debug!(first = %text, first_language = %language, per_token = logprob_sum / (generated_len + 1) as f32, again_in = %other, "decoding again");
                // The audio stays heard; the tokens of the first language go.
                state.truncate(0)?;
                let zh = other == "zh";
                let mask: &[u32] = if zh { &self.latin } else { &[] };
                let mut again = self.decode_freely(state, other, hints, &[], audio_ms, mask, cancelled)?;
                let said_len = again.tokens.len() - again.prompt_len;
                let heard_text = self.text_of(&again.tokens[again.prompt_len..], other, hints);
                let in_other: Vec<String> =
                    hints.candidates.iter().filter(|c| c.chars().any(super::chinese::is_han) == zh).cloned().collect();
                // Characters that say or sound like an answer stand for it only when the model finds
                // them about as likely as what it heard first ("It's John." is also 「是」 in
                // characters, far less likely than the words; "Waison" is no likelier than 「外送」).
                let likely = again.unmasked_logprob_sum >= logprob_sum - candidate_margin();
                let said = |c: &&String| {
                    if zh { likely && sounds_like(c, &heard_text) } else { same_answer(c, &heard_text) }
                };
                let taken = if let Some(answer) = in_other.iter().find(said) {
                    Some((answer.clone(), again.logprob_sum, said_len))
                } else if short && *other != language {
                    let heard = Heard { prefix: &again.tokens[..=again.sot_at], languages, language_logprobs: &[] };
                    let floor = again.logprob_sum - candidate_margin();
                    let best = self.best_candidate(&mut again.state, &heard, &in_other, floor)?;
                    tracing::debug!(language = %other, free = %heard_text, free_logprob = again.logprob_sum, best = ?best, "expected answers scored in another language");
                    // Away from the tenant's own language, it must also be about as likely as what
                    // was heard in that language: a poor decoding in the other one ("Da-du." for
                    // 「大豆」) is no measure of an answer ("No."). Into it, "Play" may still be 「對」.
                    let leaves_own = languages.first().is_some_and(|own| own != other);
                    best.filter(|(_, score, tokens)| {
                        stands_for(said_len, again.logprob_sum, *score, *tokens)
                            && (!leaves_own || *score >= logprob_sum - candidate_margin())
                    })
                } else {
                    None
                };
                state = again.state;
                if let Some((answer, score, tokens)) = taken {
                    tracing::debug!(first = %text, language = %other, heard = %heard_text, answer = %answer, "a short answer heard again");
                    confidence = (score / (tokens + 1) as f32).exp();
                    free_text = Some(std::mem::replace(&mut text, answer));
                    language = other.clone();
                    break;
                }
            }
        }
        let decode_ms = ms(t);
        tracing::debug!(features_ms, encode_ms, decode_ms, cross_ms, language_ms, free_ms, steer_ms, prompt_tokens = prompt_len, tokens = generated.len(), samples = samples.len(), "recognition timed");
        Ok(Transcript {
            free_text,
            text,
            language,
            confidence,
            audio_ms,
            features_ms,
            encode_ms,
            decode_ms,
            total_ms: ms(started),
            tokens: generated.len(),
            token_ids: generated.to_vec(),
            drafted: drafted.min(generated.len()),
        })
    }

    /// Greedy decoding in `language`, after that language's prompt: what the caller said,
    /// as the model hears it freely. `state` has heard the audio, and holds no token or a
    /// bare start of transcript (from language detection); `draft` tokens are checked in
    /// passes where that is cheaper.
    #[allow(clippy::too_many_arguments)]
    fn decode_freely(
        &self,
        mut state: super::decoder::DecoderState,
        language: &str,
        hints: &Hints,
        draft: &[u32],
        audio_ms: u64,
        mask: &[u32],
        cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<FreeDecoding> {
        let tk = &self.tokenizer;
        let mut tokens = Vec::new();
        let prompt = hints.prompt_for(language);
        if let Some(prev) = tk.prev.filter(|_| !prompt.is_empty()) {
            let mut ids = tk.encode(&format!(" {prompt}"));
            ids.retain(|&id| id < tk.eot);
            if ids.len() > MAX_PROMPT_TOKENS {
                ids.drain(..ids.len() - MAX_PROMPT_TOKENS);
            }
            tokens.push(prev);
            tokens.extend(ids);
            // The state may have heard a bare start-of-transcript: the prompt goes before it.
            state.truncate(0)?;
        }
        let sot_at = tokens.len();
        tokens.push(tk.sot);
        if self.multilingual {
            let lang =
                tk.language_token(language).with_context(|| format!("Whisper does not know language `{language}`"))?;
            tokens.extend([lang, tk.transcribe]);
        }
        tokens.push(tk.no_timestamps);
        let prompt_len = tokens.len();
        // About 6 tokens a second of speech is generous for both languages.
        let max_tokens = (10 + audio_ms as usize * 6 / 1000).min(self.config.max_target_positions / 2);
        let mut logprob_sum = 0.0f32;
        let mut unmasked_logprob_sum = 0.0f32;
        let mut pending: Vec<u32> = tokens[state.tokens()..].to_vec();
        // Only text tokens can be drafted, and only where checking them is cheap.
        let usable = if self.uses_drafts() { draft.iter().take_while(|&&t| t < tk.eot).count() } else { 0 };
        let draft = &draft[..usable];
        let mut draft_from = 0;
        let mut drafted = 0;
        let mut misses = 0;
        let mut done = false;
        while !done && tokens.len() - prompt_len < max_tokens {
            anyhow::ensure!(!cancelled(), "recognition cancelled");
            let room = max_tokens - (tokens.len() - prompt_len);
            let (at, mut guess) = lookup(draft, &tokens[prompt_len..], draft_from, room.min(MAX_GUESS));
            // Checking a guess costs more than a step: after the start, only a long one is worth
            // it, and not once the draft has missed twice.
            if tokens.len() > prompt_len && (guess.len() < MIN_REGUESS || misses >= MAX_MISSES) {
                guess = &[];
            }
            pending.extend_from_slice(guess);
            let before = state.tokens();
            // Logits after the prompt (or last token) and after each drafted token.
            let all = self.decoder.step_many(&mut state, &pending, guess.len() + 1)?;
            for (i, mut logits) in all.into_iter().enumerate() {
                let (next, logprob, unmasked) = self.pick(&mut logits, tokens.len() == prompt_len, mask);
                logprob_sum += logprob;
                unmasked_logprob_sum += unmasked;
                if next == tk.eot {
                    done = true;
                    break;
                }
                tokens.push(next);
                if let Some(keep) = repetition(&tokens[prompt_len..]).or_else(|| restarted(&tokens[prompt_len..])) {
                    tokens.truncate(prompt_len + keep);
                    done = true;
                    break;
                }
                if tokens.len() - prompt_len >= max_tokens {
                    done = true;
                    break;
                }
                if i < guess.len() && next == guess[i] {
                    drafted += 1;
                    draft_from = at + i + 1;
                    continue;
                }
                if i == 0 && !guess.is_empty() {
                    misses += 1;
                }
                // A new token (past the draft, or where the model disagrees with it): the
                // state keeps what led to it, and decoding goes on from it.
                state.truncate(before + pending.len() - (guess.len() - i))?;
                pending = vec![next];
                break;
            }
        }
        if let Some(keep) = periodic(&tokens[prompt_len..]) {
            tokens.truncate(prompt_len + keep);
        }
        Ok(FreeDecoding { state, tokens, prompt_len, sot_at, logprob_sum, unmasked_logprob_sum, drafted })
    }

    /// The expected answer the model finds likeliest, teacher-forced after the prompt and
    /// start of transcript, in its own language (an answer in the tenant's other language is
    /// scored too: 「對」 heard as the English "play"): its text, its log-probability
    /// (language, text and end of text), and its token count. Mandarin answers are scored as
    /// written and in Simplified characters, which Whisper favours.
    ///
    /// Only answers that can still score at least `floor` (and beat the best so far) are run
    /// through the decoder: every token's log-probability is at most 0, so the language's and
    /// the first token's, read from one pass over each language's opening, bound the whole
    /// score. The answer found is the same as scoring every one; most cost no pass at all.
    fn best_candidate(
        &self,
        state: &mut super::decoder::DecoderState,
        heard: &Heard<'_>,
        candidates: &[String],
        floor: f32,
    ) -> anyhow::Result<Option<(String, f32, usize)>> {
        let mut best: Option<(String, f32, usize)> = None;
        let mut seen = std::collections::HashSet::new();
        // Per language: its opening tokens and the logits after them (the first text token's).
        let mut openings: Vec<(&'static str, Vec<u32>, Vec<f32>)> = Vec::new();
        // The language whose opening the state holds after the prefix.
        let mut fed: Option<&'static str> = None;
        let answers = candidates.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
        for answer in answers.take(MAX_CANDIDATES) {
            let han = answer.chars().any(super::chinese::is_han);
            let code = if han { "zh" } else { "en" };
            if !openings.iter().any(|(c, ..)| *c == code) {
                let Some(head) = self.answer_head(heard, code) else { continue };
                state.truncate(heard.prefix.len())?;
                let logits = self.decoder.step_many(state, &head, 1)?.pop().unwrap_or_default();
                openings.push((code, head, logits));
                fed = Some(code);
            }
            let Some((_, head, first_logits)) = openings.iter().find(|(c, ..)| *c == code) else { continue };
            let lang_logprob = heard.language_logprobs.iter().find(|(c, _)| c == code).map_or(0.0, |(_, l)| *l);
            for spelling in spellings(answer) {
                let ids = self.tokenizer.encode(&spelling);
                if ids.is_empty() || ids.len() > 24 || !seen.insert((code, ids.clone())) {
                    continue;
                }
                let bound = lang_logprob + self.log_prob(first_logits, ids[0]);
                if bound < floor || best.as_ref().is_some_and(|(_, s, _)| bound <= *s) {
                    continue;
                }
                if fed != Some(code) {
                    state.truncate(heard.prefix.len())?;
                    self.decoder.step_many(state, head, 1)?;
                    fed = Some(code);
                }
                state.truncate(heard.prefix.len() + head.len())?;
                // Logits after each token of the answer: the next token's, then the end of text's.
                let rows = self.decoder.step_many(state, &ids, ids.len())?;
                let targets = ids[1..].iter().copied().chain([self.tokenizer.eot]);
                let rest: f32 = rows.iter().zip(targets).map(|(logits, t)| self.log_prob(logits, t)).sum();
                let score = bound + rest;
                if best.as_ref().is_none_or(|(_, s, _)| score > *s) {
                    best = Some((answer.to_string(), score, ids.len()));
                }
            }
        }
        Ok(best)
    }

    /// The tokens that start an answer in `code` after the start of transcript (language,
    /// task, no timestamps), or `None` where this model or tenant cannot hear that language.
    fn answer_head(&self, heard: &Heard<'_>, code: &str) -> Option<Vec<u32>> {
        let tk = &self.tokenizer;
        let allowed = heard.languages.is_empty() || heard.languages.iter().any(|l| l == code);
        if (!self.multilingual && code != "en") || (self.multilingual && !allowed) {
            return None;
        }
        let mut head = Vec::new();
        if self.multilingual {
            head.extend([tk.language_token(code)?, tk.transcribe]);
        }
        head.push(tk.no_timestamps);
        Some(head)
    }

    /// The [`SLOT_FILLERS_SCORED`] fillers of `slot` the model finds likeliest right after its
    /// opening (one decoder pass: each filler is ranked by its first token, in either script),
    /// as whole answers to score.
    fn likely_fillers(
        &self,
        state: &mut super::decoder::DecoderState,
        heard: &Heard<'_>,
        slot: &SlotHint,
    ) -> anyhow::Result<Vec<String>> {
        let Some(mut feed) = self.answer_head(heard, slot.language()) else { return Ok(Vec::new()) };
        let before = slot.before.trim();
        if !before.is_empty() {
            // The opening as Whisper would likeliest write it: in Simplified, if that differs.
            feed.extend(self.tokenizer.encode(&spellings(before).pop().unwrap_or_default()));
        }
        state.truncate(heard.prefix.len())?;
        let rows = self.decoder.step_many(state, &feed, 1)?;
        let Some(logits) = rows.last() else { return Ok(Vec::new()) };
        let mut ranked: Vec<(f32, &String)> = slot
            .fillers
            .iter()
            .filter_map(|filler| {
                let best = spellings(filler)
                    .iter()
                    .filter_map(|s| self.tokenizer.encode(s).first().copied())
                    .map(|t| self.log_prob(logits, t))
                    .fold(f32::NEG_INFINITY, f32::max);
                best.is_finite().then_some((best, filler))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(ranked
            .into_iter()
            .take(SLOT_FILLERS_SCORED)
            .map(|(_, filler)| format!("{}{filler}{}", slot.before, slot.after))
            .collect())
    }

    /// The text of `said` in `language`: echoes of the prompt dropped, Mandarin in the tenant's script.
    fn text_of(&self, said: &[u32], language: &str, hints: &Hints) -> String {
        let text = drop_echoed_tail(self.tokenizer.decode(said).trim());
        if language == "zh" { super::chinese::convert(&text, hints.script) } else { text }
    }

    /// Log-probability of `target` among the text tokens and end of text.
    fn log_prob(&self, logits: &[f32], target: u32) -> f32 {
        let allowed = &logits[..logits.len().min(self.tokenizer.eot as usize + 1)];
        let max = allowed.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_norm = max + allowed.iter().map(|l| (l - max).exp()).sum::<f32>().ln();
        allowed.get(target as usize).map_or(f32::NEG_INFINITY, |l| l - log_norm)
    }

    /// Whether a draft makes recognition faster with this model (see
    /// [`Decoder::checks_drafts_cheaply`]); otherwise drafts are ignored.
    pub fn uses_drafts(&self) -> bool {
        self.decoder.checks_drafts_cheaply()
    }

    /// The next token from `logits` (suppressed tokens masked out), its log-probability, and
    /// its log-probability had `mask` not been applied (how likely the model finds it freely).
    /// `first`: the first token of the text, which has more suppressed tokens.
    /// `mask`: more tokens that may not be picked.
    fn pick(&self, logits: &mut [f32], first: bool, mask: &[u32]) -> (u32, f32, f32) {
        let at_start: &[u32] = if first { &self.suppress_at_start } else { &[] };
        for &id in [&self.suppress[..], at_start].into_iter().flatten() {
            if let Some(l) = logits.get_mut(id as usize) {
                *l = f32::NEG_INFINITY;
            }
        }
        // No special tokens but the end of text (no timestamps, no language switches).
        for l in logits.iter_mut().skip(self.tokenizer.eot as usize + 1) {
            *l = f32::NEG_INFINITY;
        }
        let log_norm = |logits: &[f32]| {
            let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            max + logits.iter().map(|l| (l - max).exp()).sum::<f32>().ln()
        };
        let unmasked_norm = if mask.is_empty() { None } else { Some(log_norm(logits)) };
        for &id in mask {
            if let Some(l) = logits.get_mut(id as usize) {
                *l = f32::NEG_INFINITY;
            }
        }
        let norm = log_norm(logits);
        let (next, best) =
            logits.iter().enumerate().fold((0, f32::NEG_INFINITY), |acc, (i, &l)| if l > acc.1 { (i, l) } else { acc });
        (next as u32, best - norm, best - unmasked_norm.unwrap_or(norm))
    }

}

/// Whether an expected answer of `tokens` tokens, scored `score`, stands for what free decoding
/// heard (`said_len` tokens, scored `free_score`): it is about as likely ([`candidate_margin`]),
/// and not much shorter (a short answer cannot stand for a long turn: the caller said something
/// else).
fn stands_for(said_len: usize, free_score: f32, score: f32, tokens: usize) -> bool {
    said_len <= tokens + 4 && score >= free_score - candidate_margin()
}

/// How `answer` may be written in the transcript: as written (English after a space, as
/// Whisper writes words), and Mandarin also in Simplified characters, which Whisper favours.
fn spellings(answer: &str) -> Vec<String> {
    let han = answer.chars().any(super::chinese::is_han);
    let mut spellings = vec![if han { answer.to_string() } else { format!(" {answer}") }];
    let simplified = super::chinese::to_simplified(answer);
    if han && simplified != answer {
        spellings.push(simplified);
    }
    spellings
}

/// What greedy decoding heard: the decoder state after it, every token fed (prompt,
/// start of transcript, language, task, text), where the text starts, where the start of
/// transcript is, the text's log-probability, and how many tokens came from the draft.
struct FreeDecoding {
    state: super::decoder::DecoderState,
    tokens: Vec<u32>,
    prompt_len: usize,
    sot_at: usize,
    logprob_sum: f32,
    /// The same, had no mask been applied: how likely the model finds the text freely.
    unmasked_logprob_sum: f32,
    drafted: usize,
}

/// What decoding started from, for scoring expected answers against it.
struct Heard<'a> {
    /// Prompt tokens up to and including start-of-transcript (already in the decoder state).
    prefix: &'a [u32],
    /// The tenant's caller languages (none: any).
    languages: &'a [String],
    /// Log-probability of each candidate language, from detection (empty when it was fixed).
    language_logprobs: &'a [(String, f32)],
}

/// Whether `heard` says the Mandarin answer `expected` in characters that sound the same: the
/// same syllables, tones aside (「兌」 for 「對」, 「外頌」 for 「外送」), each character read
/// its usual way. Exact answers count too.
fn sounds_like(expected: &str, heard: &str) -> bool {
    use pinyin::ToPinyin;
    if same_answer(expected, heard) {
        return true;
    }
    let syllables = |s: &str| -> Option<Vec<&'static str>> {
        let han: Vec<char> = s.chars().filter(|c| super::chinese::is_han(*c)).collect();
        if han.is_empty() || s.chars().any(|c| c.is_alphanumeric() && !super::chinese::is_han(c)) {
            return None;
        }
        han.iter().map(|c| c.to_pinyin().map(|p| p.with_tone_num_end().trim_end_matches(|d: char| d.is_ascii_digit()))).collect()
    };
    let converted = super::chinese::to_simplified(expected);
    match syllables(heard) {
        Some(h) => [expected, converted.as_str()].iter().any(|e| syllables(e).is_some_and(|e| e == h)),
        None => false,
    }
}

/// Whether a transcript already says an expected answer (punctuation and case aside).
pub fn same_answer(expected: &str, text: &str) -> bool {
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    key(expected) == key(text)
}

/// The most draft tokens checked in one pass.
const MAX_GUESS: usize = 24;
/// Past the start, the draft is followed again only for at least this many tokens...
const MIN_REGUESS: usize = 6;
/// ... and only until its guesses have been wrong from their first token this many times.
const MAX_MISSES: usize = 2;

/// What the draft says comes next: at the start, its beginning; later, what follows the
/// place where it says what was just decoded (the last 2 tokens, else the last one), looking
/// from `from` (just past the last draft token taken) first. A partial recognition often
/// differs from the final one in a word ("marble milk tea" for "bubble milk tea") and agrees
/// again after it. Returns where the guess starts in the draft, and the guess.
fn lookup<'a>(draft: &'a [u32], decoded: &[u32], from: usize, max: usize) -> (usize, &'a [u32]) {
    let guess = |at: usize| (at, &draft[at..draft.len().min(at + max)]);
    if decoded.is_empty() {
        return guess(0);
    }
    for n in [2, 1] {
        if decoded.len() < n || draft.len() < n {
            continue;
        }
        let tail = &decoded[decoded.len() - n..];
        let starts =
            (from.saturating_sub(n)..=draft.len() - n).chain(0..from.saturating_sub(n).min(draft.len() - n + 1));
        if let Some(j) = starts.into_iter().find(|&j| &draft[j..j + n] == tail) {
            return guess(j + n);
        }
    }
    (draft.len(), &[])
}

/// A decoding loop (Whisper repeating itself): the tokens end with a run of at
/// least 4 tokens said twice, a shorter run said three times ("$190. $190.
/// $190."), or one token 8 times. Doubled short runs are left alone: 珍珍, 謝謝
/// and 看看 are words. Returns how many tokens to keep.
fn repetition(tokens: &[u32]) -> Option<usize> {
    let n = tokens.len();
    if n >= 8 && tokens[n - 8..].iter().all(|&t| t == tokens[n - 1]) {
        return Some(n - 7);
    }
    let repeats = |k: usize, times: usize| {
        n >= k * times && (1..times).all(|i| tokens[n - k..] == tokens[n - (i + 1) * k..n - i * k])
    };
    if let Some(k) = (4..=n / 2).find(|&k| repeats(k, 2)) {
        return Some(n - k);
    }
    (2..4).find(|&k| repeats(k, 3)).map(|k| n - 2 * k)
}

/// Whisper starting the transcript over ("2 large bubble milk teas, half sugar, less ice.
/// 2 large bubble milk"), as it does on the silence after the speech: the last 6 tokens
/// repeat the first 6. Stopping there saves the steps to the token limit (measured on
/// base: 30 steps for 12 tokens of text). Returns how many tokens to keep.
fn restarted(tokens: &[u32]) -> Option<usize> {
    const SAID_AGAIN: usize = 6;
    let n = tokens.len();
    (n >= 2 * SAID_AGAIN && tokens[n - SAID_AGAIN..] == tokens[..SAID_AGAIN]).then(|| n - SAID_AGAIN)
}

/// A transcript that restarts itself and was cut by the token limit before the
/// copy completed: the tokens from `k` on repeat the start. Returns `k`.
fn periodic(tokens: &[u32]) -> Option<usize> {
    let n = tokens.len();
    (4..n.saturating_sub(3)).find(|&k| tokens[k..] == tokens[..n - k])
}

/// Whisper sometimes echoes the end of what was said ("… the total is $190.
/// $190.", "Yes. Yes."): drop final sentences that only repeat the end of the
/// sentence before them.
fn drop_echoed_tail(text: &str) -> String {
    let mut sentences: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if matches!(c, '.' | '?' | '!' | '。' | '？' | '！') {
            sentences.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current);
    }
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    // A sentence said again after others is Whisper starting over ("… half sugar. Less ice.
    // Less ice. 2 large bubble milk teas, half sugar. Less ice."): keep what came before it.
    if let Some(again) = (1..sentences.len()).find(|&i| {
        let k = key(&sentences[i]);
        !k.is_empty() && sentences[..i].iter().any(|s| key(s) == k)
    }) {
        sentences.truncate(again);
    }
    while sentences.len() >= 2 {
        let last = key(&sentences[sentences.len() - 1]);
        if last.is_empty() || !key(&sentences[sentences.len() - 2]).ends_with(&last) {
            break;
        }
        sentences.pop();
    }
    sentences.concat().trim().to_string()
}

/// 0.5 s of silence appended to every utterance.
const TRAILING_SILENCE: usize = 8_000;

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accuracy::wer;

    #[test]
    fn an_answer_has_a_shape_when_its_filler_is_one_of_the_slots() {
        let slot = SlotHint {
            before: "我姓".into(),
            fillers: vec!["林".into(), "張簡".into()],
            after: "".into(),
            scored: true,
        };
        assert!(slot.matches("我姓林。") && slot.matches("我姓張簡"));
        assert!(!slot.matches("我心裡") && !slot.matches("我姓心") && !slot.matches("林"));
        assert_eq!(slot.language(), "zh");
        let titled = SlotHint { after: "小姐".into(), before: "".into(), ..slot.clone() };
        assert!(titled.matches("林小姐") && !titled.matches("林先生"));
    }

    #[test]
    fn characters_sound_like_an_answer_by_their_syllables() {
        // The same syllables, tones aside, in either script.
        assert!(sounds_like("對", "兌"));
        assert!(sounds_like("外送", "外頌。"));
        assert!(sounds_like("外送", "外送"));
        assert!(sounds_like("沒錯", "没错"));
        // Other syllables, more or fewer of them, or letters, are not the answer.
        assert!(!sounds_like("對", "不,不,"));
        assert!(!sounds_like("對", "對不對"));
        assert!(!sounds_like("不是", "是"));
        assert!(!sounds_like("外送", "Waison"));
        assert!(!sounds_like("大杯", "大杯 large"));
    }

    #[test]
    fn loops_are_cut_where_they_start() {
        let said = [1, 2, 3, 4, 5, 6];
        let twice: Vec<u32> = said.iter().chain(said.iter()).copied().collect();
        assert_eq!(repetition(&twice), Some(6));
        let restarted: Vec<u32> = said.iter().chain(said[..4].iter()).copied().collect();
        assert_eq!(periodic(&restarted), Some(6));
        assert_eq!(periodic(&said), None);
        let over: Vec<u32> = (1..=8).chain(1..=6).collect();
        assert_eq!(super::restarted(&over), Some(8));
        assert_eq!(super::restarted(&over[..13]), None);
        // A phrase said again and then taken further is not a restart until 6 tokens agree.
        assert_eq!(super::restarted(&[1, 2, 3, 4, 5, 9, 1, 2, 3, 4, 5, 7]), None);
        assert_eq!(drop_echoed_tail("The total is $190. $190."), "The total is $190.");
        assert_eq!(drop_echoed_tail("Yes. Yes."), "Yes.");
        assert_eq!(drop_echoed_tail("Open at ten. Closed at nine."), "Open at ten. Closed at nine.");
        assert_eq!(drop_echoed_tail("謝謝。謝謝你。"), "謝謝。謝謝你。");
        assert_eq!(
            drop_echoed_tail(
                "Two large teas, half sugar. Less ice. Less ice. 2 large teas, half sugar. Less ice. 2 large"
            ),
            "Two large teas, half sugar. Less ice."
        );
        assert_eq!(drop_echoed_tail("我要紅茶。半糖。半糖。我要紅茶"), "我要紅茶。半糖。");
        assert_eq!(repetition(&[7, 7, 7, 7, 7, 7, 7, 7]), Some(1));
        // 珍珍 as byte-level tokens [a, b, a, b] is a word, not a loop.
        assert_eq!(repetition(&[9, 1, 2, 1, 2]), None);
        assert_eq!(repetition(&[9, 1, 2, 1, 2, 1, 2]), Some(3));
    }

    #[test]
    fn the_draft_is_followed_past_a_word_it_got_wrong() {
        let draft = [10, 11, 12, 13, 14, 15];
        assert_eq!(lookup(&draft, &[], 0, 24), (0, &draft[..]));
        assert_eq!(lookup(&draft, &[], 0, 2), (0, &draft[..2]));
        // 10 11 then 99 where the draft has 12: nothing follows 99 in the draft.
        assert_eq!(lookup(&draft, &[10, 11, 99], 2, 24), (6, &[][..]));
        // ... then 13 again: the draft goes on after it.
        assert_eq!(lookup(&draft, &[10, 11, 99, 13], 2, 24), (4, &draft[4..]));
        // Two tokens of agreement beat one; the place after `from` is preferred.
        let repeats = [1, 2, 3, 1, 5, 3, 1, 2, 9];
        assert_eq!(lookup(&repeats, &[7, 1, 2], 0, 24).0, 2);
        assert_eq!(lookup(&repeats, &[7, 1, 2], 5, 24).0, 8);
        assert_eq!(lookup(&repeats, &[7, 1], 4, 24).0, 4);
        assert_eq!(lookup(&repeats, &[7, 1], 5, 24).0, 7);
        assert_eq!(lookup(&[], &[1], 0, 24), (0, &[][..]));
    }

    /// Order-taking sentences, spoken by espeak-ng (robotic: harder than a person).
    const ENGLISH: &[&str] = &[
        "Two large bubble milk teas, half sugar, less ice, please.",
        "I would like a medium black tea with no sugar.",
        "Can I have it delivered to my office?",
        "What time do you close today?",
    ];

    fn espeak(text: &str) -> Vec<f32> {
        let out = std::process::Command::new("espeak-ng")
            .args(["-v", "en-us", "--stdout", text])
            .output()
            .expect("espeak-ng is needed for speech tests; scripts/setup installs it");
        crate::audio::Audio::parse_wav(&out.stdout).expect("espeak-ng WAV").resampled(16_000).samples
    }

    /// Average WER over the sentences; each transcript is printed for the log.
    fn average_wer(whisper: &Whisper, sentences: &[&str]) -> f32 {
        let total: f32 = sentences
            .iter()
            .map(|s| {
                let t = whisper.transcribe(&espeak(s), Some("en")).unwrap();
                let e = wer(s, &t.text);
                println!("{:?}: {s:?} -> {:?} (WER {e:.2}, {:.0} ms)", whisper.size, t.text, t.total_ms);
                assert!((0.0..=1.0).contains(&t.confidence));
                e
            })
            .sum();
        total / sentences.len() as f32
    }

    // Thresholds: broken decoding (wrong weights, wrong features, a cut
    // context the model cannot use) scores above 0.6; espeak-ng's voice costs
    // the odd word ("orange" for "large"). See README, "Speech accuracy".
    #[test]
    fn tiny_en_understands_english_orders() {
        let whisper = Whisper::load(WhisperSize::TinyEn).expect("whisper-tiny-en (scripts/setup fetches it)");
        let e = average_wer(&whisper, ENGLISH);
        assert!(e <= 0.15, "average WER {e:.2}");
    }

    #[test]
    fn base_understands_english_and_detects_the_language() {
        let whisper = Whisper::load(WhisperSize::Base).expect("whisper-base (scripts/setup fetches it)");
        let e = average_wer(&whisper, &ENGLISH[..2]);
        assert!(e <= 0.15, "average WER {e:.2}");
        let t = whisper.transcribe(&espeak(ENGLISH[3]), None).unwrap();
        assert_eq!(t.language, "en", "{t:?}");
        // Detection can be confined to a tenant's languages.
        let t = whisper.transcribe_among(&espeak(ENGLISH[3]), &["zh".into(), "en".into()]).unwrap();
        assert_eq!(t.language, "en", "{t:?}");
        let t = whisper.transcribe_among(&espeak(ENGLISH[3]), &["zh".into(), "ja".into()]).unwrap();
        assert!(t.language == "zh" || t.language == "ja", "only a candidate may win: {t:?}");
    }

    #[test]
    fn a_draft_changes_the_time_not_the_text() {
        let whisper = Whisper::load(WhisperSize::TinyEn).unwrap();
        let speech = espeak(ENGLISH[0]);
        let en = ["en".to_string()];
        let plain = whisper.transcribe_among(&speech, &en).unwrap();
        assert_eq!(plain.drafted, 0);
        // A partial recognition of the first two thirds, as taken while the caller speaks.
        let partial = whisper.transcribe_among(&speech[..speech.len() * 2 / 3], &en).unwrap();
        let drafted = whisper.transcribe_drafted(&speech, &en, &partial.token_ids, &|| false).unwrap();
        println!("{:?} → {:?}, {} of {} tokens drafted", partial.text, drafted.text, drafted.drafted, drafted.tokens);
        assert_eq!(drafted.text, plain.text);
        assert!(drafted.drafted >= 3, "the start of the partial text is taken: {drafted:?}");
        // The whole text as draft: every token is taken.
        let whole = whisper.transcribe_drafted(&speech, &en, &plain.token_ids, &|| false).unwrap();
        assert_eq!((whole.text.as_str(), whole.drafted), (plain.text.as_str(), plain.tokens));
        // A draft of something else entirely costs nothing but time.
        let other = whisper.transcribe_among(&espeak(ENGLISH[3]), &en).unwrap();
        let wrong = whisper.transcribe_drafted(&speech, &en, &other.token_ids, &|| false).unwrap();
        assert_eq!((wrong.text.as_str(), wrong.drafted), (plain.text.as_str(), 0));
        // Special tokens in a draft are ignored; cancelled work stops with an error.
        let special = whisper.transcribe_drafted(&speech, &en, &[u32::MAX, 7], &|| false).unwrap();
        assert_eq!(special.text, plain.text);
        assert!(whisper.transcribe_drafted(&speech, &en, &[], &|| true).is_err());
    }

    #[test]
    fn silence_is_too_short_or_empty() {
        let whisper = Whisper::load(WhisperSize::TinyEn).unwrap();
        assert!(whisper.transcribe(&[0.0; 100], Some("en")).is_err());
    }
}
