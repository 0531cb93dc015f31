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
//! microseconds. Intents by *meaning* ([`Intents::by_meaning`]) rank the same
//! examples, and more sentences per built-in intent, by sentence embeddings the
//! host computes (this crate holds no model): the host asks for them when the
//! words settled nothing.

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
    /// More sentences callers say for it, used by meaning only (the lexical
    /// classifier's examples stay few and exact).
    sentences: &'static [&'static str],
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
        sentences: &[
            "我不想跟語音系統講話",
            "有沒有人可以幫我處理",
            "麻煩幫我接專人",
            "I need help from a staff member",
            "get me a live agent",
            "can a human help me with this",
            "我要找你們老闆",
            "這個問題我想跟人討論",
            "請幫我轉給客服人員",
            "可以請店員聽一下嗎",
            "let me speak with your manager",
            "can you connect me to customer service",
            "I need a real person to sort this out",
        ],
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
        sentences: &[
            "我想查一下我的訂單",
            "請問我的外送大概幾點會到",
            "我等很久了",
            "I'm waiting for my delivery",
            "can you check on my order",
            "when will my order arrive",
            "我的訂單現在是什麼狀態",
            "飲料做好了沒",
            "外送什麼時候會到",
            "我還在等我的飲料",
            "where's my delivery",
            "is my order on its way",
            "can you tell me when my order will be ready",
        ],
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
        sentences: &[
            "這次的飲料太甜了很失望",
            "冰塊都融化了還那麼貴",
            "你們的服務很差",
            "I'm very disappointed",
            "the boba was stale",
            "this is the worst tea I've had",
            "我要反映一個問題",
            "這杯味道怪怪的",
            "冰塊太多飲料太少",
            "店員態度讓我很不舒服",
            "I want to make a complaint",
            "the tea tasted strange",
            "there was something in my drink",
            "your service was terrible today",
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
        sentences: &[
            "我要退這杯",
            "可以幫我換一杯嗎",
            "你們送錯了",
            "I want to exchange my drink",
            "this isn't what I ordered",
            "I'd like my money back",
            "飲料做錯了可以重做嗎",
            "我要退款",
            "可以換一杯別的嗎",
            "這不是我點的",
            "you got my order wrong",
            "I want a refund",
            "can I swap this drink for another one",
            "my order came incomplete",
        ],
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
        sentences: &[
            "訂單幫我取消",
            "我不要了",
            "cancel my order please",
            "forget the order",
            "剛剛的訂單不要了",
            "麻煩取消我的訂單",
            "先不用了",
            "我不點了",
            "I don't want the drinks anymore",
            "call off my order",
            "never mind the order",
            "scratch that order",
        ],
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
        sentences: &[
            "就這樣謝謝",
            "不用了謝謝",
            "that's it, thanks",
            "nothing more",
            "這樣就好",
            "沒有其他的了謝謝",
            "先這樣",
            "夠了夠了",
            "that's all I need",
            "no, nothing else",
            "we're done",
            "that'll be it",
        ],
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
        sentences: &[
            "可以介紹一下有哪些飲料嗎",
            "推薦什麼",
            "what do you recommend",
            "can you tell me the menu",
            "你們有賣什麼飲料",
            "有什麼好喝的",
            "有果汁嗎",
            "有哪些口味可以選",
            "what drinks do you sell",
            "do you have any fruit teas",
            "what's on the menu",
            "what can I get",
        ],
    },
    Builtin {
        name: "price",
        anchor_score: ANCHOR_SCORE,
        anchors: &["多少錢", "價錢", "價格", "幾塊", "how much", "price", "cost"],
        examples: &["這樣一共多少", "要付多少", "what does it cost", "how much would that be"],
        sentences: &[
            "價錢多少",
            "要多少錢",
            "how much is it",
            "what's the total",
            "這杯多少錢",
            "大杯跟中杯差多少",
            "總共多少",
            "算一下要多少錢",
            "how much does a large cost",
            "what's the price",
            "how much altogether",
            "how much do I have to pay",
        ],
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
        sentences: &[
            "你們幾點開門",
            "營業時間是什麼時候",
            "what are your hours",
            "when do you close",
            "今天開到幾點",
            "明天幾點開",
            "過年有營業嗎",
            "中午有開嗎",
            "what time do you open",
            "are you open on holidays",
            "when do you close tonight",
            "what are your opening hours",
        ],
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
        sentences: &[],
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
        sentences: &[
            "我要點餐",
            "我要訂飲料",
            "I'd like to place an order",
            "I want to order",
            "我要點兩杯",
            "可以幫我下訂單嗎",
            "我想外帶一杯",
            "我要叫外送",
            "I'd like to order some drinks",
            "can I order for delivery",
            "I want to buy a tea",
            "I'll have a milk tea",
        ],
    },
];

/// One intent ready to score: anchors as normalised phrases, examples as weighted features.
struct Scored {
    name: String,
    anchor_score: f32,
    anchors: Vec<String>,
    /// The main readings of its Mandarin anchors of two characters or more, for anchors
    /// the recogniser wrote with other characters of the same sound (客訴 as 克速).
    anchor_sounds: Vec<Vec<Vec<String>>>,
    examples: Vec<HashMap<String, f32>>,
    /// The examples' text, and the built-in intent's sentences for meaning, for embeddings.
    sentences: Vec<String>,
}

/// An intent by meaning is as close to a turn as its this many closest sentences.
const MEANING_NEIGHBOURS: usize = 2;
/// The best intent by meaning must lead the next by this much (centred cosines);
/// a lead of `MEANING_MARGIN + MEANING_SPAN` is as clear as meaning makes it.
/// Chosen on `eval/intents.txt`: a lower margin finds a few more and gets more wrong.
const MEANING_MARGIN: f32 = 0.05;
const MEANING_SPAN: f32 = 0.1;

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
        /// An intent before its examples are weighed.
        struct Raw {
            name: String,
            anchor_score: f32,
            anchors: Vec<String>,
            sentences: Vec<String>,
            examples: Vec<String>,
        }
        let mut raw: Vec<Raw> = BUILTIN
            .iter()
            .map(|b| Raw {
                name: b.name.to_string(),
                anchor_score: b.anchor_score,
                anchors: b.anchors.iter().map(|a| normalize(a)).collect(),
                sentences: b.sentences.iter().map(|e| e.to_string()).collect(),
                examples: b.examples.iter().map(|e| e.to_string()).collect(),
            })
            .collect();
        for intent in extra {
            let name = intent.name.trim().to_string();
            if name.is_empty() {
                continue;
            }
            let examples: Vec<String> = intent.examples.iter().filter(|e| !e.trim().is_empty()).cloned().collect();
            match raw.iter_mut().find(|r| r.name == name) {
                Some(existing) => existing.examples.extend(examples),
                None => raw.push(Raw {
                    name,
                    anchor_score: ANCHOR_SCORE,
                    anchors: Vec::new(),
                    sentences: Vec::new(),
                    examples,
                }),
            }
        }
        let all: Vec<Vec<String>> = raw.iter().flat_map(|r| r.examples.iter().map(|e| features(e))).collect();
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
            .map(|r| Scored {
                name: r.name,
                anchor_score: r.anchor_score,
                anchor_sounds: r
                    .anchors
                    .iter()
                    .filter(|a| a.chars().count() >= 2 && a.chars().all(is_han))
                    .map(|a| main_readings(a))
                    .collect(),
                anchors: r.anchors,
                examples: r.examples.iter().map(|e| weigh(&features(e), &idf)).collect(),
                sentences: r.examples.into_iter().chain(r.sentences).collect(),
            })
            .collect();
        Intents { intents, idf }
    }

    /// Intents the turn matches at or above [`THRESHOLD`], best first.
    pub fn classify(&self, text: &str) -> Vec<IntentMatch> {
        let normalised = normalize(text);
        let heard = main_readings(&normalised);
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
                    .fold(None, |best: Option<f32>, b| Some(best.map_or(b, |x| x.max(b))))
                    // An anchor the recogniser wrote with other characters of its sound
                    // counts as said.
                    .or_else(|| {
                        intent
                            .anchor_sounds
                            .iter()
                            .filter(|word| (0..heard.len()).any(|at| crate::sounds::sounds_like_at(&heard, at, word)))
                            .map(|word| word.len().min(8) as f32 * 0.01)
                            .reduce(f32::max)
                    });
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

impl Intents {
    /// Every intent's sentences, in the order [`Intents::by_meaning`] wants their vectors.
    pub fn sentences(&self) -> Vec<String> {
        self.intents.iter().flat_map(|i| i.sentences.iter().cloned()).collect()
    }

    /// The intent a turn means, from its embedding and the embeddings of
    /// [`Intents::sentences`] (unit vectors, same order).
    ///
    /// Sentence embeddings share a large common direction (any two sentences score a
    /// cosine near 0.8), so every vector is first centred on the mean of the intents'
    /// sentences. Each intent is then as close as its two closest sentences, and the
    /// best intent counts only when it leads the next one by [`MEANING_MARGIN`].
    /// Scores run from [`THRESHOLD`] to 0.75, below any anchor, so a flow can tell
    /// a meaning from a keyword.
    pub fn by_meaning<V: AsRef<[f32]>>(&self, turn: &[f32], sentences: &[V]) -> Option<IntentMatch> {
        let total: usize = self.intents.iter().map(|i| i.sentences.len()).sum();
        if sentences.len() != total || total == 0 {
            return None;
        }
        let mut centre = vec![0f32; turn.len()];
        for v in sentences {
            for (c, x) in centre.iter_mut().zip(v.as_ref()) {
                *c += x / total as f32;
            }
        }
        let centred = |v: &[f32]| {
            let d: Vec<f32> = v.iter().zip(&centre).map(|(a, b)| a - b).collect();
            let norm = d.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
            d.into_iter().map(|x| x / norm).collect::<Vec<f32>>()
        };
        let turn = centred(turn);
        let cosines: Vec<f32> =
            sentences.iter().map(|s| centred(s.as_ref()).iter().zip(&turn).map(|(a, b)| a * b).sum()).collect();
        let mut at = 0;
        let mut best: Vec<(f32, &str)> = Vec::new();
        for intent in &self.intents {
            let mut mine = cosines[at..at + intent.sentences.len()].to_vec();
            at += mine.len();
            mine.sort_by(|a, b| b.total_cmp(a));
            let closest = &mine[..mine.len().min(MEANING_NEIGHBOURS)];
            if !closest.is_empty() {
                best.push((closest.iter().sum::<f32>() / closest.len() as f32, &intent.name));
            }
        }
        best.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (top, name) = *best.first()?;
        let lead = top - best.get(1).map_or(0.0, |b| b.0);
        if lead < MEANING_MARGIN {
            return None;
        }
        let strength = ((lead - MEANING_MARGIN) / MEANING_SPAN).clamp(0.0, 1.0);
        Some(IntentMatch { name: name.to_string(), score: THRESHOLD + 0.25 * strength })
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

/// Each character's main toneless reading (none for anything but Han). An anchor heard
/// by sound compares main readings only: with every reading of a polyphone, 結果 would
/// sound like 價格 (價 is also read *jie*) and a wrong delivery would ask for a price.
fn main_readings(text: &str) -> Vec<Vec<String>> {
    crate::sounds::readings(text)
        .into_iter()
        .map(|mut r| {
            r.truncate(1);
            r
        })
        .collect()
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
        // Whisper's homophones of an anchor: 客訴 written 克速, 轉人工 written 轉仁工.
        assert_eq!(top(&intents, "你們送來的飲料不對，我要克速。"), Some("complaint".into()));
        assert_eq!(top(&intents, "我要轉仁工"), Some("agent".into()));
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
