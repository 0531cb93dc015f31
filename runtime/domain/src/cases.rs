//! Test cases made of past calls: what the caller did, turn by turn, and how the bot answered
//! and ended. Replaying a case against another flow version shows what changed.

use serde::{Deserialize, Serialize};

use crate::calls::{CallRecord, Outcome, Speaker};

/// Cases a tenant keeps at most.
pub const MAX_CASES: usize = 500;

/// One thing the caller did in a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum CaseInput {
    Speech { text: String },
    Dtmf { dtmf: String },
    NoInput { no_input: bool },
}

/// One turn of a conversation: what the caller did (none for the greeting) and what the bot said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseTurn {
    pub caller: Option<CaseInput>,
    pub bot: Vec<String>,
}

/// A conversation as a case compares it: its turns and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conversation {
    pub flow_version: Option<u32>,
    pub turns: Vec<CaseTurn>,
    pub outcome: Outcome,
    pub tags: Vec<String>,
}

impl Conversation {
    /// The conversation of a call record: its transcript cut into turns at each caller input.
    pub fn of_call(r: &CallRecord) -> Conversation {
        let mut turns = vec![CaseTurn { caller: None, bot: Vec::new() }];
        for e in &r.transcript {
            let input = match e.speaker {
                Speaker::Caller => Some(match e.text.strip_prefix("[DTMF ").and_then(|d| d.strip_suffix(']')) {
                    Some(keys) => CaseInput::Dtmf { dtmf: keys.to_string() },
                    None => CaseInput::Speech { text: e.text.clone() },
                }),
                Speaker::System if e.text == "[no input]" => Some(CaseInput::NoInput { no_input: true }),
                _ => None,
            };
            match input {
                Some(i) => turns.push(CaseTurn { caller: Some(i), bot: Vec::new() }),
                None if e.speaker == Speaker::Bot => turns.last_mut().expect("a turn").bot.push(e.text.clone()),
                None => {}
            }
        }
        let mut tags = r.tags.clone();
        tags.sort();
        Conversation { flow_version: r.flow_version, turns, outcome: r.outcome, tags }
    }

    /// The caller's inputs, in order.
    pub fn inputs(&self) -> Vec<CaseInput> {
        self.turns.iter().filter_map(|t| t.caller.clone()).collect()
    }

    /// Whether two runs of the same inputs went the same way: the same words from the bot in
    /// every turn, the same ending and the same tags (the flow version may differ).
    pub fn same_as(&self, other: &Conversation) -> bool {
        self.turns == other.turns && self.outcome == other.outcome && self.tags == other.tags
    }
}

/// A saved case.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Case {
    pub id: String,
    pub name: String,
    /// The caller's number, as the flow saw it.
    pub caller: String,
    /// The call it was made from.
    pub call_id: String,
    /// What should happen: the conversation as it went when the case was saved.
    pub expected: Conversation,
    pub created_at_ms: u64,
}

impl Case {
    pub fn from_call(r: &CallRecord, name: Option<String>) -> crate::Result<Case> {
        let expected = Conversation::of_call(r);
        if expected.outcome == Outcome::InProgress {
            return Err(crate::Error::Invalid("the call is still going: save it as a case once it has ended".into()));
        }
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).unwrap_or_else(|| {
            let first = expected.inputs().into_iter().find_map(|i| match i {
                CaseInput::Speech { text } => Some(text),
                _ => None,
            });
            first.unwrap_or_else(|| "(no words)".into()).chars().take(60).collect()
        });
        if name.chars().count() > 200 {
            return Err(crate::Error::Invalid("name is longer than 200 characters".into()));
        }
        Ok(Case {
            id: crate::ids::new_id("case"),
            name,
            caller: r.caller.clone(),
            call_id: r.id.clone(),
            expected,
            created_at_ms: crate::ids::now_ms(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::{Channel, Direction, TranscriptEntry};

    #[test]
    fn a_call_becomes_turns_at_each_caller_input() {
        let e = |speaker, text: &str| TranscriptEntry {
            at_ms: 0,
            speaker,
            text: text.into(),
            latency_ms: None,
            intent: None,
            faq: None,
            understood: None,
        };
        let r = CallRecord {
            id: "call_1".into(),
            tenant_id: "t".into(),
            caller: "+886".into(),
            callee: "+886".into(),
            channel: Channel::Simulated,
            direction: Direction::Inbound,
            flow_version: Some(2),
            started_at_ms: 0,
            ended_at_ms: Some(1),
            outcome: Outcome::Completed,
            end_reason: None,
            tags: vec!["b".into(), "a".into()],
            flow_error: None,
            transfer: None,
            order_ids: vec![],
            ticket_ids: Vec::new(),
            transcript: vec![
                e(Speaker::Bot, "hello"),
                e(Speaker::Caller, "tea"),
                e(Speaker::System, "[barge-in: the caller spoke over the bot]"),
                e(Speaker::Bot, "size?"),
                e(Speaker::Caller, "[DTMF 0]"),
                e(Speaker::System, "[no input]"),
                e(Speaker::Bot, "bye"),
            ],
            recording: None,
            agent: None,
        };
        let c = Conversation::of_call(&r);
        assert_eq!(c.turns.len(), 4);
        assert_eq!(c.turns[0].bot, vec!["hello"]);
        assert_eq!(c.turns[2].caller, Some(CaseInput::Dtmf { dtmf: "0".into() }));
        assert_eq!(c.turns[3].bot, vec!["bye"]);
        assert_eq!(c.tags, vec!["a", "b"]);
        let case = Case::from_call(&r, None).unwrap();
        assert_eq!(case.name, "tea");
        assert!(c.same_as(&case.expected));
    }
}
