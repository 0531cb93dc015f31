//! From what the caller said to item requests against the catalogue.
//!
//! A [`Lexicon`] is built from the tenant's catalogue (product, size and option
//! names and aliases in every language), so a tenant changes its menu without
//! touching a flow. Parsing is a longest-match scan into tokens (products,
//! sizes, option choices, numbers, separators, "remove" and "all" words,
//! references back) followed by a small attachment grammar:
//!
//! * a word the recogniser wrote as a sound-alike still matches: Mandarin by
//!   toneless pinyin (維唐 is 微糖), English by a consonant skeleton ("less
//!   eyes" is "less ice"), see [`crate::sounds`];
//! * quantities and sizes usually come before the product (「兩杯大杯珍奶」,
//!   "two large boba"), but Chinese also puts them after (「紅茶兩杯」);
//!   which style an utterance uses is decided from where its numbers sit;
//! * options attach to the product said just before them, or, when none is
//!   open, to the next product (「半糖珍奶」);
//! * 「都中杯」/"both large" shares what follows with every item of the turn;
//! * one product in two variants: 「兩杯珍奶，一杯半糖，另一杯無糖」;
//! * "two of those", 「那個」: the product last mentioned (by the caller or the bot);
//! * modifiers with no product at all are returned as `loose`, for the flow
//!   to apply to the item it just asked about (「大杯」, "half sugar").

use crate::model::{Catalog, ItemRequest, Modifiers, ParsedOrder};
use crate::numbers::number_at;
use crate::sounds::{english_key, readings, same_word, sounds_like_at};
use crate::text::{is_han, normalize};

/// The question being answered, which enables short answers that would be too
/// ambiguous elsewhere ("大", "L", "half", "no").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    Nothing,
    Size,
    Group(String),
}

impl Slot {
    /// From an expectation's `slot` (`size`, or an option group id).
    pub fn from_name(slot: Option<&str>) -> Slot {
        match slot {
            None | Some("") => Slot::Nothing,
            Some("size") => Slot::Size,
            Some(group) => Slot::Group(group.to_string()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Product(usize),
    Size(String),
    Choice {
        group: String,
        choice: String,
    },
    Number {
        value: u32,
        article: bool,
    },
    Separator,
    Remove,
    /// 都 / both / all: what follows applies to every item of the turn.
    All,
    /// "those", 「那個」: the product last mentioned.
    Back,
    /// "the other one", 「另一杯」: one more variant of the item just said.
    Other,
}

#[derive(Clone, Debug)]
struct Entry {
    text: String,
    token: Token,
    /// Only recognised while the flow waits for this answer.
    only_when: Option<Slot>,
    /// Toneless readings, for Han words of two characters or more.
    sound: Option<Vec<Vec<String>>>,
    /// Consonant skeletons of each word, for English words.
    english: Option<Vec<String>>,
}

/// Everything the caller can say that the parser recognises, built from the catalogue.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    entries: Vec<Entry>,
}

const SEPARATORS: &[&str] = &[
    "和", "還有", "跟", "再來", "再", "、", ",", "，", "然後", "另外", "以及", ";", "；", "。", ".", "and", "plus",
    "also",
];
const REMOVE_WORDS: &[&str] = &[
    "不要",
    "去掉",
    "拿掉",
    "刪掉",
    "刪除",
    "取消",
    "remove",
    "delete",
    "drop",
    "take off",
    "get rid of",
    "cancel",
    "no more",
];
const ALL_WORDS: &[&str] = &["都", "全部", "both", "all", "each"];
const BACK_WORDS: &[&str] = &[
    "of those",
    "of these",
    "of that",
    "of them",
    "those",
    "these",
    "that one",
    "this one",
    "the same",
    "same one",
    "那個",
    "這個",
    "那種",
    "這種",
    "那款",
    "這款",
    "那杯",
    "這杯",
    "一樣的",
    "同樣的",
];
const OTHER_WORDS: &[&str] = &["另一杯", "另外一杯", "另一個", "另外一個", "the other one", "the other", "other one"];

/// Extra ways to say a size, keyed by how the catalogue names the size.
/// Sizes vary per tenant, so these attach to whichever size is called
/// "large"/大 or "medium"/中/"small"/小 in the catalogue.
const LARGE_WORDS: &[&str] = &["big", "大的", "大份"];
const LARGE_ANSWERS: &[&str] = &["大", "l"];
const MEDIUM_WORDS: &[&str] = &["regular size", "normal size", "small", "小杯", "小的", "中的"];
const MEDIUM_ANSWERS: &[&str] = &["中", "小", "m", "regular", "normal"];
/// Short answers meaning "none of it" for an option group that has a "no …" choice.
const NONE_ANSWERS: &[&str] = &["none", "zero", "no", "without", "不要", "不用", "沒有", "無", "都不要"];

impl Lexicon {
    pub fn new(catalog: &Catalog) -> Lexicon {
        let mut lex = Lexicon::default();
        for (index, product) in catalog.products.iter().enumerate() {
            for text in product.names.iter().map(|n| &n.text).chain(&product.aliases) {
                lex.add(text, Token::Product(index), None);
            }
        }
        for size in catalog.products.iter().flat_map(|p| &p.sizes) {
            for name in &size.names {
                lex.add(&name.text, Token::Size(size.id.clone()), None);
            }
        }
        let sizes: Vec<_> = catalog.products.iter().flat_map(|p| &p.sizes).collect();
        let size_called = |words: &[&str]| {
            sizes
                .iter()
                .find(|s| s.names.iter().any(|n| words.iter().any(|w| normalize(&n.text).contains(w))))
                .map(|s| s.id.clone())
        };
        if let Some(id) = size_called(&["large", "大"]) {
            lex.add_all(LARGE_WORDS, Token::Size(id.clone()), None);
            lex.add_all(LARGE_ANSWERS, Token::Size(id), Some(Slot::Size));
        }
        if let Some(id) = size_called(&["medium", "中", "small", "小"]) {
            lex.add_all(MEDIUM_WORDS, Token::Size(id.clone()), None);
            lex.add_all(MEDIUM_ANSWERS, Token::Size(id), Some(Slot::Size));
        }
        for group in &catalog.option_groups {
            for choice in &group.choices {
                let token = Token::Choice { group: group.id.clone(), choice: choice.id.clone() };
                for text in choice.names.iter().map(|n| &n.text).chain(&choice.aliases) {
                    lex.add(text, token.clone(), None);
                }
            }
            lex.add_short_answers(group);
        }
        lex.add_all(SEPARATORS, Token::Separator, None);
        lex.add_all(REMOVE_WORDS, Token::Remove, None);
        lex.add_all(ALL_WORDS, Token::All, None);
        lex.add_all(BACK_WORDS, Token::Back, None);
        lex.add_all(OTHER_WORDS, Token::Other, None);
        lex
    }

    /// Within one option group, the first word of each English name ("half",
    /// "less") and the first character of each Chinese name (半, 少) answer
    /// the group's question, unless two choices would share it.
    fn add_short_answers(&mut self, group: &crate::model::OptionGroup) {
        let expect = Some(Slot::Group(group.id.clone()));
        let mut shorts: Vec<(String, &str)> = Vec::new();
        for choice in &group.choices {
            for name in &choice.names {
                let text = normalize(&name.text);
                let short = if text.is_ascii() {
                    text.split(' ').next().filter(|w| *w != text).map(str::to_string)
                } else {
                    text.chars().next().filter(|_| text.chars().count() > 1).map(String::from)
                };
                if let Some(short) = short {
                    shorts.push((short, &choice.id));
                }
            }
        }
        for (short, id) in &shorts {
            let unique = shorts.iter().filter(|(s, other)| s == short && other != id).count() == 0;
            if unique {
                let token = Token::Choice { group: group.id.clone(), choice: id.to_string() };
                self.add(short, token, expect.clone());
            }
        }
        let none = group
            .choices
            .iter()
            .find(|c| c.id == "none" || c.names.iter().any(|n| normalize(&n.text).starts_with("no ")));
        if let Some(none) = none {
            let token = Token::Choice { group: group.id.clone(), choice: none.id.clone() };
            self.add_all(NONE_ANSWERS, token, expect);
        }
    }

    fn add_all(&mut self, texts: &[&str], token: Token, only_when: Option<Slot>) {
        for text in texts {
            self.add(text, token.clone(), only_when.clone());
        }
    }

    fn add(&mut self, text: &str, token: Token, only_when: Option<Slot>) {
        let text = normalize(text);
        if text.is_empty() {
            return;
        }
        // The first meaning wins: catalogue names are added before synonyms.
        if self.entries.iter().any(|e| e.text == text && e.only_when == only_when) {
            return;
        }
        // Only catalogue words get sound-alikes: function words are short and common.
        let catalogue_word = matches!(token, Token::Product(_) | Token::Size(_) | Token::Choice { .. });
        let han = text.chars().count() >= 2 && text.chars().all(is_han);
        let sound = (catalogue_word && han).then(|| readings(&text));
        // A sound-alike needs enough sound to go on: "pay" is not "boba".
        let english = (catalogue_word && text.chars().all(|c| c.is_ascii_alphabetic() || c == ' '))
            .then(|| text.split(' ').map(english_key).collect::<Vec<_>>())
            .filter(|keys| keys.iter().map(String::len).sum::<usize>() >= 3 && (keys.len() > 1 || keys[0].len() >= 3));
        self.entries.push(Entry { text, token, only_when, sound, english });
    }

    /// Split a normalised text into tokens, longest match first. A sound-alike
    /// of a catalogue word counts only where no exact word is as long.
    fn tokenize(&self, text: &str, slot: &Slot, sound_alikes: bool) -> Vec<Token> {
        self.read(text, slot, sound_alikes).into_iter().map(|(_, token)| token).collect()
    }

    /// `text` with what an order reading takes from it blanked out: products (by name, alias or
    /// sound-alike), quantities ("too large" is two), sizes, options and the words that join
    /// them. What is left is what the turn says besides its order ("too" and the plural of
    /// "bubble milk teas" are not left over). Words that take something back (「不要」, "no")
    /// stay: they may be a complaint.
    pub fn unread(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (span, token) in self.read(text, &Slot::Nothing, true).into_iter().rev() {
            if !matches!(token, Token::Remove) {
                out.replace_range(span, " ");
            }
        }
        out
    }

    /// The tokens of `text` and the byte ranges they were read from.
    fn read(&self, text: &str, slot: &Slot, sound_alikes: bool) -> Vec<(std::ops::Range<usize>, Token)> {
        let sounds = readings(text);
        let char_at: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let mut tokens = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let ci = char_at.binary_search(&at).unwrap_or(0);
            let mut best: Option<(usize, Token, bool)> = None;
            let consider = |best: &mut Option<(usize, Token, bool)>, len: usize, token: &Token, answer_only: bool| {
                let better = match best {
                    None => true,
                    // On a tie an answer to the pending question beats a general word
                    // (「不要」 is "none" when asked about ice, "remove" otherwise).
                    Some((best_len, _, best_answer)) => {
                        len > *best_len || (len == *best_len && answer_only && !*best_answer)
                    }
                };
                if better {
                    *best = Some((len, token.clone(), answer_only));
                }
            };
            for entry in &self.entries {
                if entry.only_when.as_ref().is_some_and(|w| w != slot) {
                    continue;
                }
                if let Some(len) = match_len(text, at, &entry.text) {
                    consider(&mut best, len, &entry.token, entry.only_when.is_some());
                }
            }
            let exact_len = best.as_ref().map_or(0, |b| b.0);
            for entry in self.entries.iter().filter(|_| sound_alikes) {
                if entry.only_when.is_some() {
                    continue;
                }
                let len = match (&entry.sound, &entry.english) {
                    (Some(sound), _) if sounds_like_at(&sounds, ci, sound) => {
                        let end = char_at.get(ci + sound.len()).copied().unwrap_or(text.len());
                        Some(end - at)
                    }
                    (_, Some(keys)) => english_alike_len(text, at, keys),
                    _ => None,
                };
                if let Some(len) = len.filter(|l| *l > exact_len) {
                    consider(&mut best, len, &entry.token, false);
                }
            }
            if let Some(number) = number_at(text, at)
                && best.as_ref().is_none_or(|(len, _, _)| number.len > *len)
            {
                best = Some((number.len, Token::Number { value: number.value, article: number.article }, false));
            }
            // 「量杯」 for 「兩杯」: Whisper writes the quantity 兩 (liǎng) as another liang
            // before a measure word.
            if sound_alikes
                && best.is_none()
                && let Some(len) = liang_before_measure(text, at, &sounds, ci)
            {
                best = Some((len, Token::Number { value: 2, article: false }, false));
            }
            match best {
                Some((len, token, _)) => {
                    tokens.push((at..at + len, token));
                    at += len;
                }
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        tokens
    }
}

/// Measure words a quantity comes before (杯 cups, 個 pieces, 份 portions, 瓶 bottles, 罐 cans).
const MEASURE_WORDS: &[char] = &['杯', '個', '份', '瓶', '罐', '盒'];

/// A character read `liang` (the sound of 兩) right before a measure word: its length.
fn liang_before_measure(text: &str, at: usize, sounds: &[Vec<String>], ci: usize) -> Option<usize> {
    let mut chars = text[at..].chars();
    let (first, next) = (chars.next()?, chars.next()?);
    (is_han(first) && MEASURE_WORDS.contains(&next) && sounds.get(ci)?.iter().any(|s| s == "lian"))
        .then(|| first.len_utf8())
}

/// English words starting at byte `at` that sound like a catalogue phrase (its words'
/// skeletons): the length matched. A phrase of two or more words may differ in one
/// letter of one skeleton ("bubble moke tea").
fn english_alike_len(text: &str, at: usize, keys: &[String]) -> Option<usize> {
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '\'';
    if text[..at].chars().next_back().is_some_and(is_word_char)
        || !text[at..].starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut end = at;
    let mut slack = if keys.len() >= 2 { 1 } else { 0 };
    for (n, key) in keys.iter().enumerate() {
        let rest = &text[end..];
        let skip = if n == 0 { 0 } else { rest.len() - rest.trim_start_matches(' ').len() };
        if n > 0 && skip == 0 {
            return None;
        }
        let word_start = end + skip;
        let word_len = text[word_start..].find(|c: char| !is_word_char(c)).unwrap_or(text.len() - word_start);
        if word_len == 0 {
            return None;
        }
        let word = &text[word_start..word_start + word_len];
        if !same_word(word, key) {
            let said = english_key(word);
            // One slip in one word, never the first sound: "moke" for "milk", not "like" for "black".
            if slack == 0 || key.len() < 3 || said.chars().next() != key.chars().next() || edit_distance(&said, key) > 1
            {
                return None;
            }
            slack -= 1;
        }
        end = word_start + word_len;
    }
    Some(end - at)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Length of `word` matched at byte `at` of `text`, respecting English word
/// boundaries (and a plural "s"); Chinese has no spaces, so no boundaries there.
fn match_len(text: &str, at: usize, word: &str) -> Option<usize> {
    if !text[at..].starts_with(word) {
        return None;
    }
    let is_word_char = |c: char| c.is_ascii_alphanumeric();
    if word.chars().next().is_some_and(is_word_char) && text[..at].chars().next_back().is_some_and(is_word_char) {
        return None;
    }
    let end = at + word.len();
    if !word.chars().next_back().is_some_and(is_word_char) {
        return Some(word.len());
    }
    let mut after = text[end..].chars();
    match after.next() {
        None => Some(word.len()),
        Some(c) if !is_word_char(c) => Some(word.len()),
        Some('s')
            if !after.next().is_some_and(is_word_char) && word.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') =>
        {
            Some(word.len() + 1)
        }
        _ => None,
    }
}

/// How to read a turn for order content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Sound-alikes of catalogue words count (an order, an answer about an item).
    Loose,
    /// Only exact catalogue words: the turn is a name or an address, where "Ming"
    /// sounds like "mango" and is not one.
    Exact,
}

/// Parse one caller turn against the catalogue. `last_product` is the product
/// last mentioned in the call (by either side), for "two of those".
pub fn parse(
    lexicon: &Lexicon,
    catalog: &Catalog,
    text: &str,
    slot: &Slot,
    last_product: Option<&str>,
    reading: Reading,
) -> ParsedOrder {
    let mut tokens = lexicon.tokenize(&percent_words(&normalize(text)), slot, reading == Reading::Loose);
    let names_product = tokens.iter().any(|t| matches!(t, Token::Product(_)));
    let back = last_product.and_then(|id| catalog.products.iter().position(|p| p.id == id));
    let mut refers_back = false;
    // A reference back counts only when the turn names no product itself
    // (「那個，我要兩杯紅茶」: 那個 is a filler there).
    for token in tokens.iter_mut() {
        if let (Token::Back, Some(index), false) = (&*token, back, names_product) {
            *token = Token::Product(index);
            refers_back = true;
        }
    }
    let mut parsed = attach(&tokens, catalog);
    // 「好，那給我兩杯，半糖少冰」 after a question about one product: a quantity with no
    // product, when an order (not an item question, a phone, an address) is expected,
    // orders the product last mentioned.
    if let (Some(index), Slot::Nothing, Reading::Loose) = (back, slot, reading)
        && !parsed.mentions_products()
        && parsed.loose.quantity.is_some_and(|q| (1..=99).contains(&q))
        && let Some(product) = catalog.products.get(index)
    {
        parsed.items.push(ItemRequest { product_id: product.id.clone(), details: std::mem::take(&mut parsed.loose) });
        refers_back = true;
    }
    parsed.refers_back = refers_back;
    parsed.items.iter_mut().for_each(|item| catalog.fit(&item.product_id, &mut item.details));
    parsed
}

/// "fifty percent" → "50%", so percentages match the catalogue's `50%` aliases.
fn percent_words(text: &str) -> String {
    let Some(at) = text.find(" percent") else {
        return text.to_string();
    };
    let before = &text[..at];
    let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ' ')).map_or(0, |i| i + 1);
    // The number is the last one or two words before "percent".
    for (i, c) in before[start..].char_indices().filter(|(i, c)| *i == 0 || *c == ' ') {
        let from = if c == ' ' { start + i + 1 } else { start + i };
        if let Some(m) = number_at(text, from).filter(|m| from + m.len == at) {
            let rest = percent_words(&text[at + " percent".len()..]);
            return format!("{}{}%{}", &text[..from], m.value, rest);
        }
    }
    text.to_string()
}

fn is_quantifier(token: &Token) -> bool {
    matches!(token, Token::Size(_) | Token::Number { article: false, .. })
}

/// Whether a product comes after position `k` before anything that ends a
/// pre-modifier run (a separator, another number, a remove word).
fn product_follows(tokens: &[Token], k: usize) -> bool {
    for token in &tokens[k + 1..] {
        match token {
            Token::Product(_) => return true,
            Token::Size(_) | Token::Choice { .. } => continue,
            _ => return false,
        }
    }
    false
}

/// Whether a size or an option follows position `k` before a product, a number or a
/// separator-less end: "one *with half sugar*", 「一杯*半糖*」.
fn modifiers_follow(tokens: &[Token], k: usize) -> bool {
    let mut seen = false;
    for token in &tokens[k + 1..] {
        match token {
            Token::Size(_) | Token::Choice { .. } => seen = true,
            Token::Separator | Token::All => {}
            // 「一杯中杯芒果」: the modifiers belong to a product of their own.
            Token::Product(_) => return false,
            _ => return seen,
        }
    }
    seen
}

fn attach(tokens: &[Token], catalog: &Catalog) -> ParsedOrder {
    let first_product = tokens.iter().position(|t| matches!(t, Token::Product(_)));
    let last_product = tokens.iter().rposition(|t| matches!(t, Token::Product(_)));
    let first_quant = tokens.iter().position(is_quantifier);
    let last_quant = tokens.iter().rposition(is_quantifier);
    // 「紅茶兩杯綠茶一杯」: product first and a number last means numbers follow their product.
    let post_style = match (first_product, last_product, first_quant, last_quant) {
        (Some(fp), Some(lp), Some(fq), Some(lq)) => fp < fq && lq > lp,
        _ => false,
    };

    let mut items: Vec<ItemRequest> = Vec::new();
    // (variant index, base index): one product said in several variants.
    let mut variants: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending = Modifiers::default();
    let mut removals = Vec::new();
    let mut removing = false;
    let mut all = false;

    for (k, token) in tokens.iter().enumerate() {
        // The base of a variant: the item the variant splits (not another variant).
        let base_of = |c: usize| variants.iter().find(|(v, _)| *v == c).map_or(c, |(_, b)| *b);
        match token {
            Token::Product(index) => {
                let Some(product) = catalog.products.get(*index) else {
                    continue;
                };
                if removing {
                    removals.push(product.id.clone());
                    removing = false;
                    current = None;
                    pending = Modifiers::default();
                    continue;
                }
                items.push(ItemRequest { product_id: product.id.clone(), details: std::mem::take(&mut pending) });
                current = Some(items.len() - 1);
            }
            Token::Other | Token::Number { .. }
                if current.is_some() && starts_variant(token, tokens, k, &items, current, &variants) =>
            {
                let Some(base) = current.map(base_of) else { continue };
                let quantity = match token {
                    Token::Number { value, .. } => *value,
                    _ => 1,
                };
                let details = Modifiers { quantity: Some(quantity), ..Modifiers::default() };
                items.push(ItemRequest { product_id: items[base].product_id.clone(), details });
                variants.push((items.len() - 1, base));
                current = Some(items.len() - 1);
            }
            Token::Number { value, article } => {
                let before_product = product_follows(tokens, k);
                if *article && !before_product {
                    continue;
                }
                let open = current.and_then(|c| items.get_mut(c)).filter(|i| i.details.quantity.is_none());
                match open {
                    Some(item) if post_style || !before_product => item.details.quantity = Some(*value),
                    _ => pending.quantity = Some(*value),
                }
            }
            Token::Size(id) => {
                let before_product = !post_style && matches!(tokens.get(k + 1), Some(Token::Product(_)));
                let open = current.and_then(|c| items.get_mut(c)).filter(|i| i.details.size.is_none());
                match open {
                    Some(item) if !before_product => item.details.size = Some(id.clone()),
                    _ => pending.size = Some(id.clone()),
                }
            }
            Token::Choice { group, choice } => {
                let open = current.and_then(|c| items.get_mut(c)).filter(|i| i.details.option(group).is_none());
                match open {
                    Some(item) => item.details.set_option(group, choice),
                    None => pending.set_option(group, choice),
                }
            }
            Token::Remove => {
                if product_follows(tokens, k) {
                    removing = true;
                } else if let Some(c) = current.take() {
                    // 「紅茶不要了」: the remove word follows the product.
                    let item = items.remove(c);
                    variants.retain(|(v, b)| *v != c && *b != c);
                    removals.push(item.product_id);
                }
            }
            Token::All => all = true,
            Token::Separator | Token::Back | Token::Other => {}
        }
    }

    if all {
        share_details(&mut items, &mut pending);
    }
    split_variants(&mut items, &variants);
    merge_repeats(&mut items);
    ParsedOrder { items, loose: pending, removals, refers_back: false }
}

/// Whether this number (or "the other") starts a variant of the item just said:
/// 「兩杯珍奶，*一杯*半糖」 — the item already has more than this many, and only
/// modifiers follow.
fn starts_variant(
    token: &Token,
    tokens: &[Token],
    k: usize,
    items: &[ItemRequest],
    current: Option<usize>,
    variants: &[(usize, usize)],
) -> bool {
    let Some(c) = current else { return false };
    let base = variants.iter().find(|(v, _)| *v == c).map_or(c, |(_, b)| *b);
    let Some(total) = items.get(base).and_then(|i| i.details.quantity) else {
        return false;
    };
    let taken: u32 = variants.iter().filter(|(_, b)| *b == base).filter_map(|(v, _)| items[*v].details.quantity).sum();
    match token {
        Token::Other => total >= 2,
        Token::Number { value, article } => {
            !*article && total >= 2 && *value < total && taken + *value <= total && modifiers_follow(tokens, k)
        }
        _ => false,
    }
}

/// 「兩杯珍奶一杯紅茶，珍奶大杯，紅茶中杯」: a product said again with no quantity,
/// after an item of it in the same turn, says more about that item.
fn merge_repeats(items: &mut Vec<ItemRequest>) {
    let mut k = 1;
    while k < items.len() {
        let earlier = items[..k].iter().position(|i| i.product_id == items[k].product_id);
        match earlier {
            Some(e) if items[k].details.quantity.is_none() => {
                let later = items.remove(k).details;
                let target = &mut items[e].details;
                if later.size.is_some() {
                    target.size = later.size;
                }
                for (group, choice) in &later.options {
                    target.set_option(group, choice);
                }
            }
            _ => k += 1,
        }
    }
}

/// Variants take their share of the base item and inherit what they did not say;
/// a base whose every cup went to variants is gone.
fn split_variants(items: &mut Vec<ItemRequest>, variants: &[(usize, usize)]) {
    if variants.is_empty() {
        return;
    }
    let mut drop = Vec::new();
    for base in variants.iter().map(|(_, b)| *b).collect::<std::collections::BTreeSet<_>>() {
        let base_details = items[base].details.clone();
        let mut taken = 0;
        for (v, _) in variants.iter().filter(|(_, b)| *b == base) {
            let variant = &mut items[*v].details;
            taken += variant.quantity.unwrap_or(1);
            if variant.size.is_none() {
                variant.size = base_details.size.clone();
            }
            for (group, choice) in &base_details.options {
                if variant.option(group).is_none() {
                    variant.set_option(group, choice);
                }
            }
        }
        let total = base_details.quantity.unwrap_or(1);
        if taken >= total {
            drop.push(base);
        } else {
            items[base].details.quantity = Some(total - taken);
        }
    }
    for base in drop.into_iter().rev() {
        items.remove(base);
    }
}

/// 「紅茶和綠茶都大杯半糖」: copy what was said for the last item (and any
/// trailing modifiers) to every item that did not get its own.
fn share_details(items: &mut [ItemRequest], trailing: &mut Modifiers) {
    let Some(last) = items.last() else { return };
    let mut shared = last.details.clone();
    shared.quantity = None;
    if let Some(size) = trailing.size.take() {
        shared.size = Some(size);
    }
    for (group, choice) in std::mem::take(&mut trailing.options) {
        shared.set_option(&group, &choice);
    }
    for item in items.iter_mut() {
        if item.details.size.is_none() {
            item.details.size = shared.size.clone();
        }
        for (group, choice) in &shared.options {
            if item.details.option(group).is_none() {
                item.details.set_option(group, choice);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::demo;

    fn item(product: &str, quantity: Option<u32>, size: Option<&str>, options: &[(&str, &str)]) -> ItemRequest {
        ItemRequest {
            product_id: product.into(),
            details: Modifiers {
                quantity,
                size: size.map(String::from),
                options: options.iter().map(|(g, c)| (g.to_string(), c.to_string())).collect(),
            },
        }
    }

    fn parse_text(text: &str) -> ParsedOrder {
        parse_expecting(text, Slot::Nothing)
    }

    fn parse_expecting(text: &str, expect: Slot) -> ParsedOrder {
        let catalog = demo();
        let lexicon = Lexicon::new(&catalog);
        parse(&lexicon, &catalog, text, &expect, None, Reading::Loose)
    }

    #[test]
    fn chinese_single_item() {
        let parsed = parse_text("我要兩杯大杯珍珠奶茶半糖少冰");
        assert_eq!(
            parsed.items,
            vec![item("bubble-milk-tea", Some(2), Some("L"), &[("sugar", "half"), ("ice", "less")])]
        );
        assert!(parsed.loose.is_empty());
    }

    #[test]
    fn chinese_two_items() {
        let parsed = parse_text("一杯中杯紅茶無糖去冰，還有兩杯大杯綠茶微糖");
        assert_eq!(
            parsed.items,
            vec![
                item("black-tea", Some(1), Some("M"), &[("sugar", "none"), ("ice", "none")]),
                item("green-tea", Some(2), Some("L"), &[("sugar", "light")]),
            ]
        );
    }

    #[test]
    fn chinese_quantity_after_product() {
        let parsed = parse_text("紅茶兩杯綠茶一杯");
        assert_eq!(parsed.items, vec![item("black-tea", Some(2), None, &[]), item("green-tea", Some(1), None, &[])]);
        let parsed = parse_text("珍奶大杯十一杯");
        assert_eq!(parsed.items, vec![item("bubble-milk-tea", Some(11), Some("L"), &[])]);
    }

    #[test]
    fn aliases_and_options_before_product() {
        let parsed = parse_text("半糖去冰的珍奶一杯");
        assert_eq!(parsed.items, vec![item("bubble-milk-tea", Some(1), None, &[("sugar", "half"), ("ice", "none")])]);
        let parsed = parse_text("三分糖烏龍");
        assert_eq!(parsed.items, vec![item("oolong-tea", None, None, &[("sugar", "light")])]);
    }

    #[test]
    fn english_single_item() {
        let parsed = parse_text("Two large bubble milk teas, half sugar, less ice");
        assert_eq!(
            parsed.items,
            vec![item("bubble-milk-tea", Some(2), Some("L"), &[("sugar", "half"), ("ice", "less")])]
        );
    }

    #[test]
    fn english_two_items() {
        let parsed = parse_text("a medium black tea no sugar no ice and one large mango smoothie half sugar");
        assert_eq!(
            parsed.items,
            vec![
                item("black-tea", Some(1), Some("M"), &[("sugar", "none"), ("ice", "none")]),
                item("mango-smoothie", Some(1), Some("L"), &[("sugar", "half")]),
            ]
        );
    }

    #[test]
    fn english_articles_and_compound_numbers() {
        let parsed = parse_text("I'd like a boba and twenty-one green teas");
        assert_eq!(
            parsed.items,
            vec![item("bubble-milk-tea", Some(1), None, &[]), item("green-tea", Some(21), None, &[])]
        );
        // "a" not before a product is not a quantity
        let parsed = parse_text("black tea with a little sugar");
        assert_eq!(parsed.items, vec![item("black-tea", None, None, &[("sugar", "light")])]);
    }

    #[test]
    fn options_the_product_lacks_are_dropped() {
        let parsed = parse_text("大杯芒果冰沙半糖少冰");
        assert_eq!(parsed.items, vec![item("mango-smoothie", None, Some("L"), &[("sugar", "half")])]);
    }

    #[test]
    fn loose_answers() {
        let parsed = parse_expecting("大杯", Slot::Size);
        assert!(parsed.items.is_empty());
        assert_eq!(parsed.loose.size.as_deref(), Some("L"));
        assert_eq!(parse_expecting("大", Slot::Size).loose.size.as_deref(), Some("L"));
        assert_eq!(parse_expecting("medium please", Slot::Size).loose.size.as_deref(), Some("M"));
        assert!(parse_expecting("大", Slot::Nothing).loose.is_empty());
        let ice = Slot::Group("ice".into());
        assert_eq!(parse_expecting("less", ice.clone()).loose.option("ice"), Some("less"));
        assert_eq!(parse_expecting("不要", ice.clone()).loose.option("ice"), Some("none"));
        assert_eq!(parse_expecting("regular", ice.clone()).loose.option("ice"), Some("regular"));
        assert_eq!(parse_expecting("半", Slot::Group("sugar".into())).loose.option("sugar"), Some("half"));
        assert_eq!(parse_expecting("regular", Slot::Size).loose.size.as_deref(), Some("M"));
        assert_eq!(parse_expecting("半糖少冰", ice).loose.options.len(), 2);
    }

    #[test]
    fn removals() {
        let parsed = parse_text("不要綠茶");
        assert_eq!(parsed.removals, vec!["green-tea".to_string()]);
        assert!(parsed.items.is_empty());
        let parsed = parse_text("紅茶不要了");
        assert_eq!(parsed.removals, vec!["black-tea".to_string()]);
        let parsed = parse_text("please remove the green tea");
        assert_eq!(parsed.removals, vec!["green-tea".to_string()]);
        // 「不要冰」 is an ice choice, not a removal
        let parsed = parse_text("紅茶不要冰");
        assert!(parsed.removals.is_empty());
        assert_eq!(parsed.items, vec![item("black-tea", None, None, &[("ice", "none")])]);
    }

    #[test]
    fn shared_details() {
        let parsed = parse_text("兩杯紅茶和一杯綠茶，都大杯半糖");
        assert_eq!(
            parsed.items,
            vec![
                item("black-tea", Some(2), Some("L"), &[("sugar", "half")]),
                item("green-tea", Some(1), Some("L"), &[("sugar", "half")]),
            ]
        );
    }

    #[test]
    fn nothing_to_order() {
        let parsed = parse_text("你們幾點開門");
        assert!(!parsed.mentions_products());
        assert!(parsed.loose.is_empty());
    }
}
