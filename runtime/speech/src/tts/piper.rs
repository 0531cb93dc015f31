//! English speech from a Piper VITS voice (ONNX) with espeak-ng phonemes.
//!
//! Piper's input is the voice's phoneme ids: `^`, then each IPA phoneme
//! followed by the pad `_`, then `$`. espeak-ng gives the IPA; it breaks a
//! sentence into clauses (one per line), which become commas here, and the
//! sentence's closing punctuation is kept so questions sound like questions.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, bail};
use serde::Deserialize;

use super::Tts;
use crate::audio::Audio;
use crate::models::model_file;

#[derive(Deserialize)]
struct VoiceConfig {
    audio: AudioConfig,
    espeak: EspeakConfig,
    inference: Inference,
    phoneme_id_map: HashMap<String, Vec<i64>>,
}

#[derive(Deserialize)]
struct AudioConfig {
    sample_rate: u32,
}

#[derive(Deserialize)]
struct EspeakConfig {
    voice: String,
}

#[derive(Deserialize)]
struct Inference {
    noise_scale: f32,
    length_scale: f32,
    noise_w: f32,
}

pub struct Piper {
    session: Mutex<ort::session::Session>,
    ids: HashMap<char, Vec<i64>>,
    config: VoiceConfig,
    /// VITS samples noise for prosody and durations; without it the same text
    /// always gives the same audio (what a prompt cache and tests need).
    variation: bool,
}

impl Piper {
    /// Load the English voice fetched by `scripts/models.py` (`piper-en-joe`).
    pub fn load() -> anyhow::Result<Piper> {
        let model = model_file("piper-en-joe", "voice.onnx")?;
        let config = model_file("piper-en-joe", "voice.onnx.json")?;
        Piper::load_from(&model, &config)
    }

    pub fn load_from(model: &Path, config: &Path) -> anyhow::Result<Piper> {
        let text = std::fs::read_to_string(config).with_context(|| format!("reading {}", config.display()))?;
        let config: VoiceConfig =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", config.display()))?;
        let ids = config
            .phoneme_id_map
            .iter()
            .filter_map(|(k, v)| {
                let mut chars = k.chars();
                let c = chars.next()?;
                chars.next().is_none().then(|| (c, v.clone()))
            })
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
        let session = crate::onnx::session(model, threads)?;
        Ok(Piper { session: Mutex::new(session), ids, config, variation: true })
    }

    /// The same voice, speaking the same text the same way every time.
    pub fn deterministic(mut self) -> Piper {
        self.variation = false;
        self
    }

    pub fn sample_rate(&self) -> u32 {
        self.config.audio.sample_rate
    }

    /// IPA phonemes of a sentence, clauses joined by commas, closing punctuation kept.
    fn phonemes(&self, sentence: &str) -> anyhow::Result<String> {
        let out = std::process::Command::new("espeak-ng")
            .args(["-q", "--ipa", "-v", &self.config.espeak.voice, "--"])
            .arg(sentence)
            .output()
            .context("running espeak-ng (scripts/setup installs it)")?;
        if !out.status.success() {
            bail!("espeak-ng failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let ipa = String::from_utf8_lossy(&out.stdout);
        let clauses: Vec<&str> = ipa.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut phonemes = clauses.join(", ");
        let end = sentence.trim_end().chars().last().filter(|c| matches!(c, '.' | '?' | '!')).unwrap_or('.');
        phonemes.push(end);
        Ok(phonemes)
    }

    fn ids(&self, phonemes: &str) -> Vec<i64> {
        let id = |c: char| self.ids.get(&c).cloned().unwrap_or_default();
        let mut out = id('^');
        out.extend(id('_'));
        for c in phonemes.chars() {
            let ids = id(c);
            if !ids.is_empty() {
                out.extend(ids);
                out.extend(id('_'));
            }
        }
        out.extend(id('$'));
        out
    }
}

impl Tts for Piper {
    fn language(&self) -> &str {
        "en"
    }

    fn synthesize(&self, sentence: &str, speed: f32) -> anyhow::Result<Audio> {
        use ort::value::Tensor;
        let ids = self.ids(&self.phonemes(sentence)?);
        let n = ids.len();
        let inf = &self.config.inference;
        let input = Tensor::from_array(([1usize, n], ids))?;
        let lengths = Tensor::from_array(([1usize], vec![n as i64]))?;
        let length_scale = inf.length_scale / speed.clamp(0.5, 2.0);
        let (noise, noise_w) = if self.variation { (inf.noise_scale, inf.noise_w) } else { (0.0, 0.0) };
        let scales = Tensor::from_array(([3usize], vec![noise, length_scale, noise_w]))?;
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = session
            .run(ort::inputs!["input" => input, "input_lengths" => lengths, "scales" => scales])
            .context("Piper synthesis")?;
        let (_, samples) = outputs[0].try_extract_tensor::<f32>()?;
        Ok(Audio { rate: self.sample_rate(), samples: samples.to_vec() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accuracy::{round_trip, wer};
    use crate::asr::{Whisper, WhisperSize};

    #[test]
    fn phoneme_ids_are_framed_and_padded() {
        let piper = Piper::load().expect("piper-en-joe voice (scripts/setup fetches it)");
        let phonemes = piper.phonemes("Two teas, please?").unwrap();
        assert!(phonemes.ends_with('?') && phonemes.contains(','), "{phonemes}");
        let ids = piper.ids("ab");
        assert_eq!(ids.first(), Some(&1));
        assert_eq!(ids.last(), Some(&2));
        assert_eq!(ids.iter().filter(|&&i| i == 0).count(), 3, "pad after ^ and after each phoneme: {ids:?}");
    }

    /// Round trip: our English voice, heard by our recogniser.
    #[test]
    fn what_piper_says_whisper_understands() {
        let piper = Piper::load().expect("piper-en-joe voice").deterministic();
        let whisper = Whisper::load(WhisperSize::TinyEn).expect("whisper-tiny-en");
        let sentences = [
            "Got it: two large bubble milk teas, half sugar, less ice.",
            "Is this for delivery or pickup?",
            "Your order number is 1024, and the total is 190 dollars.",
            "We are open every day from ten in the morning to nine at night.",
        ];
        for s in sentences {
            let audio = piper.synthesize(s, 1.0).unwrap();
            assert_eq!(audio.rate, 22_050);
            assert_eq!(audio, piper.synthesize(s, 1.0).unwrap(), "deterministic");
        }
        let cases: Vec<(&str, &str)> = sentences.iter().map(|s| (*s, *s)).collect();
        // Threshold: see README, "Speech accuracy". ("pick up" for "pickup" alone is 0.33 on its sentence.)
        let average = round_trip(&piper, &whisper, "en", &cases, wer);
        assert!(average <= 0.12, "average WER {average:.2}");
    }
}
