//! `switchboard transcribe`: speech recognition on a WAV file, with timings.

use std::path::PathBuf;

use clap::Args;

use crate::speech::asr::{Whisper, WhisperSize};
use crate::speech::audio::Audio;
use crate::speech::tts::{Tts, mandarin::MandarinVoice, piper::Piper, sentences};

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
    /// Text to condition the recogniser on, as a flow's expected answers do (for example
    /// "0912-345-678。" or the names on a menu): to see how a prompt changes what is heard.
    #[arg(long)]
    prompt: Option<String>,
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
    let languages: Vec<String> = args.language.iter().cloned().collect();
    let hints = crate::speech::asr::Hints {
        prompts: args.prompt.iter().flat_map(|p| ["zh", "en"].map(|l| (l.to_string(), p.clone()))).collect(),
        candidates: Vec::new(),
        ..Default::default()
    };
    let t = whisper.transcribe_steered(&audio.samples, &languages, &[], &hints, &|| false)?;
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

#[derive(Args)]
pub struct SayArgs {
    /// What to say.
    text: String,
    /// Language of the voice.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Output WAV file.
    #[arg(short, long)]
    output: PathBuf,
    /// Output sample rate (8000 and 16000 for calls, 48000 for browsers); the voice's own when not given.
    #[arg(long)]
    rate: Option<u32>,
    /// Speaking speed: 1.0 is the voice's pace.
    #[arg(long, default_value_t = 1.0)]
    speed: f32,
}

pub fn say(args: SayArgs) -> anyhow::Result<()> {
    let voice: Box<dyn Tts> = match args.lang.split('-').next().unwrap_or_default() {
        "en" => Box::new(Piper::load()?),
        "zh" => Box::new(MandarinVoice::load()?),
        other => anyhow::bail!("no voice for language `{other}` (available: en, zh)"),
    };
    let started = std::time::Instant::now();
    let mut out: Option<Audio> = None;
    let mut first_ms = None;
    for sentence in sentences(&args.text) {
        let audio = voice.synthesize(&sentence, args.speed)?;
        first_ms.get_or_insert(started.elapsed().as_secs_f64() * 1000.0);
        match &mut out {
            Some(all) => all.samples.extend(audio.samples),
            None => out = Some(audio),
        }
    }
    let Some(mut audio) = out else { anyhow::bail!("nothing to say") };
    let took = started.elapsed().as_secs_f64();
    if let Some(rate) = args.rate {
        audio = audio.resampled(rate);
    }
    audio.write_wav(&args.output)?;
    println!(
        "wrote {} ({:.2} s at {} Hz); first sentence after {:.0} ms, real-time factor {:.2}",
        args.output.display(),
        audio.duration_secs(),
        audio.rate,
        first_ms.unwrap_or_default(),
        took / audio.duration_secs()
    );
    Ok(())
}
