//! `clock`: the time, with the tenant's UTC offset.

use super::super::bindings::clock as wit;
use super::super::context::CallContext;

impl wit::Host for CallContext {
    async fn now(&mut self) -> wasmtime::Result<wit::Datetime> {
        Ok(wit::Datetime {
            unix_ms: switchboard_domain::ids::now_ms(),
            utc_offset_minutes: self.scope.utc_offset_minutes,
        })
    }
}
