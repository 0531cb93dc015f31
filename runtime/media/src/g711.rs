//! G.711 µ-law (PCMU) and A-law (PCMA), the codecs every SIP trunk speaks.
//!
//! Samples are `f32` in −1..1 on our side; the tables follow ITU-T G.711.

/// Which G.711 law a stream uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// µ-law, RTP payload type 0.
    Pcmu,
    /// A-law, RTP payload type 8.
    Pcma,
}

impl Law {
    pub fn payload_type(self) -> u8 {
        match self {
            Law::Pcmu => 0,
            Law::Pcma => 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Law::Pcmu => "PCMU",
            Law::Pcma => "PCMA",
        }
    }

    pub fn decode(self, bytes: &[u8], out: &mut Vec<f32>) {
        match self {
            Law::Pcmu => out.extend(bytes.iter().map(|&b| ulaw_to_linear(b) as f32 / 32768.0)),
            Law::Pcma => out.extend(bytes.iter().map(|&b| alaw_to_linear(b) as f32 / 32768.0)),
        }
    }

    pub fn encode(self, samples: &[f32], out: &mut Vec<u8>) {
        let pcm = samples.iter().map(|&s| (s.clamp(-1.0, 1.0) * 32767.0) as i16);
        match self {
            Law::Pcmu => out.extend(pcm.map(linear_to_ulaw)),
            Law::Pcma => out.extend(pcm.map(linear_to_alaw)),
        }
    }

    /// The byte a silent sample encodes to.
    pub fn silence(self) -> u8 {
        match self {
            Law::Pcmu => 0xFF,
            Law::Pcma => 0xD5,
        }
    }
}

const BIAS: i32 = 0x84;
const CLIP: i32 = 32635;

pub fn linear_to_ulaw(sample: i16) -> u8 {
    let mut s = sample as i32;
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    s = s.min(CLIP) + BIAS;
    let exponent = (7 - (s.leading_zeros() as i32 - 17)).clamp(0, 7);
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) | mantissa) as u8
}

pub fn ulaw_to_linear(byte: u8) -> i16 {
    let u = !byte as i32;
    let sign = u & 0x80;
    let exponent = (u >> 4) & 0x07;
    let mantissa = u & 0x0F;
    let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

pub fn linear_to_alaw(sample: i16) -> u8 {
    let mut s = sample as i32;
    let sign = if s >= 0 { 0x80 } else { 0x00 };
    if s < 0 {
        s = -s - 1;
    }
    s = s.min(32767);
    let byte = if s < 256 {
        s >> 4
    } else {
        let exponent = 31 - (s as u32).leading_zeros() as i32 - 7;
        let mantissa = (s >> (exponent + 3)) & 0x0F;
        (exponent << 4) | mantissa
    };
    ((byte | sign) ^ 0x55) as u8
}

pub fn alaw_to_linear(byte: u8) -> i16 {
    let a = (byte ^ 0x55) as i32;
    let exponent = (a >> 4) & 0x07;
    let mantissa = a & 0x0F;
    let magnitude = if exponent == 0 { (mantissa << 4) + 8 } else { ((mantissa << 4) + 0x108) << (exponent - 1) };
    (if a & 0x80 != 0 { magnitude } else { -magnitude }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_code_points() {
        // ITU-T G.711 reference values.
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
    }

    #[test]
    fn every_code_round_trips() {
        for b in 0..=255u8 {
            assert_eq!(linear_to_ulaw(ulaw_to_linear(b)), if b == 0x7F { 0xFF } else { b }, "µ-law {b:#x}");
            assert_eq!(linear_to_alaw(alaw_to_linear(b)), b, "A-law {b:#x}");
        }
    }

    #[test]
    fn quantisation_error_is_small() {
        for law in [Law::Pcmu, Law::Pcma] {
            let signal: Vec<f32> = (0..800).map(|i| 0.6 * (i as f32 * 0.05).sin()).collect();
            let mut bytes = Vec::new();
            law.encode(&signal, &mut bytes);
            let mut back = Vec::new();
            law.decode(&bytes, &mut back);
            let err: f32 = signal.iter().zip(&back).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(err < 0.02, "{law:?}: max error {err}");
        }
    }
}
