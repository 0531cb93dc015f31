//! The two languages the shop speaks: lists and prices the way each reads them
//! aloud. Which language a caller uses is the host's to tell (`understand`).

pub use switchboard_understand::Lang;
pub use switchboard_understand::text::detect;

/// Lists and prices the way each language reads them aloud.
pub trait Phrasing {
    /// Join items as a list ("A、B和C" / "A, B and C").
    fn and_list(self, items: &[String]) -> String;
    /// Join alternatives ("A、B還是C" / "A, B or C").
    fn or_list(self, items: &[String]) -> String;
    /// A price as it should be spoken: "120元" / "NT$120".
    fn money(self, amount: u32, currency: &str) -> String;
}

impl Phrasing for Lang {
    fn and_list(self, items: &[String]) -> String {
        join(self, items, self.pick("和", " and "))
    }

    fn or_list(self, items: &[String]) -> String {
        join(self, items, self.pick("還是", " or "))
    }

    fn money(self, amount: u32, currency: &str) -> String {
        let twd = currency.is_empty() || currency.eq_ignore_ascii_case("TWD");
        match (self, twd) {
            (Lang::Zh, true) => format!("{amount}元"),
            (Lang::En, true) => format!("NT${amount}"),
            (_, false) => format!("{amount} {currency}"),
        }
    }
}

fn join(lang: Lang, items: &[String], last: &str) -> String {
    let sep = lang.pick("、", ", ");
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{}{}{}", init.join(sep), last, tail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
