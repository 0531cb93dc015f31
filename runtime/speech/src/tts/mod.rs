//! Speech synthesis behind one [`Tts`] interface, so voices can be added per
//! language. English: a Piper VITS voice with espeak-ng phonemes. Mandarin:
//! FastSpeech2 + MB-MelGAN with a pinyin front end written here.
//! Text is spoken sentence by sentence ([`sentences`]): the first sentence can
//! play while the rest is synthesised.

pub mod mandarin;
pub mod pinyin;
pub mod piper;

use crate::audio::Audio;

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

/// The pieces a live call synthesises one after the other: sentences, with the first one
/// cut so that the caller hears the start of the answer sooner:
/// - an opening acknowledgement (「好的，」, "Got it:", "OK,") is a piece of its own: it is
///   said on almost every turn, so the prompt cache has it and it plays at once while the
///   rest is made;
/// - a long first sentence is cut at its first clause (a comma or colon).
pub fn speaking_chunks(text: &str) -> Vec<String> {
    let mut out = sentences(text);
    if let Some(first) = out.first().cloned() {
        let mut pieces = Vec::new();
        let rest = match opening(&first) {
            Some((ack, rest)) => {
                pieces.push(ack);
                rest
            }
            None => first,
        };
        pieces.extend(first_clause(&rest));
        out.splice(0..1, pieces);
    }
    out
}

/// An acknowledgement the sentence opens with: at most 3 Chinese characters or 2 words
/// before a comma or colon, with more after it.
fn opening(sentence: &str) -> Option<(String, String)> {
    let chars: Vec<char> = sentence.chars().collect();
    let at = chars.iter().position(|c| matches!(c, ',' | ':' | '，' | '：'))?;
    let head: String = chars[..=at].iter().collect();
    let tail: String = chars[at + 1..].iter().collect();
    let han = chars[..at].iter().filter(|c| **c > '\u{2e80}').count();
    let words = chars[..at].iter().collect::<String>().split_whitespace().count();
    let short = if han > 0 { han <= 3 && han == at } else { words <= 2 };
    (short && tail.chars().any(char::is_alphanumeric)).then(|| (head.trim().to_string(), tail.trim().to_string()))
}

/// A long sentence cut after its first clause.
fn first_clause(sentence: &str) -> Vec<String> {
    let chars: Vec<char> = sentence.chars().collect();
    let long = chars.len() > 40 || chars.iter().filter(|c| **c > '\u{2e80}').count() > 14;
    let cut = chars
        .iter()
        .enumerate()
        .skip(8)
        .find(|(i, c)| matches!(c, ',' | ':' | '，' | '：' | '、') && i + 8 < chars.len())
        .map(|(i, _)| i + 1);
    match (long, cut) {
        (true, Some(cut)) => {
            let head: String = chars[..cut].iter().collect();
            let tail: String = chars[cut..].iter().collect();
            vec![head.trim().to_string(), tail.trim().to_string()]
        }
        _ => vec![sentence.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::{sentences, speaking_chunks};

    #[test]
    fn the_first_sentence_is_cut_after_its_acknowledgement_and_first_clause() {
        assert_eq!(
            speaking_chunks("Got it: 2 large bubble milk teas, half sugar, less ice. May I have your name, please?"),
            vec!["Got it:", "2 large bubble milk teas,", "half sugar, less ice.", "May I have your name, please?"]
        );
        assert_eq!(
            speaking_chunks("We deliver within three kilometres, in Da'an and Xinyi. Anything else?"),
            vec!["We deliver within three kilometres,", "in Da'an and Xinyi.", "Anything else?"]
        );
        assert_eq!(speaking_chunks("Got it. Is this for pickup?"), vec!["Got it.", "Is this for pickup?"]);
        assert_eq!(
            speaking_chunks("好的，兩杯大杯珍珠奶茶，半糖少冰，請問您貴姓？"),
            vec!["好的，", "兩杯大杯珍珠奶茶，", "半糖少冰，請問您貴姓？"]
        );
        assert_eq!(
            speaking_chunks("好的，大杯紅茶1杯，半糖、少冰。請問怎麼稱呼您？"),
            vec!["好的，", "大杯紅茶1杯，半糖、少冰。", "請問怎麼稱呼您？"]
        );
        assert_eq!(speaking_chunks("您好，歡迎致電珍珍茶坊！"), vec!["您好，", "歡迎致電珍珍茶坊！"]);
        assert_eq!(speaking_chunks("No, thanks"), vec!["No,", "thanks"]);
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
