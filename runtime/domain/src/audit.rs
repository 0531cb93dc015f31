//! The audit log: who changed which setting, flow, FAQ entry, catalogue or order, and when.

use serde::{Deserialize, Serialize};

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at_ms: u64,
    /// Who: `provider` (the admin token) or `tenant` (a tenant key), and through what
    /// (`console` or `api`). Tenants have no user accounts of their own yet.
    pub actor: String,
    /// What was done, as `thing.verb`: `faq.update`, `flow.activate`, `order.status`...
    pub action: String,
    /// What it was done to: an id or a version.
    pub target: String,
    /// A few words of what changed (a new status, a question).
    pub detail: String,
}

impl AuditEntry {
    pub fn new(actor: &str, action: &str, target: &str, detail: impl Into<String>) -> AuditEntry {
        let detail: String = detail.into();
        AuditEntry {
            id: crate::ids::new_id("aud"),
            at_ms: crate::ids::now_ms(),
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.chars().take(200).collect(),
            detail: detail.chars().take(300).collect(),
        }
    }
}
