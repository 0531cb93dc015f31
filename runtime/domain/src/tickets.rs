//! Tickets: what happens after the sale. A return, an exchange, a complaint or an
//! inquiry, in the caller's own words, about one of their orders; with a status, an
//! assignee, a due time from the tenant's service levels, and notes.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What the ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    Return,
    Exchange,
    Complaint,
    Inquiry,
}

impl TicketKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::Return => "return",
            TicketKind::Exchange => "exchange",
            TicketKind::Complaint => "complaint",
            TicketKind::Inquiry => "inquiry",
        }
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Open,
    InProgress,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    /// Whether someone still has to act on it.
    pub fn is_active(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::InProgress)
    }
}

/// A note on a ticket, or a change of it, with who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketNote {
    pub at_ms: u64,
    /// `bot`, an agent's name, or `operator`.
    pub by: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ticket {
    /// Stable id (`tkt_...`).
    pub id: String,
    /// The reference read to the caller, per tenant, from 5001.
    pub number: u64,
    pub tenant_id: String,
    pub kind: TicketKind,
    /// The order it is about, if the caller named one.
    pub order_id: Option<String>,
    pub order_number: Option<u64>,
    /// The customer's phone (the caller's, on a call).
    pub phone: String,
    pub customer_name: Option<String>,
    /// What happened, in the caller's own words.
    pub description: String,
    pub status: TicketStatus,
    /// The desk user it is assigned to.
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
    /// When it must be resolved by, from the tenant's service levels.
    pub due_at_ms: u64,
    /// The tenant's rules want a person to take it (a refund above the amount, a kind
    /// always handled by people).
    pub needs_person: bool,
    /// The call it was opened on.
    pub call_id: Option<String>,
    pub notes: Vec<TicketNote>,
    pub created_at_ms: u64,
    pub updated_at_ms: u64,
}

impl Ticket {
    /// A new ticket of the tenant's (numbered when stored), due by its service level for the
    /// kind (`rules`: the tenant's `after_sales`), about `order` when there is one, and flagged
    /// for a person when the tenant's rules want one.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        tenant_id: &str,
        rules: &AfterSalesSettings,
        kind: TicketKind,
        description: &str,
        phone: String,
        customer_name: Option<String>,
        order: Option<&crate::orders::Order>,
        call_id: Option<String>,
        now_ms: u64,
    ) -> Ticket {
        Ticket {
            id: crate::ids::new_id("tkt"),
            number: 0,
            tenant_id: tenant_id.to_string(),
            kind,
            order_id: order.map(|o| o.id.clone()),
            order_number: order.map(|o| o.number),
            phone,
            customer_name: customer_name.or_else(|| order.map(|o| o.customer_name.clone())).filter(|n| !n.is_empty()),
            description: description.trim().to_string(),
            status: TicketStatus::Open,
            assignee: None,
            assignee_name: None,
            due_at_ms: rules.due_at(kind, now_ms),
            needs_person: rules.needs_person(kind, order.map(|o| o.total)),
            call_id,
            notes: Vec::new(),
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }
    }

    /// Past its due time and still open or in progress.
    pub fn overdue(&self, now_ms: u64) -> bool {
        self.status.is_active() && now_ms > self.due_at_ms
    }
}

/// A new ticket, from the API, the console or a flow.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketInput {
    pub kind: TicketKind,
    /// An order of the tenant's (its id).
    #[serde(default)]
    pub order_id: Option<String>,
    /// The customer's phone; on a call, the caller's (a flow cannot choose it).
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub customer_name: Option<String>,
    pub description: String,
}

/// Longest description and note kept.
pub const MAX_TEXT: usize = 2000;
/// Notes a ticket keeps at most (the oldest go).
pub const MAX_NOTES: usize = 200;

impl TicketInput {
    pub fn validate(&self) -> Result<()> {
        let d = self.description.trim();
        if d.is_empty() {
            return Err(Error::Invalid("description: say what happened".into()));
        }
        if d.chars().count() > MAX_TEXT {
            return Err(Error::Invalid(format!("description: at most {MAX_TEXT} characters")));
        }
        if self.customer_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            return Err(Error::Invalid("customer_name: at most 200 characters".into()));
        }
        Ok(())
    }
}

/// A change to a ticket: status, assignee (`""` unassigns), a note.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    #[serde(default)]
    pub status: Option<TicketStatus>,
    /// A desk user's id; empty to unassign.
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl TicketPatch {
    /// Apply to `t` as `by` at `now_ms`; `assignee_name` is the assignee's name (checked by
    /// the caller to be a desk user of the tenant). Every change leaves a note.
    pub fn apply(self, t: &mut Ticket, by: &str, assignee_name: Option<String>, now_ms: u64) -> Result<()> {
        let mut said = Vec::new();
        if let Some(status) = self.status
            && status != t.status
        {
            if t.status == TicketStatus::Closed && status != TicketStatus::Open {
                return Err(Error::Invalid("a closed ticket can only be reopened (status `open`)".into()));
            }
            said.push(format!("status: {} → {}", t.status.as_str(), status.as_str()));
            t.status = status;
        }
        if let Some(a) = self.assignee {
            let a = a.trim().to_string();
            if a.is_empty() {
                if t.assignee.take().is_some() {
                    said.push("unassigned".to_string());
                }
                t.assignee_name = None;
            } else if t.assignee.as_deref() != Some(&a) {
                let name = assignee_name.unwrap_or_else(|| a.clone());
                said.push(format!("assigned to {name}"));
                t.assignee = Some(a);
                t.assignee_name = Some(name);
            }
        }
        if let Some(n) = self.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            if n.chars().count() > MAX_TEXT {
                return Err(Error::Invalid(format!("note: at most {MAX_TEXT} characters")));
            }
            said.push(n.to_string());
        }
        if said.is_empty() {
            return Ok(());
        }
        t.notes.push(TicketNote { at_ms: now_ms, by: by.to_string(), text: said.join("; ") });
        if t.notes.len() > MAX_NOTES {
            t.notes.remove(0);
        }
        t.updated_at_ms = now_ms;
        Ok(())
    }
}

/// A tenant's after-sales rules: how long each kind of ticket may take, and when a person
/// should take over from the bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AfterSalesSettings {
    /// Hours to resolve a return.
    pub return_hours: u32,
    pub exchange_hours: u32,
    pub complaint_hours: u32,
    pub inquiry_hours: u32,
    /// A return or exchange of an order above this total goes to a person (none: never for
    /// the amount).
    pub person_above: Option<u32>,
    /// Kinds that always go to a person.
    pub person_for: Vec<TicketKind>,
}

impl Default for AfterSalesSettings {
    fn default() -> Self {
        AfterSalesSettings {
            return_hours: 48,
            exchange_hours: 48,
            complaint_hours: 24,
            inquiry_hours: 72,
            person_above: None,
            person_for: Vec::new(),
        }
    }
}

impl AfterSalesSettings {
    pub fn validate(&self) -> Result<()> {
        let hours = [self.return_hours, self.exchange_hours, self.complaint_hours, self.inquiry_hours];
        if hours.iter().any(|h| *h == 0 || *h > 24 * 90) {
            return Err(Error::Invalid("after_sales: each service level is 1 to 2160 hours".into()));
        }
        Ok(())
    }

    pub fn hours(&self, kind: TicketKind) -> u32 {
        match kind {
            TicketKind::Return => self.return_hours,
            TicketKind::Exchange => self.exchange_hours,
            TicketKind::Complaint => self.complaint_hours,
            TicketKind::Inquiry => self.inquiry_hours,
        }
    }

    pub fn due_at(&self, kind: TicketKind, created_at_ms: u64) -> u64 {
        created_at_ms + self.hours(kind) as u64 * 3_600_000
    }

    /// Whether a person should take a ticket of `kind` about an order of `order_total`.
    pub fn needs_person(&self, kind: TicketKind, order_total: Option<u32>) -> bool {
        let refund = matches!(kind, TicketKind::Return | TicketKind::Exchange);
        self.person_for.contains(&kind)
            || (refund && self.person_above.zip(order_total).is_some_and(|(limit, total)| total > limit))
    }
}

/// Which tickets to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TicketQuery {
    pub status: Option<TicketStatus>,
    pub kind: Option<TicketKind>,
    /// A desk user's id.
    pub assignee: Option<String>,
    pub phone: Option<String>,
    pub order_id: Option<String>,
}

impl TicketQuery {
    pub fn matches(&self, t: &Ticket) -> bool {
        self.status.is_none_or(|s| s == t.status)
            && self.kind.is_none_or(|k| k == t.kind)
            && self.assignee.as_ref().is_none_or(|a| t.assignee.as_ref() == Some(a))
            && self.phone.as_ref().is_none_or(|p| crate::customers::normalize_phone(p) == t.phone)
            && self.order_id.as_ref().is_none_or(|o| t.order_id.as_ref() == Some(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        Ticket {
            id: "tkt_1".into(),
            number: 5001,
            tenant_id: "t".into(),
            kind: TicketKind::Complaint,
            order_id: None,
            order_number: None,
            phone: "+886912345678".into(),
            customer_name: None,
            description: "送錯了".into(),
            status: TicketStatus::Open,
            assignee: None,
            assignee_name: None,
            due_at_ms: 10,
            needs_person: false,
            call_id: None,
            notes: Vec::new(),
            created_at_ms: 0,
            updated_at_ms: 0,
        }
    }

    #[test]
    fn changes_leave_notes_and_closed_tickets_only_reopen() {
        let mut t = ticket();
        let p = TicketPatch {
            status: Some(TicketStatus::InProgress),
            assignee: Some("u1".into()),
            note: Some("called back".into()),
        };
        p.apply(&mut t, "Ken", Some("Ken Wu".into()), 5).unwrap();
        assert_eq!(t.notes[0].text, "status: open → in_progress; assigned to Ken Wu; called back");
        assert_eq!(t.assignee_name.as_deref(), Some("Ken Wu"));
        TicketPatch { status: Some(TicketStatus::Closed), ..Default::default() }.apply(&mut t, "Ken", None, 6).unwrap();
        let bad =
            TicketPatch { status: Some(TicketStatus::Resolved), ..Default::default() }.apply(&mut t, "Ken", None, 7);
        assert!(bad.is_err());
        assert_eq!(t.status, TicketStatus::Closed, "a refused change changes nothing");
        TicketPatch { status: Some(TicketStatus::Open), ..Default::default() }.apply(&mut t, "Ken", None, 8).unwrap();
        assert!(t.overdue(11));
        let unchanged = t.notes.len();
        TicketPatch::default().apply(&mut t, "Ken", None, 9).unwrap();
        assert_eq!(t.notes.len(), unchanged, "nothing changed, nothing noted");
    }

    #[test]
    fn rules_decide_when_a_person_takes_over() {
        let mut s = AfterSalesSettings { person_above: Some(500), ..Default::default() };
        assert!(s.needs_person(TicketKind::Return, Some(600)));
        assert!(!s.needs_person(TicketKind::Return, Some(400)));
        assert!(!s.needs_person(TicketKind::Complaint, Some(600)), "the amount rule is for refunds");
        s.person_for = vec![TicketKind::Complaint];
        assert!(s.needs_person(TicketKind::Complaint, None));
        assert_eq!(s.due_at(TicketKind::Complaint, 0), 24 * 3_600_000);
    }
}
