//! `log`: guest messages into the call's trace, truncated and rate-limited.

use super::super::bindings::log as wit;
use super::super::context::CallContext;

impl wit::Host for CallContext {
    async fn log(&mut self, level: wit::Level, message: String) -> wasmtime::Result<()> {
        if self.log_lines_left == 0 {
            return Ok(());
        }
        self.log_lines_left -= 1;
        let message: String = message.chars().take(1000).collect();
        let (tenant, call) = (&*self.scope.tenant_id, &*self.scope.call_id);
        match level {
            wit::Level::Debug => tracing::debug!(tenant_id = tenant, call_id = call, "flow: {message}"),
            wit::Level::Info => tracing::info!(tenant_id = tenant, call_id = call, "flow: {message}"),
            wit::Level::Warn => tracing::warn!(tenant_id = tenant, call_id = call, "flow: {message}"),
            wit::Level::Error => tracing::error!(tenant_id = tenant, call_id = call, "flow: {message}"),
        }
        Ok(())
    }
}
