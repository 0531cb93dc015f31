//! Entities in what a caller said: yes or no (and whether it was hedged),
//! delivery or pickup, a name, an address, a time. Phone numbers and
//! quantities are in [`crate::numbers`].
//!
//! A name or an address is read from the whole answer when the flow asked for
//! one, and otherwise only after words that announce it (「我叫」, "my name
//! is", 「送到」), so information given out of order is kept without taking
//! every sentence for a name.

use crate::model::{Fulfilment, YesNo};
use crate::text::{contains_phrase, normalize, phrase_at};

const STRONG_YES: &[&str] = &["沒錯", "沒問題", "不錯"];
const NO: &[&str] = &[
    "不是",
    "不對",
    "不要",
    "不用",
    "錯了",
    "不正確",
    "沒有",
    "不",
    "no",
    "nope",
    "not",
    "wrong",
    "incorrect",
    "don't",
    "nah",
];
const YES: &[&str] = &[
    "對",
    "是",
    "好",
    "可以",
    "嗯",
    "正確",
    "行",
    "ok",
    "okay",
    "yes",
    "yeah",
    "yep",
    "yup",
    "correct",
    "right",
    "sure",
    "fine",
    "go ahead",
    "confirm",
    "please do",
];
const DELIVERY: &[&str] = &["外送", "送到", "送來", "送過來", "delivery", "deliver", "bring it"];
const PICKUP: &[&str] = &[
    "自取",
    "外帶",
    "來拿",
    "自己拿",
    "去拿",
    "過去拿",
    "店取",
    "pickup",
    "pick up",
    "pick it up",
    "pick-up",
    "collect",
    "take away",
    "takeaway",
    "takeout",
    "take out",
    "to go",
];
const NAME_PREFIXES: &[&str] = &[
    "my name is ",
    "my name's ",
    "name is ",
    "this is ",
    "i'm ",
    "i am ",
    "it's ",
    "its ",
    "call me ",
    "我的名字是",
    "名字是",
    "我叫做",
    "我叫",
    "叫我",
    "我是",
    "我姓",
    "敝姓",
    "姓",
];
const ADDRESS_PREFIXES: &[&str] = &[
    "my address is ",
    "the address is ",
    "address is ",
    "deliver it to ",
    "deliver to ",
    "send it to ",
    "it's ",
    "to ",
    "我的地址是",
    "地址是",
    "地址",
    "請送到",
    "送到",
    "外送到",
    "在",
];
const FILLERS: &[char] = &['嗯', '喔', '呃', '啊', ',', '，', '、', ' ', '.', '。'];
/// Hedges: the answer stands, but the caller was not sure ("I think so", 「應該吧」).
const HEDGES: &[&str] = &[
    "應該",
    "好像",
    "大概",
    "可能",
    "吧",
    "i think",
    "i guess",
    "probably",
    "maybe",
    "i suppose",
    "kind of",
    "sort of",
];
const UNSURE: &[&str] =
    &["不知道", "不確定", "不清楚", "不曉得", "看看", "i don't know", "not sure", "no idea", "dunno", "i'm not sure"];
/// Markers after which a name follows, anywhere in a turn.
const NAME_MARKERS: &[&str] = &[
    "my name is ",
    "my name's ",
    "name is ",
    "call me ",
    "under the name ",
    "我的名字是",
    "名字是",
    "我叫做",
    "我叫",
    "叫我",
    "敝姓",
    "我姓",
    "名字叫",
];
/// Markers after which an address follows, anywhere in a turn.
const ADDRESS_MARKERS: &[&str] = &[
    "my address is ",
    "the address is ",
    "address is ",
    "deliver it to ",
    "deliver to ",
    "delivery to ",
    "delivered to ",
    "send it to ",
    "地址是",
    "地址在",
    "我的地址",
    "請送到",
    "送到",
    "外送到",
    "寄到",
];
/// Words that end a name or an address said in passing.
const STOPS: &[&str] = &[
    ",",
    "，",
    "。",
    ".",
    "、",
    "!",
    "！",
    "?",
    "？",
    " and ",
    " please",
    "然後",
    "還有",
    "謝謝",
    " thanks",
    " thank you",
];
/// Words that end an address said in passing (addresses have commas of their own).
const ADDRESS_STOPS: &[&str] = &["。", "!", "！", "?", "？", " please", "然後", "謝謝", " thanks", " thank you"];
/// Surname-and-title names: 陳小姐, 王先生.
const TITLES: &[&str] = &["小姐", "先生", "太太", "女士", "老師", "醫生"];

fn has_any(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| contains_phrase(text, p))
}

/// Byte position of the last occurrence of any phrase, for "latest wins" choices.
fn last_position(text: &str, phrases: &[&str]) -> Option<usize> {
    phrases.iter().filter_map(|p| text.rfind(p).filter(|_| contains_phrase(text, p))).max()
}

/// Yes, no or unsure, and whether it was hedged. Works on normalised text.
pub fn yes_no(text: &str) -> Option<(YesNo, bool)> {
    let hedged = has_any(text, HEDGES);
    let answer = if has_any(text, UNSURE) {
        YesNo::Unsure
    } else if has_any(text, STRONG_YES) {
        YesNo::Yes
    } else if has_any(text, NO) {
        YesNo::No
    } else if has_any(text, YES) {
        YesNo::Yes
    } else if hedged {
        // 「應該吧」, "probably": a hedged yes.
        YesNo::Yes
    } else {
        return sounds_like_yes_no(text).map(|a| (a, false));
    };
    Some((answer, hedged))
}

/// Whole short answers that sound like a yes or a no (toneless, as `sounds` folds them):
/// Whisper writes 「不對」 as 「部隊」 and 「對」 as 「隊」. Only a turn that is nothing but
/// the answer counts (「部隊很大」 is not a no); 是 is left out, it sounds like 十 and 事.
fn sounds_like_yes_no(text: &str) -> Option<YesNo> {
    const BY_SOUND: &[(&str, YesNo)] = &[
        ("不對", YesNo::No),
        ("不是", YesNo::No),
        ("不要", YesNo::No),
        ("不用", YesNo::No),
        ("沒有", YesNo::No),
        ("沒錯", YesNo::Yes),
        ("對的", YesNo::Yes),
        ("是的", YesNo::Yes),
        ("好的", YesNo::Yes),
        ("可以", YesNo::Yes),
        ("對", YesNo::Yes),
    ];
    let said: String = text.chars().filter(|c| !c.is_ascii_punctuation() && !"，。！？、 ".contains(*c)).collect();
    if said.is_empty() || !said.chars().all(crate::text::is_han) {
        return None;
    }
    let heard = crate::sounds::readings(&said);
    BY_SOUND.iter().find_map(|(phrase, answer)| {
        let word = crate::sounds::readings(phrase);
        (word.len() == heard.len() && crate::sounds::sounds_like_at(&heard, 0, &word)).then_some(*answer)
    })
}

/// Delivery or pickup; if both are said (「不要外送，自取」) the later one wins.
pub fn fulfilment(text: &str) -> Option<Fulfilment> {
    match (last_position(text, DELIVERY), last_position(text, PICKUP)) {
        (Some(d), Some(p)) => Some(if d > p { Fulfilment::Delivery } else { Fulfilment::Pickup }),
        (Some(_), None) => Some(Fulfilment::Delivery),
        (None, Some(_)) => Some(Fulfilment::Pickup),
        (None, None) => None,
    }
}

/// The caller's words with a leading phrase removed, compared without case.
fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn trim_answer(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || "，。！？、".contains(c) || c.is_whitespace())
        .to_string()
}

fn clean_answer(raw: &str, prefixes: &[&str]) -> String {
    let unified = raw.replace('’', "'");
    let mut text = unified.trim().trim_start_matches(FILLERS);
    for prefix in prefixes {
        if let Some(rest) = strip_prefix_ci(text, prefix) {
            text = rest;
            break;
        }
    }
    trim_answer(text)
}

/// What follows the first marker, up to a stop word: (byte offset of the marker, text).
fn after_marker(raw: &str, markers: &[&str], stops: &[&str]) -> Option<(usize, String)> {
    let lower = raw.replace('’', "'").to_lowercase();
    // Lower-casing can change byte lengths only outside ASCII letters, which markers do not contain.
    if lower.len() != raw.len() {
        return None;
    }
    let (at, marker) =
        markers.iter().filter_map(|m| phrase_at(&lower, m.trim_end()).map(|at| (at, *m))).min_by_key(|(at, _)| *at)?;
    let start = at + marker.trim_end().len();
    let rest = &raw[start..];
    let end = stops.iter().filter_map(|s| rest.to_lowercase().find(s)).filter(|e| *e > 0).min().unwrap_or(rest.len());
    let end = if rest.is_char_boundary(end) { end } else { rest.len() };
    Some((at, trim_answer(&rest[..end])))
}

fn plausible_name(name: &str) -> bool {
    let n = name.chars().count();
    n >= 1 && n <= 40 && !name.chars().any(|c| c.is_ascii_digit())
}

/// A name: the whole answer when `asked` (「我叫王小明」 → 王小明, "Sarah"), else only after
/// a marker ("my name is Sarah", 「我姓陳」 → 陳) or as a surname with a title (陳小姐).
pub fn name(raw: &str, asked: bool) -> Option<String> {
    let text = normalize(raw);
    // 「我姓林，雙木林」: the character the caller described is the surname.
    if let Some(surname) = crate::surnames::described(raw) {
        return Some(surname.to_string());
    }
    if let Some((_, found)) = after_marker(raw, NAME_MARKERS, STOPS)
        && plausible_name(&found)
    {
        // 「我姓陳」: the surname alone is what the caller gave.
        return Some(found);
    }
    if let Some(titled) = titled_name(raw) {
        return Some(titled);
    }
    if !asked || text.contains('?') || text.contains('？') || text.contains('嗎') {
        return None;
    }
    let name = clean_answer(raw, NAME_PREFIXES);
    let words = name.split_whitespace().count();
    // A Mandarin name said on its own starts with a surname: an answer that does not is a
    // sentence misheard (「我作個請問」) or not a name at all, and is asked again.
    let han = name.chars().any(crate::text::is_han);
    if han && (name.chars().count() > 4 || crate::surnames::surname_of(&name).is_none()) {
        return None;
    }
    (plausible_name(&name) && words <= 4).then_some(name)
}

/// 陳小姐, 王先生: one or two Han characters right before a title.
fn titled_name(raw: &str) -> Option<String> {
    for title in TITLES {
        if let Some(at) = raw.find(title) {
            let before: Vec<char> = raw[..at].chars().collect();
            let surname: String = before
                .iter()
                .rev()
                .take_while(|c| crate::text::is_han(**c))
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            // 我是陳小姐: only the surname next to the title; 是 is not part of it.
            let surname: String = surname.trim_start_matches(['是', '找', '叫']).to_string();
            if !surname.is_empty() {
                return Some(format!("{surname}{title}"));
            }
        }
    }
    None
}

/// An address: the whole answer when `asked`, else only after a marker (「送到」, "deliver to").
pub fn address(raw: &str, asked: bool) -> Option<String> {
    // "Do you deliver to Xinyi?" asks about an address; it does not give one.
    let question = raw.contains('?') || raw.contains('？') || raw.contains('嗎');
    if !question
        && let Some((_, found)) = after_marker(raw, ADDRESS_MARKERS, ADDRESS_STOPS)
        && found.chars().count() >= 4
    {
        return Some(found);
    }
    let text = normalize(raw);
    if !asked || text.contains('?') || text.contains('？') || text.contains('嗎') {
        return None;
    }
    let address = clean_answer(raw, ADDRESS_PREFIXES);
    (address.chars().count() >= 3 && address.chars().count() <= 200).then_some(address)
}

/// A time of day (`15:30`) or a delay (`+20m`): 「下午三點半」, "at 3 pm", "in 20 minutes", 「半小時後」.
pub fn time(text: &str) -> Option<String> {
    let text = normalize(text);
    if let Some(minutes) = delay_minutes(&text) {
        return Some(format!("+{minutes}m"));
    }
    clock_time(&text).map(|(h, m)| format!("{h:02}:{m:02}"))
}

fn delay_minutes(text: &str) -> Option<u32> {
    if text.contains("半小時") || text.contains("half an hour") || text.contains("half hour") {
        return Some(30);
    }
    for (unit, factor) in [
        ("分鐘", 1),
        ("minutes", 1),
        ("minute", 1),
        ("mins", 1),
        ("個小時", 60),
        ("小時", 60),
        ("hours", 60),
        ("hour", 60),
    ] {
        if let Some(at) = text.find(unit) {
            let before = text[..at].trim_end();
            let start = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| {
                    c.is_ascii_digit()
                        || "零一二兩三四五六七八九十".contains(*c)
                        || c.is_ascii_alphabetic()
                        || *c == '-'
                })
                .last()
                .map(|(i, _)| i)?;
            let word = before[start..].trim();
            let word = word.rsplit(' ').next().unwrap_or(word);
            let value = crate::numbers::number_at(word, 0)
                .filter(|m| m.len == word.len())
                .map(|m| m.value)
                .or_else(|| (word == "an" || word == "a").then_some(1))?;
            return Some(value * factor);
        }
    }
    None
}

fn clock_time(text: &str) -> Option<(u32, u32)> {
    let pm = ["下午", "晚上", "傍晚", "pm", "p.m.", "evening", "afternoon"].iter().any(|w| text.contains(w));
    let noon = text.contains("中午");
    // 「三點半」, 「十點十五分」, 「3點」
    if let Some(at) = text.find('點') {
        let before = &text[..at];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_digit() || "一二兩三四五六七八九十".contains(*c))
            .last()
            .map(|(i, _)| i)?;
        let hour = crate::numbers::number_at(&before[start..], 0)?.value;
        let after = &text[at + '點'.len_utf8()..];
        let minute = if after.starts_with('半') {
            30
        } else {
            crate::numbers::number_at(after, 0).map(|m| m.value).filter(|m| *m < 60).unwrap_or(0)
        };
        return Some((to_24h(hour, pm || (noon && hour < 3)), minute));
    }
    // "3:30", "at 3 pm", "half past three"
    if let Some(at) = text.find("half past ") {
        let m = crate::numbers::number_at(&text[at + 10..], 0)?;
        return Some((to_24h(m.value, pm), 30));
    }
    let words: Vec<&str> = text.split(|c: char| c == ' ' || c == ',').filter(|w| !w.is_empty()).collect();
    for w in &words {
        if let Some((h, m)) = w.split_once(':')
            && let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.trim_end_matches(|c: char| !c.is_ascii_digit()).parse::<u32>())
            && h < 24
            && m < 60
        {
            return Some((to_24h(h, pm), m));
        }
    }
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let marker = matches!(*w, "at" | "around" | "by")
            || next.starts_with("pm")
            || next.starts_with("am")
            || next == "o'clock"
            || w.ends_with("pm")
            || w.ends_with("am");
        if !marker {
            continue;
        }
        let candidate =
            if matches!(*w, "at" | "around" | "by") { next } else { w.trim_end_matches("pm").trim_end_matches("am") };
        if let Some(m) = crate::numbers::number_at(candidate, 0).filter(|m| !m.article && m.value >= 1 && m.value <= 12)
        {
            return Some((to_24h(m.value, pm), 0));
        }
    }
    None
}

fn to_24h(hour: u32, pm: bool) -> u32 {
    if pm && hour < 12 { hour + 12 } else { hour.min(23) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yn(text: &str) -> Option<YesNo> {
        yes_no(&normalize(text)).map(|(a, _)| a)
    }

    #[test]
    fn yes_and_no() {
        for text in ["對", "是的", "好", "沒錯", "yes", "Yeah, that's right", "correct", "應該吧", "I think so"]
        {
            assert_eq!(yn(text), Some(YesNo::Yes), "{text}");
        }
        for text in ["不是", "不對", "no", "Nope", "that's not right"] {
            assert_eq!(yn(text), Some(YesNo::No), "{text}");
        }
        assert_eq!(yn("我不確定"), Some(YesNo::Unsure));
        assert_eq!(yn("王小明"), None);
        assert_eq!(yn("I know"), None);
        assert_eq!(yes_no(&normalize("I think so")), Some((YesNo::Yes, true)));
    }

    #[test]
    fn whole_answers_that_sound_like_yes_or_no() {
        // How Whisper wrote them for callers who are not the bot's voice.
        assert_eq!(yn("部隊"), Some(YesNo::No));
        assert_eq!(yn("部隊。"), Some(YesNo::No));
        assert_eq!(yn("隊"), Some(YesNo::Yes));
        assert_eq!(yn("部隊很大"), None, "only a turn that is all answer");
        assert_eq!(yn("十"), None);
        assert_eq!(yn("大杯"), None);
    }

    #[test]
    fn fulfilment_choice() {
        assert_eq!(fulfilment(&normalize("外送")), Some(Fulfilment::Delivery));
        assert_eq!(fulfilment(&normalize("我自己來拿")), Some(Fulfilment::Pickup));
        assert_eq!(fulfilment(&normalize("不要外送，自取")), Some(Fulfilment::Pickup));
        assert_eq!(fulfilment(&normalize("I'll pick it up")), Some(Fulfilment::Pickup));
        assert_eq!(fulfilment(&normalize("half sugar")), None);
    }

    #[test]
    fn names() {
        assert_eq!(name("我叫王小明", true).as_deref(), Some("王小明"));
        assert_eq!(name("嗯，我是陳大文。", true).as_deref(), Some("陳大文"));
        assert_eq!(name("我姓陳", true).as_deref(), Some("陳"));
        assert_eq!(name("陳小姐", false).as_deref(), Some("陳小姐"));
        assert_eq!(name("我是陳小姐", false).as_deref(), Some("陳小姐"));
        assert_eq!(name("it's Sarah", true).as_deref(), Some("Sarah"));
        assert_eq!(name("My name is Ming.", false).as_deref(), Some("Ming"));
        assert_eq!(name("少冰，我叫王小明", false).as_deref(), Some("王小明"));
        assert_eq!(name("less ice, and my name is John", false).as_deref(), Some("John"));
        assert_eq!(name("why do you need my name?", true), None);
        assert_eq!(name("two black teas", false), None);
        // Said alone, a Mandarin name starts with a surname.
        assert_eq!(name("林", true).as_deref(), Some("林"));
        assert_eq!(name("張簡小華", true).as_deref(), Some("張簡小華"));
        assert_eq!(name("我作個請問", true), None);
        assert_eq!(name("我心裡", true), None);
        assert_eq!(name("要大杯的", true), None);
        // A surname described by its parts, or by a word it is in.
        assert_eq!(name("我姓林，雙木林", true).as_deref(), Some("林"));
        assert_eq!(name("木子李", false).as_deref(), Some("李"));
        assert_eq!(name("是黃色的黃", true).as_deref(), Some("黃"));
        // After 「我姓」 any surname stands, common or not.
        assert_eq!(name("我姓禤", true).as_deref(), Some("禤"));
    }

    #[test]
    fn addresses() {
        assert_eq!(address("送到台北市大安路100號", true).as_deref(), Some("台北市大安路100號"));
        assert_eq!(address("My address is 7 Xinyi Road, Taipei.", true).as_deref(), Some("7 Xinyi Road, Taipei"));
        assert_eq!(address("外送，送到信義路五段7號", false).as_deref(), Some("信義路五段7號"));
        assert_eq!(address("delivery to 7 Xinyi Road", false).as_deref(), Some("7 Xinyi Road"));
        assert_eq!(address("deliver to 7 Xinyi Road", false).as_deref(), Some("7 Xinyi Road"));
        assert_eq!(address("外送", false), None);
    }

    #[test]
    fn times() {
        assert_eq!(time("下午三點半").as_deref(), Some("15:30"));
        assert_eq!(time("十點十五分").as_deref(), Some("10:15"));
        assert_eq!(time("at 3 pm").as_deref(), Some("15:00"));
        assert_eq!(time("around 5:30").as_deref(), Some("05:30"));
        assert_eq!(time("in 20 minutes").as_deref(), Some("+20m"));
        assert_eq!(time("半小時後").as_deref(), Some("+30m"));
        assert_eq!(time("two black teas"), None);
    }
}
