//! Chinese surnames: what a Mandarin name starts with.
//!
//! A name answer that starts with none of these is more likely a misheard sentence
//! (「我作個請問」) than a name, and the recogniser scores these surnames after 「我姓」
//! when the caller's answer to a name question did not come out as one.
//!
//! The list is the surnames of about 97 % of people in Taiwan (the Ministry of the
//! Interior's 2018 surname statistics, the 100 most common), then the other common ones
//! of the mainland's 2020 census list and the compound surnames still in use. Each is in
//! Traditional characters; recognition also tries the Simplified spelling.

/// Common single-character surnames, most common (in Taiwan) first.
pub const SINGLE: &[&str] = &[
    "陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊", "許", "鄭", "謝", "郭", "洪", "曾", "邱", "廖", "賴",
    "周", "徐", "蘇", "葉", "莊", "呂", "江", "何", "蕭", "羅", "高", "簡", "朱", "鍾", "施", "游", "詹", "沈", "彭",
    "胡", "余", "盧", "潘", "顏", "梁", "趙", "柯", "翁", "魏", "方", "孫", "戴", "范", "宋", "鄧", "杜", "侯", "曹",
    "薛", "傅", "丁", "溫", "紀", "蔣", "歐", "藍", "連", "唐", "馬", "董", "石", "卓", "程", "姚", "康", "馮", "古",
    "姜", "湯", "汪", "白", "田", "涂", "鄒", "巫", "尤", "鐘", "龔", "嚴", "韓", "黎", "阮", "袁", "童", "陸", "金",
    "錢", "邵", "任", "夏", "譚", "熊", "郝", "孔", "崔", "毛", "秦", "史", "顧", "孟", "龍", "萬", "段", "雷", "尹",
    "易", "常", "武", "喬", "賀", "文", "于", "賈", "閻", "樊", "葛", "殷", "向", "俞", "祝", "倪", "牛", "莫", "辛",
    "甘", "章", "凌", "饒", "霍", "柳", "鄔", "關", "包", "左", "耿", "管", "盛", "單", "符", "舒", "池", "樂", "商",
    "查", "車", "滕", "房", "邢", "岳", "齊", "蒲",
];

/// Compound surnames (two characters), some common in Taiwan (張簡, 范姜).
pub const COMPOUND: &[&str] = &[
    "張簡", "范姜", "歐陽", "司馬", "上官", "諸葛", "司徒", "東方", "夏侯", "皇甫", "令狐", "慕容", "端木", "公孫",
    "長孫", "宇文", "尉遲", "軒轅", "呼延", "西門", "南宮", "周黃", "張廖", "陳黃", "江謝", "簡陳",
];

/// How callers say which character their surname is, when it was misheard: its parts
/// (「雙木林」, 「耳東陳」) or a word it is in (「黃色的黃」 is read by [`described`]).
pub const DESCRIBED: &[(&str, &str)] = &[
    ("雙木林", "林"),
    ("耳東陳", "陳"),
    ("木子李", "李"),
    ("弓長張", "張"),
    ("立早章", "章"),
    ("口天吳", "吳"),
    ("言午許", "許"),
    ("古月胡", "胡"),
    ("草頭黃", "黃"),
    ("三橫王", "王"),
    ("文刀劉", "劉"),
    ("禾口呂", "呂"),
    ("雙口呂", "呂"),
    ("人可何", "何"),
    ("木易楊", "楊"),
    ("關耳鄭", "鄭"),
    ("言身寸謝", "謝"),
    ("走肖趙", "趙"),
    ("子小孫", "孫"),
    ("草頭蔡", "蔡"),
    ("三點水的江", "江"),
    ("三點水江", "江"),
    ("耳東", "陳"),
    ("弓長", "張"),
    ("木子", "李"),
    ("雙木", "林"),
    ("口天", "吳"),
    ("古月", "胡"),
    ("立早", "章"),
];

/// The surname a caller described (「雙木林」 → 林, 「黃色的黃」 → 黃), if they did.
pub fn described(text: &str) -> Option<&'static str> {
    if let Some((_, surname)) = DESCRIBED.iter().find(|(said, _)| text.contains(said)) {
        return Some(surname);
    }
    // 「X色的X」, 「X天的X」: a word with the surname in it, then 「的」 and the surname.
    let chars: Vec<char> = text.chars().collect();
    chars.windows(4).find_map(|w| {
        let surname = w[3].to_string();
        (w[2] == '的' && (w[0] == w[3] || w[1] == w[3]))
            .then(|| SINGLE.iter().copied().find(|s| *s == surname))
            .flatten()
    })
}

/// Every surname, compound ones first (so 張簡 is read before 張).
pub fn all() -> impl Iterator<Item = &'static str> {
    COMPOUND.iter().chain(SINGLE.iter()).copied()
}

/// The surname `name` starts with, if it starts with a common one.
pub fn surname_of(name: &str) -> Option<&'static str> {
    all().find(|s| name.starts_with(s))
}

/// Whether `text` is a common surname, on its own.
pub fn is_surname(text: &str) -> bool {
    all().any(|s| s == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compound_surnames_are_read_whole() {
        assert_eq!(surname_of("張簡小華"), Some("張簡"));
        assert_eq!(surname_of("張小華"), Some("張"));
        assert_eq!(surname_of("歐陽修"), Some("歐陽"));
        assert_eq!(surname_of("我作個請問"), None);
        assert!(is_surname("林") && !is_surname("心"));
    }

    #[test]
    fn described_surnames() {
        assert_eq!(described("雙木林"), Some("林"));
        assert_eq!(described("我姓陳，耳東陳"), Some("陳"));
        assert_eq!(described("黃色的黃"), Some("黃"));
        assert_eq!(described("王先生的王"), None, "not a word and its character");
        assert_eq!(described("林森北路的林"), None, "only the two characters before 的 are read");
        assert_eq!(described("大杯的珍奶"), None);
    }

    #[test]
    fn the_list_is_single_characters_then_pairs() {
        assert!(SINGLE.iter().all(|s| s.chars().count() == 1));
        assert!(COMPOUND.iter().all(|s| s.chars().count() == 2));
        let mut seen = std::collections::HashSet::new();
        assert!(all().all(|s| seen.insert(s)), "no surname twice");
    }
}
