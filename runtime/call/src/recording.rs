//! Call recording (a per-tenant setting, after a consent prompt): the caller on
//! the left channel, the bot (and agent, after a bridged transfer) on the right,
//! 16 kHz, kept in a [`RecordingStore`] and served with the call record.
//!
//! The store ([`crate::recording_store`]) is a directory: the data directory by default, or one that every node of a
//! cluster mounts (`--recordings-dir`, e.g. NFS), so that any node serves any call's
//! recording. The call record keeps the recording's key, never a path a client gave.

use std::path::{Path, PathBuf};


use crate::app::App;
pub use crate::recording_store::{DirectoryRecordings, RecordingStore};

/// Most audio kept per call (2 h a side); a longer call keeps its first two hours.
const MAX_SAMPLES: usize = 16_000 * 7200;

#[derive(Default)]
pub struct Recorder {
    caller: Vec<f32>,
    bot: Vec<f32>,
}

/// Where a call's recording lives, relative to the data directory.
pub fn relative_path(tenant_id: &str, call_id: &str) -> PathBuf {
    Path::new("recordings").join(tenant_id).join(format!("{call_id}.wav"))
}

impl Recorder {
    pub fn caller(&mut self, samples: &[f32]) {
        if self.caller.len() < MAX_SAMPLES {
            self.caller.extend_from_slice(samples);
        }
    }

    pub fn bot(&mut self, samples: &[f32]) {
        if self.bot.len() < MAX_SAMPLES {
            self.bot.extend_from_slice(samples);
        }
    }

    /// Stereo 16-bit WAV bytes.
    pub fn to_wav(&self) -> Vec<u8> {
        let frames = self.caller.len().max(self.bot.len());
        let data_len = (frames * 4) as u32;
        let mut out = Vec::with_capacity(44 + frames * 4);
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data_len).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16_000u32.to_le_bytes());
        out.extend_from_slice(&(16_000u32 * 4).to_le_bytes());
        out.extend_from_slice(&4u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data_len.to_le_bytes());
        let pcm = |s: f32| ((s.clamp(-1.0, 1.0) * 32767.0) as i16).to_le_bytes();
        for i in 0..frames {
            out.extend_from_slice(&pcm(self.caller.get(i).copied().unwrap_or(0.0)));
            out.extend_from_slice(&pcm(self.bot.get(i).copied().unwrap_or(0.0)));
        }
        out
    }

    /// Write the recording and note it in the call record.
    pub async fn save(self, app: &App, tenant_id: &str, call_id: &str) -> anyhow::Result<()> {
        let rel = relative_path(tenant_id, call_id);
        let wav = self.to_wav();
        let (store, key) = (app.recordings.clone(), rel.clone());
        tokio::task::spawn_blocking(move || store.put(&key, &wav)).await??;
        let (tenant, call, rel) = (tenant_id.to_string(), call_id.to_string(), rel.display().to_string());
        let mut record = app.db.call(&tenant, &call).await?;
        record.recording = Some(rel);
        app.db.save_call(&record).await?;
        let kind = crate::events::CallEventKind::Recorded;
        app.events.publish(crate::events::CallEvent { tenant_id: tenant, call_id: call, kind });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_keeps_recordings_by_key_and_says_when_there_is_none() {
        let root = std::env::temp_dir().join(switchboard_domain::ids::new_id("rectest"));
        let store = DirectoryRecordings::new(&root);
        let key = relative_path("ten_1", "call_1");
        assert!(store.get(&key).unwrap().is_none());
        let mut r = Recorder::default();
        r.caller(&[0.5; 160]);
        store.put(&key, &r.to_wav()).unwrap();
        let wav = store.get(&key).unwrap().expect("kept");
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(wav.len(), 44 + 160 * 4);
        assert!(!root.join(&key).with_extension("wav.partial").exists(), "no partial file left");
        let _ = std::fs::remove_dir_all(&root);
    }
}
