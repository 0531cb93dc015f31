//! Recognition of short caller answers, with and without what the flow expects.
//!
//! The callers are the clips in `tests/callers/<voice>/<id>.wav`: voices that are
//! not the bot's, through a telephone band (made by `scripts/caller_voices.py`
//! from `tests/callers/answers.tsv`). Each answer is recognised by Whisper base
//! for a zh-TW tenant (Mandarin and English callers) twice: plainly, and steered
//! by the expectation a flow would declare (prompt and expected-answer scoring,
//! `call::steering`). Reported per language:
//! - closed questions (yes/no, a choice, a size or option): exact text, and whether
//!   the host's understanding gets the intended answer from the transcript;
//! - open answers (names, numbers, orders, addresses): CER (zh) or WER (en); numbers by
//!   their digits;
//! - end of speech → text, p50 and p95.
//!
//! Run: `cargo bench -p switchboard --bench recognition` (`-- plain` or `-- steered` for one pass;
//! `-- steered --without-shapes` steers without the answer shapes, to compare; answer ids such
//! as `zh-yes-1` pick those answers).

use std::collections::BTreeMap;
use std::path::PathBuf;

use switchboard::call::steering;
use switchboard::speech::accuracy::{cer, wer};
use switchboard::speech::asr::{Hints, Whisper, WhisperSize};
use switchboard::speech::audio::Audio;
use switchboard_understand::fixtures::demo;
use switchboard_understand::{Analysis, AnswerKind, Catalog, Expectation, ExpectedChoice, Understander};

struct Answer {
    id: String,
    lang: String,
    text: String,
    expecting: Expectation,
}

fn callers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/callers")
}

/// The expectation a flow would declare, from the answers file's notation.
fn expectation(spec: &str, catalog: &Catalog) -> Expectation {
    let mut e = Expectation::default();
    if let Some(list) = spec.strip_prefix("choice(").and_then(|s| s.strip_suffix(')')) {
        e.kind = AnswerKind::Choice;
        for choice in list.split(';') {
            let (id, phrases) = choice.split_once('=').expect("id=phrases");
            e.choices.push(ExpectedChoice { id: id.into(), phrases: phrases.split('|').map(str::to_string).collect() });
        }
        return e;
    }
    let (head, about) = spec.split_once('@').map_or((spec, None), |(h, a)| (h, Some(a.to_string())));
    let (kind, slot) = head.split_once('/').map_or((head, None), |(k, s)| (k, Some(s.to_string())));
    e.kind = match kind {
        "yes-no" => AnswerKind::YesNo,
        "name" => AnswerKind::Name,
        "phone" => AnswerKind::Phone,
        "address" => AnswerKind::Address,
        "time" => AnswerKind::Time,
        _ => AnswerKind::Order,
    };
    // A size or option question offers the catalogue's choices, as the tea-shop flow does.
    if let Some(slot) = &slot {
        e.choices = switchboard_understand::slot_choices(catalog, about.as_deref(), slot);
    }
    if e.kind == AnswerKind::Order && slot.is_none() {
        e.vocabulary = catalog.products.iter().flat_map(|p| p.names.iter().map(|n| n.text.clone())).collect();
    }
    e.slot = slot;
    e.about = about;
    e
}

fn answers(catalog: &Catalog) -> Vec<Answer> {
    let text = std::fs::read_to_string(callers_dir().join("answers.tsv")).expect("tests/callers/answers.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Answer { id: f[0].into(), lang: f[1].into(), text: f[2].into(), expecting: expectation(f[3], catalog) }
        })
        .collect()
}

fn closed(e: &Expectation) -> bool {
    matches!(e.kind, AnswerKind::YesNo | AnswerKind::Choice) || e.slot.is_some()
}

/// Punctuation, case and spaces aside.
fn key(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// What a closed answer means to the host: the yes/no, the choice, or the size/option.
fn meaning(a: &Analysis) -> String {
    format!("{:?}|{:?}|{:?}|{:?}", a.yes_no, a.choice, a.order.loose.size, a.order.loose.options)
}

#[derive(Default)]
struct Tally {
    exact: (usize, usize),
    understood: (usize, usize),
    errors: Vec<f32>,
    /// Name answers whose name the host reads right from the transcript.
    names: (usize, usize),
    latency: Vec<f64>,
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

fn main() -> anyhow::Result<()> {
    // RUST_LOG=switchboard_speech=debug shows how each expected answer was weighed.
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let catalog = demo();
    let answers = answers(&catalog);
    let voices: Vec<String> = std::fs::read_dir(callers_dir())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    anyhow::ensure!(
        !voices.is_empty(),
        "no caller clips in tests/callers/<voice>/ (scripts/caller_voices.py makes them)"
    );
    // `--without-shapes`: no answer shapes (a name's surname scored after 「我姓」), to compare.
    let without_shapes = std::env::args().any(|a| a == "--without-shapes");
    let whisper = Whisper::load(WhisperSize::Base)?;
    let languages = vec!["zh".to_string(), "en".to_string()];
    println!(
        "{} answers × {} voices ({}), Whisper base, tenant languages zh+en",
        answers.len(),
        voices.len(),
        voices.join(", ")
    );
    for steered in [false, true] {
        let pass = if steered { "steered" } else { "plain" };
        if filter.iter().any(|f| f == "plain" || f == "steered") && !filter.iter().any(|f| f == pass) {
            continue;
        }
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        // Open answers heard where a yes or no was expected: an expected answer taken there is wrong.
        let (mut false_accepts, mut open_tried) = (0, 0);
        // Mandarin open answers heard where a name was expected: a surname taken there is wrong.
        let (mut names_false, mut names_tried) = (0, 0);
        let yes_no = Expectation { kind: AnswerKind::YesNo, ..Expectation::default() };
        for voice in &voices {
            for a in &answers {
                // Other words on the command line pick answers by id (`zh-yes-1`).
                let ids: Vec<&String> = filter.iter().filter(|f| *f != "plain" && *f != "steered").collect();
                if !ids.is_empty() && !ids.iter().any(|id| **id == a.id) {
                    continue;
                }
                let path = callers_dir().join(voice).join(format!("{}.wav", a.id));
                let Ok(audio) = Audio::read_wav(&path) else { continue };
                let samples = audio.resampled(16_000).samples;
                let mut hints =
                    if steered { steering::hints(Some(&a.expecting), &languages) } else { Hints::default() };
                if without_shapes {
                    hints.slots.clear();
                }
                let t = whisper.transcribe_steered(&samples, &languages, &[], &hints, &|| false)?;
                let tally = tallies.entry(a.lang.clone()).or_default();
                tally.latency.push(t.total_ms);
                if closed(&a.expecting) {
                    let right = key(&t.text) == key(&a.text);
                    tally.exact.0 += usize::from(right);
                    tally.exact.1 += 1;
                    let want = meaning(&Understander::new(catalog.clone(), &[]).analyse(&a.text, &a.expecting));
                    let got = meaning(&Understander::new(catalog.clone(), &[]).analyse(&t.text, &a.expecting));
                    tally.understood.0 += usize::from(got == want);
                    tally.understood.1 += 1;
                    if got != want {
                        println!(
                            "  {pass} {voice} {}: {:?} heard {:?}{}",
                            a.id,
                            a.text,
                            t.text,
                            t.free_text.as_deref().map(|f| format!(" (free: {f:?})")).unwrap_or_default()
                        );
                    }
                } else {
                    if steered && a.text.chars().count() > 3 {
                        let hints = steering::hints(Some(&yes_no), &languages);
                        let wrong = whisper.transcribe_steered(&samples, &languages, &[], &hints, &|| false)?;
                        open_tried += 1;
                        if wrong.free_text.is_some() {
                            false_accepts += 1;
                            println!("  {pass} {voice} {}: {:?} taken for a yes/no {:?}", a.id, a.text, wrong.text);
                        }
                    }
                    let digits = |s: &str| switchboard_understand::numbers::spoken_digits(s);
                    let e = if matches!(a.expecting.kind, AnswerKind::Phone | AnswerKind::Digits) {
                        // A number is right when its digits are: "oh nine one two" is "0912".
                        cer(&digits(&a.text), &digits(&t.text))
                    } else if a.lang == "zh" {
                        cer(&a.text, &t.text)
                    } else {
                        wer(&a.text, &t.text)
                    };
                    tally.errors.push(e);
                    if a.expecting.kind == AnswerKind::Name {
                        let name =
                            |text: &str| Understander::new(catalog.clone(), &[]).analyse(text, &a.expecting).name;
                        let right = name(&t.text) == name(&a.text);
                        tally.names.0 += usize::from(right);
                        tally.names.1 += 1;
                        if !right {
                            println!(
                                "  {pass} {voice} {}: name {:?} heard {:?}{}",
                                a.id,
                                a.text,
                                t.text,
                                t.free_text.as_deref().map(|f| format!(" (free: {f:?})")).unwrap_or_default()
                            );
                        }
                    } else if steered && a.lang == "zh" {
                        // Other answers where a name was expected: a surname taken there is wrong.
                        let name_hints = steering::hints(
                            Some(&Expectation { kind: AnswerKind::Name, ..Expectation::default() }),
                            &languages,
                        );
                        let wrong = whisper.transcribe_steered(&samples, &languages, &[], &name_hints, &|| false)?;
                        names_tried += 1;
                        if wrong.free_text.is_some() {
                            names_false += 1;
                            println!("  {pass} {voice} {}: {:?} taken for a name {:?}", a.id, a.text, wrong.text);
                        }
                    }
                    if e > 0.3 {
                        println!("  {pass} {voice} {}: {:?} heard {:?} (error {e:.2})", a.id, a.text, t.text);
                    }
                }
            }
        }
        if steered {
            println!("steered: open answers taken for an expected yes/no: {false_accepts}/{open_tried}");
            println!("steered: other Mandarin open answers taken for an expected name: {names_false}/{names_tried}");
        }
        for (lang, t) in &mut tallies {
            let metric = if lang == "zh" { "CER" } else { "WER" };
            let mean = t.errors.iter().sum::<f32>() / t.errors.len().max(1) as f32;
            println!(
                "{pass:<8} {lang}: closed exact {}/{} ({:.0} %), understood {}/{} ({:.0} %); open {metric} {mean:.3} over {}; names read {}/{}; end of speech → text p50 {:.0} ms, p95 {:.0} ms",
                t.exact.0,
                t.exact.1,
                100.0 * t.exact.0 as f64 / t.exact.1.max(1) as f64,
                t.understood.0,
                t.understood.1,
                100.0 * t.understood.0 as f64 / t.understood.1.max(1) as f64,
                t.errors.len(),
                t.names.0,
                t.names.1,
                pct(&mut t.latency, 0.5),
                pct(&mut t.latency, 0.95),
            );
        }
    }
    Ok(())
}
