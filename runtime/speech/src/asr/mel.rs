//! Whisper's log-mel features for exactly the audio there is: 25 ms Hann
//! windows every 10 ms, 80 Slaney mel bands (as librosa and OpenAI's Whisper
//! compute them), log10, clamped to 8 below the peak, scaled to about [-1, 1].
//! No padding to 30 s: the encoder runs on the frames there are.

use std::sync::OnceLock;

use candle_core::{Device, Tensor};

pub const N_FFT: usize = 400;
pub const HOP: usize = 160;
const BINS: usize = N_FFT / 2 + 1;

/// Precomputed tables as matrices: windowed DFT bases and mel filters, so the
/// spectrogram is three matrix products (fast gemm even in debug builds).
struct Tables {
    /// `[N_FFT, BINS]` cosine and sine bases, with the Hann window folded in.
    cos: Tensor,
    sin: Tensor,
    /// `[BINS, n_mels]`
    filters: Tensor,
    n_mels: usize,
}

fn hz_to_mel(f: f64) -> f64 {
    // Slaney: linear below 1 kHz, logarithmic above.
    if f < 1000.0 { 3.0 * f / 200.0 } else { 15.0 + (f / 1000.0).ln() / (6.4f64.ln() / 27.0) }
}

fn mel_to_hz(m: f64) -> f64 {
    if m < 15.0 { 200.0 * m / 3.0 } else { 1000.0 * ((m - 15.0) * (6.4f64.ln() / 27.0)).exp() }
}

/// librosa.filters.mel(sr=16000, n_fft=400, n_mels, htk=False, norm="slaney"), `[n_mels][BINS]`.
fn mel_filters(n_mels: usize) -> Vec<f32> {
    let sr = 16_000.0;
    let fft_freqs: Vec<f64> = (0..BINS).map(|i| i as f64 * sr / N_FFT as f64).collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let points: Vec<f64> =
        (0..n_mels + 2).map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64)).collect();
    let mut filters = vec![0.0f32; n_mels * BINS];
    for m in 0..n_mels {
        let (left, center, right) = (points[m], points[m + 1], points[m + 2]);
        let norm = 2.0 / (right - left);
        for (k, &f) in fft_freqs.iter().enumerate() {
            let lower = (f - left) / (center - left);
            let upper = (right - f) / (right - center);
            filters[m * BINS + k] = (lower.min(upper).max(0.0) * norm) as f32;
        }
    }
    filters
}

fn tables(n_mels: usize) -> candle_core::Result<&'static Tables> {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    if let Some(t) = TABLES.get() {
        assert_eq!(t.n_mels, n_mels, "one mel configuration per process");
        return Ok(t);
    }
    let window: Vec<f64> =
        (0..N_FFT).map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / N_FFT as f64).cos()).collect();
    let mut cos = vec![0.0f32; N_FFT * BINS];
    let mut sin = vec![0.0f32; N_FFT * BINS];
    for n in 0..N_FFT {
        for k in 0..BINS {
            let a = 2.0 * std::f64::consts::PI * (k * n % N_FFT) as f64 / N_FFT as f64;
            cos[n * BINS + k] = (a.cos() * window[n]) as f32;
            sin[n * BINS + k] = (a.sin() * window[n]) as f32;
        }
    }
    let device = Device::Cpu;
    let filters = Tensor::from_vec(mel_filters(n_mels), (n_mels, BINS), &device)?.t()?.contiguous()?;
    let t = Tables {
        cos: Tensor::from_vec(cos, (N_FFT, BINS), &device)?,
        sin: Tensor::from_vec(sin, (N_FFT, BINS), &device)?,
        filters,
        n_mels,
    };
    Ok(TABLES.get_or_init(|| t))
}

/// Log-mel features of 16 kHz audio as a `[1, n_mels, frames]` tensor.
pub fn log_mel(samples: &[f32], n_mels: usize) -> candle_core::Result<Tensor> {
    let t = tables(n_mels)?;
    let frames = samples.len() / HOP;
    // Centre the windows as torch.stft(center=True) does: reflect-pad by N_FFT/2.
    let pad = N_FFT / 2;
    let n = samples.len() as isize;
    let at = |i: isize| -> f32 {
        let j = if i < 0 {
            -i
        } else if i >= n {
            2 * (n - 1) - i
        } else {
            i
        };
        samples.get(j.clamp(0, (n - 1).max(0)) as usize).copied().unwrap_or(0.0)
    };
    let mut framed = Vec::with_capacity(frames * N_FFT);
    for f in 0..frames {
        let start = (f * HOP) as isize - pad as isize;
        framed.extend((0..N_FFT as isize).map(|k| at(start + k)));
    }
    let framed = Tensor::from_vec(framed, (frames, N_FFT), &Device::Cpu)?;
    let re = framed.matmul(&t.cos)?;
    let im = framed.matmul(&t.sin)?;
    let power = (re.sqr()? + im.sqr()?)?;
    let mel = power.matmul(&t.filters)?.clamp(1e-10f32, f32::MAX)?.log()?.affine(1.0 / std::f64::consts::LN_10, 0.0)?;
    let peak = mel.max_all()?.to_scalar::<f32>()?;
    let mel = ((mel.maximum(peak - 8.0)? + 4.0)? / 4.0)?;
    mel.t()?.unsqueeze(0)?.contiguous()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_band_has_weight_and_bands_rise_in_frequency() {
        let f = mel_filters(80);
        // Every band has some weight, bands are ordered by frequency, and the
        // Slaney normalisation makes each band's area about the same.
        for m in 0..80 {
            let row = &f[m * BINS..(m + 1) * BINS];
            assert!(row.iter().any(|&v| v > 0.0), "band {m} is empty");
        }
        let peak_bin = |m: usize| (0..BINS).max_by(|&a, &b| f[m * BINS + a].total_cmp(&f[m * BINS + b])).unwrap();
        assert!(peak_bin(10) < peak_bin(40) && peak_bin(40) < peak_bin(79));
    }

    #[test]
    fn a_tone_lights_the_right_band() {
        use std::f32::consts::PI;
        let tone: Vec<f32> = (0..16000).map(|i| (2.0 * PI * 1000.0 * i as f32 / 16000.0).sin() * 0.5).collect();
        let mel = log_mel(&tone, 80).unwrap();
        assert_eq!(mel.dims(), &[1, 80, 100]);
        let mel = mel.squeeze(0).unwrap().to_vec2::<f32>().unwrap();
        let band_energy = |m: usize| mel[m][50];
        let loudest = (0..80).max_by(|&a, &b| band_energy(a).total_cmp(&band_energy(b))).unwrap();
        // 1 kHz is mel 15, band 15/ (hz_to_mel(8000)/81) ≈ 26.
        assert!((24..=29).contains(&loudest), "loudest band {loudest}");
    }
}
