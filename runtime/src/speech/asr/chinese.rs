//! Simplified to Traditional Chinese for zh-TW tenants. Whisper often writes
//! Mandarin in Simplified characters; callers in Taiwan read Traditional.
//!
//! A character table covering the vocabulary callers use with a shop (numbers,
//! drinks, sizes, sugar and ice, ordering, delivery, payment, time). Characters
//! not in it pass through unchanged. Characters whose Traditional form depends
//! on the word (台/臺, 里/裡, 面/麵, 准/準) are left alone: a phrase-aware
//! converter (OpenCC's tables) would do better and is the next step.

const PAIRS: &[(char, char)] = &[
    ('两', '兩'),
    ('个', '個'),
    ('们', '們'),
    ('这', '這'),
    ('么', '麼'),
    ('吗', '嗎'),
    ('说', '說'),
    ('请', '請'),
    ('问', '問'),
    ('谢', '謝'),
    ('还', '還'),
    ('没', '沒'),
    ('对', '對'),
    ('错', '錯'),
    ('听', '聽'),
    ('点', '點'),
    ('钟', '鐘'),
    ('时', '時'),
    ('间', '間'),
    ('开', '開'),
    ('关', '關'),
    ('门', '門'),
    ('营', '營'),
    ('业', '業'),
    ('几', '幾'),
    ('号', '號'),
    ('码', '碼'),
    ('电', '電'),
    ('话', '話'),
    ('单', '單'),
    ('订', '訂'),
    ('买', '買'),
    ('卖', '賣'),
    ('钱', '錢'),
    ('块', '塊'),
    ('价', '價'),
    ('总', '總'),
    ('计', '計'),
    ('绿', '綠'),
    ('红', '紅'),
    ('乌', '烏'),
    ('龙', '龍'),
    ('无', '無'),
    ('热', '熱'),
    ('温', '溫'),
    ('给', '給'),
    ('带', '帶'),
    ('区', '區'),
    ('楼', '樓'),
    ('层', '層'),
    ('湾', '灣'),
    ('义', '義'),
    ('东', '東'),
    ('车', '車'),
    ('转', '轉'),
    ('员', '員'),
    ('专', '專'),
    ('务', '務'),
    ('账', '帳'),
    ('现', '現'),
    ('费', '費'),
    ('陈', '陳'),
    ('张', '張'),
    ('刘', '劉'),
    ('黄', '黃'),
    ('吴', '吳'),
    ('郑', '鄭'),
    ('杨', '楊'),
    ('赵', '趙'),
    ('孙', '孫'),
    ('冯', '馮'),
    ('从', '從'),
    ('后', '後'),
    ('来', '來'),
    ('过', '過'),
    ('进', '進'),
    ('动', '動'),
    ('应', '應'),
    ('该', '該'),
    ('为', '為'),
    ('样', '樣'),
    ('种', '種'),
    ('气', '氣'),
    ('饮', '飲'),
    ('满', '滿'),
    ('换', '換'),
    ('变', '變'),
    ('确', '確'),
    ('认', '認'),
    ('实', '實'),
    ('决', '決'),
    ('会', '會'),
    ('处', '處'),
    ('状', '狀'),
    ('态', '態'),
    ('询', '詢'),
    ('经', '經'),
    ('够', '夠'),
    ('双', '雙'),
    ('万', '萬'),
    ('亿', '億'),
    ('边', '邊'),
    ('离', '離'),
    ('远', '遠'),
    ('范', '範'),
    ('围', '圍'),
    ('当', '當'),
    ('帮', '幫'),
    ('让', '讓'),
    ('别', '別'),
    ('觉', '覺'),
    ('发', '發'),
    ('头', '頭'),
    ('体', '體'),
    ('机', '機'),
    ('线', '線'),
    ('网', '網'),
    ('乐', '樂'),
    ('欢', '歡'),
    ('顾', '顧'),
    ('饿', '餓'),
    ('饭', '飯'),
    ('汤', '湯'),
    ('鸡', '雞'),
    ('鱼', '魚'),
    ('烧', '燒'),
    ('简', '簡'),
    ('标', '標'),
    ('调', '調'),
    ('节', '節'),
    ('长', '長'),
];

/// Traditional form of each character the table knows.
pub fn to_traditional(text: &str) -> String {
    text.chars().map(|c| PAIRS.iter().find(|(s, _)| *s == c).map_or(c, |(_, t)| *t)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_words_become_traditional() {
        assert_eq!(
            super::to_traditional("我要两杯大杯珍珠奶茶，半糖少冰，还有一杯绿茶"),
            "我要兩杯大杯珍珠奶茶，半糖少冰，還有一杯綠茶"
        );
        assert_eq!(super::to_traditional("乌龙茶无糖去冰"), "烏龍茶無糖去冰");
    }
}

/// Traditional to Simplified with the same table (for scoring expected answers, which
/// Whisper is likelier to write in Simplified).
pub fn to_simplified(text: &str) -> String {
    text.chars().map(|c| PAIRS.iter().find(|(_, t)| *t == c).map_or(c, |(s, _)| *s)).collect()
}

/// Whether a character is a Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}
