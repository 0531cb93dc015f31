//! The domain: what Switchboard keeps and the rules that hold whatever stores
//! it. Tenants and how their numbers match what a trunk dials, the catalogue
//! and how an order is priced against it, orders, the FAQ and its lexical
//! score, customers, flow versions, API keys and call records.
//!
//! Nothing here does I/O: `switchboard-store` keeps these records, and every
//! layer above reads them through its interfaces.

pub mod api_keys;
pub mod audit;
pub mod calls;
pub mod campaigns;
pub mod cases;
pub mod catalog;
pub mod customers;
pub mod demo;
pub mod desk;
pub mod faq;
pub mod flows;
pub mod hours;
pub mod ids;
pub mod orders;
pub mod stats;
pub mod tenant_state;
pub mod tenants;
pub mod tickets;

/// A rule of the domain that a request breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
}

impl Error {
    /// What went wrong, without the kind in front (for a person reading a list of them).
    pub fn message(&self) -> String {
        match self {
            Error::Invalid(m) | Error::Conflict(m) => m.clone(),
            other => other.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
