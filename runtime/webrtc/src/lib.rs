//! Browser calls over WebRTC: the click-to-call widget's offer arrives over
//! HTTP (`api::widget`), the [`endpoint`] answers it and routes the shared UDP
//! port's datagrams to each call's [`peer`] (str0m: ICE-lite, DTLS-SRTP, Opus,
//! RFC 4733 key presses, a data channel for the live transcript), and
//! [`call`] runs the same conversation as a phone call on it.
//!
//! ```text
//! browser ─UDP─► endpoint (STUN ufrag / source) ─► peer task (str0m) ─Opus→16 kHz─► Conversation
//!    ▲                                                 │                                 │
//!    └──── SRTP Opus, data-channel JSON ◄──────────────┴──── 20 ms frames, transcript ◄──┘
//! ```

pub mod call;
pub mod endpoint;
pub mod peer;
pub mod stun;

pub use endpoint::{StartError, WebRtcConfig, WebRtcEndpoint};
