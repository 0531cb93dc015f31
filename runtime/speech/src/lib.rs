//! Speech, in-process: voice activity detection and endpointing (silero VAD),
//! with speech recognition and synthesis to follow. Models are loaded once per
//! process and shared by every call; per-call state lives with the call.
//!
//! Models come from PyPI packages fetched by `scripts/models.py` into
//! `$SWITCHBOARD_CACHE/models` (see [`models`]).

pub mod accuracy;
pub mod asr;
pub mod audio;
pub mod models;
pub mod onnx;
pub mod tts;
pub mod turn;
pub mod vad;
