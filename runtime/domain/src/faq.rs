//! FAQ entries, and how closely a caller's words match one ([`score`]): latin
//! words are matched as words, Chinese as character bigrams (no segmenter
//! needed), and an entry's keywords, when the caller says one, count most.
//! Search over a tenant's entries, with meaning too, is `switchboard-knowledge`'s `FaqIndex`.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FaqEntry {
    pub id: String,
    pub question: String,
    pub answer: String,
    /// Language tag: `zh`, `en`...
    pub language: String,
    /// Words or phrases that, when a caller says them, point to this entry.
    #[serde(default)]
    pub keywords: Vec<String>,
    pub updated_at_ms: u64,
}

/// A FAQ entry as written through the API.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqInput {
    pub question: String,
    pub answer: String,
    pub language: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl FaqInput {
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Invalid(m.into()));
        if self.question.trim().is_empty() || self.question.chars().count() > 500 {
            return bad("question must be 1 to 500 characters");
        }
        if self.answer.trim().is_empty() || self.answer.chars().count() > 2000 {
            return bad("answer must be 1 to 2000 characters");
        }
        if self.language.is_empty() || self.language.len() > 16 {
            return bad("language must be a tag such as zh or en");
        }
        if self.keywords.len() > 50 || self.keywords.iter().any(|k| k.trim().is_empty() || k.chars().count() > 50) {
            return bad("at most 50 keywords of 1 to 50 characters");
        }
        Ok(())
    }
}

/// One search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FaqHit {
    pub entry: FaqEntry,
    pub score: f32,
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "do", "does", "you", "your", "i", "can", "to", "of", "what", "my", "me", "it", "in",
    "on", "and", "or", "for", "how", "we", "be", "there", "any",
];

/// Latin words (lowercased, stopwords dropped) and CJK bigrams of a text.
fn tokens(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let lower = text.to_lowercase();
    let mut word = String::new();
    let mut prev_cjk: Option<char> = None;
    for c in lower.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            if let Some(p) = prev_cjk {
                out.insert(format!("{p}{c}"));
            }
            prev_cjk = Some(c);
        } else {
            prev_cjk = None;
        }
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() {
            if !STOPWORDS.contains(&word.as_str()) {
                out.insert(std::mem::take(&mut word));
            } else {
                word.clear();
            }
        }
    }
    out
}

/// Whether `keyword` occurs in `text`: as a substring for Chinese, as whole words otherwise.
fn mentions(text_lower: &str, keyword: &str) -> bool {
    let kw = keyword.to_lowercase();
    if kw.chars().any(is_cjk) {
        return text_lower.contains(&kw);
    }
    let mut start = 0;
    while let Some(pos) = text_lower[start..].find(&kw) {
        let at = start + pos;
        let before = text_lower[..at].chars().next_back();
        let after = text_lower[at + kw.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        start = at + kw.len().max(1);
    }
    false
}

/// How closely a query's words match an entry, 0.0 to 1.0.
pub fn score(entry: &FaqEntry, query: &str) -> f32 {
    let query_lower = query.to_lowercase();
    let keyword_hits = entry.keywords.iter().filter(|k| mentions(&query_lower, k)).count();
    let keyword_score = if keyword_hits == 0 { 0.0 } else { (0.55 + 0.15 * keyword_hits as f32).min(1.0) };
    let q = tokens(query);
    let overlap_score = if q.is_empty() {
        0.0
    } else {
        let d = tokens(&entry.question);
        q.intersection(&d).count() as f32 / q.len().max(3) as f32
    };
    keyword_score.max(overlap_score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_words_only() {
        assert!(mentions("when do you open", "open"));
        assert!(!mentions("reopened", "open"));
        assert!(mentions("外送到信義區嗎", "外送"));
    }
}
