//! Durable per-tenant key-value state for flows (counters, settings a flow keeps).

pub const MAX_KEY_BYTES: usize = 128;
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
pub const MAX_KEYS_PER_TENANT: usize = 10_000;
