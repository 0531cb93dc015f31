//! The host capabilities a flow may import, one module per WIT interface.
//! Each answers from the call's [`CallScope`](super::context::CallScope), so the
//! tenant is always the one that owns the call, whatever the guest passes.

mod catalog;
mod clock;
mod customers;
mod knowledge;
mod log;
mod orders;
mod outreach;
mod state;
mod tickets;
mod understand;

use super::bindings::types::{self, Error};
use super::context::CallContext;
use switchboard_store::StorageError;

impl types::Host for CallContext {}

/// How a storage failure looks to a guest. Details of internal failures stay in our logs.
pub(crate) fn guest_error(e: StorageError) -> Error {
    match e {
        StorageError::NotFound => Error::NotFound,
        StorageError::Invalid(m) => Error::Invalid(m),
        StorageError::Conflict(m) => Error::QuotaExceeded(m),
        StorageError::Timeout(d) => Error::Unavailable(format!("storage did not answer within {d:?}")),
        other => {
            tracing::error!(error = %other, "storage failure during flow capability call");
            Error::Unavailable("storage failure".into())
        }
    }
}

/// Cap a guest-supplied string before it reaches storage or logs.
pub(crate) fn too_long(s: &str, max: usize) -> Option<Error> {
    (s.len() > max).then(|| Error::Invalid(format!("argument longer than {max} bytes")))
}
