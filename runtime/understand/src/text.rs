//! Text plumbing: which language a turn is in, normalising what was said so
//! matching never cares how the recogniser or a keyboard wrote it, and phrase
//! matching that respects English word boundaries.

use crate::model::Lang;

/// Whether the text contains a Han ideograph or CJK punctuation.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32,
            0x3000..=0x303F   // CJK punctuation
            | 0x3400..=0x4DBF // extension A
            | 0x4E00..=0x9FFF // unified ideographs
            | 0xF900..=0xFAFF // compatibility ideographs
            | 0xFF0C | 0xFF1F) // full-width comma, question mark
    })
}

/// The language of one caller turn, or `None` when the text does not tell
/// (digits only, or a short Latin word such as "OK" that a Chinese speaker
/// also says). `reported` is the recogniser's guess (`zh`, `en`, ...), which
/// typed text may not have set meaningfully, so the text itself wins.
pub fn detect(text: &str, reported: &str) -> Option<Lang> {
    if has_cjk(text) {
        return Some(Lang::Zh);
    }
    if !text.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let words = text.split_whitespace().filter(|w| w.chars().any(|c| c.is_ascii_alphabetic())).count();
    if reported.to_ascii_lowercase().starts_with("zh") && words <= 2 {
        return None;
    }
    Some(Lang::En)
}

/// Lower-case, fold full-width ASCII to half-width, unify apostrophes and
/// collapse whitespace, so matching never has to care about how the
/// recogniser or a keyboard wrote the text.
pub fn normalize(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            0x2018 | 0x2019 => '\'',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a normalised text contains a phrase; English phrases must sit on word boundaries
/// (so "no" does not fire inside "know").
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    phrase_at(text, phrase).is_some()
}

/// Byte position of the first whole-word occurrence of `phrase` in `text`.
pub fn phrase_at(text: &str, phrase: &str) -> Option<usize> {
    if phrase.is_empty() {
        return None;
    }
    let word_char = |c: char| c.is_ascii_alphanumeric();
    let check_start = phrase.chars().next().is_some_and(word_char);
    let check_end = phrase.chars().next_back().is_some_and(word_char);
    text.match_indices(phrase)
        .find(|(at, _)| {
            let before_ok = !check_start || !text[..*at].chars().next_back().is_some_and(word_char);
            let after_ok = !check_end || !text[at + phrase.len()..].chars().next().is_some_and(word_char);
            before_ok && after_ok
        })
        .map(|(at, _)| at)
}

/// Whether a character is a Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_language_from_text() {
        assert_eq!(detect("我要一杯紅茶", "en"), Some(Lang::Zh));
        assert_eq!(detect("two large bubble teas", "zh"), Some(Lang::En));
        assert_eq!(detect("a black tea", "en"), Some(Lang::En));
        assert_eq!(detect("OK", "zh"), None);
        assert_eq!(detect("0912345678", "en"), None);
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize("  Two  LARGE\tBoba！ "), "two large boba!");
        assert_eq!(normalize("ＯＫ，I’m"), "ok,i'm");
    }

    #[test]
    fn phrases_on_word_boundaries() {
        assert!(contains_phrase("i know", "know"));
        assert!(!contains_phrase("i know", "no"));
        assert!(contains_phrase("不要冰", "不要"));
    }
}
