//! Calls, whatever the channel: the [`session::CallSession`] turns caller input
//! into flow events and flow actions into replies, transfers and hang-ups, and
//! keeps the call record. Text (simulated) calls drive it directly; SIP and
//! WebRTC calls will drive it from media.

pub mod session;
pub mod voice;

pub use session::{CallSession, CallSetup, CallerInput, Reply, Turn};
