//! End of turn on a voice call, in real time: how soon the bot answers after the
//! caller's last speech, and how often a turn is cut before the caller is done.
//!
//! Each case is a fresh call to the demo tenant's flow (in-process, as `switchboard
//! chat --voice` runs it), brought to a question by typed turns, then the caller's
//! audio pushed in 20 ms packets at the pace of a phone: recorded callers from
//! `tests/callers/<voice>/` (voices that are not the bot's, telephone band), alone,
//! with a pause mid-sentence, or a phone number in three groups with pauses.
//!
//! Reported: last speech → first audio of the bot's answer, p50 and p95; the share
//! of cases whose turn was cut before the caller finished; what ended the turns.
//! Run: `cargo bench -p switchboard --bench turns` (`-- pause` runs only the cases whose name
//! holds "pause").

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchboard::call::session::CallSetup;
use switchboard::call::voice::{SpeechEngines, VoiceCall, VoiceEvent};
use switchboard::cli::chat::scratch_tenant;
use switchboard::speech::asr::WhisperSize;
use switchboard::speech::audio::Audio;

/// A caller turn: clips with the silence added after each, spoken once the typed turns reached
/// the question. Clips carry 0.3 s of silence before their speech and 0.6 s after, so two clips
/// in a row already pause about 0.9 s mid-turn.
struct Case {
    name: &'static str,
    caller: &'static str,
    typed: &'static [&'static str],
    clips: &'static [(&'static str, u64)],
}

const NO_ID: &str = "";
const KNOWN: &str = "+886922000111";

const CASES: &[Case] = &[
    Case { name: "zh order", caller: KNOWN, typed: &[], clips: &[("zh-order-1", 0)] },
    Case { name: "zh order", caller: KNOWN, typed: &[], clips: &[("zh-order-3", 0)] },
    Case {
        name: "zh order, pause mid-sentence",
        caller: KNOWN,
        typed: &[],
        clips: &[("zh-frag-1", 0), ("zh-frag-2", 0)],
    },
    Case { name: "zh sugar", caller: KNOWN, typed: &["一杯大杯珍奶少冰"], clips: &[("zh-sugar-1", 0)] },
    Case { name: "zh size", caller: KNOWN, typed: &["一杯紅茶半糖少冰"], clips: &[("zh-size-1", 0)] },
    Case { name: "zh name", caller: KNOWN, typed: &["一杯大杯紅茶半糖少冰"], clips: &[("zh-name-1", 0)] },
    Case {
        name: "zh yes", caller: KNOWN, typed: &["一杯大杯紅茶半糖少冰", "我姓林"], clips: &[("zh-yes-1", 0)]
    },
    Case {
        name: "zh no", caller: KNOWN, typed: &["一杯大杯紅茶半糖少冰", "我姓林"], clips: &[("zh-no-2", 0)]
    },
    Case {
        name: "zh phone in groups",
        caller: NO_ID,
        typed: &["一杯大杯紅茶半糖少冰", "我姓林"],
        clips: &[("zh-grp-1", 0), ("zh-grp-2", 0), ("zh-grp-3", 0)],
    },
    Case {
        name: "zh phone", caller: NO_ID, typed: &["一杯大杯紅茶半糖少冰", "我姓林"], clips: &[("zh-phone-2", 0)]
    },
    Case { name: "en order", caller: KNOWN, typed: &[], clips: &[("en-order-1", 0)] },
    Case { name: "en order", caller: KNOWN, typed: &[], clips: &[("en-order-2", 0)] },
    Case {
        name: "en order, pause mid-sentence",
        caller: KNOWN,
        typed: &[],
        clips: &[("en-frag-1", 0), ("en-frag-2", 0)],
    },
    Case {
        name: "en sugar",
        caller: KNOWN,
        typed: &["one large bubble milk tea less ice"],
        clips: &[("en-sugar-1", 0)],
    },
    Case {
        name: "en yes",
        caller: KNOWN,
        typed: &["one large black tea half sugar less ice", "My name is Ann"],
        clips: &[("en-yes-1", 0)],
    },
    Case {
        name: "en phone in groups",
        caller: NO_ID,
        typed: &["one large black tea half sugar less ice", "My name is Ann"],
        clips: &[("en-grp-1", 0), ("en-grp-2", 0), ("en-grp-3", 0)],
    },
];

fn callers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/callers")
}

/// The clip's samples and where its speech ends (the last sample above the noise floor).
fn clip(voice: &str, id: &str) -> anyhow::Result<(Vec<f32>, usize)> {
    let samples = Audio::read_wav(&callers_dir().join(voice).join(format!("{id}.wav")))?.resampled(16_000).samples;
    let end = samples.iter().rposition(|x| x.abs() > 0.02).map_or(samples.len(), |i| i + 1);
    Ok((samples, end))
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    // `RUST_LOG=switchboard_call=info` shows what each turn waited for (the end of the turn, its
    // recognition), between this benchmark's own lines.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .init();
    let voices: Vec<String> = std::fs::read_dir(callers_dir())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let (app, tenant, scratch) = scratch_tenant(switchboard::demo::TEA_SHOP_FLOW.to_vec()).await?;
    // As `serve` does before it answers calls: the FAQ embedded for semantic search, which a
    // turn the flow did not understand consults (otherwise the first such turn pays for it).
    app.knowledge.faq.warm(&app.db, None).await?;
    let engines = SpeechEngines::load(WhisperSize::Base)?;
    // Cargo passes `--bench`; any other argument picks cases by name.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let mut latencies = Vec::new();
    let (mut cut, mut runs, mut unanswered) = (0, 0, 0);
    for voice in &voices {
        for case in CASES.iter().filter(|c| only.is_empty() || only.iter().any(|o| c.name.contains(o.as_str()))) {
            let mut audio = Vec::new();
            let mut speech_end = 0;
            for (id, pause_ms) in case.clips {
                let (samples, end) = clip(voice, id)?;
                speech_end = audio.len() + end;
                audio.extend_from_slice(&samples);
                audio.extend(std::iter::repeat_n(0.0, *pause_ms as usize * 16));
            }
            audio.extend(std::iter::repeat_n(0.0, 3 * 16_000));

            let setup = CallSetup::inbound_text(tenant.clone(), case.caller.to_string(), String::new());
            let (mut call, _) = VoiceCall::start(app.clone(), engines.clone(), setup, 8_000).await;
            for text in case.typed {
                call.typed(text).await;
            }
            call.playback_done();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            call.stream = Some(tx);
            // Events as they happen: (when, pushed samples at that time, event).
            let seen: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
            let pushed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let heard_at_sample: Arc<Mutex<Option<usize>>> = Arc::default();
            let collector = {
                let (seen, pushed, heard_at_sample) = (seen.clone(), pushed.clone(), heard_at_sample.clone());
                tokio::spawn(async move {
                    while let Some(e) = rx.recv().await {
                        let kind = match e {
                            VoiceEvent::Heard(t) => {
                                heard_at_sample
                                    .lock()
                                    .unwrap()
                                    .get_or_insert(pushed.load(std::sync::atomic::Ordering::SeqCst));
                                format!("heard {:?}", t.text)
                            }
                            VoiceEvent::Said { audio: Some(_), text, .. } => format!("said {text:?}"),
                            _ => continue,
                        };
                        seen.lock().unwrap().push((Instant::now(), kind));
                    }
                })
            };
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            let mut speech_ended_at = None;
            for (k, chunk) in audio.chunks(320).enumerate() {
                tick.tick().await;
                call.audio_arrived = Some(Instant::now());
                call.push(chunk).await?;
                let done = (k + 1) * 320;
                pushed.store(done, std::sync::atomic::Ordering::SeqCst);
                if speech_ended_at.is_none() && done >= speech_end {
                    speech_ended_at = Some(Instant::now());
                    tracing::info!(case = case.name, "the caller's speech ended");
                }
                if seen.lock().unwrap().iter().any(|(_, e)| e.starts_with("said")) || call.is_ended() {
                    break;
                }
            }
            drop(call);
            let _ = collector.await;
            runs += 1;
            let events = seen.lock().unwrap().clone();
            let heard = events.iter().find(|(_, e)| e.starts_with("heard")).map(|(_, e)| e.clone()).unwrap_or_default();
            // Cut: the turn was heard before the caller's last speech (its first half answered).
            let was_cut = heard_at_sample.lock().unwrap().is_some_and(|at| at < speech_end);
            cut += usize::from(was_cut);
            match (events.iter().find(|(_, e)| e.starts_with("said")), speech_ended_at) {
                (Some((at, _)), Some(end)) if !was_cut => {
                    let ms = at.saturating_duration_since(end).as_secs_f64() * 1000.0;
                    latencies.push(ms);
                    println!("{voice:<10} {:<30} {ms:>5.0} ms  {heard}", case.name);
                }
                _ => {
                    unanswered += usize::from(!was_cut);
                    println!(
                        "{voice:<10} {:<30} {}  {heard}",
                        case.name,
                        if was_cut { "CUT EARLY" } else { "no answer" }
                    );
                }
            }
        }
    }
    let metrics = app.metrics.render();
    let paths: Vec<&str> = metrics.lines().filter(|l| l.starts_with("switchboard_turn_ends_total{")).collect();
    println!(
        "last speech → bot's first audio: p50 {:.0} ms, p95 {:.0} ms over {} turns; cut too early {cut}/{runs} ({:.1} %); unanswered {unanswered}",
        pct(&mut latencies.clone(), 0.5),
        pct(&mut latencies, 0.95),
        runs - cut - unanswered,
        100.0 * cut as f64 / runs.max(1) as f64
    );
    println!("turns ended by: {}", paths.join(", "));
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
