//! Switchboard: a multi-tenant phone-bot runtime.
//!
//! The data path, in modules:
//! - [`sip`] and [`media`]: phone calls (SIP signalling, RTP, G.711, DTMF) into the call session;
//! - [`webrtc`]: browser calls (the click-to-call widget: ICE, DTLS-SRTP, Opus) into the same session;
//! - [`call`]: the call session every channel drives (caller input → flow → replies), with speech;
//! - [`flows`]: the sandboxed WebAssembly flow host and the tenant capabilities it offers;
//! - [`knowledge`]: FAQ search (lexical and semantic) and sentence embeddings for intents;
//! - [`storage`]: tenants, flows, catalogue, FAQ, customers, orders, calls in one redb file;
//! - [`api`]: the admin and tenant HTTP API (and the WebSocket text session);
//! - [`cli`]: the `switchboard` command.

pub mod api;
pub use switchboard_call::app;
pub use switchboard_call as call;
pub mod cli;
pub mod demo;
pub use switchboard_flows as flows;
pub use switchboard_domain as domain;
pub use switchboard_domain::ids;
pub use switchboard_knowledge as knowledge;
pub use switchboard_media as media;
pub use switchboard_call::metrics;
pub use switchboard_sip as sip;
pub use switchboard_speech as speech;
pub use switchboard_store as storage;
pub use switchboard_webrtc as webrtc;

#[cfg(test)]
mod conversation_tests;
