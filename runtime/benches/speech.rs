//! Speech benchmarks on this machine: VAD cost per 32 ms frame, and speech
//! recognition latency from end of speech to final text, for utterances of
//! about 1, 3 and 6 s, one call at a time (with and without a draft from a
//! partial recognition) and with 4 calls at once.
//!
//! Run: `cargo bench -p switchboard --bench speech [-- vad|tts|asr|asr-tiny|asr-base]` (models from scripts/setup;
//! English test speech from espeak-ng, Mandarin from the Mandarin voice).

use std::time::Instant;

use switchboard::speech::asr::{AsrPool, Whisper, WhisperSize};
use switchboard::speech::audio::Audio;
use switchboard::speech::tts::{Tts, mandarin::MandarinVoice, piper::Piper, sentences};
use switchboard::speech::vad::{Endpointing, FRAME, Vad, VadStream};

fn espeak(text: &str, voice: &str) -> Vec<f32> {
    let out =
        std::process::Command::new("espeak-ng").args(["-v", voice, "--stdout", text]).output().expect("espeak-ng");
    Audio::parse_wav(&out.stdout).expect("wav").resampled(16_000).samples
}

/// Order-taking sentences of about 1, 3 and 6 s, whole: cutting speech
/// mid-word makes Whisper loop to its token limit, which no caller's turn does.
const ENGLISH: [&str; 3] = [
    "Yes, please.",
    "Two large bubble milk teas, half sugar, less ice.",
    "Two large bubble milk teas, half sugar, less ice, and a medium black tea with no sugar, for pickup at six.",
];
const MANDARIN: [&str; 3] =
    ["對，謝謝。", "我要兩杯大杯珍珠奶茶，半糖少冰。", "我要兩杯大杯珍珠奶茶，半糖少冰，還有一杯中杯紅茶，六點來拿。"];

/// English test speech from espeak-ng (robotic, harder than a person).
fn english() -> Utterances<'static> {
    ("en", "English", ENGLISH.iter().map(|&s| (s, espeak(s, "en-us"))).collect())
}

/// Mandarin test speech from the Mandarin voice (espeak-ng's Mandarin is not understood).
fn mandarin() -> anyhow::Result<Utterances<'static>> {
    let voice = MandarinVoice::load()?;
    let spoken = MANDARIN
        .iter()
        .map(|&s| Ok((s, voice.synthesize(s, 1.0)?.resampled(16_000).samples)))
        .collect::<anyhow::Result<_>>()?;
    Ok(("zh", "Mandarin", spoken))
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

fn bench_vad(speech: &[f32]) -> anyhow::Result<()> {
    let vad = Vad::load()?;
    let mut audio = vec![0.0f32; 16_000];
    audio.extend_from_slice(speech);
    audio.extend(vec![0.0f32; 16_000]);
    let frames = audio.len() / FRAME;
    let run = |vad: std::sync::Arc<Vad>| -> anyhow::Result<f64> {
        let mut stream = VadStream::new(vad, Endpointing::default());
        let t = Instant::now();
        for chunk in audio.chunks(FRAME) {
            stream.push(chunk)?;
        }
        Ok(t.elapsed().as_secs_f64() * 1e6 / frames as f64)
    };
    run(vad.clone())?;
    let single: Vec<f64> = (0..5).map(|_| run(vad.clone())).collect::<anyhow::Result<_>>()?;
    println!(
        "VAD, 1 call:   {:.0} µs per 32 ms frame (mean of 5 runs over {frames} frames)",
        single.iter().sum::<f64>() / 5.0
    );
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let vad = vad.clone();
            let audio = audio.clone();
            std::thread::spawn(move || -> anyhow::Result<f64> {
                let mut stream = VadStream::new(vad, Endpointing::default());
                let t = Instant::now();
                for chunk in audio.chunks(FRAME) {
                    stream.push(chunk)?;
                }
                Ok(t.elapsed().as_secs_f64() * 1e6 / frames as f64)
            })
        })
        .collect();
    let per: Vec<f64> = handles.into_iter().map(|h| h.join().expect("thread")).collect::<anyhow::Result<_>>()?;
    println!(
        "VAD, 4 calls:  {:.0} µs per frame per call (wall time / frames, calls in parallel)",
        per.iter().sum::<f64>() / 4.0
    );
    Ok(())
}

/// A language's test utterances: code, label, and the sentences spoken (16 kHz) with their text.
type Utterances<'a> = (&'a str, &'a str, Vec<(&'a str, Vec<f32>)>);

fn bench_asr(size: WhisperSize, rows: &[Utterances], rt: &tokio::runtime::Runtime) -> anyhow::Result<()> {
    let t = Instant::now();
    let whisper = Whisper::load(size)?;
    println!(
        "\n{size:?}: model load {:.0} ms; context padded to {} s",
        t.elapsed().as_secs_f64() * 1000.0,
        whisper.context_secs
    );
    whisper.transcribe(&rows[0].2[0].1, Some(rows[0].0))?;
    for (lang, label, sentences) in rows {
        for (_, audio) in sentences.iter() {
            let secs = audio.len() as f32 / 16_000.0;
            let languages = [lang.to_string()];
            // As in a call: while the caller spoke, the speech up to the last whole second was
            // recognised (a partial, every second of speech); its tokens are the final's draft.
            // Runs with and without it alternate, so that both see the same machine.
            let partial_secs = (secs - 0.01).floor();
            let draft = match partial_secs >= 1.0 && whisper.uses_drafts() {
                true => whisper.transcribe(&audio[..(partial_secs * 16_000.0) as usize], Some(lang))?.token_ids,
                false => Vec::new(),
            };
            let (mut plain, mut encode, mut decode, mut drafted, mut drafted_decode) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut heard, mut last) = (None, None);
            for _ in 0..5 {
                let tr = whisper.transcribe(audio, Some(lang))?;
                plain.push(tr.total_ms);
                encode.push(tr.encode_ms);
                decode.push(tr.decode_ms);
                heard = Some(tr);
                if !draft.is_empty() {
                    let tr = whisper.transcribe_drafted(audio, &languages, &draft, &|| false)?;
                    drafted.push(tr.total_ms);
                    drafted_decode.push(tr.decode_ms);
                    last = Some(tr);
                }
            }
            let heard = heard.expect("five runs");
            println!(
                "  {label:<8} {secs:.1} s, 1 call:   end of speech -> text p50 {:>4.0} ms (encoder {:>3.0} ms, decoder {:>3.0} ms, {} tokens: {:?})",
                pct(&mut plain, 0.5),
                pct(&mut encode, 0.5),
                pct(&mut decode, 0.5),
                heard.tokens,
                heard.text
            );
            if let Some(last) = last {
                println!(
                    "  {label:<8} {secs:.1} s, with a draft: end of speech -> text p50 {:>4.0} ms (decoder {:>3.0} ms; {} of {} tokens from the partial at {partial_secs:.0} s)",
                    pct(&mut drafted, 0.5),
                    pct(&mut drafted_decode, 0.5),
                    last.drafted,
                    last.tokens
                );
            }
        }
    }
    // Four calls finishing an utterance at the same moment, through the shared pool.
    let pool = AsrPool::start(std::sync::Arc::new(whisper.clone()), 0, 16);
    let (lang, label, sentences) = &rows[0];
    let audio = sentences[1].1.clone();
    let mut latencies = rt
        .block_on(async {
            let jobs = (0..4).map(|_| {
                let audio = audio.clone();
                let pool = &pool;
                async move {
                    let t = Instant::now();
                    pool.transcribe(audio, vec![lang.to_string()]).await.map(|_| t.elapsed().as_secs_f64() * 1000.0)
                }
            });
            futures_util::future::join_all(jobs).await
        })
        .into_iter()
        .collect::<Result<Vec<f64>, _>>()?;
    println!(
        "  {label:<8} {:.1} s, 4 calls at once ({} workers): p50 {:.0} ms, max {:.0} ms",
        audio.len() as f32 / 16_000.0,
        pool.workers,
        pct(&mut latencies, 0.5),
        pct(&mut latencies, 1.0)
    );
    Ok(())
}

fn bench_voice(label: &str, voice: std::sync::Arc<dyn Tts>, reply: &str) -> anyhow::Result<()> {
    voice.synthesize(&sentences(reply)[0], 1.0)?;
    let mut first = Vec::new();
    let mut rtf = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let mut audio_secs = 0.0;
        for (i, sentence) in sentences(reply).iter().enumerate() {
            let a = voice.synthesize(sentence, 1.0)?;
            if i == 0 {
                first.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            audio_secs += a.duration_secs();
        }
        rtf.push(t.elapsed().as_secs_f64() / audio_secs);
    }
    let first_sentence = sentences(reply)[0].clone();
    println!(
        "  {label}, 1 call:  first audio p50 {:.0} ms ({first_sentence:?}), real-time factor p50 {:.3}",
        pct(&mut first, 0.5),
        pct(&mut rtf, 0.5)
    );
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (voice, sentence) = (voice.clone(), first_sentence.clone());
            std::thread::spawn(move || -> anyhow::Result<f64> {
                let t = Instant::now();
                voice.synthesize(&sentence, 1.0)?;
                Ok(t.elapsed().as_secs_f64() * 1000.0)
            })
        })
        .collect();
    let mut four: Vec<f64> = handles.into_iter().map(|h| h.join().expect("thread")).collect::<anyhow::Result<_>>()?;
    println!(
        "  {label}, 4 calls at once: first audio p50 {:.0} ms, max {:.0} ms",
        pct(&mut four, 0.5),
        pct(&mut four, 1.0)
    );
    Ok(())
}

fn bench_tts() -> anyhow::Result<()> {
    println!("\nTTS, sentence by sentence (time to first audio = the first sentence):");
    let en: std::sync::Arc<dyn Tts> = std::sync::Arc::new(Piper::load()?);
    bench_voice(
        "English (Piper)",
        en,
        "Got it. Two large bubble milk teas, half sugar, less ice. Is this for delivery or pickup?",
    )?;
    let zh: std::sync::Arc<dyn Tts> = std::sync::Arc::new(MandarinVoice::load()?);
    bench_voice("Mandarin (FastSpeech2)", zh, "好的。大杯珍珠奶茶兩杯，半糖、少冰。總共120元，請問怎麼稱呼您？")?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    println!("speech benchmarks, {} cores", std::thread::available_parallelism()?);
    let en = espeak("Two large bubble milk teas, half sugar, less ice, and a medium black tea please.", "en-us");
    // `cargo bench --bench speech -- asr` runs one part (vad, tts, asr, asr-tiny, asr-base); none runs all.
    let parts: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let run = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    if run("vad") {
        bench_vad(&en)?;
    }
    if run("tts") {
        bench_tts()?;
    }
    if run("asr") || run("asr-tiny") {
        bench_asr(WhisperSize::TinyEn, &[english()], &rt)?;
    }
    if run("asr") || run("asr-base") {
        bench_asr(WhisperSize::Base, &[english(), mandarin()?], &rt)?;
    }
    Ok(())
}
