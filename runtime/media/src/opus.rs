//! Opus for browser calls (RFC 6716, RFC 7587): 48 kHz on the wire, the
//! conversation's 16 kHz inside. libopus does the coding; the streaming
//! resampler bridges the rates without seams between 20 ms frames.

use super::resample::StreamResampler;

/// The RTP clock rate and sampling rate of Opus in WebRTC.
pub const OPUS_RATE: u32 = 48_000;
/// Samples in one 20 ms frame at 48 kHz.
pub const OPUS_FRAME: usize = OPUS_RATE as usize / 50;
/// The longest Opus packet duration (120 ms) at 48 kHz.
const MAX_PACKET_SAMPLES: usize = OPUS_FRAME * 6;

/// 16 kHz frames in, Opus packets out.
pub struct OpusEncoder {
    codec: opus::Encoder,
    up: StreamResampler,
    pending: Vec<f32>,
    out: Vec<u8>,
}

impl OpusEncoder {
    pub fn new() -> Result<OpusEncoder, opus::Error> {
        let mut codec = opus::Encoder::new(OPUS_RATE, opus::Channels::Mono, opus::Application::Voip)?;
        // Speech: 32 kbit/s is transparent for a synthetic voice and cheap to send.
        codec.set_bitrate(opus::Bitrate::Bits(32_000))?;
        codec.set_inband_fec(true)?;
        codec.set_packet_loss_perc(5)?;
        Ok(OpusEncoder { codec, up: StreamResampler::new(16_000, OPUS_RATE), pending: Vec::new(), out: vec![0; 1500] })
    }

    /// Encode 20 ms of 16 kHz audio; returns the packets that are complete (normally one).
    pub fn encode(&mut self, frame16k: &[f32]) -> Vec<Vec<u8>> {
        self.up.process(frame16k, &mut self.pending);
        let mut packets = Vec::new();
        while self.pending.len() >= OPUS_FRAME {
            match self.codec.encode_float(&self.pending[..OPUS_FRAME], &mut self.out) {
                Ok(n) => packets.push(self.out[..n].to_vec()),
                Err(e) => tracing::warn!(error = %e, "opus encode failed: frame skipped"),
            }
            self.pending.drain(..OPUS_FRAME);
        }
        packets
    }
}

/// Opus packets in, 16 kHz audio out. A corrupt packet is concealed, not fatal.
pub struct OpusDecoder {
    codec: opus::Decoder,
    down: StreamResampler,
    pcm: Vec<f32>,
}

impl OpusDecoder {
    pub fn new() -> Result<OpusDecoder, opus::Error> {
        Ok(OpusDecoder {
            codec: opus::Decoder::new(OPUS_RATE, opus::Channels::Mono)?,
            down: StreamResampler::new(OPUS_RATE, 16_000),
            pcm: vec![0.0; MAX_PACKET_SAMPLES],
        })
    }

    /// Decode one packet into 16 kHz samples appended to `out`.
    pub fn decode(&mut self, packet: &[u8], out: &mut Vec<f32>) {
        let n = match self.codec.decode_float(packet, &mut self.pcm, false) {
            Ok(n) => n,
            Err(e) => {
                tracing::debug!(error = %e, len = packet.len(), "undecodable opus packet: concealed");
                self.conceal_samples(OPUS_FRAME)
            }
        };
        self.down.process(&self.pcm[..n], out);
    }

    /// Packets were lost: let the decoder fill `samples` (48 kHz) of audio.
    pub fn conceal(&mut self, samples: usize, out: &mut Vec<f32>) {
        let n = self.conceal_samples(samples.min(MAX_PACKET_SAMPLES));
        self.down.process(&self.pcm[..n], out);
    }

    fn conceal_samples(&mut self, samples: usize) -> usize {
        let samples = samples - samples % (OPUS_RATE as usize / 400); // whole 2.5 ms units
        match self.codec.decode_float(&[], &mut self.pcm[..samples], false) {
            Ok(n) => n,
            Err(_) => {
                self.pcm[..samples].fill(0.0);
                samples
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(secs: f32) -> Vec<f32> {
        (0..(16_000.0 * secs) as usize)
            .map(|i| 0.3 * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 16_000.0).sin())
            .collect()
    }

    #[test]
    fn a_tone_survives_the_round_trip() {
        let mut enc = OpusEncoder::new().unwrap();
        let mut dec = OpusDecoder::new().unwrap();
        let input = tone(1.0);
        let mut output = Vec::new();
        let mut packets = 0;
        for frame in input.chunks(320) {
            for p in enc.encode(frame) {
                assert!(p.len() < 200, "a 20 ms speech packet is small: {}", p.len());
                dec.decode(&p, &mut output);
                packets += 1;
            }
        }
        assert!(packets >= 48, "about one packet per frame: {packets}");
        // Past the codec's and resamplers' delay, the level matches.
        let rms = |s: &[f32]| (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt();
        let (a, b) = (rms(&input[4000..12_000]), rms(&output[4000..12_000]));
        assert!((a - b).abs() < 0.05 * a, "level in {a}, out {b}");
    }

    #[test]
    fn garbage_and_loss_are_concealed() {
        let mut dec = OpusDecoder::new().unwrap();
        let mut out = Vec::new();
        dec.decode(&[0xff, 0xff, 0xff, 0x00, 0x13], &mut out);
        dec.decode(&[], &mut out);
        dec.conceal(OPUS_FRAME * 2, &mut out);
        assert!(out.len() >= 600, "{}", out.len());
        assert!(out.iter().all(|x| x.is_finite()));
    }
}
