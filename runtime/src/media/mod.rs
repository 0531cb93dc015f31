//! Call media: RTP packets, G.711, telephone events, the jitter buffer, and
//! streaming resampling between the network's rate and the speech engine's
//! 16 kHz. [`rtp_stream`] puts them together for one call leg.

pub mod dtmf;
pub mod g711;
pub mod jitter;
pub mod resample;
pub mod rtp;
pub mod rtp_stream;
