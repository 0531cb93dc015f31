//! Engine settings that make the sandbox: pooling allocation sized for the
//! number of concurrent calls, epoch interruption for per-event deadlines.

use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// The epoch clock's period. A deadline of N ms is N / EPOCH_TICK ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Memory slot size per instance: the most any tenant may be given.
const MAX_MEMORY_BYTES: usize = switchboard_domain::tenants::FlowLimits::MAX_MEMORY_MIB as usize * 1024 * 1024;

pub fn engine(max_concurrent_calls: u32) -> anyhow::Result<Engine> {
    let calls = max_concurrent_calls.max(4);
    let mut pool = PoolingAllocationConfig::default();
    // A Rust wasm32-wasip2 component is a handful of core instances (the program,
    // the WASI adapter and its shims), each with at most a memory and a table or two.
    pool.total_component_instances(calls)
        .total_core_instances(calls * 8)
        .total_memories(calls * 2)
        .total_tables(calls * 8)
        .total_stacks(calls)
        .max_core_instances_per_component(32)
        .max_memories_per_component(4)
        .max_tables_per_component(16)
        .max_memory_size(MAX_MEMORY_BYTES);

    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .max_wasm_stack(1024 * 1024)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Ok(Engine::new(&config)?)
}

/// Advance the engine's epoch every [`EPOCH_TICK`] on a dedicated thread, for as
/// long as the engine lives.
pub fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("flow-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawn epoch thread");
}

/// The most of one event's deadline that model time (embeddings, on a busy machine)
/// can give back: a guest calling `understand.analyse` in a loop still stops.
pub const MAX_MODEL_CREDIT: Duration = Duration::from_secs(2);

/// At the event deadline: trap, unless the guest was waiting on the host's models,
/// in which case the deadline moves by that long (up to [`MAX_MODEL_CREDIT`] an event).
/// The event's wall-clock bound still applies.
pub fn on_deadline(ctx: &mut crate::context::CallContext) -> wasmtime::UpdateDeadline {
    let wait = std::mem::take(&mut ctx.model_wait).min(MAX_MODEL_CREDIT.saturating_sub(ctx.model_credit));
    ctx.model_credit += wait;
    let ticks = (wait.as_millis() / EPOCH_TICK.as_millis()) as u64;
    if ticks == 0 { wasmtime::UpdateDeadline::Interrupt } else { wasmtime::UpdateDeadline::Continue(ticks) }
}

/// Ticks for a deadline of `ms` milliseconds (at least one).
pub fn deadline_ticks(ms: u32) -> u64 {
    (ms as u64 / EPOCH_TICK.as_millis() as u64).max(1)
}
