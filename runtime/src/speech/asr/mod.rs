//! Speech recognition: Whisper on candle, from CTranslate2-layout weights.

pub mod chinese;
pub mod ct2;
pub mod decoder;
pub mod encoder;
pub mod mel;
pub mod pool;
pub mod tokenizer;
pub mod whisper;

pub use pool::{AsrError, AsrPool};
pub use whisper::{Hints, Transcript, Whisper, WhisperSize};
