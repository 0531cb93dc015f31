//! Intents by example: what the caller wants done, in either language.
//!
//! Every intent has *anchors* (phrases that settle it: 「轉人工」, "refund")
//! and *examples* (whole sentences callers say). A turn scores 0.9 on an intent
//! whose anchor it contains; otherwise its similarity to the closest example:
//! a cosine over Chinese character bigrams and English words, weighted by how
//! rare each feature is among all examples (so 「我要」 and "I want" count for
//! little). Tenants and flows add intents of their own with a few examples.
//!
//! This is the lexical classifier. It needs no model and answers in
//! microseconds; an embedding model can rank on top of it later.

use std::collections::HashMap;

use crate::model::{IntentExamples, IntentMatch};
use crate::text::{contains_phrase, is_han, normalize};

/// Below this a similarity is more often wrong than right (measured on `eval/understanding.jsonl`).
pub const THRESHOLD: f32 = 0.5;
const ANCHOR_SCORE: f32 = 0.9;

/// An intent the host knows without being told.
struct Builtin {
    name: &'static str,
    /// The score an anchor gives: lower for broad intents, so a specific one wins.
    anchor_score: f32,
    anchors: &'static [&'static str],
    examples: &'static [&'static str],
}

const BUILTIN: &[Builtin] = &[
    Builtin {
        name: "agent",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "轉人工",
            "人工",
            "真人",
            "客服",
            "專員",
            "接線生",
            "服務人員",
            "店員",
            "找人",
            "找你們老闆",
            "agent",
            "human",
            "operator",
            "representative",
            "real person",
            "a person",
            "someone",
            "somebody",
            "staff",
            "manager",
        ],
        examples: &["我要找真人", "幫我轉給專人", "can I talk to a real person", "let me speak to someone"],
    },
    Builtin {
        name: "order-status",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "訂單到哪",
            "訂單在哪",
            "查訂單",
            "查詢訂單",
            "查一下訂單",
            "訂單狀態",
            "訂單進度",
            "訂單好了",
            "好了沒",
            "做好了嗎",
            "送到哪",
            "還沒到",
            "還沒送到",
            "什麼時候到",
            "where is my order",
            "where's my order",
            "order status",
            "status of my order",
            "check my order",
            "track my order",
            "my last order",
            "is my order ready",
            "when will it arrive",
            "hasn't arrived",
            "has not arrived",
            "still waiting",
        ],
        examples: &["我的飲料做好了嗎", "我剛剛訂的到哪了", "is my drink ready yet", "how long until my order comes"],
    },
    Builtin {
        name: "complaint",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "客訴",
            "投訴",
            "抱怨",
            "申訴",
            "很難喝",
            "不好喝",
            "難喝",
            "變質",
            "壞掉",
            "有頭髮",
            "有蟲",
            "態度很差",
            "態度不好",
            "太扯",
            "很生氣",
            "不滿意",
            "complain",
            "complaint",
            "terrible",
            "disgusting",
            "awful",
            "rude",
            "unacceptable",
            "not happy",
            "unhappy",
            "tasted bad",
            "tastes bad",
            "was bad",
            "went bad",
            "spoiled",
        ],
        examples: &[
            "你們的飲料有問題",
            "上次買的味道很奇怪",
            "I am not satisfied with my drink",
            "the service was really bad",
        ],
    },
    Builtin {
        name: "return",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "退貨",
            "退款",
            "退錢",
            "換貨",
            "換一杯",
            "重做",
            "送錯",
            "做錯",
            "少送",
            "漏送",
            "少了一杯",
            "refund",
            "return",
            "exchange",
            "replace",
            "replacement",
            "money back",
            "wrong drink",
            "wrong order",
            "wrong delivery",
            "missing",
            "remake",
            "sent the wrong",
            "gave me the wrong",
        ],
        examples: &["你們給錯飲料了", "我要換成別的", "you delivered the wrong thing", "I want my money back"],
    },
    Builtin {
        name: "cancel",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
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
        ],
        examples: &["我不想訂了", "先不要好了", "I don't want it anymore", "scrap the order"],
    },
    Builtin {
        name: "done",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "沒有了",
            "沒事",
            "就這樣",
            "這樣就好",
            "謝謝",
            "再見",
            "掰掰",
            "拜拜",
            "bye",
            "goodbye",
            "no thanks",
            "no thank you",
            "that's all",
            "that is all",
            "that's it",
            "nothing else",
            "thanks",
        ],
        examples: &["這樣就可以了", "好了就這些", "I'm good", "that will be everything"],
    },
    Builtin {
        name: "menu",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "菜單",
            "有什麼飲料",
            "有什麼喝的",
            "有哪些",
            "賣什麼",
            "推薦",
            "menu",
            "what do you have",
            "what drinks",
            "what do you sell",
            "recommend",
        ],
        examples: &["你們有賣什麼", "有什麼好喝的", "what can I order", "what kinds of drinks are there"],
    },
    Builtin {
        name: "price",
        anchor_score: ANCHOR_SCORE,
        anchors: &["多少錢", "價錢", "價格", "幾塊", "how much", "price", "cost"],
        examples: &["這樣一共多少", "要付多少", "what does it cost", "how much would that be"],
    },
    Builtin {
        name: "hours",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "幾點",
            "營業時間",
            "開門",
            "關門",
            "打烊",
            "有開嗎",
            "hours",
            "open",
            "close",
            "closing",
            "opening",
        ],
        examples: &["你們開到幾點", "今天有營業嗎", "what time do you close", "are you open today"],
    },
    Builtin {
        name: "question",
        anchor_score: 0.6,
        anchors: &[
            "?",
            "？",
            "嗎",
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
            "can i pay",
            "can you",
            "could",
            "is there",
            "are you",
            "pay",
            "payment",
            "minimum",
            "credit card",
            "cash",
        ],
        examples: &["外送範圍到哪裡", "可以用悠遊卡嗎", "do you deliver to my area", "is there parking nearby"],
    },
    Builtin {
        name: "order",
        anchor_score: ANCHOR_SCORE,
        anchors: &[
            "點餐",
            "訂飲料",
            "我要點",
            "我想點",
            "我要訂",
            "外帶一杯",
            "place an order",
            "order some",
            "like to order",
        ],
        examples: &["我要點飲料", "我想訂東西", "I'd like to order some drinks", "can I order now"],
    },
];

/// One intent ready to score: anchors as normalised phrases, examples as weighted features.
struct Scored {
    name: String,
    anchor_score: f32,
    anchors: Vec<String>,
    examples: Vec<HashMap<String, f32>>,
}

/// The intents of a tenant's calls: the built-in ones and any declared by example.
pub struct Intents {
    intents: Vec<Scored>,
    /// Inverse document frequency of each feature over all examples.
    idf: HashMap<String, f32>,
}

impl Default for Intents {
    fn default() -> Intents {
        Intents::new(&[])
    }
}

impl Intents {
    /// The built-in intents plus `extra` (an extra intent with a built-in name adds examples to it).
    pub fn new(extra: &[IntentExamples]) -> Intents {
        let mut raw: Vec<(String, f32, Vec<String>, Vec<String>)> = BUILTIN
            .iter()
            .map(|b| {
                let anchors = b.anchors.iter().map(|a| normalize(a)).collect();
                let examples = b.examples.iter().map(|e| e.to_string()).collect();
                (b.name.to_string(), b.anchor_score, anchors, examples)
            })
            .collect();
        for intent in extra {
            let name = intent.name.trim().to_string();
            if name.is_empty() {
                continue;
            }
            let examples: Vec<String> = intent.examples.iter().filter(|e| !e.trim().is_empty()).cloned().collect();
            match raw.iter_mut().find(|(n, ..)| *n == name) {
                Some((.., existing)) => existing.extend(examples),
                None => raw.push((name, ANCHOR_SCORE, Vec::new(), examples)),
            }
        }
        let all: Vec<Vec<String>> = raw.iter().flat_map(|(.., ex)| ex.iter().map(|e| features(e))).collect();
        let mut df: HashMap<String, f32> = HashMap::new();
        for doc in &all {
            let mut seen: Vec<&String> = doc.iter().collect();
            seen.dedup();
            for f in seen {
                *df.entry(f.clone()).or_default() += 1.0;
            }
        }
        let n = all.len().max(1) as f32;
        let idf: HashMap<String, f32> = df.into_iter().map(|(f, d)| (f, (1.0 + n / d).ln())).collect();
        let intents = raw
            .into_iter()
            .map(|(name, anchor_score, anchors, examples)| Scored {
                name,
                anchor_score,
                anchors,
                examples: examples.iter().map(|e| weigh(&features(e), &idf)).collect(),
            })
            .collect();
        Intents { intents, idf }
    }

    /// Intents the turn matches at or above [`THRESHOLD`], best first.
    pub fn classify(&self, text: &str) -> Vec<IntentMatch> {
        let normalised = normalize(text);
        let query = weigh(&features(text), &self.idf);
        let mut found: Vec<IntentMatch> = self
            .intents
            .iter()
            .filter_map(|intent| {
                // The longest anchor found: 「態度很差」 (a complaint) outranks 「店員」 (an agent).
                let anchored = intent
                    .anchors
                    .iter()
                    .filter(|a| contains_phrase(&normalised, a))
                    .map(|a| a.chars().count().min(8) as f32 * 0.01)
                    .fold(None, |best: Option<f32>, b| Some(best.map_or(b, |x| x.max(b))));
                let similar = intent.examples.iter().map(|e| cosine(&query, e)).fold(0.0f32, f32::max);
                let score = match anchored {
                    Some(bonus) => (intent.anchor_score + bonus).max(similar),
                    None => similar,
                };
                (score >= THRESHOLD).then(|| IntentMatch { name: intent.name.clone(), score })
            })
            .collect();
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        found
    }
}

/// Chinese character bigrams (and single characters) and English words (a plural "s" dropped).
fn features(text: &str) -> Vec<String> {
    let text = normalize(text);
    let mut out = Vec::new();
    let mut han_run: Vec<char> = Vec::new();
    // Bigrams carry the meaning of Chinese text; a lone character only when it is all there is.
    let flush = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            out.push(run[0].to_string());
        }
        for pair in run.windows(2) {
            out.push(pair.iter().collect());
        }
        run.clear();
    };
    let mut word = String::new();
    for c in text.chars() {
        if is_han(c) {
            han_run.push(c);
        } else {
            flush(&mut han_run, &mut out);
        }
        if c.is_ascii_alphanumeric() || c == '\'' {
            word.push(c);
        } else if !word.is_empty() {
            out.push(stem(&std::mem::take(&mut word)));
        }
    }
    flush(&mut han_run, &mut out);
    if !word.is_empty() {
        out.push(stem(&word));
    }
    out.retain(|f| !STOPWORDS.contains(&f.as_str()));
    out.sort();
    out
}

/// English words too common to tell intents apart (anchors still see them).
const STOPWORDS: &[&str] = &[
    "i", "i'm", "i'd", "i'll", "me", "my", "you", "your", "it", "it's", "is", "am", "are", "was", "the", "a", "an",
    "to", "of", "for", "and", "or", "in", "on", "at", "this", "that", "please", "be", "will", "can", "do", "just",
    "so", "we", "us", "our", "with",
];

fn stem(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() >= 3) {
        return format!("{stem}y");
    }
    match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem.to_string(),
        _ => word.to_string(),
    }
}

fn weigh(features: &[String], idf: &HashMap<String, f32>) -> HashMap<String, f32> {
    let mut weights: HashMap<String, f32> = HashMap::new();
    for f in features {
        // A feature no example has says nothing about any intent.
        if let Some(w) = idf.get(f) {
            *weights.entry(f.clone()).or_default() += w;
        }
    }
    weights
}

/// Cosine similarity, discounted when only one feature is shared: one word in common
/// ("how") is too little to tell an intent.
fn cosine(a: &HashMap<String, f32>, b: &HashMap<String, f32>) -> f32 {
    let shared = a.keys().filter(|f| b.contains_key(*f)).count();
    let dot: f32 = a.iter().filter_map(|(f, w)| b.get(f).map(|v| w * v)).sum();
    let norm = |m: &HashMap<String, f32>| m.values().map(|w| w * w).sum::<f32>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na * nb) * (shared as f32 / 2.0).min(1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(intents: &Intents, text: &str) -> Option<String> {
        intents.classify(text).first().map(|m| m.name.clone())
    }

    #[test]
    fn anchors_settle_an_intent() {
        let intents = Intents::default();
        assert_eq!(top(&intents, "轉人工"), Some("agent".into()));
        assert_eq!(top(&intents, "我昨天買的珍奶…我要客訴"), Some("complaint".into()));
        assert_eq!(top(&intents, "I want a refund for a wrong delivery"), Some("return".into()));
        assert_eq!(top(&intents, "Where is my order?"), Some("order-status".into()));
    }

    #[test]
    fn examples_generalise() {
        let intents = Intents::default();
        assert_eq!(top(&intents, "我的飲料好了嗎"), Some("order-status".into()));
        assert!(intents.classify("兩杯大杯珍珠奶茶").iter().all(|m| m.name != "agent"));
    }

    #[test]
    fn declared_intents_join_the_builtin_ones() {
        let extra = vec![IntentExamples {
            name: "catering".into(),
            examples: vec!["我們公司要訂五十杯".into(), "do you cater for parties".into(), "團購有優惠嗎".into()],
        }];
        let intents = Intents::new(&extra);
        assert_eq!(top(&intents, "do you cater for a party of fifty"), Some("catering".into()));
        assert!(intents.classify("請問團購有優惠嗎").iter().any(|m| m.name == "catering"));
    }
}
