//! Replaying saved cases: a case's caller inputs run again through a flow version, as a
//! simulated call that stores nothing (see [`CallSetup::replay`]), and the conversation
//! that results, to compare with the one the case expects.

use std::sync::Arc;

use switchboard_domain::cases::{Case, CaseInput, Conversation};
use switchboard_domain::tenants::Tenant;

use crate::app::App;
use crate::session::{CallSession, CallSetup, CallerInput};

fn caller_input(i: CaseInput) -> CallerInput {
    match i {
        CaseInput::Speech { text } => CallerInput::Speech { text, confidence: None, language: None },
        CaseInput::Dtmf { dtmf } => CallerInput::Dtmf { dtmf },
        CaseInput::NoInput { no_input } => CallerInput::NoInput { no_input },
    }
}

/// Run `case` again against `version` (the active one when `None`) and return how it went.
pub async fn replay(app: Arc<App>, tenant: Tenant, case: &Case, version: Option<u32>) -> Conversation {
    let callee = tenant.numbers.first().cloned().unwrap_or_default();
    let mut setup = CallSetup::inbound_text(tenant, case.caller.clone(), callee);
    setup.flow_version = version;
    setup.replay = true;
    let (mut session, _greeting) = CallSession::start(app, setup).await;
    for input in case.expected.inputs() {
        if session.is_ended() {
            break;
        }
        session.input(caller_input(input)).await;
    }
    if !session.is_ended() {
        // The caller's script ran out, as it did in the call: they hang up.
        session.caller_hung_up().await;
    }
    Conversation::of_call(&session.record)
}
