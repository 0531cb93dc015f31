//! Recognition accuracy: word error rate (English) and character error rate
//! (Chinese), after normalising what should not count as an error
//! (case, punctuation, "two" against "2", "120" against 一百二十).

const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("one", "1"),
    ("a", "1"),
    ("an", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
];

fn english_words(text: &str) -> Vec<String> {
    // "$190" and "190 dollars" are the same words.
    let mut spelled = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            let mut amount = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == ',' || **d == '.') {
                amount.push(d);
                chars.next();
            }
            spelled.push_str(amount.trim_end_matches(['.', ',']));
            spelled.push_str(" dollars");
        } else {
            spelled.push(c);
        }
    }
    spelled
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| NUMBER_WORDS.iter().find(|(word, _)| *word == w).map_or(w.to_string(), |(_, d)| d.to_string()))
        .collect()
}

fn chinese_chars(text: &str) -> Vec<String> {
    // "120元" and "一百二十元" are the same characters to a listener.
    crate::tts::pinyin::normalize_numbers(text).chars().filter(|c| c.is_alphanumeric()).map(|c| c.to_string()).collect()
}

fn edit_distance(a: &[String], b: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(x != y)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Word error rate of `hypothesis` against `reference`.
pub fn wer(reference: &str, hypothesis: &str) -> f32 {
    let (r, h) = (english_words(reference), english_words(hypothesis));
    edit_distance(&r, &h) as f32 / r.len().max(1) as f32
}

/// Character error rate of `hypothesis` against `reference`.
pub fn cer(reference: &str, hypothesis: &str) -> f32 {
    let (r, h) = (chinese_chars(reference), chinese_chars(hypothesis));
    edit_distance(&r, &h) as f32 / r.len().max(1) as f32
}

/// Speak each text with `voice`, recognise it with `whisper` in `language`, and
/// return the average error `score(expected, heard)` (printed per sentence; run
/// with `--nocapture` to see it). Each case is (what should be heard, what is said).
#[cfg(test)]
pub(crate) fn round_trip(
    voice: &dyn crate::tts::Tts,
    whisper: &crate::asr::Whisper,
    language: &str,
    cases: &[(&str, &str)],
    score: fn(&str, &str) -> f32,
) -> f32 {
    let mut total = 0.0;
    for (expected, said) in cases {
        let audio = voice.synthesize(said, 1.0).expect("synthesis");
        assert!(audio.duration_secs() > 0.8, "{said}: only {} s of audio", audio.duration_secs());
        let heard = whisper.transcribe(&audio.resampled(16_000).samples, Some(language)).expect("recognition");
        let e = score(expected, &heard.text);
        println!("{said:?} -> {:?} (error {e:.2})", heard.text);
        total += e;
    }
    total / cases.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rates() {
        assert_eq!(wer("Two large teas, please.", "2 large teas please"), 0.0);
        assert_eq!(wer("two large teas", "two orange teas"), 1.0 / 3.0);
        assert_eq!(wer("the total is 190 dollars.", "The total is $190."), 0.0);
        assert_eq!(cer("兩杯紅茶", "兩杯綠茶"), 0.25);
        assert_eq!(cer("兩杯紅茶。", "兩杯紅茶"), 0.0);
        assert_eq!(cer("總共一百二十元", "總共120元"), 0.0);
    }
}

/// How Whisper base's accuracy and speed depend on its audio context (the figures behind
/// `Whisper::context_secs`). Slow, so not part of the suite:
/// `CTX=3,4,5,6,8,10 cargo test -p switchboard --lib context_sweep -- --ignored --nocapture`
/// (`SWITCHBOARD_WHISPER_Q8=0` for f32).
#[cfg(test)]
mod context_sweep {
    use super::{cer, wer};
    use crate::asr::{Whisper, WhisperSize};
    use crate::tts::Tts;

    const ZH: [&str; 12] = [
        "我要一杯紅茶。",
        "兩杯大杯珍珠奶茶，半糖少冰。",
        "總共120元，謝謝。",
        "我想要外送。",
        "請問你們幾點關門？",
        "一杯中杯綠茶，無糖去冰。",
        "我要自取。",
        "對，沒錯。",
        "可以用信用卡付款嗎？",
        "再加一杯烏龍茶。",
        "我要轉人工客服。",
        "我姓陳。",
    ];
    const EN: [&str; 9] = [
        "Two large bubble milk teas, half sugar, less ice.",
        "My name is John.",
        "I will pick it up.",
        "What time do you close today?",
        "Can I pay by credit card?",
        "One medium green tea with no sugar.",
        "I would like it delivered to my office.",
        "Please transfer me to a person.",
        "Yes.",
    ];

    #[test]
    #[ignore]
    fn context_sweep() {
        let zh_voice = crate::tts::mandarin::MandarinVoice::load().expect("Mandarin voice");
        let en_voice = crate::tts::piper::Piper::load().expect("English voice").deterministic();
        let mut whisper = Whisper::load(WhisperSize::Base).expect("whisper-base");
        let said = |voice: &dyn Tts, texts: &[&str]| -> Vec<Vec<f32>> {
            texts.iter().map(|t| voice.synthesize(t, 1.0).unwrap().resampled(16_000).samples).collect()
        };
        let (zh_audio, en_audio) = (said(&zh_voice, &ZH), said(&en_voice, &EN));
        let contexts = std::env::var("CTX").unwrap_or_else(|_| "4,5,6,8,10".into());
        for ctx in contexts.split(',').map(|c| c.trim().parse::<f32>().expect("CTX: seconds, comma-separated")) {
            whisper.context_secs = ctx;
            let (mut zh_err, mut en_err, mut times, mut misheard) = (0.0, 0.0, Vec::new(), Vec::new());
            for (lang, texts, audio) in [("zh", &ZH[..], &zh_audio), ("en", &EN[..], &en_audio)] {
                for (text, samples) in texts.iter().zip(audio.iter()) {
                    let heard = whisper.transcribe(samples, Some(lang)).expect("recognition");
                    let e = if lang == "zh" { cer(text, &heard.text) } else { wer(text, &heard.text) };
                    if e > 0.0 {
                        misheard.push(format!("{text} -> {}", heard.text));
                    }
                    if lang == "zh" {
                        zh_err += e
                    } else {
                        en_err += e
                    }
                    times.push(heard.total_ms);
                }
            }
            times.sort_by(f64::total_cmp);
            println!(
                "context {ctx} s: zh CER {:.3}, en WER {:.3}, time p50 {:.0} ms; misheard {misheard:?}",
                zh_err / ZH.len() as f32,
                en_err / EN.len() as f32,
                times[times.len() / 2]
            );
        }
    }
}
