//! What callers said that the bot did not understand, grouped by meaning, and the FAQ entry
//! each group suggests: the question (the group's most central phrasing), its keywords (the
//! words most of the phrasings share) and every phrasing, for the tenant to answer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use switchboard_domain::calls::UnheardTurn;

use crate::Knowledge;

/// Two turns mean the same when their sentence vectors are at least this close (e5-small
/// gives any two sentences a cosine near 0.8; the unit test below checks the grouping this
/// threshold makes of nine questions in two languages).
const SAME_MEANING: f32 = 0.87;
/// Without the model: the share of character pairs (Chinese) or words (English) two turns share.
const SAME_WORDS: f32 = 0.3;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub question: String,
    pub keywords: Vec<String>,
    /// `zh` or `en`.
    pub language: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Cluster {
    /// What callers said, most central first, each once.
    pub phrasings: Vec<String>,
    /// How many turns the group holds (a phrasing said twice counts twice).
    pub turns: usize,
    /// Of them, the callers' last words before a transfer.
    pub led_to_transfer: usize,
    /// The calls they come from (newest first, at most 10).
    pub call_ids: Vec<String>,
    pub suggestion: Suggestion,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

const EN_STOP: &[&str] = &[
    "a", "an", "the", "is", "are", "do", "does", "you", "your", "i", "me", "my", "can", "to", "of", "for", "in", "on",
    "it", "have", "has", "what", "how", "when", "where", "there", "any", "please", "hi", "hello", "and", "or", "with",
    "we", "us", "be", "at", "this", "that", "will", "would", "could", "about", "by", "if", "so", "get", "there",
];
/// Characters that carry no topic: a pair holding one is no keyword (「們有」, 「位嗎」).
const ZH_FUNCTION: &str =
    "的了嗎呢吧啊呀喔哦們我你您他她它是有沒在要請問想可以能會就都也還和跟或這那哪什麼嗎怎樣一下去來到用給個";

/// The words a phrasing is matched by: English words without the common ones, Chinese
/// character pairs without the politeness around a question.
fn terms(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(2) {
        if is_cjk(w[0]) && is_cjk(w[1]) {
            if !ZH_FUNCTION.contains(w[0]) && !ZH_FUNCTION.contains(w[1]) {
                out.insert(w.iter().collect());
            }
        }
    }
    for w in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() >= 2) {
        let w = w.to_lowercase();
        if !EN_STOP.contains(&w.as_str()) {
            out.insert(w);
        }
    }
    out
}

fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f32 {
    let union = a.union(b).count();
    if union == 0 { 0.0 } else { a.intersection(b).count() as f32 / union as f32 }
}

/// Group `turns` (newest first) by meaning, largest groups first; `true` when the sentence
/// model grouped them, `false` when words did (no model, or it failed). Blocking: the model
/// embeds the turns it has not seen (about 30 ms each; cached after).
pub fn cluster(knowledge: &Knowledge, turns: &[UnheardTurn]) -> (Vec<Cluster>, bool) {
    let texts: Vec<String> = turns.iter().map(|t| t.text.trim().to_string()).collect();
    let words: Vec<BTreeSet<String>> = texts.iter().map(|t| terms(t)).collect();
    let vectors = if knowledge.has_model() && !texts.is_empty() { knowledge.embed_turns(&texts) } else { None };
    let by_meaning = vectors.is_some();
    let similar = |i: usize, j: usize| -> f32 {
        match &vectors {
            Some(v) => switchboard_embed::cosine(&v[i], &v[j]),
            None => overlap(&words[i], &words[j]),
        }
    };
    let threshold = if by_meaning { SAME_MEANING } else { SAME_WORDS };
    // Greedy, in order: a turn joins the group it is closest to on average, if close enough.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..texts.len() {
        let best = groups
            .iter()
            .enumerate()
            .map(|(g, members)| (g, members.iter().map(|&j| similar(i, j)).sum::<f32>() / members.len() as f32))
            .filter(|(_, s)| *s >= threshold)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((g, _)) => groups[g].push(i),
            None => groups.push(vec![i]),
        }
    }
    let mut clusters: Vec<Cluster> = groups
        .into_iter()
        .map(|members| {
            // The most central phrasing: the closest on average to the others.
            let centrality = |i: usize| members.iter().filter(|&&j| j != i).map(|&j| similar(i, j)).sum::<f32>();
            let mut ranked = members.clone();
            ranked.sort_by(|&a, &b| centrality(b).total_cmp(&centrality(a)));
            let mut phrasings: Vec<String> = Vec::new();
            for &i in &ranked {
                if !phrasings.contains(&texts[i]) {
                    phrasings.push(texts[i].clone());
                }
            }
            let question = phrasings[0].clone();
            // Keywords: the terms most phrasings share, the question's own first.
            let mut counts: BTreeMap<&String, usize> = BTreeMap::new();
            for &i in &members {
                for t in &words[i] {
                    *counts.entry(t).or_default() += 1;
                }
            }
            // Keywords in the question's language first, then by how many phrasings share them.
            let zh = question.chars().any(is_cjk);
            let mut keywords: Vec<(&String, usize)> = counts.into_iter().collect();
            keywords.sort_by_key(|(t, n)| {
                (t.chars().any(is_cjk) != zh, std::cmp::Reverse(*n), std::cmp::Reverse(t.chars().count()))
            });
            let keywords: Vec<String> = keywords.into_iter().take(4).map(|(t, _)| t.clone()).collect();
            let mut call_ids: Vec<String> = Vec::new();
            for &i in &members {
                if !call_ids.contains(&turns[i].call_id) && call_ids.len() < 10 {
                    call_ids.push(turns[i].call_id.clone());
                }
            }
            let language = if zh { "zh" } else { "en" }.to_string();
            Cluster {
                turns: members.len(),
                led_to_transfer: members.iter().filter(|&&i| turns[i].led_to_transfer).count(),
                phrasings,
                call_ids,
                suggestion: Suggestion { question, keywords, language },
            }
        })
        .collect();
    clusters.sort_by(|a, b| b.turns.cmp(&a.turns));
    (clusters, by_meaning)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(text: &str) -> UnheardTurn {
        UnheardTurn { call_id: format!("call_{}", text.len()), at_ms: 0, text: text.into(), led_to_transfer: false }
    }

    const SAID: &[&str] = &[
        "你們有停車位嗎",
        "請問附近可以停車嗎",
        "開車去要停哪裡",
        "可以用信用卡付款嗎",
        "能刷卡嗎",
        "Do you have parking?",
        "Where can I park my car?",
        "Can I pay by credit card?",
        "有沒有素食的飲料",
    ];

    #[test]
    fn the_same_question_in_other_words_is_one_group() {
        let knowledge = Knowledge::load(switchboard_speech::models::model_file("e5-small", "e5-small-q4.bin"));
        let turns: Vec<UnheardTurn> = SAID.iter().map(|t| turn(t)).collect();
        let (clusters, by_meaning) = cluster(&knowledge, &turns);
        for c in &clusters {
            eprintln!("{} {:?} keywords {:?}", c.turns, c.phrasings, c.suggestion.keywords);
        }
        let group_of = |text: &str| clusters.iter().position(|c| c.phrasings.iter().any(|p| p == text)).unwrap();
        if by_meaning {
            assert_eq!(group_of("你們有停車位嗎"), group_of("開車去要停哪裡"));
            assert_eq!(group_of("Do you have parking?"), group_of("Where can I park my car?"));
            assert_ne!(group_of("你們有停車位嗎"), group_of("可以用信用卡付款嗎"));
            assert_ne!(group_of("有沒有素食的飲料"), group_of("能刷卡嗎"));
        }
        // Without the model, words group what shares them.
        let words = Knowledge::with(None);
        let (clusters, by_meaning) = cluster(&words, &turns);
        assert!(!by_meaning);
        let group_of = |text: &str| clusters.iter().position(|c| c.phrasings.iter().any(|p| p == text)).unwrap();
        assert_eq!(group_of("你們有停車位嗎"), group_of("請問附近可以停車嗎"));
        assert_ne!(group_of("你們有停車位嗎"), group_of("可以用信用卡付款嗎"));
    }
}
