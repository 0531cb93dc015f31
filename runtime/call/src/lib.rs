//! Calls, whatever the channel: the [`session::CallSession`] turns caller input
//! into flow events and flow actions into replies, transfers and hang-ups, and
//! keeps the call record. Text (simulated) calls drive it directly; voice calls
//! add speech ([`voice::VoiceCall`]); live channels (SIP, WebRTC) run it in real
//! time with barge-in ([`conversation::Conversation`]) and may record it
//! ([`recording::Recorder`]).
//!
//! The crate is channel-neutral: SIP and WebRTC sit above it and hand it
//! [`switchboard_media::MediaIn`]; it reaches a person through the
//! [`agents::AgentLine`] a channel provides. [`App`] is what they all share, and
//! [`metrics`] what they count. [`fakes`] are speech engines without models, for
//! testing a conversation.

pub mod agents;
pub mod app;
pub mod conversation;
pub mod desk;
pub mod drain;
pub mod events;
pub mod outreach;
pub mod places;
pub mod recording;
pub mod recording_store;
pub mod replay;
pub mod session;
pub mod steering;
pub mod voice;

pub mod fakes;
pub mod metrics;

pub use app::App;
pub use session::{CallSession, CallSetup, CallerInput, Reply, Turn};
