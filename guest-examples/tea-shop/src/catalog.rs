//! The tenant's catalogue as the flow sees it.
//!
//! These are plain Rust mirrors of the WIT `catalog` records, so that the
//! parser and the dialog can be unit tested natively without the host. The
//! glue in `lib.rs` converts the host's records into these once per call.

use crate::language::Lang;

/// A name in one language (`lang` is `zh`, `en`, ...).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Localized {
    pub lang: String,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Size {
    pub id: String,
    pub names: Vec<Localized>,
    pub price: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Choice {
    pub id: String,
    pub names: Vec<Localized>,
    pub aliases: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptionGroup {
    pub id: String,
    pub names: Vec<Localized>,
    pub choices: Vec<Choice>,
    pub default_choice: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Product {
    pub id: String,
    pub names: Vec<Localized>,
    pub aliases: Vec<String>,
    pub sizes: Vec<Size>,
    pub option_groups: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    pub currency: String,
    pub products: Vec<Product>,
    pub option_groups: Vec<OptionGroup>,
}

impl Catalog {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&OptionGroup> {
        self.option_groups.iter().find(|g| g.id == id)
    }

    /// The option groups of a product that actually exist in the catalogue,
    /// in the order the product lists them (which is the order we ask in).
    pub fn groups_of<'a>(&'a self, product: &'a Product) -> impl Iterator<Item = &'a OptionGroup> + 'a {
        product.option_groups.iter().filter_map(|g| self.group(g))
    }
}

impl Product {
    pub fn size(&self, id: &str) -> Option<&Size> {
        self.sizes.iter().find(|s| s.id == id)
    }
}

impl OptionGroup {
    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.id == id)
    }
}

/// The name to speak in `lang`; falls back to any name, then to `id`, because a
/// tenant may not have translated everything.
pub fn name_in<'a>(names: &'a [Localized], lang: Lang, id: &'a str) -> &'a str {
    names
        .iter()
        .find(|n| n.lang.to_ascii_lowercase().starts_with(lang.code()))
        .or_else(|| names.first())
        .map(|n| n.text.as_str())
        .unwrap_or(id)
}

/// The demo tenant's catalogue (mirrors `runtime/src/demo/catalog.json`), for tests only.
#[cfg(test)]
pub mod fixtures {
    use super::*;

    fn names(zh: &str, en: &str) -> Vec<Localized> {
        vec![Localized { lang: "zh".into(), text: zh.into() }, Localized { lang: "en".into(), text: en.into() }]
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn product(id: &str, zh: &str, en: &str, aliases: &[&str], m: u32, l: u32, groups: &[&str]) -> Product {
        Product {
            id: id.into(),
            names: names(zh, en),
            aliases: strings(aliases),
            sizes: vec![
                Size { id: "M".into(), names: names("中杯", "medium"), price: m },
                Size { id: "L".into(), names: names("大杯", "large"), price: l },
            ],
            option_groups: strings(groups),
        }
    }

    fn choice(id: &str, zh: &str, en: &str, aliases: &[&str]) -> Choice {
        Choice { id: id.into(), names: names(zh, en), aliases: strings(aliases) }
    }

    pub fn demo() -> Catalog {
        Catalog {
            currency: "TWD".into(),
            products: vec![
                product(
                    "bubble-milk-tea",
                    "珍珠奶茶",
                    "bubble milk tea",
                    &[
                        "珍奶",
                        "波霸奶茶",
                        "珍珠奶",
                        "boba",
                        "boba tea",
                        "boba milk tea",
                        "bubble tea",
                        "pearl milk tea",
                    ],
                    50,
                    60,
                    &["sugar", "ice"],
                ),
                product("black-tea", "紅茶", "black tea", &["紅茶", "black teas"], 30, 35, &["sugar", "ice"]),
                product(
                    "green-tea",
                    "綠茶",
                    "green tea",
                    &["綠茶", "绿茶", "green teas", "jasmine green tea"],
                    30,
                    35,
                    &["sugar", "ice"],
                ),
                product(
                    "oolong-tea",
                    "烏龍茶",
                    "oolong tea",
                    &["烏龍", "乌龙茶", "oolong", "oolong teas"],
                    35,
                    40,
                    &["sugar", "ice"],
                ),
                product(
                    "mango-smoothie",
                    "芒果冰沙",
                    "mango smoothie",
                    &["芒果", "芒果冰", "mango", "mango smoothies", "mango slush"],
                    70,
                    80,
                    &["sugar"],
                ),
            ],
            option_groups: vec![
                OptionGroup {
                    id: "sugar".into(),
                    names: names("甜度", "sugar"),
                    default_choice: None,
                    choices: vec![
                        choice(
                            "full",
                            "全糖",
                            "full sugar",
                            &["正常糖", "正常甜", "100%", "full", "regular sugar", "normal sugar"],
                        ),
                        choice("half", "半糖", "half sugar", &["五分糖", "50%", "half", "half sweet"]),
                        choice(
                            "light",
                            "微糖",
                            "light sugar",
                            &["三分糖", "少糖", "30%", "light", "less sugar", "a little sugar"],
                        ),
                        choice(
                            "none",
                            "無糖",
                            "no sugar",
                            &["无糖", "不要糖", "0%", "sugar free", "unsweetened", "zero sugar"],
                        ),
                    ],
                },
                OptionGroup {
                    id: "ice".into(),
                    names: names("冰塊", "ice"),
                    default_choice: None,
                    choices: vec![
                        choice("regular", "正常冰", "regular ice", &["正常", "多冰", "normal ice", "full ice"]),
                        choice("less", "少冰", "less ice", &["微冰", "little ice", "light ice"]),
                        choice("none", "去冰", "no ice", &["不要冰", "無冰", "去冰塊", "without ice", "ice free"]),
                    ],
                },
            ],
        }
    }
}
