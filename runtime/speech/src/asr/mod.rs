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
pub use whisper::{Hints, SlotHint, Transcript, Whisper, WhisperSize};

/// What turns a caller's speech into text for the [`AsrPool`]'s workers: Whisper, or a
/// fake in tests of the conversation. Workers share one recogniser; each call is
/// independent (`&self`).
pub trait Recogniser: Send + Sync + 'static {
    /// Recognise `samples` (16 kHz mono) in one of `languages` (none: any), with a
    /// `draft` of an earlier partial recognition and the flow's `hints`; stop early
    /// when `cancelled` says nobody waits for the result.
    fn recognise(
        &self,
        samples: &[f32],
        languages: &[String],
        draft: &[u32],
        hints: &Hints,
        cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<Transcript>;

    /// Whether drafts make recognition cheaper, so partial recognitions while the caller
    /// speaks are worth their cost.
    fn uses_drafts(&self) -> bool {
        false
    }
}

impl Recogniser for Whisper {
    fn recognise(
        &self,
        samples: &[f32],
        languages: &[String],
        draft: &[u32],
        hints: &Hints,
        cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<Transcript> {
        self.transcribe_steered(samples, languages, draft, hints, cancelled)
    }

    fn uses_drafts(&self) -> bool {
        Whisper::uses_drafts(self)
    }
}
