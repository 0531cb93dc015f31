//! The demo tenant's data (a Taipei tea shop), used by `switchboard serve`'s
//! embedded default and by tests at every layer.

/// The demo catalogue, as the API takes it.
pub const CATALOG_JSON: &str = include_str!("catalog.json");
/// The demo FAQ entries, as the API takes them.
pub const FAQ_JSON: &str = include_str!("faq.json");
