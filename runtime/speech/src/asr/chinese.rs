//! Chinese script of transcripts: Whisper writes Mandarin in Simplified characters
//! more often than not; a tenant's callers read and its catalogue is written in its
//! own script. OpenCC's phrase-level conversion (`ferrous-opencc`, Apache-2.0, with
//! OpenCC's dictionaries built in) turns the text into the tenant's locale:
//! Traditional as in Taiwan (zh-TW, the default) or Hong Kong (zh-HK), or Simplified
//! (zh-CN).

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

/// The script a tenant's Chinese is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Script {
    /// Traditional, Taiwan's standard (zh-TW, zh-Hant, plain zh).
    #[default]
    Taiwan,
    /// Traditional, Hong Kong's standard (zh-HK, zh-MO).
    HongKong,
    /// Simplified (zh-CN, zh-SG, zh-Hans).
    Simplified,
}

impl Script {
    /// The script of a language tag; anything not named Simplified or Hong Kong is Taiwan's.
    pub fn for_locale(tag: &str) -> Script {
        let tag = tag.to_ascii_lowercase();
        let parts: Vec<&str> = tag.split(['-', '_']).collect();
        if parts.iter().any(|p| matches!(*p, "cn" | "sg" | "hans")) {
            Script::Simplified
        } else if parts.iter().any(|p| matches!(*p, "hk" | "mo")) {
            Script::HongKong
        } else {
            Script::Taiwan
        }
    }
}

/// A converter, built once (its dictionaries are in the binary); `None` if it cannot be.
fn converter(config: BuiltinConfig, cell: &'static OnceLock<Option<OpenCC>>) -> Option<&'static OpenCC> {
    cell.get_or_init(|| match OpenCC::from_config(config) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::error!(error = %e, "Chinese script conversion unavailable");
            None
        }
    })
    .as_ref()
}

/// `text` in `script`.
pub fn convert(text: &str, script: Script) -> String {
    static TW: OnceLock<Option<OpenCC>> = OnceLock::new();
    static HK: OnceLock<Option<OpenCC>> = OnceLock::new();
    static CN: OnceLock<Option<OpenCC>> = OnceLock::new();
    let c = match script {
        Script::Taiwan => converter(BuiltinConfig::S2tw, &TW),
        Script::HongKong => converter(BuiltinConfig::S2hk, &HK),
        Script::Simplified => converter(BuiltinConfig::T2s, &CN),
    };
    c.map_or_else(|| text.to_string(), |c| c.convert(text))
}

/// Simplified spelling (for scoring expected answers, which Whisper is likelier to
/// write in Simplified).
pub fn to_simplified(text: &str) -> String {
    convert(text, Script::Simplified)
}

/// Whether a character is a Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcripts_take_the_tenants_script() {
        let said = "我要两杯大杯珍珠奶茶，半糖少冰，还有一杯绿茶，头发";
        assert_eq!(convert(said, Script::Taiwan), "我要兩杯大杯珍珠奶茶，半糖少冰，還有一杯綠茶，頭髮");
        assert_eq!(convert("乌龙茶无糖去冰", Script::Taiwan), "烏龍茶無糖去冰");
        assert_eq!(convert("烏龍茶無糖去冰", Script::Simplified), "乌龙茶无糖去冰");
        assert_eq!(convert("烏龍茶無糖去冰", Script::Taiwan), "烏龍茶無糖去冰", "Traditional stays");
        assert_eq!(to_simplified("對"), "对");
    }

    #[test]
    fn locales_name_their_script() {
        assert_eq!(Script::for_locale("zh-TW"), Script::Taiwan);
        assert_eq!(Script::for_locale("zh"), Script::Taiwan);
        assert_eq!(Script::for_locale("zh-HK"), Script::HongKong);
        assert_eq!(Script::for_locale("zh-Hans-CN"), Script::Simplified);
        assert_eq!(Script::for_locale("zh_CN"), Script::Simplified);
    }
}
