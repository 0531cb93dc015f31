//! From what the caller said to item requests against the catalogue.
//!
//! Pure: no host calls. A [`Lexicon`] is built once per call from the
//! catalogue (product, size and option names and aliases in every language),
//! so a tenant can change its menu without a new flow. Parsing is a longest
//! match scan into tokens (products, sizes, option choices, numbers,
//! separators, "remove" words) followed by a small attachment grammar:
//!
//! * quantities and sizes usually come before the product (「兩杯大杯珍奶」,
//!   "two large boba"), but Chinese also puts them after (「紅茶兩杯」);
//!   which style an utterance uses is decided from where its numbers sit;
//! * sugar and ice choices attach to the product said just before them, or,
//!   when none is open, to the next product (「半糖珍奶」);
//! * modifiers with no product at all are returned as `loose`, for the dialog
//!   to apply to the item it just asked about (「大杯」, "half sugar").

use crate::catalog::Catalog;
use crate::language::normalize;
use crate::numbers::number_at;

/// What the dialog is waiting for; enables short answers that would be too
/// ambiguous elsewhere ("大", "L", "half", "no").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Nothing,
    Size,
    Group(String),
}

/// Size and options said for one item (or with no item).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub quantity: Option<u32>,
    pub size: Option<String>,
    /// (group id, choice id), at most one per group.
    pub options: Vec<(String, String)>,
}

impl Modifiers {
    pub fn is_empty(&self) -> bool {
        self.quantity.is_none() && self.size.is_none() && self.options.is_empty()
    }

    pub fn option(&self, group: &str) -> Option<&str> {
        self.options.iter().find(|(g, _)| g == group).map(|(_, c)| c.as_str())
    }

    /// Set a choice, replacing an earlier one of the same group.
    pub fn set_option(&mut self, group: &str, choice: &str) {
        match self.options.iter_mut().find(|(g, _)| g == group) {
            Some(slot) => slot.1 = choice.to_string(),
            None => self.options.push((group.to_string(), choice.to_string())),
        }
    }
}

/// One item the caller asked for. Anything not said is `None`/absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRequest {
    pub product_id: String,
    pub details: Modifiers,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedOrder {
    pub items: Vec<ItemRequest>,
    /// Modifiers said without a product.
    pub loose: Modifiers,
    /// Products the caller asked to take off (「不要綠茶」, "remove the green tea").
    pub removals: Vec<String>,
}

impl ParsedOrder {
    /// Whether the turn named any product, to add or to remove.
    pub fn mentions_products(&self) -> bool {
        !self.items.is_empty() || !self.removals.is_empty()
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
}

#[derive(Clone, Debug)]
struct Entry {
    text: String,
    token: Token,
    /// Only recognised while the dialog waits for this answer.
    only_when: Option<Expect>,
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
            lex.add_all(LARGE_ANSWERS, Token::Size(id), Some(Expect::Size));
        }
        if let Some(id) = size_called(&["medium", "中", "small", "小"]) {
            lex.add_all(MEDIUM_WORDS, Token::Size(id.clone()), None);
            lex.add_all(MEDIUM_ANSWERS, Token::Size(id), Some(Expect::Size));
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
        lex
    }

    /// Within one option group, the first word of each English name ("half",
    /// "less") and the first character of each Chinese name (半, 少) answer
    /// the group's question, unless two choices would share it.
    fn add_short_answers(&mut self, group: &crate::catalog::OptionGroup) {
        let expect = Some(Expect::Group(group.id.clone()));
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

    fn add_all(&mut self, texts: &[&str], token: Token, only_when: Option<Expect>) {
        for text in texts {
            self.add(text, token.clone(), only_when.clone());
        }
    }

    fn add(&mut self, text: &str, token: Token, only_when: Option<Expect>) {
        let text = normalize(text);
        if text.is_empty() {
            return;
        }
        // The first meaning wins: catalogue names are added before synonyms.
        if self.entries.iter().any(|e| e.text == text && e.only_when == only_when) {
            return;
        }
        self.entries.push(Entry { text, token, only_when });
    }

    /// Split a normalised text into tokens, longest match first.
    fn tokenize(&self, text: &str, expect: &Expect) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let mut best: Option<(usize, Token, bool)> = None;
            for entry in &self.entries {
                let answer_only = entry.only_when.is_some();
                if entry.only_when.as_ref().is_some_and(|w| w != expect) {
                    continue;
                }
                let Some(len) = match_len(text, at, &entry.text) else {
                    continue;
                };
                let better = match &best {
                    None => true,
                    // On a tie an answer to the pending question beats a general word
                    // (「不要」 is "none" when asked about ice, "remove" otherwise).
                    Some((best_len, _, best_answer)) => {
                        len > *best_len || (len == *best_len && answer_only && !best_answer)
                    }
                };
                if better {
                    best = Some((len, entry.token.clone(), answer_only));
                }
            }
            if let Some(number) = number_at(text, at)
                && best.as_ref().is_none_or(|(len, _, _)| number.len > *len)
            {
                best = Some((number.len, Token::Number { value: number.value, article: number.article }, false));
            }
            match best {
                Some((len, token, _)) => {
                    tokens.push(token);
                    at += len;
                }
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        tokens
    }
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

/// Parse one caller turn against the catalogue.
pub fn parse(lexicon: &Lexicon, catalog: &Catalog, text: &str, expect: &Expect) -> ParsedOrder {
    let tokens = lexicon.tokenize(&normalize(text), expect);
    let mut parsed = attach(&tokens, catalog);
    parsed.items.iter_mut().for_each(|item| sanitize(catalog, &item.product_id, &mut item.details));
    parsed
}

/// Drop sizes and options the product does not have, so the dialog asks again
/// instead of ordering something the shop cannot make.
pub fn sanitize(catalog: &Catalog, product_id: &str, details: &mut Modifiers) {
    let Some(product) = catalog.product(product_id) else {
        return;
    };
    if details.size.as_deref().is_some_and(|s| product.size(s).is_none()) {
        details.size = None;
    }
    details.options.retain(|(group, choice)| {
        product.option_groups.contains(group) && catalog.group(group).is_some_and(|g| g.choice(choice).is_some())
    });
    details.quantity = details.quantity.filter(|q| (1..=99).contains(q));
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
    let mut current: Option<usize> = None;
    let mut pending = Modifiers::default();
    let mut removals = Vec::new();
    let mut removing = false;
    let mut all = false;

    for (k, token) in tokens.iter().enumerate() {
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
                    removals.push(item.product_id);
                }
            }
            Token::All => all = true,
            Token::Separator => {}
        }
    }

    if all {
        share_details(&mut items, &mut pending);
    }
    ParsedOrder { items, loose: pending, removals }
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
    use crate::catalog::fixtures::demo;

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
        parse_expecting(text, Expect::Nothing)
    }

    fn parse_expecting(text: &str, expect: Expect) -> ParsedOrder {
        let catalog = demo();
        let lexicon = Lexicon::new(&catalog);
        parse(&lexicon, &catalog, text, &expect)
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
        let parsed = parse_expecting("大杯", Expect::Size);
        assert!(parsed.items.is_empty());
        assert_eq!(parsed.loose.size.as_deref(), Some("L"));
        assert_eq!(parse_expecting("大", Expect::Size).loose.size.as_deref(), Some("L"));
        assert_eq!(parse_expecting("medium please", Expect::Size).loose.size.as_deref(), Some("M"));
        assert!(parse_expecting("大", Expect::Nothing).loose.is_empty());
        let ice = Expect::Group("ice".into());
        assert_eq!(parse_expecting("less", ice.clone()).loose.option("ice"), Some("less"));
        assert_eq!(parse_expecting("不要", ice.clone()).loose.option("ice"), Some("none"));
        assert_eq!(parse_expecting("regular", ice.clone()).loose.option("ice"), Some("regular"));
        assert_eq!(parse_expecting("半", Expect::Group("sugar".into())).loose.option("sugar"), Some("half"));
        assert_eq!(parse_expecting("regular", Expect::Size).loose.size.as_deref(), Some("M"));
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
