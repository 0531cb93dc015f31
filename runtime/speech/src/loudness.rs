//! When the caller's voice was last loud: the silence since then, as heard.
//!
//! silero's probability trails the voice by 76–154 ms on the recorded callers, so the VAD's
//! count of silence starts about 0.1 s late. Loudness has no such lag: a 10 ms block is loud
//! when its level is within 26 dB of the loudest block of the last few seconds (and above a
//! floor for digital silence). On a quiet line the silence heard leads the VAD's by that
//! tenth of a second; on a noisy one no block is quiet and the VAD's count stands alone.

/// 10 ms at 16 kHz.
const BLOCK: usize = 160;
/// A block this far below the recent peak (in amplitude: −26 dB) is quiet.
const BELOW_PEAK: f32 = 0.05;
/// Below this RMS a block is quiet whatever the peak (digital silence, a very faint line).
const FLOOR: f32 = 0.002;
/// The peak halves in about 2 s, so a loud turn long past does not make the next one quiet.
const DECAY: f32 = 0.996_54;

#[derive(Debug, Default)]
pub struct Loudness {
    peak: f32,
    /// Samples heard so far, and the end of the last loud block (in samples).
    heard: u64,
    last_loud: u64,
    /// Samples of the block being filled, and their sum of squares.
    partial: usize,
    sum: f32,
}

impl Loudness {
    /// Listen to 16 kHz samples.
    pub fn push(&mut self, samples: &[f32]) {
        for &s in samples {
            self.sum += s * s;
            self.partial += 1;
            self.heard += 1;
            if self.partial == BLOCK {
                let rms = (self.sum / BLOCK as f32).sqrt();
                self.peak = (self.peak * DECAY).max(rms);
                if rms > FLOOR && rms > self.peak * BELOW_PEAK {
                    self.last_loud = self.heard;
                }
                self.partial = 0;
                self.sum = 0.0;
            }
        }
    }

    /// Milliseconds since the voice was last loud (since the start, if it never was).
    pub fn quiet_ms(&self) -> u64 {
        (self.heard - self.last_loud) / 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(ms: usize, amplitude: f32) -> Vec<f32> {
        (0..ms * 16).map(|i| amplitude * (i as f32 * 0.2).sin()).collect()
    }

    #[test]
    fn silence_is_counted_from_the_last_loud_block() {
        let mut l = Loudness::default();
        l.push(&tone(500, 0.3));
        assert_eq!(l.quiet_ms(), 0);
        l.push(&vec![0.0; 16 * 300]);
        assert_eq!(l.quiet_ms(), 300);
        // A faint tail (−40 dB) is quiet; the voice coming back is not.
        l.push(&tone(100, 0.003));
        assert_eq!(l.quiet_ms(), 400);
        l.push(&tone(20, 0.2));
        assert_eq!(l.quiet_ms(), 0);
    }

    #[test]
    fn a_noisy_line_is_never_quiet_and_a_soft_voice_counts() {
        let mut l = Loudness::default();
        // Steady noise: the peak is the noise, so every block is loud (the VAD decides alone).
        l.push(&tone(3000, 0.05));
        assert_eq!(l.quiet_ms(), 0);
        // A soft voice after a loud one, within 26 dB: loud.
        let mut l = Loudness::default();
        l.push(&tone(300, 0.5));
        l.push(&tone(300, 0.05));
        assert_eq!(l.quiet_ms(), 0);
    }
}
