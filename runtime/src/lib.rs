//! Switchboard: a multi-tenant phone-bot runtime. This crate is the
//! `switchboard` command ([`cli`]: `serve`, `chat`, the remote commands) and
//! the demo tenant it seeds ([`demo`]); the layers are crates of their own,
//! re-exported here under the names benches and tests use.
//!
//! The data path, bottom up:
//! - [`media`]: RTP, G.711, Opus, telephone events, jitter, resampling;
//! - [`sip`] and [`webrtc`]: phone and browser calls into the call layer;
//! - [`speech`]: VAD, end of turn, Whisper, the voices;
//! - [`call`]: the call session every channel drives (caller input → flow → replies), with
//!   speech, the live conversation, recording, agent hand-over and [`metrics`];
//! - [`flows`]: the sandboxed WebAssembly flow host and the tenant capabilities it offers;
//! - [`knowledge`]: FAQ search (lexical and semantic) and sentence embeddings for intents;
//! - [`storage`]: the storage interfaces, over redb (embedded) or PostgreSQL (shared by a cluster);
//! - [`domain`]: the records and their rules (pricing, number matching, FAQ scoring);
//! - [`api`]: the admin and tenant HTTP API (and the WebSocket text session).

pub mod cli;
pub mod demo;

pub use switchboard_api as api;
pub use switchboard_call as call;
pub use switchboard_call::{app, metrics};
pub use switchboard_domain as domain;
pub use switchboard_domain::ids;
pub use switchboard_flows as flows;
pub use switchboard_knowledge as knowledge;
pub use switchboard_media as media;
pub use switchboard_sip as sip;
pub use switchboard_speech as speech;
pub use switchboard_store as storage;
pub use switchboard_webrtc as webrtc;

#[cfg(test)]
mod conversation_tests;
#[cfg(test)]
mod layering_tests;
