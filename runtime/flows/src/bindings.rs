//! Host bindings generated from `wit/flow.wit`. Every import is async (storage
//! runs off the executor with a deadline) and trappable (a host bug or a quota
//! breach can stop the guest instead of lying to it).

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "flow",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::exports::switchboard::flow::handler;
pub use self::switchboard::flow::{
    catalog, clock, customers, knowledge, log, orders, outreach, state, tickets, types, understand,
};

/// The host's transfer outcome as the flow hears it.
impl From<switchboard_domain::calls::TransferStatus> for types::TransferStatus {
    fn from(s: switchboard_domain::calls::TransferStatus) -> Self {
        use switchboard_domain::calls::TransferStatus as S;
        match s {
            S::Connected => types::TransferStatus::Connected,
            S::NoAnswer => types::TransferStatus::NoAnswer,
            S::Busy => types::TransferStatus::Busy,
            S::Failed => types::TransferStatus::Failed,
        }
    }
}
