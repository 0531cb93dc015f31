//! RTP packets (RFC 3550) and the basics of RTCP: enough to carry G.711 and
//! RFC 4733 events, and to send sender/receiver reports.

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum RtpError {
    #[error("RTP packet too short ({0} bytes)")]
    TooShort(usize),
    #[error("not RTP version 2")]
    Version,
    #[error("RTP header extends past the packet")]
    Truncated,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RtpPacket {
    pub payload_type: u8,
    pub marker: bool,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub payload: Vec<u8>,
}

impl RtpPacket {
    /// Parse one datagram. CSRCs, header extensions and padding are skipped.
    pub fn parse(data: &[u8]) -> Result<RtpPacket, RtpError> {
        if data.len() < 12 {
            return Err(RtpError::TooShort(data.len()));
        }
        if data[0] >> 6 != 2 {
            return Err(RtpError::Version);
        }
        let padding = data[0] & 0x20 != 0;
        let extension = data[0] & 0x10 != 0;
        let csrcs = (data[0] & 0x0F) as usize;
        let mut start = 12 + 4 * csrcs;
        if extension {
            let words = data.get(start + 2..start + 4).ok_or(RtpError::Truncated)?;
            start += 4 + 4 * u16::from_be_bytes([words[0], words[1]]) as usize;
        }
        let mut end = data.len();
        if padding {
            let pad = *data.last().unwrap_or(&0) as usize;
            end = end.checked_sub(pad).ok_or(RtpError::Truncated)?;
        }
        if start > end {
            return Err(RtpError::Truncated);
        }
        Ok(RtpPacket {
            payload_type: data[1] & 0x7F,
            marker: data[1] & 0x80 != 0,
            sequence: u16::from_be_bytes([data[2], data[3]]),
            timestamp: u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
            ssrc: u32::from_be_bytes([data[8], data[9], data[10], data[11]]),
            payload: data[start..end].to_vec(),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.payload.len());
        out.push(0x80);
        out.push((self.payload_type & 0x7F) | if self.marker { 0x80 } else { 0 });
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }
}

/// Whether a datagram on an RTP port is RTCP (RFC 5761 §4: packet types 192–223).
pub fn is_rtcp(data: &[u8]) -> bool {
    data.len() >= 8 && data[0] >> 6 == 2 && (192..=223).contains(&data[1])
}

/// What we count to fill RTCP reports.
#[derive(Debug, Default, Clone)]
pub struct RtpStats {
    pub packets_received: u64,
    pub packets_sent: u64,
    pub octets_sent: u64,
    pub rtcp_received: u64,
    /// Highest sequence number seen, extended with wrap-arounds.
    pub highest_seq: u32,
    pub first_seq: Option<u32>,
    pub remote_ssrc: Option<u32>,
}

impl RtpStats {
    pub fn received(&mut self, packet: &RtpPacket, extended_seq: u32) {
        self.packets_received += 1;
        self.remote_ssrc = Some(packet.ssrc);
        self.first_seq.get_or_insert(extended_seq);
        self.highest_seq = self.highest_seq.max(extended_seq);
    }

    fn lost(&self) -> u32 {
        let expected = self.first_seq.map(|f| self.highest_seq.saturating_sub(f) as u64 + 1).unwrap_or(0);
        expected.saturating_sub(self.packets_received).min(0x7F_FFFF) as u32
    }

    /// A sender report (with one report block once we have heard the peer), as RFC 3550 §6.4.1 lays out.
    pub fn sender_report(&self, ssrc: u32, rtp_timestamp: u32, ntp: u64) -> Vec<u8> {
        let blocks = self.remote_ssrc.is_some() as u8;
        let mut out = vec![0x80 | blocks, 200];
        let words = 6 + 6 * blocks as u16;
        out.extend_from_slice(&words.to_be_bytes());
        out.extend_from_slice(&ssrc.to_be_bytes());
        out.extend_from_slice(&ntp.to_be_bytes());
        out.extend_from_slice(&rtp_timestamp.to_be_bytes());
        out.extend_from_slice(&(self.packets_sent as u32).to_be_bytes());
        out.extend_from_slice(&(self.octets_sent as u32).to_be_bytes());
        if let Some(remote) = self.remote_ssrc {
            out.extend_from_slice(&remote.to_be_bytes());
            let lost = self.lost();
            out.extend_from_slice(&[0, (lost >> 16) as u8, (lost >> 8) as u8, lost as u8]);
            out.extend_from_slice(&self.highest_seq.to_be_bytes());
            out.extend_from_slice(&[0; 12]); // jitter, last SR, delay since last SR
        }
        out
    }
}

/// Extends 16-bit sequence numbers across wrap-arounds.
#[derive(Debug, Default)]
pub struct SequenceTracker {
    cycles: u32,
    last: Option<u16>,
}

impl SequenceTracker {
    pub fn extend(&mut self, seq: u16) -> u32 {
        if let Some(last) = self.last {
            if seq < 0x1000 && last > 0xF000 {
                self.cycles += 1 << 16;
            } else if seq > 0xF000 && last < 0x1000 {
                // A late packet from before the wrap.
                return (self.cycles.wrapping_sub(1 << 16)) | seq as u32;
            }
        }
        if self.last.is_none_or(|l| seq.wrapping_sub(l) < 0x8000) {
            self.last = Some(seq);
        }
        self.cycles | seq as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_malformed_packets() {
        let p = RtpPacket {
            payload_type: 0,
            marker: true,
            sequence: 65535,
            timestamp: 160,
            ssrc: 7,
            payload: vec![1; 160],
        };
        assert_eq!(RtpPacket::parse(&p.to_bytes()).unwrap(), p);
        assert_eq!(RtpPacket::parse(&[0x80; 5]), Err(RtpError::TooShort(5)));
        assert_eq!(RtpPacket::parse(&[0x40; 20]), Err(RtpError::Version));
        // Fifteen CSRCs announced in a 20-byte packet.
        assert_eq!(RtpPacket::parse(&[0x8F; 20]), Err(RtpError::Truncated));
        // Padding longer than the packet.
        let mut padded = p.to_bytes();
        padded[0] |= 0x20;
        *padded.last_mut().unwrap() = 255;
        assert_eq!(RtpPacket::parse(&padded), Err(RtpError::Truncated));
        let sr = RtpStats::default().sender_report(1, 2, 3);
        assert!(is_rtcp(&sr));
        assert!(!is_rtcp(&p.to_bytes()));
    }

    #[test]
    fn sequence_numbers_extend_across_the_wrap() {
        let mut t = SequenceTracker::default();
        assert_eq!(t.extend(65534), 65534);
        assert_eq!(t.extend(65535), 65535);
        assert_eq!(t.extend(0), 65536);
        assert_eq!(t.extend(65535), 65535, "late packet from before the wrap");
        assert_eq!(t.extend(1), 65537);
    }
}
