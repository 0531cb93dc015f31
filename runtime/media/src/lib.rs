//! Call media, the first layer of the data path: RTP packets, G.711 and Opus,
//! telephone events, the jitter buffer, and streaming resampling between the
//! network's rate and the conversation's 16 kHz. [`rtp_stream`] puts them
//! together for one SIP call leg; browser calls (`switchboard-webrtc`) use Opus
//! through str0m.
//!
//! It owns what every channel hands the conversation ([`MediaIn`]) and where
//! the conversation plays the bot ([`AudioOut`]); it knows nothing of calls,
//! flows or speech.

pub mod dtmf;
pub mod g711;
pub mod jitter;
pub mod opus;
pub mod resample;
pub mod rtp;
pub mod rtp_stream;

/// The conversation's sample rate: every channel converts to and from it.
pub const RATE: u32 = 16_000;

/// Samples per 20 ms frame at the conversation's rate (16 kHz).
pub const FRAME: usize = RATE as usize / 50;

/// What a channel delivers.
#[derive(Debug)]
pub enum MediaIn {
    /// Caller audio, 16 kHz mono, any length.
    Audio(Vec<f32>),
    /// A key press (RFC 4733, SIP INFO, the widget's keypad).
    Dtmf(char),
    /// The caller hung up or the channel went away.
    Hangup,
}

/// Where the channel plays the bot: one 20 ms frame of 16 kHz audio per call.
pub trait AudioOut: Send {
    fn play(&mut self, frame: &[f32]);
}
