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
    crate::speech::tts::pinyin::normalize_numbers(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_string())
        .collect()
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
    voice: &dyn crate::speech::tts::Tts,
    whisper: &crate::speech::asr::Whisper,
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
