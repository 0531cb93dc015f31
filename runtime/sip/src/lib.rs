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
//!
//! The modules import one way, from the wire up: `message`, `sdp`, `auth` ←
//! `transport` ← `endpoint` ← `dialog` ← `dial` (calls we place), `leg` (a
//! connected call) ← `transfer` ← `call` ← `inbound`, `outbound`. The endpoint
//! hands new INVITEs to the handler [`start`] gives it, so it never imports
//! `inbound`.

pub mod auth;
pub mod call;
pub mod dial;
pub mod dialog;
pub mod endpoint;
pub mod inbound;
pub mod leg;
pub mod message;
pub mod outbound;
pub mod sdp;
pub mod transfer;
pub mod transport;

pub use endpoint::{Endpoint, SipConfig};

use std::sync::Arc;

use switchboard_call::App;
use switchboard_call::voice::SpeechEngines;

/// Take phone calls: bind SIP on `config.listen`, answering new INVITEs with
/// [`inbound::answer`].
pub async fn start(app: Arc<App>, engines: Arc<SpeechEngines>, config: SipConfig) -> anyhow::Result<Arc<Endpoint>> {
    Endpoint::start(app, engines, config, |ep, invite, dialog| Box::pin(inbound::answer(ep, invite, dialog))).await
}
