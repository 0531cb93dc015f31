//! Call recording (a per-tenant setting, after a consent prompt): the caller on
//! the left channel, the bot (and agent, after a bridged transfer) on the right,
//! 16 kHz, saved next to the database and served with the call record.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::app::App;

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
        let path = app.data_dir.join(&rel);
        let wav = self.to_wav();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&path, wav).with_context(|| format!("writing {}", path.display()))
        })
        .await??;
        let (tenant, call, rel) = (tenant_id.to_string(), call_id.to_string(), rel.display().to_string());
        let mut record = app.db.call(&tenant, &call).await?;
        record.recording = Some(rel);
        app.db.save_call(&record).await?;
        let kind = crate::events::CallEventKind::Recorded;
        app.events.publish(crate::events::CallEvent { tenant_id: tenant, call_id: call, kind });
        Ok(())
    }
}
