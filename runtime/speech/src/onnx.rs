//! The process's ONNX Runtime: loaded once, from the shared library that the
//! `onnxruntime` wheel ships (the `ort` crate's own download cannot work offline).

use std::sync::OnceLock;

use anyhow::Context;

static ENVIRONMENT: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();

/// The ONNX Runtime environment, loading the library on first use.
pub fn environment() -> anyhow::Result<&'static ort::environment::Environment> {
    let env = ENVIRONMENT.get_or_init(|| {
        let load = || -> anyhow::Result<ort::environment::Environment> {
            let lib = super::models::model_file("onnxruntime", "libonnxruntime.so")?;
            let builder = ort::init_from(&lib).with_context(|| format!("loading {}", lib.display()))?;
            Ok(builder.with_name("switchboard").build()?)
        };
        load().map_err(|e| format!("{e:#}"))
    });
    env.as_ref().map_err(|e| anyhow::anyhow!("ONNX Runtime is unavailable: {e}"))
}

/// A session for `model` with a fixed number of intra-op threads (speech models
/// are small: parallelism comes from serving many calls, not from one run), which do not
/// spin while they wait.
pub fn session(model: &std::path::Path, threads: usize) -> anyhow::Result<ort::session::Session> {
    let env = environment()?;
    let session = ort::session::Session::builder(env)?
        .with_intra_threads(threads)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_inter_threads(1)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        // Idle threads sleep rather than spin: the same cores run recognition, which a
        // spinning pool slows down while it waits for its next run.
        .with_intra_op_spinning(false)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .commit_from_file(model)
        .with_context(|| format!("loading {}", model.display()))?;
    Ok(session)
}
