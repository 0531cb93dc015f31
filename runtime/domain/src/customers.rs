//! Customers a tenant knows, looked up by phone number (caller ID).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub address: Option<String>,
    /// A blocked caller is refused politely by the flow.
    pub blocked: bool,
    pub notes: Option<String>,
    pub created_at_ms: u64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Phone numbers as keys: digits and a leading `+` only, so `0912-345-678` and `0912345678` meet.
pub fn normalize_phone(phone: &str) -> String {
    let trimmed = phone.trim();
    let mut out = String::new();
    if trimmed.starts_with('+') {
        out.push('+');
    }
    out.extend(trimmed.chars().filter(|c| c.is_ascii_digit()));
    out
}
