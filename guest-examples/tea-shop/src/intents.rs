//! What a caller turn means beyond the order itself: asking for a person,
//! asking about an order, a question for the FAQ, yes/no, delivery or
//! pickup, cancelling, and pulling a name or an address out of an answer.
//!
//! Keyword lists are in both languages. They work on normalised text (see
//! [`crate::language::normalize`]); English phrases only match whole words so
//! "no" does not fire inside "know".

use crate::language::normalize;

/// Delivery or pickup, as the caller chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

const AGENT: &[&str] = &[
    "轉人工",
    "人工",
    "真人",
    "客服",
    "專員",
    "接線生",
    "服務人員",
    "店員",
    "agent",
    "human",
    "operator",
    "representative",
    "real person",
    "a person",
    "someone",
    "somebody",
    "staff",
];
const ORDER_STATUS: &[&str] = &[
    "訂單到哪",
    "訂單在哪",
    "查訂單",
    "查詢訂單",
    "查一下訂單",
    "訂單狀態",
    "訂單進度",
    "訂單好了",
    "where is my order",
    "where's my order",
    "order status",
    "status of my order",
    "check my order",
    "track my order",
    "my last order",
];
const CANCEL: &[&str] = &[
    "不要了",
    "取消",
    "算了",
    "不用了",
    "不點了",
    "cancel",
    "never mind",
    "nevermind",
    "forget it",
    "forget about it",
];
const QUESTION: &[&str] = &[
    "?",
    "嗎",
    "幾點",
    "營業",
    "開門",
    "關門",
    "打烊",
    "範圍",
    "付款",
    "付錢",
    "刷卡",
    "信用卡",
    "現金",
    "line pay",
    "最低消費",
    "低消",
    "哪裡",
    "什麼",
    "怎麼",
    "多久",
    "有沒有",
    "可不可以",
    "能不能",
    "what",
    "when",
    "where",
    "how",
    "why",
    "do you",
    "does",
    "can i",
    "can you",
    "could",
    "is there",
    "are you",
    "hours",
    "open",
    "close",
    "pay",
    "payment",
    "minimum",
    "credit card",
    "cash",
];
const MENU: &[&str] = &[
    "菜單",
    "有什麼飲料",
    "有什麼喝的",
    "有哪些",
    "賣什麼",
    "menu",
    "what do you have",
    "what drinks",
    "what do you sell",
];
const PRICE: &[&str] = &["多少錢", "價錢", "價格", "how much", "price", "cost"];
/// Yes-words that contain a no-word (沒錯 contains 錯), checked first.
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
const DONE: &[&str] = &[
    "沒有了",
    "沒事",
    "就這樣",
    "謝謝",
    "再見",
    "掰掰",
    "拜拜",
    "bye",
    "goodbye",
    "no thanks",
    "no thank you",
    "that's all",
    "nothing",
    "thanks",
];
const ADD_MORE: &[&str] = &["再", "加", "另外", "也要", "還要", "another", "more", "also", "add", "extra", "plus"];
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

/// Whether a normalised text contains a phrase; English phrases must sit on word boundaries.
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    let word_char = |c: char| c.is_ascii_alphanumeric();
    let check_start = phrase.chars().next().is_some_and(word_char);
    let check_end = phrase.chars().next_back().is_some_and(word_char);
    text.match_indices(phrase).any(|(at, _)| {
        let before_ok = !check_start || !text[..at].chars().next_back().is_some_and(word_char);
        let after_ok = !check_end || !text[at + phrase.len()..].chars().next().is_some_and(word_char);
        before_ok && after_ok
    })
}

fn has_any(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| contains_phrase(text, p))
}

/// Byte position of the last occurrence of any phrase, for "latest wins" choices.
fn last_position(text: &str, phrases: &[&str]) -> Option<usize> {
    phrases.iter().filter_map(|p| text.rfind(p).filter(|_| contains_phrase(text, p))).max()
}

pub fn wants_agent(text: &str) -> bool {
    has_any(text, AGENT)
}

pub fn asks_order_status(text: &str) -> bool {
    has_any(text, ORDER_STATUS)
}

pub fn wants_cancel(text: &str) -> bool {
    has_any(text, CANCEL)
}

/// Whether the turn reads as a question worth sending to the FAQ.
pub fn is_question(text: &str) -> bool {
    has_any(text, QUESTION)
}

pub fn asks_menu(text: &str) -> bool {
    has_any(text, MENU)
}

pub fn asks_price(text: &str) -> bool {
    has_any(text, PRICE)
}

/// Whether the caller wants something added rather than changed.
pub fn adds_more(text: &str) -> bool {
    has_any(text, ADD_MORE)
}

/// The caller is finished ("no thanks", 「沒有了」).
pub fn is_done(text: &str) -> bool {
    has_any(text, DONE) || yes_no(text) == Some(false)
}

pub fn yes_no(text: &str) -> Option<bool> {
    if has_any(text, STRONG_YES) {
        Some(true)
    } else if has_any(text, NO) {
        Some(false)
    } else if has_any(text, YES) {
        Some(true)
    } else {
        None
    }
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

fn clean_answer(raw: &str, prefixes: &[&str]) -> String {
    let unified = raw.replace('’', "'");
    let mut text = unified.trim().trim_start_matches(FILLERS);
    for prefix in prefixes {
        if let Some(rest) = strip_prefix_ci(text, prefix) {
            text = rest;
            break;
        }
    }
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || "，。！？、".contains(c) || c.is_whitespace())
        .to_string()
}

/// A name from an answer to "may I have your name" (「我叫王小明」 → 王小明).
pub fn extract_name(raw: &str) -> Option<String> {
    if is_question(&normalize(raw)) {
        return None;
    }
    let name = clean_answer(raw, NAME_PREFIXES);
    (!name.is_empty() && name.chars().count() <= 40).then_some(name)
}

/// An address from an answer to "what is the address".
pub fn extract_address(raw: &str) -> Option<String> {
    if is_question(&normalize(raw)) {
        return None;
    }
    let address = clean_answer(raw, ADDRESS_PREFIXES);
    (address.chars().count() >= 3 && address.chars().count() <= 200).then_some(address)
}

/// An address said together with the delivery choice: 「外送，送到信義路五段7號」,
/// "delivery to 7 Xinyi Road".
pub fn address_after_delivery_word(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    let markers = ["送到", "delivery to ", "deliver it to ", "deliver to ", "send it to "];
    let at = markers.iter().filter_map(|m| lower.find(m).map(|i| i + m.len())).max()?;
    let address = clean_answer(&raw[at..], &[]);
    (address.chars().count() >= 4).then_some(address)
}

/// Everything after a yes/no word, when the caller gives a correction in the
/// same breath (「不是，送到公司，信義路五段7號」).
pub fn correction_after_no(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let rest = ["不是", "不對", "no", "nope"]
        .iter()
        .find_map(|w| strip_prefix_ci(trimmed, w))
        .map(|r| clean_answer(r, ADDRESS_PREFIXES))?;
    (rest.chars().count() >= 4).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> String {
        normalize(text)
    }

    #[test]
    fn agent_requests() {
        for text in ["轉人工", "我要找真人", "客服", "Can I talk to an agent?", "HUMAN please", "operator"] {
            assert!(wants_agent(&n(text)), "{text}");
        }
        assert!(!wants_agent(&n("我要一杯紅茶")));
        assert!(!wants_agent(&n("humane")));
    }

    #[test]
    fn order_status_requests() {
        for text in ["我的訂單到哪了", "查訂單", "訂單狀態", "Where is my order?", "order status", "check my order"]
        {
            assert!(asks_order_status(&n(text)), "{text}");
        }
        assert!(!asks_order_status(&n("我要訂兩杯紅茶")));
    }

    #[test]
    fn questions() {
        for text in
            ["你們幾點開門", "營業時間", "外送範圍到哪裡", "可以刷卡嗎", "What are your hours", "do you deliver?"]
        {
            assert!(is_question(&n(text)), "{text}");
        }
        assert!(!is_question(&n("我要兩杯大杯珍珠奶茶半糖少冰")));
        assert!(!is_question(&n("two large bubble milk teas")));
    }

    #[test]
    fn yes_and_no() {
        for text in ["對", "是的", "好", "沒錯", "yes", "Yeah, that's right", "correct"] {
            assert_eq!(yes_no(&n(text)), Some(true), "{text}");
        }
        for text in ["不是", "不對", "no", "Nope", "that's not right"] {
            assert_eq!(yes_no(&n(text)), Some(false), "{text}");
        }
        assert_eq!(yes_no(&n("王小明")), None);
        assert_eq!(yes_no(&n("I know")), None);
    }

    #[test]
    fn fulfilment_choice() {
        assert_eq!(fulfilment(&n("外送")), Some(Fulfilment::Delivery));
        assert_eq!(fulfilment(&n("我自己來拿")), Some(Fulfilment::Pickup));
        assert_eq!(fulfilment(&n("不要外送，自取")), Some(Fulfilment::Pickup));
        assert_eq!(fulfilment(&n("Delivery please")), Some(Fulfilment::Delivery));
        assert_eq!(fulfilment(&n("I'll pick it up")), Some(Fulfilment::Pickup));
        assert_eq!(fulfilment(&n("half sugar")), None);
    }

    #[test]
    fn names_and_addresses() {
        assert_eq!(extract_name("我叫王小明").as_deref(), Some("王小明"));
        assert_eq!(extract_name("嗯，我是陳大文。").as_deref(), Some("陳大文"));
        assert_eq!(extract_name("My name is Ming.").as_deref(), Some("Ming"));
        assert_eq!(extract_name("I’m Alice").as_deref(), Some("Alice"));
        assert_eq!(extract_name("why do you need my name?"), None);
        assert_eq!(extract_address("送到台北市大安路100號").as_deref(), Some("台北市大安路100號"));
        assert_eq!(extract_address("My address is 7 Xinyi Road, Taipei.").as_deref(), Some("7 Xinyi Road, Taipei"));
        assert_eq!(address_after_delivery_word("外送，送到信義路五段7號").as_deref(), Some("信義路五段7號"));
        assert_eq!(address_after_delivery_word("delivery to 7 Xinyi Road").as_deref(), Some("7 Xinyi Road"));
        assert_eq!(address_after_delivery_word("外送"), None);
        assert_eq!(correction_after_no("不是，送到公司，信義路五段7號").as_deref(), Some("公司，信義路五段7號"));
        assert_eq!(correction_after_no("不是"), None);
    }

    #[test]
    fn done_and_cancel() {
        assert!(is_done(&n("沒有了，謝謝")));
        assert!(is_done(&n("No thanks")));
        assert!(wants_cancel(&n("不要了")));
        assert!(wants_cancel(&n("Never mind")));
        assert!(!wants_cancel(&n("不要冰")));
    }
}
