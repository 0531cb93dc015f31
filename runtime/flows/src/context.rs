//! What a call's `Store` holds: the tenant scope every capability answers from,
//! the per-call state, the memory limiter, and an empty WASI shell.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use switchboard_store::Db;

/// Who the guest is acting for. Set by the host when the call starts; a guest can
/// never change it, and no capability takes a tenant id from the guest.
#[derive(Clone)]
pub struct CallScope {
    pub tenant_id: Arc<str>,
    pub call_id: Arc<str>,
    pub caller: String,
    /// The customer's number: the caller's, or the callee's on an outbound call (empty
    /// when withheld). Tickets, survey answers and the do-not-call list are about them.
    pub customer: String,
    /// The campaign that placed this call, if one did.
    pub campaign: Option<String>,
    /// When the call started (ms since the epoch).
    pub started_at_ms: u64,
    pub language: String,
    pub utc_offset_minutes: i32,
    pub db: Db,
    /// FAQ search and embeddings, shared by every call (tenant-scoped by `tenant_id`).
    pub knowledge: std::sync::Arc<switchboard_knowledge::Knowledge>,
    /// A replay of a saved conversation: the flow reads what is stored, and what it writes
    /// (orders, tenant state) stays in the call, so a replay changes nothing.
    pub replay: bool,
}

/// Caps a guest's linear memory and table growth; remembers a refusal so a
/// failure can be reported as "memory limit" rather than as a bare trap.
pub struct GuestLimiter {
    pub max_memory_bytes: usize,
    pub refused_memory_bytes: Option<usize>,
}

impl ResourceLimiter for GuestLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_memory_bytes {
            self.refused_memory_bytes = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Per-call key-value state is bounded like tenant state.
pub const MAX_CALL_STATE_BYTES: usize = 1024 * 1024;
/// Log lines a guest may write per call before the rest are dropped.
pub const LOG_LINES_PER_CALL: u32 = 200;

pub struct CallContext {
    pub scope: CallScope,
    pub limiter: GuestLimiter,
    pub call_state: HashMap<String, String>,
    pub call_state_bytes: usize,
    pub log_lines_left: u32,
    /// Orders created during the current event, collected by the call session.
    pub new_orders: Vec<String>,
    /// Tickets opened during the call.
    pub new_tickets: Vec<String>,
    /// In a replay: the orders the flow placed and the tenant state it wrote, kept here
    /// instead of in storage.
    pub replayed_orders: HashMap<String, switchboard_domain::orders::Order>,
    pub replayed_state: HashMap<String, String>,
    /// What the host's understanding made of the caller's current turn, when the flow asked.
    pub reading: TurnReading,
    /// What the flow expects the caller to say, and the call's understander.
    pub understanding: crate::understanding::CallUnderstanding,
    /// The guest's stderr (a Rust panic message lands here), kept to explain traps.
    pub stderr: MemoryOutputPipe,
    /// Time spent in the host's models (embeddings) for the guest since the deadline was
    /// last checked: it does not count against the guest's event deadline.
    pub model_wait: std::time::Duration,
    /// How much of the current event's deadline has been given back for model time.
    pub model_credit: std::time::Duration,
    wasi: WasiCtx,
    table: ResourceTable,
}

impl CallContext {
    pub fn new(scope: CallScope, max_memory_bytes: usize) -> CallContext {
        let stderr = MemoryOutputPipe::new(8 * 1024);
        // No preopened directories, no environment, no arguments, no network:
        // the guest gets WASI only because Rust's std expects it.
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        CallContext {
            scope,
            limiter: GuestLimiter { max_memory_bytes, refused_memory_bytes: None },
            call_state: HashMap::new(),
            call_state_bytes: 0,
            log_lines_left: LOG_LINES_PER_CALL,
            new_orders: Vec::new(),
            new_tickets: Vec::new(),
            replayed_orders: HashMap::new(),
            replayed_state: HashMap::new(),
            reading: TurnReading::default(),
            understanding: Default::default(),
            stderr,
            model_wait: std::time::Duration::ZERO,
            model_credit: std::time::Duration::ZERO,
            wasi,
            table: ResourceTable::new(),
        }
    }

    /// The last lines the guest wrote to stderr, for the call record.
    pub fn stderr_tail(&self) -> Option<String> {
        let bytes = self.stderr.contents();
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let start = text.char_indices().rev().nth(400).map(|(i, _)| i).unwrap_or(0);
        Some(text[start..].to_string())
    }
}

impl WasiView for CallContext {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// What the host's understanding made of one caller turn, from the flow's own questions to it
/// (`understand.analyse`, `knowledge.search`): the analytics read "not understood" from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TurnReading {
    /// The flow asked the host about this turn.
    pub asked: bool,
    pub intent: Option<String>,
    /// Something of an order or an answer was found: items, yes or no, digits, a name, an
    /// address, a time, an expected choice.
    pub found: bool,
    /// The FAQ question that answers the turn, when one scored high enough to answer.
    pub faq: Option<String>,
}

impl TurnReading {
    /// Whether the host understood the turn; `None` when the flow never asked.
    pub fn understood(&self) -> Option<bool> {
        // "A question" alone is no understanding: only its answer is.
        let intent = self.intent.as_deref().is_some_and(|i| i != "question");
        self.asked.then_some(self.found || intent || self.faq.is_some())
    }
}
