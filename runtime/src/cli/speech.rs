//! `switchboard transcribe`: speech recognition on a WAV file, with timings.

use std::path::PathBuf;

use clap::Args;

use crate::speech::asr::{Whisper, WhisperSize};
use crate::speech::audio::Audio;

#[derive(Args)]
pub struct TranscribeArgs {
    /// A WAV file (any rate, any channels; PCM or float).
    file: PathBuf,
    /// Language code (zh, en...); detected when not given.
    #[arg(long)]
    language: Option<String>,
    /// Which model: base (multilingual) or tiny-en (English, faster).
    #[arg(long, value_enum, default_value = "base")]
    model: ModelChoice,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ModelChoice {
    Base,
    TinyEn,
}

pub fn transcribe(args: TranscribeArgs) -> anyhow::Result<()> {
    let size = match args.model {
        ModelChoice::Base => WhisperSize::Base,
        ModelChoice::TinyEn => WhisperSize::TinyEn,
    };
    let audio = Audio::read_wav(&args.file)?.resampled(16_000);
    let load = std::time::Instant::now();
    let whisper = Whisper::load(size)?;
    let load_ms = load.elapsed().as_secs_f64() * 1000.0;
    let t = whisper.transcribe(&audio.samples, args.language.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&t)?);
        return Ok(());
    }
    println!("{}", t.text);
    println!("language: {}   confidence: {:.2}", t.language, t.confidence);
    println!(
        "audio {:.2} s; features {:.0} ms, encoder {:.0} ms, decoder {:.0} ms ({} tokens), total {:.0} ms (model load {:.0} ms)",
        t.audio_ms as f64 / 1000.0,
        t.features_ms,
        t.encode_ms,
        t.decode_ms,
        t.tokens,
        t.total_ms,
        load_ms
    );
    Ok(())
}
