//! `outreach`: the do-not-call list, survey answers and callbacks, for the call's
//! customer (the caller, or the callee of an outbound call) within the call's tenant.

use super::super::bindings::outreach as wit;
use super::super::bindings::types::Error;
use super::super::context::CallContext;
use switchboard_domain::campaigns::{DoNotCall, SurveyResponse};
use switchboard_domain::desk::FollowUp;

/// How far ahead a flow may schedule a callback.
const CALLBACK_HORIZON_MS: u64 = 30 * 86_400_000;

impl CallContext {
    fn customer_or_err(&self) -> Result<String, Error> {
        let c = switchboard_domain::customers::normalize_phone(&self.scope.customer);
        if c.is_empty() {
            Err(Error::Invalid("this call has no customer number (caller ID withheld)".into()))
        } else {
            Ok(c)
        }
    }
}

impl wit::Host for CallContext {
    async fn do_not_call(&mut self) -> wasmtime::Result<Result<(), Error>> {
        let phone = match self.customer_or_err() {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        if self.scope.replay {
            return Ok(Ok(()));
        }
        let entry = DoNotCall {
            phone,
            added_at_ms: switchboard_domain::ids::now_ms(),
            source: "flow".into(),
            call_id: Some(self.scope.call_id.to_string()),
        };
        tracing::info!("the customer asked not to be called again: on the do-not-call list");
        Ok(self.scope.db.add_do_not_call(&self.scope.tenant_id, &entry).await.map_err(super::guest_error))
    }

    async fn record_survey(
        &mut self,
        rating: Option<u8>,
        comment: Option<String>,
    ) -> wasmtime::Result<Result<(), Error>> {
        if rating.is_some_and(|r| !(1..=5).contains(&r)) {
            return Ok(Err(Error::Invalid("rating: 1 to 5".into())));
        }
        let comment = comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
            return Ok(Err(Error::Invalid("comment: at most 2000 characters".into())));
        }
        if rating.is_none() && comment.is_none() {
            return Ok(Err(Error::Invalid("a rating, a comment, or both".into())));
        }
        if self.scope.replay {
            return Ok(Ok(()));
        }
        let response = SurveyResponse {
            // One answer per call: the id is the call's, so a second replaces the first.
            id: self.scope.call_id.to_string(),
            tenant_id: self.scope.tenant_id.to_string(),
            call_id: self.scope.call_id.to_string(),
            campaign_id: self.scope.campaign.clone(),
            phone: self.scope.customer.clone(),
            rating,
            comment,
            at_ms: self.scope.started_at_ms,
        };
        tracing::info!(?rating, "survey answer recorded");
        Ok(self.scope.db.save_survey(&response).await.map_err(super::guest_error))
    }

    async fn schedule_callback(&mut self, at_ms: u64, note: String) -> wasmtime::Result<Result<String, Error>> {
        let phone = match self.customer_or_err() {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let now = switchboard_domain::ids::now_ms();
        if at_ms < now.saturating_sub(60_000) || at_ms > now + CALLBACK_HORIZON_MS {
            return Ok(Err(Error::Invalid("at-ms: from now to 30 days ahead".into())));
        }
        if let Some(e) = super::too_long(&note, 2000) {
            return Ok(Err(e));
        }
        let task = FollowUp {
            id: switchboard_domain::ids::new_id("task"),
            tenant_id: self.scope.tenant_id.to_string(),
            call_id: self.scope.call_id.to_string(),
            phone,
            due_at_ms: at_ms.max(now),
            // Anyone at the desk may take it.
            assignee: String::new(),
            note: note.trim().to_string(),
            done: false,
            created_by: "bot".into(),
            created_at_ms: now,
        };
        if self.scope.replay {
            return Ok(Ok(task.id));
        }
        tracing::info!(task = %task.id, due_at_ms = task.due_at_ms, "callback scheduled by the flow");
        Ok(self.scope.db.save_follow_up(&task).await.map(|_| task.id).map_err(super::guest_error))
    }
}
