//! Sound-alike keys, so a catalogue word is found when the recogniser wrote
//! another word that sounds the same.
//!
//! - Mandarin: each Han character becomes its toneless pinyin syllables (all
//!   readings of a polyphone), folded where Taiwanese speech and Whisper
//!   blur them: zh/z, ch/c, sh/s, -ng/-n. 微糖 and 維唐 are both `wei tan`.
//! - English: each word becomes a consonant skeleton (a small Metaphone):
//!   "ice" and "eyes" are both `AS`.

use pinyin::ToPinyinMulti;

/// The folded toneless syllables a Han character may be read as (empty for anything else).
pub fn syllables(c: char) -> Vec<String> {
    let Some(multi) = c.to_pinyin_multi() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for reading in multi {
        let folded = fold(reading.plain());
        if !out.contains(&folded) {
            out.push(folded);
        }
    }
    out
}

/// Fold a toneless syllable where speakers and recognisers blur it.
fn fold(syllable: &str) -> String {
    let s = syllable.replace('ü', "v");
    let s = if let Some(rest) = s.strip_prefix("zh") {
        format!("z{rest}")
    } else if let Some(rest) = s.strip_prefix("ch") {
        format!("c{rest}")
    } else if let Some(rest) = s.strip_prefix("sh") {
        format!("s{rest}")
    } else {
        s
    };
    match s.strip_suffix("ng") {
        Some(stem) if !stem.is_empty() => format!("{stem}n"),
        _ => s,
    }
}

/// For each character of `text`: its syllables (empty when it is not Han).
pub fn readings(text: &str) -> Vec<Vec<String>> {
    text.chars().map(syllables).collect()
}

/// Initial and final of a folded syllable (`sao` → `s`, `ao`).
fn split_syllable(s: &str) -> (&str, &str) {
    const INITIALS: &[&str] =
        &["b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w"];
    match INITIALS.iter().find(|i| s.starts_with(**i)) {
        Some(i) => (&s[..i.len()], &s[i.len()..]),
        None => ("", s),
    }
}

/// How alike two characters sound, 0 to 1: half for the initial, half for the final, over
/// their readings. 手 and 少 share the initial (s-, folded from sh-): 0.5.
pub fn syllable_likeness(a: &[String], b: &[String]) -> f32 {
    let mut best = 0.0f32;
    for x in a {
        for y in b {
            let ((xi, xf), (yi, yf)) = (split_syllable(x), split_syllable(y));
            let score = 0.5 * f32::from(u8::from(xi == yi)) + 0.5 * f32::from(u8::from(xf == yf));
            best = best.max(score);
        }
    }
    best
}

/// Whether `word` (Han characters only) sounds like `text` read from char index `at`.
pub fn sounds_like_at(text: &[Vec<String>], at: usize, word: &[Vec<String>]) -> bool {
    if word.is_empty() || at + word.len() > text.len() {
        return false;
    }
    word.iter()
        .zip(&text[at..at + word.len()])
        .all(|(w, t)| !w.is_empty() && !t.is_empty() && w.iter().any(|s| t.contains(s)))
}

/// Whether a said word sounds like a catalogue word's skeleton, a plural "s" allowed.
pub fn same_word(said: &str, key: &str) -> bool {
    let said_key = english_key(said);
    said_key == key || (said.ends_with('s') && !key.ends_with('S') && said_key.strip_suffix('S') == Some(key))
}

/// A consonant skeleton of an English word: first letter kept (vowels as `A`),
/// later vowels dropped, letters that sound alike merged, doubles collapsed.
pub fn english_key(word: &str) -> String {
    let w: Vec<char> = word.chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_lowercase()).collect();
    let mut key = String::new();
    // Doubled letters ("bubble") sound once; the same sound after a vowel ("boba") is two.
    let mut last_letter: Option<char> = None;
    let mut i = 0;
    while i < w.len() {
        let c = w[i];
        let next = w.get(i + 1).copied();
        let (code, skip) = match (c, next) {
            ('p', Some('h')) => (Some('F'), 2),
            ('c', Some('k')) => (Some('K'), 2),
            ('s', Some('h')) | ('c', Some('h')) => (Some('X'), 2),
            ('t', Some('h')) => (Some('0'), 2),
            ('g', Some('h')) => (None, 2),
            ('w', Some('h')) => (Some('W'), 2),
            ('c', Some('e' | 'i' | 'y')) => (Some('S'), 1),
            ('c' | 'k' | 'q', _) => (Some('K'), 1),
            ('z', _) => (Some('S'), 1),
            ('x', _) => (Some('K'), 1),
            ('v', _) => (Some('F'), 1),
            ('d', _) => (Some('T'), 1),
            ('b', _) => (Some('P'), 1),
            ('g', _) => (Some('K'), 1),
            ('a' | 'e' | 'i' | 'o' | 'u' | 'y', _) => (if i == 0 { Some('A') } else { None }, 1),
            ('w' | 'h', _) => (if i == 0 { Some(c.to_ascii_uppercase()) } else { None }, 1),
            _ => (Some(c.to_ascii_uppercase()), 1),
        };
        if let Some(code) = code
            && !(last_letter == Some(c) && key.ends_with(code))
        {
            key.push(code);
        }
        last_letter = Some(w[i + skip - 1]);
        i += skip;
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Vec<Vec<String>> {
        readings(text)
    }

    #[test]
    fn mandarin_homophones_sound_alike() {
        for (said, word) in
            [("維唐", "微糖"), ("威堂", "微糖"), ("拌糖", "半糖"), ("伴唐", "半糖"), ("真豬奶茶", "珍珠奶茶")]
        {
            assert!(sounds_like_at(&key(said), 0, &key(word)), "{said} ~ {word}");
        }
        assert!(!sounds_like_at(&key("全糖"), 0, &key("半糖")));
        assert!(sounds_like_at(&key("我要維唐"), 2, &key("微糖")));
    }

    #[test]
    fn syllables_half_alike() {
        let (shou, shao, qu) = (syllables('手'), syllables('少'), syllables('去'));
        assert_eq!(syllable_likeness(&shou, &shao), 0.5);
        assert_eq!(syllable_likeness(&qu, &shao), 0.0);
        assert_eq!(syllable_likeness(&shao, &shao), 1.0);
    }

    #[test]
    fn english_words_sound_alike() {
        assert_eq!(english_key("ice"), english_key("eyes"));
        assert_eq!(english_key("boba"), english_key("bober"[..4].as_ref()));
        assert_eq!(english_key("tea"), english_key("tee"));
        assert!(same_word("teas", &english_key("tea")));
        assert!(!same_word("tease", &english_key("tea")));
        assert_ne!(english_key("milk"), english_key("mango"));
        assert_eq!(english_key("smoothie"), english_key("smoothy"));
        assert_eq!(english_key("boba"), "PP");
        assert_ne!(english_key("pay"), english_key("boba"));
    }
}

/// A consonant's place and manner, voicing folded: what survives when a Mandarin word is heard
/// as an English one (大杯 "da bei" written "Top.", 少冰 "shao bing" written "Sobbing").
fn consonant_class(initial: &str) -> Option<char> {
    Some(match initial {
        "b" | "p" => 'P',
        "d" | "t" => 'T',
        "g" | "k" => 'K',
        "j" | "q" | "x" | "z" | "c" | "s" | "r" => 'S',
        "m" => 'M',
        "n" => 'N',
        "l" => 'L',
        "f" => 'F',
        "h" => 'H',
        _ => return None,
    })
}

/// The consonant classes of a Mandarin phrase, syllable by syllable (its first reading).
pub fn mandarin_consonants(phrase: &str) -> Vec<char> {
    readings(phrase)
        .iter()
        .filter_map(|r| r.first())
        .filter_map(|syllable| consonant_class(split_syllable(syllable).0))
        .collect()
}

/// The consonant classes of English words as a Mandarin speaker's syllables would give them:
/// `ch`, `sh`, `j`, `s`, `z` are one class, voicing is folded, and a nasal before another
/// consonant or at the end is taken for a syllable's final (-n, -ng), not an initial.
pub fn english_consonants(text: &str) -> Vec<char> {
    let lower = text.to_lowercase();
    let letters: Vec<char> = lower.chars().filter(|c| c.is_ascii_alphabetic() || c.is_whitespace()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < letters.len() {
        let c = letters[i];
        let next = letters.get(i + 1).copied();
        let (class, len) = match (c, next) {
            ('c' | 's', Some('h')) => (Some('S'), 2),
            ('t', Some('h')) => (Some('T'), 2),
            ('p', Some('h')) => (Some('F'), 2),
            ('n', Some('g')) => (Some('N'), 2),
            ('c', Some('e' | 'i' | 'y')) => (Some('S'), 1),
            ('c' | 'k' | 'g' | 'q', _) => (Some('K'), 1),
            ('b' | 'p', _) => (Some('P'), 1),
            ('d' | 't', _) => (Some('T'), 1),
            ('j' | 's' | 'z' | 'x', _) => (Some('S'), 1),
            ('m', _) => (Some('M'), 1),
            ('n', _) => (Some('N'), 1),
            ('l' | 'r', _) => (Some('L'), 1),
            ('f' | 'v', _) => (Some('F'), 1),
            ('h', _) => (Some('H'), 1),
            _ => (None, 1),
        };
        if let Some(class) = class {
            // A doubled letter is one consonant.
            if out.last() != Some(&class) || !letters.get(i.wrapping_sub(1)).is_some_and(|p| *p == c) {
                out.push(class);
            }
        }
        i += len;
    }
    // Nasals that close a syllable: before another consonant, or last.
    let mut kept = Vec::new();
    for (i, c) in out.iter().enumerate() {
        let closes = matches!(c, 'N' | 'M') && (i + 1 == out.len() || !matches!(out[i + 1], 'N' | 'M'));
        if !(closes && i > 0) {
            kept.push(*c);
        }
    }
    kept
}

#[cfg(test)]
mod across {
    use super::*;

    #[test]
    fn mandarin_heard_as_english_keeps_its_consonants() {
        assert_eq!(mandarin_consonants("大杯"), vec!['T', 'P']);
        assert_eq!(english_consonants("Top."), vec!['T', 'P']);
        assert_eq!(english_consonants("Tapie"), vec!['T', 'P']);
        assert_eq!(mandarin_consonants("中杯"), vec!['S', 'P']);
        assert_eq!(english_consonants("Jong bay"), vec!['S', 'P']);
        assert_eq!(mandarin_consonants("少冰"), vec!['S', 'P']);
        assert_eq!(mandarin_consonants("去冰"), vec!['S', 'P']);
    }
}
