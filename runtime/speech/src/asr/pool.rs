//! A bounded pool of recognition workers shared by every call.
//!
//! One model in memory (clones share its weights); one worker thread per core,
//! each with its own decoder state; a bounded queue in front. A long utterance
//! occupies one worker while the others keep serving other calls, and when the
//! queue is full a caller waits at most `queue_timeout` before getting
//! [`AsrError::Busy`] (the call session then asks the caller to repeat, rather
//! than letting the queue grow without bound).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::{Hints, Recogniser, Transcript};

#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error("speech recognition is saturated (queue full for {0:?})")]
    Busy(Duration),
    #[error("speech recognition failed: {0}")]
    Failed(String),
}

struct Job {
    samples: Vec<f32>,
    /// Candidate languages (one: fixed; none: any).
    languages: Vec<String>,
    /// Tokens of an earlier recognition of the start of this speech (see [`super::Whisper::transcribe_drafted`]).
    draft: Vec<u32>,
    /// What the flow expects to hear.
    hints: Hints,
    reply: oneshot::Sender<Result<Transcript, String>>,
}

/// A recognition under way; await it, or poll it with `try_recv`.
pub type Pending = oneshot::Receiver<Result<Transcript, String>>;

pub struct AsrPool {
    queue: mpsc::Sender<Job>,
    queue_timeout: Duration,
    pub workers: usize,
    /// Whether the model makes use of drafts (partial recognitions while the caller speaks).
    pub uses_drafts: bool,
    /// Workers not recognising anything right now.
    idle: Arc<AtomicUsize>,
}

impl AsrPool {
    /// Start `workers` threads (0: one per core) sharing `model`, with room for `queue` waiting utterances.
    pub fn start(model: Arc<dyn Recogniser>, workers: usize, queue: usize) -> AsrPool {
        let workers = if workers == 0 { std::thread::available_parallelism().map_or(2, |n| n.get()) } else { workers };
        let (tx, rx) = mpsc::channel::<Job>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        let idle = Arc::new(AtomicUsize::new(workers));
        let uses_drafts = model.uses_drafts();
        for i in 0..workers {
            let (rx, model, idle) = (rx.clone(), model.clone(), idle.clone());
            std::thread::Builder::new()
                .name(format!("asr-{i}"))
                .spawn(move || {
                    loop {
                        // Only one idle worker waits on the queue at a time.
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).blocking_recv();
                        let Some(job) = job else { break };
                        idle.fetch_sub(1, Ordering::SeqCst);
                        // When nobody waits for the result any more (a stale early recognition),
                        // the work stops at the next token.
                        let cancelled = || job.reply.is_closed();
                        if !cancelled() {
                            let result = model
                                .recognise(&job.samples, &job.languages, &job.draft, &job.hints, &cancelled)
                                .map_err(|e| format!("{e:#}"));
                            let _ = job.reply.send(result);
                        }
                        idle.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .expect("spawn ASR worker");
        }
        AsrPool { queue: tx, queue_timeout: Duration::from_secs(2), workers, uses_drafts, idle }
    }

    /// Recognise one utterance (16 kHz mono) in one of `languages` (none: any).
    pub async fn transcribe(&self, samples: Vec<f32>, languages: Vec<String>) -> Result<Transcript, AsrError> {
        self.transcribe_drafted(samples, languages, Vec::new(), Hints::default()).await
    }

    /// Start recognising what a caller has said so far, before the turn is over, without
    /// waiting: `None` when the queue is full, or, with `only_if_idle` (a partial result while
    /// the caller still speaks, which only serves as a draft), when no worker is idle or
    /// anything waits in the queue, so that it never delays another call's finished turn.
    /// Dropping the receiver cancels the work.
    pub fn start_early(
        &self,
        samples: Vec<f32>,
        languages: Vec<String>,
        draft: Vec<u32>,
        hints: Hints,
        only_if_idle: bool,
    ) -> Option<Pending> {
        let busy = self.idle.load(Ordering::SeqCst) == 0 || self.queue.capacity() < self.queue.max_capacity();
        if only_if_idle && busy {
            return None;
        }
        let (reply, answer) = oneshot::channel();
        self.queue.try_send(Job { samples, languages, draft, hints, reply }).ok()?;
        Some(answer)
    }

    /// [`AsrPool::transcribe`] with a draft: the tokens of a partial recognition of the
    /// start of this utterance (see [`super::Whisper::transcribe_drafted`]).
    pub async fn transcribe_drafted(
        &self,
        samples: Vec<f32>,
        languages: Vec<String>,
        draft: Vec<u32>,
        hints: Hints,
    ) -> Result<Transcript, AsrError> {
        let (reply, answer) = oneshot::channel();
        let job = Job { samples, languages, draft, hints, reply };
        match tokio::time::timeout(self.queue_timeout, self.queue.send(job)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(AsrError::Failed("the recognition workers have stopped".into())),
            Err(_) => return Err(AsrError::Busy(self.queue_timeout)),
        }
        match answer.await {
            Ok(result) => result.map_err(AsrError::Failed),
            Err(_) => Err(AsrError::Failed("a recognition worker stopped".into())),
        }
    }
}
