//! Calls, whatever the channel: the [`session::CallSession`] turns caller input
//! into flow events and flow actions into replies, transfers and hang-ups, and
//! keeps the call record. Text (simulated) calls drive it directly; voice calls
//! add speech ([`voice::VoiceCall`]); live channels (SIP, WebRTC) run it in real
//! time with barge-in ([`conversation::Conversation`]) and may record it
//! ([`recording::Recorder`]).

pub mod agents;
pub mod conversation;
pub mod recording;
pub mod session;
pub mod steering;
pub mod voice;

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod tests;

pub use session::{CallSession, CallSetup, CallerInput, Reply, Turn};
