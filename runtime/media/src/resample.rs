//! Streaming sample-rate conversion for call audio (8 kHz G.711 ↔ 16 kHz for
//! speech, 48 kHz Opus ↔ 16 kHz): a polyphase windowed-sinc filter that keeps
//! its history between chunks, so 20 ms packets convert without seams.

use std::f64::consts::PI;

/// Taps per polyphase branch: 32 input samples of support (2 ms at 16 kHz).
const TAPS_PER_PHASE: usize = 32;

pub struct StreamResampler {
    up: usize,
    down: usize,
    /// `phases[p][j]`: the prototype filter's tap `p + j·up`.
    phases: Vec<Vec<f32>>,
    /// The last `TAPS_PER_PHASE - 1` input samples, then the new ones.
    buf: Vec<f32>,
    /// Next output's position in the upsampled domain, relative to `buf[0]`.
    pos: usize,
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl StreamResampler {
    pub fn new(from: u32, to: u32) -> StreamResampler {
        let g = gcd(from as usize, to as usize).max(1);
        let (up, down) = (to as usize / g, from as usize / g);
        let n = TAPS_PER_PHASE * up;
        // Cut-off relative to the upsampled Nyquist: the narrower of the two bands, with a little room.
        let fc = (1.0 / up as f64).min(1.0 / down as f64) * 0.92;
        let centre = (n as f64 - 1.0) / 2.0;
        let proto: Vec<f64> = (0..n)
            .map(|i| {
                let d = i as f64 - centre;
                let sinc = if d.abs() < 1e-9 { 1.0 } else { (PI * fc * d).sin() / (PI * fc * d) };
                let w = 0.42 - 0.5 * (2.0 * PI * i as f64 / (n - 1) as f64).cos()
                    + 0.08 * (4.0 * PI * i as f64 / (n - 1) as f64).cos();
                fc * sinc * w * up as f64
            })
            .collect();
        let phases = (0..up)
            .map(|p| {
                let taps: Vec<f64> = (0..TAPS_PER_PHASE).map(|j| proto[p + j * up]).collect();
                // Each branch on its own has unit gain at DC, so silence stays silence and levels hold.
                let sum: f64 = taps.iter().sum();
                taps.iter().map(|t| (t / sum) as f32).collect()
            })
            .collect();
        StreamResampler { up, down, phases, buf: vec![0.0; TAPS_PER_PHASE - 1], pos: (TAPS_PER_PHASE - 1) * up }
    }

    /// Convert a whole buffer (the filter's tail is flushed with silence).
    pub fn convert(samples: &[f32], from: u32, to: u32) -> Vec<f32> {
        if from == to {
            return samples.to_vec();
        }
        let mut r = StreamResampler::new(from, to);
        let mut out = Vec::with_capacity(samples.len() * to as usize / from as usize + TAPS_PER_PHASE);
        r.process(samples, &mut out);
        r.process(&[0.0; TAPS_PER_PHASE / 2], &mut out);
        // Drop the filter's delay (half its length) so the audio starts on time.
        let delay = (TAPS_PER_PHASE / 2) * to as usize / from as usize;
        out.drain(..delay.min(out.len()));
        // As many samples as the duration calls for, rounded.
        out.resize((samples.len() * to as usize + from as usize / 2) / from as usize, 0.0);
        out
    }

    /// Convert the next chunk; output length follows the ratio, carried across chunks.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        if self.up == 1 && self.down == 1 {
            out.extend_from_slice(input);
            return;
        }
        self.buf.extend_from_slice(input);
        loop {
            let n = self.pos / self.up;
            if n >= self.buf.len() {
                break;
            }
            let taps = &self.phases[self.pos % self.up];
            let mut acc = 0.0f32;
            for (j, t) in taps.iter().enumerate() {
                acc += t * self.buf[n - j];
            }
            out.push(acc);
            self.pos += self.down;
        }
        let keep = TAPS_PER_PHASE - 1;
        let drop = self.buf.len() - keep;
        self.buf.drain(..drop);
        self.pos -= drop * self.up;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, rate: u32, n: usize) -> Vec<f32> {
        (0..n).map(|i| (0.5 * (2.0 * PI * freq * i as f64 / rate as f64).sin()) as f32).collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    fn chunked(from: u32, to: u32, signal: &[f32], chunk: usize) -> Vec<f32> {
        let mut r = StreamResampler::new(from, to);
        let mut out = Vec::new();
        for c in signal.chunks(chunk) {
            r.process(c, &mut out);
        }
        out
    }

    #[test]
    fn lengths_follow_the_ratio_across_packets() {
        let signal = tone(440.0, 8000, 8000);
        assert_eq!(chunked(8000, 16000, &signal, 160).len(), 16000);
        assert_eq!(chunked(16000, 8000, &tone(440.0, 16000, 16000), 320).len(), 8000);
        assert_eq!(chunked(48000, 16000, &tone(440.0, 48000, 48000), 960).len(), 16000);
        assert_eq!(chunked(16000, 48000, &tone(440.0, 16000, 16000), 320).len(), 48000);
    }

    #[test]
    fn a_tone_keeps_its_level_and_packets_leave_no_seams() {
        for (from, to, chunk) in [(8000, 16000, 160), (48000, 16000, 960), (16000, 48000, 320), (16000, 8000, 320)] {
            let signal = tone(1000.0, from, from as usize);
            let whole = chunked(from, to, &signal, signal.len());
            let packets = chunked(from, to, &signal, chunk);
            assert_eq!(whole, packets, "{from}->{to}: chunking changes nothing");
            let mid = &packets[to as usize / 10..to as usize * 9 / 10];
            assert!((rms(mid) - 0.3535).abs() < 0.01, "{from}->{to}: rms {}", rms(mid));
        }
    }

    #[test]
    fn what_the_new_rate_cannot_carry_is_removed() {
        let out = chunked(16000, 8000, &tone(6000.0, 16000, 16000), 320);
        assert!(rms(&out[800..7200]) < 0.02, "aliased energy {}", rms(&out[800..7200]));
    }
}
