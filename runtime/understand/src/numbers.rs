//! Numbers as callers say them: Chinese numerals (一 兩 十一 二十五),
//! Arabic digits and English number words (a, one … twenty, thirty-two, a dozen),
//! phone numbers read digit by digit, and phone numbers formatted to be
//! read back.

/// A number found at some position of a normalised (lower-case) text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumberMatch {
    pub value: u32,
    /// Length of the match in bytes.
    pub len: usize,
    /// "a"/"an": only a quantity when a product follows, never on its own.
    pub article: bool,
}

/// Sound-alikes of 幺 (yāo, 1 when reading digits) as Whisper writes them.
const YAO: &str = "腰妖邀夭么吆";

const ZH_NUMERALS: &str = "零〇一二兩两三四五六七八九十百千";

fn zh_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '幺' => 1,
        '二' | '兩' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// The value of a run of Chinese numeral characters: 十一 → 11, 二十 → 20,
/// 一百零五 → 105. A run of bare digits (一二) reads as digits (12).
/// Whether `c` is a Chinese numeral character (「兩」, 「十」, 「零」...).
pub fn is_numeral(c: char) -> bool {
    ZH_NUMERALS.contains(c)
}

pub fn zh_numeral_value(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let mut total: u32 = 0;
    let mut current: u32 = 0;
    let mut previous_was_digit = false;
    for c in s.chars() {
        if let Some(d) = zh_digit(c) {
            current = if previous_was_digit { current.saturating_mul(10).saturating_add(d) } else { d };
            previous_was_digit = true;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        // 十一 means 11: a unit with no digit before it counts as one of it.
        let digit = if previous_was_digit { current } else { 1 };
        total = total.saturating_add(digit.saturating_mul(unit));
        current = 0;
        previous_was_digit = false;
    }
    Some(total.saturating_add(current))
}

/// The value of one English number word.
pub fn en_number_word(word: &str) -> Option<u32> {
    Some(match word {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

fn ascii_word_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let end = rest.find(|c: char| !c.is_ascii_lowercase()).unwrap_or(rest.len());
    &rest[..end]
}

fn starts_word(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A number starting exactly at byte `at` of a normalised text, if any.
pub fn number_at(text: &str, at: usize) -> Option<NumberMatch> {
    if !text.is_char_boundary(at) {
        return None;
    }
    let rest = &text[at..];
    let first = rest.chars().next()?;
    if first.is_ascii_digit() {
        let len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let value = rest[..len].parse::<u64>().map(|v| v.min(u64::from(u32::MAX)) as u32).unwrap_or(u32::MAX);
        return Some(NumberMatch { value, len, article: false });
    }
    if ZH_NUMERALS.contains(first) {
        let len = rest.find(|c: char| !ZH_NUMERALS.contains(c)).unwrap_or(rest.len());
        return zh_numeral_value(&rest[..len]).map(|value| NumberMatch { value, len, article: false });
    }
    if !first.is_ascii_lowercase() || !starts_word(text, at) {
        return None;
    }
    let word = ascii_word_at(text, at);
    if word == "half" && text[at..].starts_with("half a dozen") {
        return Some(NumberMatch { value: 6, len: "half a dozen".len(), article: false });
    }
    if word == "a" || word == "an" {
        if let Some(len) = dozen_after(text, at + word.len()) {
            return Some(NumberMatch { value: 12, len: word.len() + len, article: false });
        }
        return Some(NumberMatch { value: 1, len: word.len(), article: true });
    }
    if word == "another" {
        return Some(NumberMatch { value: 1, len: word.len(), article: true });
    }
    // "two" as a recogniser writes it: "Too large bubble milk teas", "To black teas". Counted
    // only where an article would be (a product follows), and "to" only at the very start.
    if word == "too" || (word == "to" && text[..at].trim().is_empty()) {
        return Some(NumberMatch { value: 2, len: word.len(), article: true });
    }
    if word == "dozen" {
        return Some(NumberMatch { value: 12, len: word.len(), article: false });
    }
    if word == "couple" || word == "pair" {
        return Some(NumberMatch { value: 2, len: word.len(), article: false })
            .map(|m| NumberMatch { len: m.len + of_after(text, at + m.len), ..m });
    }
    let value = en_number_word(word)?;
    if let Some(len) = dozen_after(text, at + word.len()) {
        return Some(NumberMatch { value: value.saturating_mul(12), len: word.len() + len, article: false });
    }
    // "twenty one" / "twenty-one"
    if value >= 20 && value % 10 == 0 {
        let after = at + word.len();
        if let Some(sep) = text[after..].chars().next().filter(|c| *c == ' ' || *c == '-') {
            let unit_at = after + sep.len_utf8();
            let unit_word = ascii_word_at(text, unit_at);
            if let Some(unit) = en_number_word(unit_word).filter(|u| (1..=9).contains(u)) {
                return Some(NumberMatch { value: value + unit, len: unit_at + unit_word.len() - at, article: false });
            }
        }
    }
    Some(NumberMatch { value, len: word.len(), article: false })
}

/// " dozen" right after a number word: its length.
fn dozen_after(text: &str, at: usize) -> Option<usize> {
    text[at..].starts_with(" dozen").then_some(" dozen".len())
}

/// " of" after "couple"/"pair": its length, or 0.
fn of_after(text: &str, at: usize) -> usize {
    if text[at..].starts_with(" of") && !text[at + 3..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
        3
    } else {
        0
    }
}

/// The digits of a phone number as the caller said or typed it:
/// "0912-345-678", 「零九一二三四五六七八」, "oh nine one two …".
/// A leading `+` is kept so international numbers survive.
pub fn spoken_digits(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut digits = String::new();
    if lower.trim_start().starts_with('+') {
        digits.push('+');
    }
    let mut chars = lower.char_indices().peekable();
    let mut repeat = 0;
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if let Some(d) = zh_digit(c) {
            digits.push(char::from_digit(d, 10).unwrap_or('0'));
        } else if c.is_ascii_lowercase() && starts_word(&lower, i) {
            let word = ascii_word_at(&lower, i);
            let value = match word {
                "oh" | "o" => Some(0),
                "double" => {
                    repeat = 2;
                    None
                }
                "triple" => {
                    repeat = 3;
                    None
                }
                w => en_number_word(w).filter(|v| *v <= 9),
            };
            if let Some(d) = value {
                for _ in 0..repeat.max(1) {
                    digits.push(char::from_digit(d, 10).unwrap_or('0'));
                }
                repeat = 0;
            }
            for _ in 1..word.chars().count() {
                chars.next();
            }
        }
    }
    digits
}

/// Runs of digits as said, each run broken by anything but spaces, commas,
/// dashes and dots ("0912, 345 … 678" is one run; 「兩杯，電話0912」 is two).
pub fn digit_runs(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut rest = lower.as_str();
    let flush = |current: &mut String, runs: &mut Vec<String>| {
        if !current.is_empty() {
            runs.push(std::mem::take(current));
        }
    };
    while let Some(c) = rest.chars().next() {
        let word_len = if c.is_ascii_lowercase() { ascii_word_at(rest, 0).len() } else { c.len_utf8() };
        let piece = &rest[..word_len];
        let mut said = spoken_digits(piece);
        // 1 is read 幺 (yāo) in Taiwanese phone numbers, and Whisper writes that as a
        // sound-alike: taken as 1 only between two digits (「零九腰二」), never elsewhere.
        if said.is_empty() && !current.is_empty() && YAO.contains(c) {
            let next = rest[word_len..].trim_start_matches([' ', ',', '，', '、', '-']).chars().next();
            if next.is_some_and(|n| n.is_ascii_digit() || zh_digit(n).is_some()) {
                said.push('1');
            }
        }
        let filler = piece.chars().all(|c| c.is_whitespace() || ",，、-.。…:：".contains(c))
            || matches!(piece, "double" | "triple" | "and" | "uh" | "um")
            || matches!(piece, "嗯" | "呃" | "是" | "然後");
        if !said.is_empty() && !(said == "+" && !current.is_empty()) {
            current.push_str(&said);
        } else if !filler {
            flush(&mut current, &mut runs);
        }
        // "double five": the repeat word and its digit are read together.
        if matches!(piece, "double" | "triple") {
            let next = rest[word_len..].trim_start();
            let digit_word = ascii_word_at(next, 0);
            let d = spoken_digits(&format!("{piece} {digit_word}"));
            if !d.is_empty() {
                current.push_str(&d);
                let skip = rest.len() - next.len() + digit_word.len();
                rest = &rest[skip..];
                continue;
            }
        }
        rest = &rest[word_len..];
    }
    flush(&mut current, &mut runs);
    runs
}

/// A phone number in what was said: a run of 8 to 15 digits (a leading `+` kept).
pub fn phone_in(text: &str) -> Option<String> {
    digit_runs(text).into_iter().filter(|r| (8..=15).contains(&digit_count(r))).max_by_key(|r| digit_count(r))
}

/// How many digits a phone number has (ignoring `+` and punctuation).
pub fn digit_count(phone: &str) -> usize {
    phone.chars().filter(char::is_ascii_digit).count()
}

/// Whether a phone number has as many digits as its kind needs, by Taiwan's numbering plan: a
/// mobile (`09…`) has 10; a landline with its area code has 10 in Taipei (`02`) and Taichung
/// and Nantou (`04`, `049`), 9 elsewhere (`03`, `037`, `05`–`08`, `089`…); toll-free `080…`
/// has 10; an international
/// number (`+…`, or `00…` dialled from Taiwan) or one without a leading 0 has 8 to 15. No number
/// starts `01`: one that does was misheard (「零九一二」 heard as "012…"). A recogniser that drops
/// or doubles a digit gives a number that fails this, and the caller is asked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneLength {
    Whole,
    /// Digits missing (at least this many).
    Short(usize),
    /// Digits too many.
    Long(usize),
    /// No number starts this way.
    NoSuchPrefix,
}

pub fn phone_length(phone: &str) -> PhoneLength {
    let trimmed = phone.trim_start();
    let n = digit_count(phone);
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let (least, most) = if trimmed.starts_with('+') {
        (8, 15)
    } else if digits.starts_with("00") {
        (10, 17)
    } else if digits.starts_with("01") {
        return PhoneLength::NoSuchPrefix;
    } else if ["09", "02", "04", "080"].iter().any(|p| digits.starts_with(p)) {
        (10, 10)
    } else if digits.starts_with('0') {
        (9, 9)
    } else {
        (8, 15)
    };
    if n < least {
        PhoneLength::Short(least - n)
    } else if n > most {
        PhoneLength::Long(n - most)
    } else {
        PhoneLength::Whole
    }
}

/// A phone number the way a Taiwanese caller reads it: `+886912345678` →
/// `0912-345-678`. Numbers that are not Taiwanese mobiles are returned as given.
pub fn format_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let local = match digits.strip_prefix("886") {
        Some(rest) if phone.trim_start().starts_with('+') => format!("0{rest}"),
        _ => digits.clone(),
    };
    if local.len() == 10 && local.starts_with("09") {
        format!("{}-{}-{}", &local[..4], &local[4..7], &local[7..])
    } else {
        phone.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yao_is_one_only_inside_a_number() {
        assert_eq!(phone_in("零九腰二，三四五，六七八"), Some("0912345678".to_string()));
        assert_eq!(phone_in("零九幺二三四五六七八"), Some("0912345678".to_string()));
        assert!(digit_runs("我腰痛").is_empty());
        assert_eq!(digit_runs("兩杯腰果"), vec!["2".to_string()]);
    }

    #[test]
    fn phone_lengths_follow_the_numbering_plan() {
        assert_eq!(phone_length("0912345678"), PhoneLength::Whole);
        assert_eq!(phone_length("091235678"), PhoneLength::Short(1));
        assert_eq!(phone_length("09123456789"), PhoneLength::Long(1));
        assert_eq!(phone_length("0227208889"), PhoneLength::Whole);
        assert_eq!(phone_length("022720888"), PhoneLength::Short(1));
        assert_eq!(phone_length("037123456"), PhoneLength::Whole);
        assert_eq!(phone_length("0762345678"), PhoneLength::Long(1));
        assert_eq!(phone_length("0492345678"), PhoneLength::Whole);
        assert_eq!(phone_length("0800123456"), PhoneLength::Whole);
        // 「零九一二…」 with the 9 dropped.
        assert_eq!(phone_length("012345678"), PhoneLength::NoSuchPrefix);
        assert_eq!(phone_length("00886912345678"), PhoneLength::Whole);
        assert_eq!(phone_length("+886912345678"), PhoneLength::Whole);
        assert_eq!(phone_length("27208889"), PhoneLength::Whole);
        assert_eq!(phone_length("0912"), PhoneLength::Short(6));
    }

    #[test]
    fn chinese_numerals() {
        let cases = [
            ("一", 1),
            ("兩", 2),
            ("十", 10),
            ("十一", 11),
            ("二十", 20),
            ("二十五", 25),
            ("一百零五", 105),
            ("一二", 12),
        ];
        for (text, value) in cases {
            assert_eq!(zh_numeral_value(text), Some(value), "{text}");
        }
        assert_eq!(zh_numeral_value(""), None);
        assert_eq!(zh_numeral_value("杯"), None);
    }

    #[test]
    fn numbers_in_text() {
        assert_eq!(number_at("兩杯", 0), Some(NumberMatch { value: 2, len: 3, article: false }));
        assert_eq!(number_at("十一杯", 0).map(|m| m.value), Some(11));
        assert_eq!(number_at("12 cups", 0), Some(NumberMatch { value: 12, len: 2, article: false }));
        assert_eq!(number_at("two large", 0), Some(NumberMatch { value: 2, len: 3, article: false }));
        assert_eq!(number_at("twenty-one teas", 0).map(|m| (m.value, m.len)), Some((21, 10)));
        assert_eq!(number_at("twenty one", 0).map(|m| m.value), Some(21));
        assert_eq!(number_at("a medium", 0), Some(NumberMatch { value: 1, len: 1, article: true }));
        assert_eq!(number_at("tea", 0), None);
        // inside a word is not a number
        assert_eq!(number_at("someone", 4), None);
        assert_eq!(number_at("anyone", 0), None);
    }

    #[test]
    fn phone_digits() {
        assert_eq!(spoken_digits("0912-345-678"), "0912345678");
        assert_eq!(spoken_digits("零九二二 三三三 四四四"), "0922333444");
        assert_eq!(spoken_digits("oh nine one two, three four five, six seven eight"), "0912345678");
        assert_eq!(spoken_digits("+886 912 345 678"), "+886912345678");
        assert_eq!(spoken_digits("none"), "");
        assert_eq!(digit_count("+886912345678"), 12);
        assert_eq!(spoken_digits("oh nine double one"), "0911");
    }

    #[test]
    fn runs_and_phones() {
        assert_eq!(digit_runs("兩杯，電話0912 345 678"), vec!["2".to_string(), "0912345678".to_string()]);
        assert_eq!(
            phone_in("my number is oh nine one two, three four five … six seven eight"),
            Some("0912345678".into())
        );
        assert_eq!(phone_in("零九一二，三四五，六七八"), Some("0912345678".into()));
        assert_eq!(phone_in("0912"), None);
        assert_eq!(phone_in("oh nine double two three three three four four four"), Some("0922333444".into()));
    }

    #[test]
    fn dozens() {
        assert_eq!(number_at("a dozen black teas", 0).map(|m| (m.value, m.len)), Some((12, 7)));
        assert_eq!(number_at("two dozen", 0).map(|m| m.value), Some(24));
        assert_eq!(number_at("half a dozen", 0).map(|m| m.value), Some(6));
        assert_eq!(number_at("a couple of teas", 2).map(|m| (m.value, m.len)), Some((2, 9)));
    }

    #[test]
    fn phone_format() {
        assert_eq!(format_phone("+886912345678"), "0912-345-678");
        assert_eq!(format_phone("0912345678"), "0912-345-678");
        assert_eq!(format_phone("0223456789"), "0223456789");
        assert_eq!(format_phone("+14155550100"), "+14155550100");
    }
}
