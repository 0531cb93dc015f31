//! A bounded pool of recognition workers shared by every call.
//!
//! One model in memory (clones share its weights); one worker thread per core,
//! each with its own decoder state; a bounded queue in front. A long utterance
//! occupies one worker while the others keep serving other calls, and when the
//! queue is full a caller waits at most `queue_timeout` before getting
//! [`AsrError::Busy`] (the call session then asks the caller to repeat, rather
//! than letting the queue grow without bound).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::{Transcript, Whisper};

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
    reply: oneshot::Sender<Result<Transcript, String>>,
}

pub struct AsrPool {
    queue: mpsc::Sender<Job>,
    queue_timeout: Duration,
    pub workers: usize,
}

impl AsrPool {
    /// Start `workers` threads (0: one per core) sharing `model`, with room for `queue` waiting utterances.
    pub fn start(model: Whisper, workers: usize, queue: usize) -> AsrPool {
        let workers = if workers == 0 { std::thread::available_parallelism().map_or(2, |n| n.get()) } else { workers };
        let (tx, rx) = mpsc::channel::<Job>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let (rx, model) = (rx.clone(), model.clone());
            std::thread::Builder::new()
                .name(format!("asr-{i}"))
                .spawn(move || {
                    loop {
                        // Only one idle worker waits on the queue at a time.
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).blocking_recv();
                        let Some(job) = job else { break };
                        let result = model.transcribe_among(&job.samples, &job.languages).map_err(|e| format!("{e:#}"));
                        let _ = job.reply.send(result);
                    }
                })
                .expect("spawn ASR worker");
        }
        AsrPool { queue: tx, queue_timeout: Duration::from_secs(2), workers }
    }

    /// Recognise one utterance (16 kHz mono) in one of `languages` (none: any).
    pub async fn transcribe(&self, samples: Vec<f32>, languages: Vec<String>) -> Result<Transcript, AsrError> {
        let (reply, answer) = oneshot::channel();
        let job = Job { samples, languages, reply };
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
