//! The two languages the shop speaks, and the text plumbing around them:
//! deciding which language the caller is using, normalising what they said
//! so keyword and catalogue matching is simple, and small helpers for
//! writing lists and prices the way each language reads them aloud.

/// A language the flow can hold a conversation in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The tenant's default language from `call-info.language`. Anything that
    /// is not English is treated as Chinese: this is a Taiwanese shop, and
    /// Chinese is the safer guess for a caller we know nothing about.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
    }

    /// The short code used by the catalogue, the FAQ and `knowledge.search`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Choose between the Chinese and the English version of a phrase.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Join items as a list ("A、B和C" / "A, B and C").
    pub fn and_list(self, items: &[String]) -> String {
        self.join(items, self.pick("和", " and "))
    }

    /// Join alternatives ("A、B還是C" / "A, B or C").
    pub fn or_list(self, items: &[String]) -> String {
        self.join(items, self.pick("還是", " or "))
    }

    fn join(self, items: &[String], last: &str) -> String {
        let sep = self.pick("、", ", ");
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., tail] => format!("{}{}{}", init.join(sep), last, tail),
        }
    }

    /// A price as it should be spoken: "120元" / "NT$120".
    pub fn money(self, amount: u32, currency: &str) -> String {
        let twd = currency.is_empty() || currency.eq_ignore_ascii_case("TWD");
        match (self, twd) {
            (Lang::Zh, true) => format!("{amount}元"),
            (Lang::En, true) => format!("NT${amount}"),
            (_, false) => format!("{amount} {currency}"),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_tag() {
        assert_eq!(Lang::from_tag("zh-TW"), Lang::Zh);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::Zh);
    }

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
    fn lists_and_money() {
        let items = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        assert_eq!(Lang::Zh.and_list(&items), "A、B和C");
        assert_eq!(Lang::En.or_list(&items), "A, B or C");
        assert_eq!(Lang::En.or_list(&items[..1]), "A");
        assert_eq!(Lang::Zh.money(120, "TWD"), "120元");
        assert_eq!(Lang::En.money(120, "TWD"), "NT$120");
        assert_eq!(Lang::En.money(5, "USD"), "5 USD");
    }
}
