//! A call's understanding state: the expectation the flow declared for the
//! caller's next turn, the one in force now, what the bot said since the last
//! analysis ("two of those"), and the understander built from the tenant's
//! catalogue (by the `understand` capability, on first use).

use switchboard_understand as nlu;
use switchboard_understand::Understander;

/// Bot sentences kept for "two of those" until the next analysis.
const MAX_BOT_LINES: usize = 8;

/// One call's understanding state.
#[derive(Default)]
pub struct CallUnderstanding {
    pub(crate) understander: Option<Understander>,
    /// Declared during the current event, for the caller's next turn.
    pub(crate) next: Option<nlu::Expectation>,
    /// In force for the caller turn being handled.
    pub(crate) now: nlu::Expectation,
    /// What the bot said since the last analysis.
    pub(crate) bot_lines: Vec<String>,
    pub(crate) intents: usize,
}

impl CallUnderstanding {
    /// A caller turn (speech, keys, silence) is about to be handled: the expectation
    /// declared before it is the one in force now.
    pub fn begin_turn(&mut self) {
        self.now = self.next.take().unwrap_or_default();
    }

    /// What the flow expects next, for recognition and the end of the turn.
    pub fn expecting(&self) -> Option<&nlu::Expectation> {
        self.next.as_ref()
    }

    /// The bot said this: a product it names is what "those" refers to.
    pub fn bot_said(&mut self, text: &str) {
        if self.bot_lines.len() >= MAX_BOT_LINES {
            self.bot_lines.remove(0);
        }
        self.bot_lines.push(text.to_string());
    }
}
