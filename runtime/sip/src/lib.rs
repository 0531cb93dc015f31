//! Phone calls over SIP (RFC 3261) — our own small stack, because a phone bot
//! needs only a user agent's share of SIP and we want every byte of untrusted
//! input handled with a clear answer:
//!
//! ```text
//! UDP/TCP ─► transport (parse, 400 for garbage) ─► endpoint (dispatch by Call-ID / branch)
//!    ├─ new INVITE ─► inbound (route number → tenant, allowlist, digest, SDP, ring, 200 OK)
//!    │                 └─► call (RTP leg ⇄ Conversation: VAD → ASR → flow → TTS, barge-in)
//!    │                       └─► transfer (REFER, or bridged: dial the agent, hold audio, bridge)
//!    ├─ in-dialog ─► dialog (ACK, BYE, INFO keys, re-INVITE hold, NOTIFY)
//!    └─ responses ─► our client transactions (BYE, REFER, outbound INVITEs)
//! ```

pub mod auth;
pub mod call;
pub mod dialog;
pub mod endpoint;
pub mod inbound;
pub mod message;
pub mod outbound;
pub mod sdp;
pub mod transfer;
pub mod transport;

pub use endpoint::{Endpoint, SipConfig};
