//! Is the caller done? A second opinion on the end of a turn, from the audio.
//!
//! Silence alone cuts a caller who pauses mid-sentence ("0912, 345 … 678") and
//! keeps one who is plainly done waiting for the full silence. A
//! [`TurnDetector`] listens to how the turn ends (intonation, a finished
//! phrase) and says how likely it is complete; the voice call ends the turn
//! early when it is, and waits up to the tenant's maximum when it is not.
//!
//! [`SmartTurn`] is Smart Turn v3.2 (BSD-2-Clause, shipped in the `pipecat-ai`
//! wheel): Whisper log-mel features of the last 8 s of the turn in, a
//! probability out, about 50 ms on 2 threads.

use std::sync::Mutex;

use anyhow::Context;

use super::asr::mel;

/// Seconds of audio the model looks at (the end of the turn).
const WINDOW_SECS: usize = 8;
const RATE: usize = 16_000;

/// Anything that can judge whether a turn is complete (the model, or a fake in tests).
pub trait TurnDetector: Send + Sync {
    /// Probability (0 to 1) that the caller has finished, given the turn's audio so far
    /// (16 kHz mono, ending with the silence heard since they stopped).
    fn complete(&self, audio: &[f32]) -> anyhow::Result<f32>;
}

/// Smart Turn v3.2 on ONNX Runtime.
pub struct SmartTurn {
    session: Mutex<ort::session::Session>,
}

impl SmartTurn {
    /// Load the model from the models directory (`scripts/models.py` fetches it).
    pub fn load() -> anyhow::Result<SmartTurn> {
        let path = super::models::model_file("smart-turn", "smart-turn-v3.2-cpu.onnx")?;
        let session = super::onnx::session(&path, 2)?;
        Ok(SmartTurn { session: Mutex::new(session) })
    }
}

/// The model's input: the last 8 s (zeros in front when shorter), normalised to zero
/// mean and unit variance, as Whisper log-mel features `[80, 800]`.
pub fn features(audio: &[f32]) -> anyhow::Result<Vec<f32>> {
    let n = WINDOW_SECS * RATE;
    let tail = &audio[audio.len().saturating_sub(n)..];
    let mut window = vec![0.0f32; n - tail.len()];
    window.extend_from_slice(tail);
    let mean = window.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
    let var = window.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n as f64;
    let scale = 1.0 / (var + 1e-7).sqrt();
    let normalised: Vec<f32> = window.iter().map(|&x| ((x as f64 - mean) * scale) as f32).collect();
    let mel = mel::log_mel(&normalised, 80).context("log-mel features")?;
    let frames = mel.dim(2)?;
    anyhow::ensure!(frames == WINDOW_SECS * 100, "expected 800 frames, got {frames}");
    Ok(mel.flatten_all()?.to_vec1::<f32>()?)
}

impl TurnDetector for SmartTurn {
    fn complete(&self, audio: &[f32]) -> anyhow::Result<f32> {
        use ort::value::Tensor;
        let input = Tensor::from_array(([1usize, 80, WINDOW_SECS * 100], features(audio)?))?;
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = session.run(ort::inputs!["input_features" => input]).context("Smart Turn")?;
        let (_, probability) = outputs[0].try_extract_tensor::<f32>()?;
        Ok(probability.first().copied().unwrap_or(0.0).clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_silence(mut audio: Vec<f32>, ms: usize) -> Vec<f32> {
        audio.extend(std::iter::repeat_n(0.0, ms * 16));
        audio
    }

    #[test]
    fn features_have_the_models_shape() {
        let f = features(&vec![0.01; 3 * RATE]).unwrap();
        assert_eq!(f.len(), 80 * 800);
        assert!(f.iter().all(|x| x.is_finite()));
    }

    /// A finished sentence sounds complete; the same sentence stopped after its first words
    /// does not. (espeak-ng's robotic voice is not a fair test: the model hears it as unsure.)
    #[test]
    fn a_finished_sentence_sounds_complete_and_a_cut_one_does_not() {
        use crate::tts::Tts;
        let detector = SmartTurn::load().expect("smart-turn (scripts/setup fetches it)");
        let voice = crate::tts::mandarin::MandarinVoice::load().expect("the Mandarin voice");
        let say = |text: &str| voice.synthesize(text, 1.0).unwrap().resampled(16_000).samples;
        let whole = detector.complete(&with_silence(say("我要兩杯大杯珍珠奶茶，半糖少冰。"), 200)).unwrap();
        let cut = detector.complete(&with_silence(say("我要兩杯大杯"), 200)).unwrap();
        println!("complete: whole {whole:.2}, cut {cut:.2}");
        assert!(whole >= 0.5 && cut < 0.5, "whole {whole:.2}, cut {cut:.2}");
    }
}
