//! Actions as the host acts on them, checked. A flow's answer is untrusted
//! input: anything out of bounds makes the whole answer invalid, which the call
//! session treats like a trap (apologise, hand over, record why).

use serde::Serialize;

use super::bindings::types as wit;

pub const MAX_ACTIONS: usize = 32;
pub const MAX_SAY_CHARS: usize = 2000;

/// An action a flow asked for, as the API shows it in a turn.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    Say { text: String, language: Option<String>, interruptible: bool },
    Gather { speech: bool, dtmf: bool, timeout_ms: u32, max_digits: u8 },
    Transfer { target: Option<String>, reason: String, summary: String },
    Hangup { reason: Option<String> },
    Tag { tags: Vec<String> },
}

fn is_language_tag(s: &str) -> bool {
    (2..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_tag(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn short_text(field: &str, s: &str, max: usize) -> Result<(), String> {
    if s.chars().count() > max || s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(format!("{field} must be at most {max} characters of text"));
    }
    Ok(())
}

/// Check a flow's answer and turn it into host actions.
pub fn validate(actions: Vec<wit::Action>) -> Result<Vec<Action>, String> {
    if actions.len() > MAX_ACTIONS {
        return Err(format!("{} actions returned; at most {MAX_ACTIONS}", actions.len()));
    }
    actions.into_iter().enumerate().map(|(i, a)| validate_one(a).map_err(|e| format!("action {i}: {e}"))).collect()
}

fn validate_one(action: wit::Action) -> Result<Action, String> {
    Ok(match action {
        wit::Action::Say(s) => {
            if s.text.trim().is_empty() {
                return Err("say with empty text".into());
            }
            short_text("say text", &s.text, MAX_SAY_CHARS)?;
            if let Some(lang) = &s.language
                && !is_language_tag(lang)
            {
                return Err(format!("say language `{}` is not a language tag", lang.escape_debug()));
            }
            Action::Say { text: s.text, language: s.language, interruptible: s.interruptible }
        }
        wit::Action::Gather(g) => {
            if g.modes == wit::InputModes::empty() {
                return Err("gather accepts neither speech nor dtmf".into());
            }
            if !(100..=60_000).contains(&g.timeout_ms) {
                return Err(format!("gather timeout {} ms is outside 100..=60000", g.timeout_ms));
            }
            if g.max_digits > 32 {
                return Err(format!("gather max-digits {} is above 32", g.max_digits));
            }
            Action::Gather {
                speech: g.modes.contains(wit::InputModes::SPEECH),
                dtmf: g.modes.contains(wit::InputModes::DTMF),
                timeout_ms: g.timeout_ms,
                max_digits: g.max_digits,
            }
        }
        wit::Action::Transfer(t) => {
            short_text("transfer reason", &t.reason, 64)?;
            short_text("transfer summary", &t.summary, 4000)?;
            if let Some(target) = &t.target {
                short_text("transfer target", target, 256)?;
            }
            Action::Transfer { target: t.target, reason: t.reason, summary: t.summary }
        }
        wit::Action::Hangup(reason) => {
            if let Some(r) = &reason {
                short_text("hangup reason", r, 64)?;
            }
            Action::Hangup { reason }
        }
        wit::Action::Tag(tags) => {
            if tags.len() > 16 || !tags.iter().all(|t| is_tag(t)) {
                return Err("tags must be at most 16 of `a-z0-9-`, 1 to 32 characters".into());
            }
            Action::Tag { tags }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(text: &str) -> wit::Action {
        wit::Action::Say(wit::Say { text: text.into(), language: None, interruptible: true })
    }

    #[test]
    fn accepts_a_normal_turn() {
        let gather =
            wit::Action::Gather(wit::Gather { modes: wit::InputModes::SPEECH, timeout_ms: 8000, max_digits: 0 });
        let out = validate(vec![say("您好"), gather]).unwrap();
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn rejects_garbage() {
        assert!(validate(vec![say("")]).is_err());
        assert!(validate(vec![say(&"x".repeat(MAX_SAY_CHARS + 1))]).is_err());
        assert!(validate((0..MAX_ACTIONS + 1).map(|_| say("hi")).collect()).is_err());
        let g = wit::Action::Gather(wit::Gather { modes: wit::InputModes::empty(), timeout_ms: 8000, max_digits: 0 });
        assert!(validate(vec![g]).is_err());
        assert!(validate(vec![wit::Action::Tag(vec!["Not A Tag".into()])]).is_err());
        let bad_lang =
            wit::Action::Say(wit::Say { text: "x".into(), language: Some("zh\u{0}".into()), interruptible: true });
        assert!(validate(vec![bad_lang]).is_err());
    }
}
