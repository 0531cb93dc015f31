//! One call's running flow: its own `Store` (the unit of isolation), the
//! instance, and the per-event deadline. A fault poisons the instance: the call
//! session then takes over and ends the flow's part in the call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::{Store, Trap};

use super::actions::{self, Action};
use super::bindings::{Flow, types as wit};
use super::context::{CallContext, CallScope};
use super::{LoadedFlow, sandbox};
use switchboard_domain::tenants::FlowLimits;

/// Why a flow could not answer an event. Shown in the call record and in metrics.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FlowFault {
    #[error("the tenant has no active flow")]
    NoFlow,
    #[error("the flow could not be started: {0}")]
    Instantiate(String),
    #[error("the flow ran past its {0} ms deadline")]
    Deadline(u32),
    #[error("the flow exceeded its {limit_mib} MiB memory limit (asked for {asked_mib} MiB)")]
    Memory { limit_mib: u32, asked_mib: u64 },
    #[error("the flow trapped: {0}")]
    Trap(String),
    #[error("the flow returned an invalid action: {0}")]
    InvalidAction(String),
    #[error("the flow failed earlier in this call")]
    Poisoned,
}

impl FlowFault {
    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            FlowFault::NoFlow => "no_flow",
            FlowFault::Instantiate(_) => "instantiate",
            FlowFault::Deadline(_) => "deadline",
            FlowFault::Memory { .. } => "memory",
            FlowFault::Trap(_) => "trap",
            FlowFault::InvalidAction(_) => "invalid_action",
            FlowFault::Poisoned => "poisoned",
        }
    }
}

pub struct FlowInstance {
    store: Store<CallContext>,
    bindings: Flow,
    limits: FlowLimits,
    pub flow: Arc<LoadedFlow>,
    poisoned: bool,
}

impl FlowInstance {
    /// Instantiate `flow` for one call, with the tenant's limits.
    pub async fn start(flow: Arc<LoadedFlow>, scope: CallScope, limits: FlowLimits) -> Result<FlowInstance, FlowFault> {
        let engine = flow.pre.engine().clone();
        let ctx = CallContext::new(scope, limits.memory_mib as usize * 1024 * 1024);
        let mut store = Store::new(&engine, ctx);
        store.limiter(|ctx| &mut ctx.limiter);
        store.epoch_deadline_callback(|mut ctx| Ok(sandbox::on_deadline(ctx.data_mut())));
        // Start-up code (data segments, the guest's own init) runs under the same deadline.
        store.set_epoch_deadline(sandbox::deadline_ticks(limits.event_deadline_ms));
        match flow.pre.instantiate_async(&mut store).await {
            Ok(bindings) => Ok(FlowInstance { store, bindings, limits, flow, poisoned: false }),
            Err(e) => {
                let ctx = store.data();
                let fault = classify(&e, ctx, limits);
                Err(match fault {
                    FlowFault::Trap(m) => FlowFault::Instantiate(m),
                    other => other,
                })
            }
        }
    }

    /// What the host's understanding made of the caller turn just handled.
    pub fn reading(&self) -> crate::context::TurnReading {
        self.store.data().reading.clone()
    }

    /// Deliver one event and return the flow's checked actions.
    pub async fn handle(&mut self, call: &wit::CallInfo, event: &wit::Event) -> Result<Vec<Action>, FlowFault> {
        if self.poisoned {
            return Err(FlowFault::Poisoned);
        }
        if matches!(event, wit::Event::Utterance(_) | wit::Event::Dtmf(_) | wit::Event::NoInput) {
            self.store.data_mut().understanding.begin_turn();
            self.store.data_mut().reading = Default::default();
        }
        self.store.set_epoch_deadline(sandbox::deadline_ticks(self.limits.event_deadline_ms));
        let ctx = self.store.data_mut();
        (ctx.model_wait, ctx.model_credit) = (Duration::ZERO, Duration::ZERO);
        // Epochs stop guest code; this also bounds time spent in host calls
        // (each of which has its own shorter deadline).
        let wall = Duration::from_millis(self.limits.event_deadline_ms as u64) + Duration::from_secs(5);
        let started = Instant::now();
        let handler = self.bindings.switchboard_flow_handler();
        let result = tokio::time::timeout(wall, handler.call_handle(&mut self.store, call, event)).await;
        let outcome = match result {
            Err(_) => Err(FlowFault::Deadline(self.limits.event_deadline_ms)),
            Ok(Err(e)) => Err(classify(&e, self.store.data(), self.limits)),
            Ok(Ok(raw)) => actions::validate(raw).map_err(FlowFault::InvalidAction),
        };
        if outcome.is_err() {
            self.poisoned = true;
        }
        tracing::debug!(elapsed_us = started.elapsed().as_micros() as u64, ok = outcome.is_ok(), "flow event");
        outcome
    }

    /// Ids of orders the flow created since the last call to this.
    pub fn take_new_orders(&mut self) -> Vec<String> {
        std::mem::take(&mut self.store.data_mut().new_orders)
    }

    /// Tickets opened since last asked.
    pub fn take_new_tickets(&mut self) -> Vec<String> {
        std::mem::take(&mut self.store.data_mut().new_tickets)
    }

    /// What the flow expects the caller's next turn to be, if it said.
    pub fn expecting(&self) -> Option<switchboard_understand::Expectation> {
        self.store.data().understanding.expecting().cloned()
    }

    /// The bot is saying this: the understander hears it too ("two of those").
    pub fn bot_said(&mut self, text: &str) {
        self.store.data_mut().understanding.bot_said(text);
    }

    pub fn version(&self) -> u32 {
        self.flow.version
    }
}

fn classify(e: &wasmtime::Error, ctx: &CallContext, limits: FlowLimits) -> FlowFault {
    if let Some(asked) = ctx.limiter.refused_memory_bytes {
        return FlowFault::Memory { limit_mib: limits.memory_mib, asked_mib: (asked / (1024 * 1024)) as u64 };
    }
    if let Some(Trap::Interrupt) = e.downcast_ref::<Trap>() {
        return FlowFault::Deadline(limits.event_deadline_ms);
    }
    let mut message = match e.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => format!("{e:#}"),
    };
    if let Some(stderr) = ctx.stderr_tail() {
        message = format!("{message}; guest stderr: {stderr}");
    }
    FlowFault::Trap(message)
}
