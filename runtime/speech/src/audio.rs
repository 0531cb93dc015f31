//! Audio buffers: mono `f32` samples in [-1, 1] at a known rate; WAV files in
//! and out; sample-rate conversion (the streaming polyphase filter calls use,
//! band-limited so that going down to 8 or 16 kHz does not alias).

use std::path::Path;

use anyhow::{Context, bail};

/// Mono audio.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub rate: u32,
    pub samples: Vec<f32>,
}

impl Audio {
    pub fn duration_secs(&self) -> f64 {
        self.samples.len() as f64 / self.rate as f64
    }

    /// This audio at another sample rate.
    pub fn resampled(&self, rate: u32) -> Audio {
        Audio { rate, samples: switchboard_media::resample::StreamResampler::convert(&self.samples, self.rate, rate) }
    }

    /// Read a RIFF/WAVE file: 8/16/24/32-bit PCM or 32-bit float, any number of
    /// channels (mixed down to mono).
    pub fn read_wav(path: &Path) -> anyhow::Result<Audio> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Audio::parse_wav(&bytes).with_context(|| format!("{} is not a WAV file we can read", path.display()))
    }

    pub fn parse_wav(bytes: &[u8]) -> anyhow::Result<Audio> {
        if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
            bail!("no RIFF/WAVE header");
        }
        let (mut format, mut channels, mut rate, mut bits) = (0u16, 0u16, 0u32, 0u16);
        let mut pos = 12;
        while pos + 8 <= bytes.len() {
            let id = &bytes[pos..pos + 4];
            let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into()?) as usize;
            let body = &bytes[pos + 8..(pos + 8 + len).min(bytes.len())];
            match id {
                b"fmt " if body.len() >= 16 => {
                    format = u16::from_le_bytes([body[0], body[1]]);
                    channels = u16::from_le_bytes([body[2], body[3]]);
                    rate = u32::from_le_bytes(body[4..8].try_into()?);
                    bits = u16::from_le_bytes([body[14], body[15]]);
                    if format == 0xfffe && body.len() >= 26 {
                        // WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format's first two bytes.
                        format = u16::from_le_bytes([body[24], body[25]]);
                    }
                }
                b"data" => {
                    if channels == 0 || rate == 0 {
                        bail!("data before fmt");
                    }
                    let frame = (bits as usize / 8) * channels as usize;
                    if frame == 0 {
                        bail!("{bits}-bit samples are not supported");
                    }
                    let decode = |s: &[u8]| -> f32 {
                        match (format, bits) {
                            (1, 8) => (s[0] as f32 - 128.0) / 128.0,
                            (1, 16) => i16::from_le_bytes([s[0], s[1]]) as f32 / 32768.0,
                            (1, 24) => (i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) as f32 / 8_388_608.0,
                            (1, 32) => i32::from_le_bytes([s[0], s[1], s[2], s[3]]) as f32 / 2_147_483_648.0,
                            (3, 32) => f32::from_le_bytes([s[0], s[1], s[2], s[3]]),
                            _ => f32::NAN,
                        }
                    };
                    if decode(&[0, 0, 0, 0]).is_nan() {
                        bail!("WAV format {format} with {bits}-bit samples is not supported (use PCM or float)");
                    }
                    let width = bits as usize / 8;
                    let samples = body
                        .chunks_exact(frame)
                        .map(|f| f.chunks_exact(width).map(decode).sum::<f32>() / channels as f32)
                        .collect();
                    return Ok(Audio { rate, samples });
                }
                _ => {}
            }
            pos += 8 + len + (len & 1);
        }
        bail!("no data chunk")
    }

    /// 16-bit PCM mono WAV bytes.
    pub fn to_wav(&self) -> Vec<u8> {
        let data_len = self.samples.len() * 2;
        let mut out = Vec::with_capacity(44 + data_len);
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data_len as u32).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&self.rate.to_le_bytes());
        out.extend_from_slice(&(self.rate * 2).to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&(data_len as u32).to_le_bytes());
        for s in &self.samples {
            out.extend_from_slice(&((s.clamp(-1.0, 1.0) * 32767.0).round() as i16).to_le_bytes());
        }
        out
    }

    pub fn write_wav(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, self.to_wav()).with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;

    fn tone(freq: f64, rate: u32, secs: f64) -> Vec<f32> {
        (0..(rate as f64 * secs) as usize)
            .map(|i| (2.0 * PI * freq * i as f64 / rate as f64).sin() as f32 * 0.5)
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn wav_round_trip() {
        let a = Audio { rate: 16000, samples: tone(440.0, 16000, 0.1) };
        let b = Audio::parse_wav(&a.to_wav()).unwrap();
        assert_eq!(b.rate, 16000);
        assert_eq!(b.samples.len(), a.samples.len());
        assert!(a.samples.iter().zip(&b.samples).all(|(x, y)| (x - y).abs() < 1e-4));
    }

    #[test]
    fn garbage_is_not_a_wav() {
        assert!(Audio::parse_wav(b"RIFF....WAVEjunk").is_err());
        assert!(Audio::parse_wav(b"hello").is_err());
    }

    #[test]
    fn resampling_keeps_the_band_and_drops_what_cannot_be_represented() {
        // 1 kHz survives 48 kHz -> 8 kHz; 6 kHz (above the new Nyquist) is removed.
        let resample = |x: Vec<f32>, from, to| Audio { rate: from, samples: x }.resampled(to).samples;
        let kept = resample(tone(1000.0, 48000, 0.5), 48000, 8000);
        assert_eq!(kept.len(), 4000);
        assert!((rms(&kept[200..3800]) - 0.3535).abs() < 0.02, "rms {}", rms(&kept[200..3800]));
        let dropped = resample(tone(6000.0, 48000, 0.5), 48000, 8000);
        assert!(rms(&dropped[200..3800]) < 0.02, "aliased energy {}", rms(&dropped[200..3800]));
        let up = resample(tone(1000.0, 8000, 0.5), 8000, 16000);
        assert_eq!(up.len(), 8000);
        assert!((rms(&up[400..7600]) - 0.3535).abs() < 0.02);
    }
}
