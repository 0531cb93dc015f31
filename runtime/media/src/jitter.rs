//! A jitter buffer for inbound audio packets: puts them back in order, drops
//! duplicates and packets that come too late, and conceals the gap of a lost
//! packet, so the speech engine hears a continuous 16 kHz stream.
//!
//! It is driven by arrival, not by a clock: packets are held until `depth`
//! later ones have arrived (or until [`JitterBuffer::flush`] when the stream
//! pauses), which reorders anything up to `depth` packets late.

use std::collections::BTreeMap;

pub struct JitterBuffer {
    depth: usize,
    packets: BTreeMap<u32, Vec<u8>>,
    /// Extended sequence number of the next packet to play.
    next: Option<u32>,
    pub late: u64,
    pub duplicates: u64,
    pub concealed: u64,
}

/// One packet's worth of audio out of the buffer.
#[derive(Debug, PartialEq)]
pub enum Played {
    Packet(Vec<u8>),
    /// A packet that never came: the channel plays something in its place.
    Lost,
}

/// A gap wider than this is a new talk spurt (or a restarted sender), not loss.
const MAX_CONCEALED: u32 = 10;

impl JitterBuffer {
    pub fn new(depth: usize) -> JitterBuffer {
        JitterBuffer { depth, packets: BTreeMap::new(), next: None, late: 0, duplicates: 0, concealed: 0 }
    }

    /// Add a packet (by extended sequence number); returns what is ready to play, in order.
    pub fn push(&mut self, seq: u32, payload: Vec<u8>) -> Vec<Played> {
        if self.next.is_some_and(|n| seq < n) {
            self.late += 1;
            return Vec::new();
        }
        if self.packets.insert(seq, payload).is_some() {
            self.duplicates += 1;
        }
        let mut out = Vec::new();
        while self.packets.len() > self.depth {
            self.pop(&mut out);
        }
        out
    }

    /// Everything held, in order (the stream paused or ended).
    pub fn flush(&mut self) -> Vec<Played> {
        let mut out = Vec::new();
        while !self.packets.is_empty() {
            self.pop(&mut out);
        }
        out
    }

    fn pop(&mut self, out: &mut Vec<Played>) {
        let Some((&first, _)) = self.packets.first_key_value() else { return };
        let next = self.next.unwrap_or(first);
        if first > next && first - next <= MAX_CONCEALED {
            for _ in next..first {
                self.concealed += 1;
                out.push(Played::Lost);
            }
        }
        let payload = self.packets.remove(&first).unwrap_or_default();
        out.push(Played::Packet(payload));
        self.next = Some(first + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seqs(played: &[Played]) -> Vec<Option<u8>> {
        played
            .iter()
            .map(|p| match p {
                Played::Packet(b) => Some(b[0]),
                Played::Lost => None,
            })
            .collect()
    }

    #[test]
    fn reorders_drops_duplicates_and_late_packets_and_conceals_loss() {
        let mut jb = JitterBuffer::new(2);
        let mut out = Vec::new();
        for seq in [1u32, 3, 2, 2, 4, 6, 7, 8, 1] {
            out.extend(jb.push(seq, vec![seq as u8]));
        }
        out.extend(jb.flush());
        assert_eq!(seqs(&out), vec![Some(1), Some(2), Some(3), Some(4), None, Some(6), Some(7), Some(8)]);
        assert_eq!((jb.duplicates, jb.late, jb.concealed), (1, 1, 1));
    }

    #[test]
    fn a_long_gap_is_not_filled() {
        let mut jb = JitterBuffer::new(0);
        let mut out = jb.push(1, vec![1]);
        out.extend(jb.push(500, vec![2]));
        assert_eq!(seqs(&out), vec![Some(1), Some(2)]);
    }
}
