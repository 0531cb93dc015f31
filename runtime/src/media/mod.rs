//! Call media: RTP packets, G.711 and Opus, telephone events, the jitter
//! buffer, and streaming resampling between the network's rate and the speech
//! engine's 16 kHz. [`rtp_stream`] puts them together for one SIP call leg;
//! browser calls (`crate::webrtc`) use Opus through str0m.

pub mod dtmf;
pub mod g711;
pub mod jitter;
pub mod opus;
pub mod resample;
pub mod rtp;
pub mod rtp_stream;
