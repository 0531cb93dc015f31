//! What happens to calls, as it happens: each call's start, transcript and end, broadcast
//! to whoever watches (the API's event stream, a console's live view, a test
//! waiting for a call to end). An end is announced after its record is saved,
//! so a watcher that reads the record sees how the call ended.

use serde::Serialize;
use tokio::sync::broadcast;

use switchboard_domain::calls::{Channel, Outcome};

/// Events a slow watcher may fall behind by before it misses some (it is told).
const BACKLOG: usize = 1024;

/// One thing that happened to a call.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallEvent {
    pub tenant_id: String,
    pub call_id: String,
    #[serde(flatten)]
    pub kind: CallEventKind,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallEventKind {
    /// The call was answered and its flow started.
    Started { channel: Channel, caller: String },
    /// The call ended; its record is saved.
    Ended { outcome: Outcome, reason: String },
    /// The call's recording is written (after it ended, for tenants that record calls).
    Recorded,
    /// A line of the transcript as it is said: the caller's words (as recognised), the bot's
    /// reply, or something the host did.
    Turn { speaker: switchboard_domain::calls::Speaker, text: String },
}

/// The broadcast every call publishes to.
pub struct CallEvents(broadcast::Sender<CallEvent>);

impl Default for CallEvents {
    fn default() -> Self {
        CallEvents(broadcast::channel(BACKLOG).0)
    }
}

impl CallEvents {
    /// Tell every watcher (none listening is fine).
    pub fn publish(&self, event: CallEvent) {
        let _ = self.0.send(event);
    }

    /// Watch events from now on; filter by tenant before showing them to anyone.
    pub fn subscribe(&self) -> broadcast::Receiver<CallEvent> {
        self.0.subscribe()
    }
}
