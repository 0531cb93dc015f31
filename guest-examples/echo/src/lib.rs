//! The echo flow: the smallest flow worth copying.
//!
//! It greets, repeats each utterance ("echo: ..."), reports DTMF keys, counts
//! turns in per-call state and calls in per-tenant state, transfers on
//! "agent", and hangs up on "bye" or `#`. Build it with
//! `cargo build --release --target wasm32-wasip2 -p echo` in `guest-examples/`.

wit_bindgen::generate!({ path: "../../wit", world: "flow" });

use exports::switchboard::flow::handler::Guest;
use switchboard::flow::types::{Action, CallInfo, Event, Gather, InputModes, Say, Transfer};
use switchboard::flow::{log, state};

struct Echo;

fn say(text: impl Into<String>) -> Action {
    Action::Say(Say { text: text.into(), language: None, interruptible: true })
}

fn listen() -> Action {
    Action::Gather(Gather { modes: InputModes::SPEECH | InputModes::DTMF, timeout_ms: 8000, max_digits: 1 })
}

/// Increment a counter kept in call state, returning the new value.
fn next_turn() -> u32 {
    let n = state::call_get("turns").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0) + 1;
    let _ = state::call_set("turns", &n.to_string());
    n
}

impl Guest for Echo {
    fn handle(call: CallInfo, event: Event) -> Vec<Action> {
        match event {
            Event::CallStarted => {
                // Per-tenant state survives calls and restarts.
                let calls =
                    state::tenant_get("echo-calls").ok().flatten().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) + 1;
                let _ = state::tenant_set("echo-calls", &calls.to_string());
                log::log(log::Level::Info, &format!("echo call {calls} from {}", call.caller));
                vec![say(format!("Echo flow here. Call number {calls}. Say something.")), listen()]
            }
            Event::Utterance(u) => {
                let turn = next_turn();
                let text = u.text.trim().to_lowercase();
                if text.contains("agent") {
                    return vec![
                        say("Transferring you."),
                        Action::Transfer(Transfer {
                            target: None,
                            reason: "caller-request".into(),
                            summary: format!("Echo caller {} asked for an agent on turn {turn}", call.caller),
                        }),
                    ];
                }
                if text.contains("bye") {
                    return vec![
                        say("Goodbye."),
                        Action::Tag(vec!["echoed".into()]),
                        Action::Hangup(Some("caller-done".into())),
                    ];
                }
                vec![say(format!("echo: {} (turn {turn})", u.text.trim())), listen()]
            }
            Event::Dtmf(keys) if keys.contains('#') => vec![say("Goodbye."), Action::Hangup(None)],
            Event::Dtmf(keys) => vec![say(format!("You pressed {keys}.")), listen()],
            Event::NoInput => vec![say("Are you still there?"), listen()],
            Event::TransferResult(_) => vec![say("Nobody could take the call. Back to echoing."), listen()],
            Event::Hangup(_) => Vec::new(),
        }
    }
}

export!(Echo);
