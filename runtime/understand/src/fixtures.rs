//! The demo tenant's catalogue (mirrors `runtime/src/demo/catalog.json`), for tests
//! of the parsers and of flows that use them.

use crate::model::*;

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
                &["珍奶", "波霸奶茶", "珍珠奶", "boba", "boba tea", "boba milk tea", "bubble tea", "pearl milk tea"],
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
