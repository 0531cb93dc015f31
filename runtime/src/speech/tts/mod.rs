//! Speech synthesis behind one [`Tts`] interface, so voices can be added per
//! language. English: a Piper VITS voice with espeak-ng phonemes. Mandarin:
//! FastSpeech2 + MB-MelGAN with a pinyin front end written here.
//! Text is spoken sentence by sentence ([`sentences`]): the first sentence can
//! play while the rest is synthesised.

pub mod mandarin;
pub mod pinyin;
pub mod piper;

use crate::speech::audio::Audio;

/// A voice.
pub trait Tts: Send + Sync {
    /// Language code it speaks (`en`, `zh`).
    fn language(&self) -> &str;
    /// Synthesise one sentence. `speed` 1.0 is the voice's own pace; 1.2 is 20% faster.
    fn synthesize(&self, sentence: &str, speed: f32) -> anyhow::Result<Audio>;
}

/// Split text into sentences to synthesise one at a time (and keep each
/// sentence's closing punctuation, which shapes its intonation).
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        let ends = matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';')
            // A full stop ends a sentence unless it sits inside a number ("3.5") or an abbreviation ("No. 7").
            || (c == '.' && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) && !current.trim_end().ends_with("No."));
        if ends {
            let s = current.trim().to_string();
            if s.chars().any(|c| c.is_alphanumeric()) {
                out.push(s);
            }
            current.clear();
        }
    }
    let rest = current.trim();
    if rest.chars().any(|c| c.is_alphanumeric()) {
        out.push(rest.to_string());
    }
    out
}

/// The pieces a live call synthesises one after the other: sentences, with a long first
/// sentence cut at its first clause (a comma or colon), so that the caller hears the start of
/// the answer sooner.
pub fn speaking_chunks(text: &str) -> Vec<String> {
    let mut out = sentences(text);
    if let Some(first) = out.first().cloned() {
        let chars: Vec<char> = first.chars().collect();
        let long = chars.len() > 40 || chars.iter().filter(|c| **c > '\u{2e80}').count() > 14;
        let cut = chars
            .iter()
            .enumerate()
            .skip(8)
            .find(|(i, c)| matches!(c, ',' | ':' | '，' | '：' | '、') && i + 8 < chars.len())
            .map(|(i, _)| i + 1);
        if let (true, Some(cut)) = (long, cut) {
            let head: String = chars[..cut].iter().collect();
            let tail: String = chars[cut..].iter().collect();
            out.splice(0..1, [head.trim().to_string(), tail.trim().to_string()]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{sentences, speaking_chunks};

    #[test]
    fn a_long_first_sentence_is_cut_at_its_first_clause() {
        assert_eq!(
            speaking_chunks("Got it: 2 large bubble milk teas, half sugar, less ice. May I have your name, please?"),
            vec!["Got it: 2 large bubble milk teas,", "half sugar, less ice.", "May I have your name, please?"]
        );
        assert_eq!(speaking_chunks("Got it. Is this for pickup?"), vec!["Got it.", "Is this for pickup?"]);
        assert_eq!(
            speaking_chunks("好的，兩杯大杯珍珠奶茶，半糖少冰，請問您貴姓？"),
            vec!["好的，兩杯大杯珍珠奶茶，", "半糖少冰，請問您貴姓？"]
        );
    }

    #[test]
    fn splits_sentences_in_both_languages() {
        assert_eq!(
            sentences("Got it. Is this for delivery or pickup?"),
            vec!["Got it.", "Is this for delivery or pickup?"]
        );
        assert_eq!(sentences("好的。請問要外送還是自取？"), vec!["好的。", "請問要外送還是自取？"]);
        assert_eq!(
            sentences("Deliver to No. 7, Section 5. Total NT$3.50"),
            vec!["Deliver to No. 7, Section 5.", "Total NT$3.50"]
        );
        assert!(sentences("  ...  ").is_empty());
    }
}
