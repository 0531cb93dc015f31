//! FAQ search over a per-tenant index: each entry's lexical score (keywords,
//! words, Chinese bigrams: `domain::faq::score`) plus its semantic lift.
//!
//! The lift is how much closer the caller's words are to an entry than to the
//! rest of what the bot knows (the tenant's other entries and a fixed set of
//! everyday sentences). e5's cosines sit high for any two sentences (0.8 for
//! unrelated ones), so a raw cosine says little; standing out from the rest
//! is what marks the entry that answers the question.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use switchboard_embed::{Embedder, Role, cosine};

use switchboard_domain::faq::{FaqEntry, FaqHit, score as lexical_score};
use switchboard_store::{Db, Result};

/// Entries embedded during one search at most (two embeddings each, and a caller is
/// waiting); the index is kept complete by API writes and by [`FaqIndex::warm`] at
/// start, so this only catches up after an unusual backlog.
const INLINE_EMBEDS: usize = 2;
/// A lift below this is what unrelated questions reach; above `LIFT_FLOOR + LIFT_SPAN`
/// the entry is as clearly the answer as semantics alone can say.
const LIFT_FLOOR: f32 = 0.03;
const LIFT_SPAN: f32 = 0.07;
/// The most semantics alone can give an entry (a keyword the caller says gives more).
const SEMANTIC_MAX: f32 = 0.6;

/// How much the words count beside the meaning: a keyword alone is not enough when
/// the meaning points elsewhere (tenants' keywords are often broad: "where", 「時間」).
const LEXICAL_WEIGHT: f32 = 0.45;

/// Sentences a FAQ is not about, so that small FAQs have something to stand out from.
const EVERYDAY: &[&str] = &[
    "我要點一杯飲料",
    "好的，謝謝",
    "我姓王，電話是零九一二三四五六七八",
    "今天天氣很好",
    "請幫我轉給專人",
    "我的訂單有問題",
    "I'd like to order a drink",
    "yes, that's right",
    "my name is John and my number is 0912 345 678",
    "the weather is nice today",
    "can I talk to a person",
    "there is a problem with my order",
];

#[derive(Default)]
struct TenantFaq {
    loaded: bool,
    /// Bumped by every [`FaqIndex::invalidate`]: entries read before it are not current.
    generation: u64,
    entries: Vec<FaqEntry>,
    /// (entry id, updated at) → the entry's vectors, one per [`View`].
    vectors: HashMap<(String, u64), Arc<[Vec<f32>; 2]>>,
}

/// Vectors of a set of texts in each of the [`VIEWS`].
type Viewed = Arc<[Vec<Vec<f32>>; 2]>;

pub struct FaqIndex {
    embedder: Option<Arc<Embedder>>,
    /// The everyday sentences in each view.
    everyday: Mutex<Option<Viewed>>,
    tenants: Mutex<HashMap<String, Arc<Mutex<TenantFaq>>>>,
}

/// An entry is seen two ways: its question, as a caller would ask it (matched
/// like with like), and its question with the answer, as a passage that answers
/// (e5's retrieval side). Each catches paraphrases the other misses.
const VIEWS: [Role; 2] = [Role::Query, Role::Passage];

fn view_text(entry: &FaqEntry, role: Role) -> String {
    match role {
        Role::Query => entry.question.clone(),
        Role::Passage => format!("{} {}", entry.question, entry.answer),
    }
}

impl FaqIndex {
    pub fn new(embedder: Option<Arc<Embedder>>) -> FaqIndex {
        FaqIndex { embedder, everyday: Mutex::new(None), tenants: Mutex::new(HashMap::new()) }
    }

    fn tenant(&self, tenant: &str) -> Arc<Mutex<TenantFaq>> {
        self.tenants.lock().unwrap_or_else(|p| p.into_inner()).entry(tenant.to_string()).or_default().clone()
    }

    /// The tenant's entries changed: re-read them at the next search (vectors of
    /// unchanged entries are kept).
    pub fn invalidate(&self, tenant: &str) {
        let state = self.tenant(tenant);
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        state.loaded = false;
        state.generation += 1;
    }

    /// The tenant's entries from the store when the index does not hold them, with the
    /// generation they were read at.
    async fn read_if_stale(&self, db: &Db, tenant: &str) -> Result<Option<(u64, Vec<FaqEntry>)>> {
        let generation = {
            let state = self.tenant(tenant);
            let state = state.lock().unwrap_or_else(|p| p.into_inner());
            if state.loaded {
                return Ok(None);
            }
            state.generation
        };
        Ok(Some((generation, db.faq_entries(tenant).await?)))
    }

    /// Re-read the tenant's entries if they changed and embed up to `max_embeds` of
    /// those not embedded yet (on the blocking pool; two embeddings each).
    /// Returns how many were embedded.
    pub async fn refresh(self: &Arc<Self>, db: &Db, tenant: &str, max_embeds: usize) -> Result<usize> {
        let fresh = self.read_if_stale(db, tenant).await?;
        let (index, tenant) = (self.clone(), tenant.to_string());
        let work = move || {
            let state = index.tenant(&tenant);
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            index.load(&tenant, &mut state, fresh, max_embeds)
        };
        Ok(tokio::task::spawn_blocking(work).await.unwrap_or(0))
    }

    /// Embed every tenant's entries, a few at a time so that searches are not held up,
    /// until done or `until` (`serve` runs it at start). Returns whether done.
    pub async fn warm(self: &Arc<Self>, db: &Db, until: Option<std::time::Instant>) -> Result<bool> {
        for tenant in db.tenants().await? {
            while self.refresh(db, &tenant.id, 8).await? > 0 {
                if until.is_some_and(|t| std::time::Instant::now() >= t) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Take entries read from the store (unless an invalidation came since), then embed
    /// up to `max_embeds` of those without vectors (blocking).
    fn load(
        &self,
        tenant: &str,
        state: &mut TenantFaq,
        fresh: Option<(u64, Vec<FaqEntry>)>,
        max_embeds: usize,
    ) -> usize {
        if let Some((generation, entries)) = fresh
            && !state.loaded
        {
            state.entries = entries;
            let live: std::collections::HashSet<(String, u64)> =
                state.entries.iter().map(|e| (e.id.clone(), e.updated_at_ms)).collect();
            state.vectors.retain(|k, _| live.contains(k));
            // Entries read before a write are used for this search but not kept as current.
            state.loaded = generation == state.generation;
        }
        let Some(embedder) = &self.embedder else { return 0 };
        let missing: Vec<&FaqEntry> = state
            .entries
            .iter()
            .filter(|e| !state.vectors.contains_key(&(e.id.clone(), e.updated_at_ms)))
            .take(max_embeds)
            .collect();
        if missing.is_empty() {
            return 0;
        }
        let embed = |role: Role| {
            let texts: Vec<String> = missing.iter().map(|e| view_text(e, role)).collect();
            embedder.embed_all(&texts.iter().map(String::as_str).collect::<Vec<_>>(), role)
        };
        match (embed(VIEWS[0]), embed(VIEWS[1])) {
            (Ok(asked), Ok(answered)) => {
                let keys: Vec<(String, u64)> = missing.iter().map(|e| (e.id.clone(), e.updated_at_ms)).collect();
                let embedded = keys.len();
                for ((k, a), b) in keys.into_iter().zip(asked).zip(answered) {
                    state.vectors.insert(k, Arc::new([a, b]));
                }
                embedded
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(tenant, error = %e, "FAQ entries not embedded: lexical search for them");
                0
            }
        }
    }

    fn everyday(&self, embedder: &Embedder) -> Viewed {
        let mut cached = self.everyday.lock().unwrap_or_else(|p| p.into_inner());
        cached
            .get_or_insert_with(|| Arc::new(VIEWS.map(|role| embedder.embed_all(EVERYDAY, role).unwrap_or_default())))
            .clone()
    }

    /// The best entries for a caller's words, best first (the embedding and scoring run
    /// on the blocking pool).
    pub async fn search(
        self: &Arc<Self>,
        db: &Db,
        tenant: &str,
        query: &str,
        language: Option<&str>,
        limit: usize,
    ) -> Result<Vec<FaqHit>> {
        let fresh = self.read_if_stale(db, tenant).await?;
        let index = self.clone();
        let (tenant, query, language) = (tenant.to_string(), query.to_string(), language.map(str::to_string));
        let work = move || index.search_blocking(&tenant, fresh, &query, language.as_deref(), limit);
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| switchboard_store::StorageError::Invalid(format!("FAQ search failed: {e}")))
    }

    fn search_blocking(
        &self,
        tenant: &str,
        fresh: Option<(u64, Vec<FaqEntry>)>,
        query: &str,
        language: Option<&str>,
        limit: usize,
    ) -> Vec<FaqHit> {
        // The question is embedded before the tenant's index is locked: searches of one
        // tenant wait for each other only for the arithmetic.
        let question = self.embedder.as_ref().and_then(|e| e.embed(query, Role::Query).ok());
        let state = self.tenant(tenant);
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        self.load(tenant, &mut state, fresh, INLINE_EMBEDS);
        let semantic = question.and_then(|q| self.semantic(&state, &q));
        let mut hits: Vec<FaqHit> = state
            .entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let lexical = lexical_score(entry, query);
                let mut score = match semantic.as_ref().and_then(|s| s[i]) {
                    Some(lift) => {
                        let meaning = ((lift - LIFT_FLOOR) / LIFT_SPAN).clamp(0.0, 1.0) * SEMANTIC_MAX;
                        (LEXICAL_WEIGHT * lexical + meaning).min(1.0)
                    }
                    None => lexical,
                };
                if let Some(lang) = language
                    && !entry.language.starts_with(lang.split('-').next().unwrap_or(lang))
                {
                    // Prefer answers in the caller's language without hiding the others.
                    score *= 0.9;
                }
                FaqHit { entry: entry.clone(), score }
            })
            .filter(|h| h.score > 0.0)
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit);
        hits
    }

    /// Each entry's lift: in each view, its cosine to the query minus the mean cosine of
    /// the query to every entry and everyday sentence; the better view counts.
    /// `None` for an entry not embedded yet.
    fn semantic(&self, state: &TenantFaq, q: &[f32]) -> Option<Vec<Option<f32>>> {
        let embedder = self.embedder.as_ref()?;
        if state.vectors.is_empty() {
            return None;
        }
        let everyday = self.everyday(embedder);
        let vectors: Vec<Option<&Arc<[Vec<f32>; 2]>>> =
            state.entries.iter().map(|e| state.vectors.get(&(e.id.clone(), e.updated_at_ms))).collect();
        let mut lifts: Vec<Option<f32>> = vec![None; vectors.len()];
        for view in 0..VIEWS.len() {
            let cosines: Vec<Option<f32>> = vectors.iter().map(|v| v.map(|v| cosine(q, &v[view]))).collect();
            let background: Vec<f32> =
                cosines.iter().flatten().copied().chain(everyday[view].iter().map(|v| cosine(q, v))).collect();
            let mean = background.iter().sum::<f32>() / background.len().max(1) as f32;
            for (lift, c) in lifts.iter_mut().zip(cosines) {
                if let Some(c) = c {
                    *lift = Some(lift.map_or(c - mean, |l| l.max(c - mean)));
                }
            }
        }
        Some(lifts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::faq::FaqInput;

    fn knowledge() -> Arc<super::super::Knowledge> {
        let k = super::super::Knowledge::load(switchboard_speech::models::model_file("e5-small", "e5-small-q4.bin"));
        assert!(k.has_model(), "the e5-small model (scripts/models.py --only e5-small)");
        k
    }

    /// The evaluation set's tenant: the demo FAQ and the set's own entries, by topic.
    async fn eval_tenant(db: &Db) -> (HashMap<String, String>, Vec<(String, String)>) {
        let mut topic_of = HashMap::new();
        let demo: Vec<FaqInput> = serde_json::from_str(switchboard_domain::demo::FAQ_JSON).unwrap();
        const DEMO_TOPICS: [&str; 8] =
            ["hours", "hours", "delivery", "delivery", "payment", "payment", "minimum", "minimum"];
        for (input, topic) in demo.into_iter().zip(DEMO_TOPICS) {
            let e = db.create_faq("t1", input).await.unwrap();
            topic_of.insert(e.id, topic.to_string());
        }
        let mut queries = Vec::new();
        for line in include_str!("../../understand/eval/faq.txt").lines() {
            if let Some(entry) = line.strip_prefix("= ") {
                let f: Vec<&str> = entry.split(" | ").map(str::trim).collect();
                let input =
                    FaqInput { question: f[2].into(), answer: f[3].into(), language: f[1].into(), keywords: vec![] };
                topic_of.insert(db.create_faq("t1", input).await.unwrap().id, f[0].to_string());
            } else if !line.starts_with('#')
                && let Some((q, topic)) = line.split_once(" || ")
            {
                queries.push((q.trim().to_string(), topic.trim().to_string()));
            }
        }
        (topic_of, queries)
    }

    /// Right answers, and wrong or unwanted answers, at the flows' answering score.
    async fn evaluate(
        index: &Arc<FaqIndex>,
        db: &Db,
        topic_of: &HashMap<String, String>,
        queries: &[(String, String)],
    ) -> (usize, usize, usize, Vec<String>) {
        const ANSWERS_FROM: f32 = 0.35;
        let (mut right, mut asked, mut wrong, mut misses) = (0, 0, 0, Vec::new());
        for (q, topic) in queries {
            let hits = index.search(db, "t1", q, None, 3).await.unwrap();
            let best = hits.into_iter().next().filter(|h| h.score >= ANSWERS_FROM);
            let got = best.as_ref().map(|h| topic_of[&h.entry.id].as_str());
            if topic != "-" {
                asked += 1;
            }
            match got {
                Some(t) if t == topic => right += 1,
                None if topic == "-" => {}
                None => misses.push(format!("{q} → nothing ({topic})")),
                Some(t) => {
                    wrong += 1;
                    misses.push(format!("{q} → {t} ({topic}) {:.2}", best.map_or(0.0, |h| h.score)));
                }
            }
        }
        (right, asked, wrong, misses)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn faq_evaluation() {
        let (db, _dir) = switchboard_store::redb::temporary();
        let (topic_of, queries) = eval_tenant(&db).await;
        let k = knowledge();
        let words = Arc::new(FaqIndex::new(None));
        let (lr, n, lw, _) = evaluate(&words, &db, &topic_of, &queries).await;
        k.faq.refresh(&db, "t1", usize::MAX).await.unwrap();
        let started = std::time::Instant::now();
        let (hr, _, hw, misses) = evaluate(&k.faq, &db, &topic_of, &queries).await;
        let per_query = started.elapsed().as_secs_f64() * 1000.0 / queries.len() as f64;
        let negatives = queries.iter().filter(|(_, t)| t == "-").count();
        println!("FAQ: lexical {lr}/{n} right, {lw} wrong; lexical + semantic {hr}/{n} right, {hw} wrong");
        println!("(wrong counts answers to the {negatives} sentences no entry answers too)");
        println!(
            "{per_query:.0} ms a question (the question's embedding and the scoring; entries were embedded before)"
        );
        for m in &misses {
            println!("  {m}");
        }
        assert!(hr > lr, "semantic search must find more than words alone");
        // The figures when this was written (77 %, 12 wrong of 80): a guard against regressions.
        assert!(hr * 100 >= n * 75, "FAQ accuracy {hr}/{n}");
        assert!(hw * 100 <= queries.len() * 16, "{hw} wrong answers");
    }

    async fn demo_faq() -> (Db, switchboard_store::redb::TempDir) {
        let (db, dir) = switchboard_store::redb::temporary();
        let entries: Vec<FaqInput> = serde_json::from_str(switchboard_domain::demo::FAQ_JSON).unwrap();
        for e in entries {
            db.create_faq("t1", e).await.unwrap();
        }
        (db, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn by_words_alone_hours_are_found_in_both_languages() {
        let (db, _d) = demo_faq().await;
        let words = Arc::new(FaqIndex::new(None));
        let zh = words.search(&db, "t1", "請問你們幾點關門？", Some("zh"), 3).await.unwrap();
        assert!(zh[0].entry.answer.contains("十點") && zh[0].score >= 0.35, "{:?}", zh[0]);
        let en = words.search(&db, "t1", "what time do you open", Some("en"), 3).await.unwrap();
        assert!(en[0].entry.answer.contains("10 a.m.") && en[0].score >= 0.35, "{:?}", en[0]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_order_is_not_a_question() {
        let (db, _d) = demo_faq().await;
        let (words, k) = (Arc::new(FaqIndex::new(None)), knowledge());
        for index in [&words, &k.faq] {
            for q in ["我要兩杯大杯珍珠奶茶半糖少冰", "two large bubble milk teas, half sugar, less ice"]
            {
                let hits = index.search(&db, "t1", q, None, 1).await.unwrap();
                assert!(hits.first().is_none_or(|h| h.score < 0.35), "{q}: {hits:?}");
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_are_seen_and_tenants_stay_apart() {
        let (db, _dir) = switchboard_store::redb::temporary();
        let k = knowledge();
        let input = |q: &str, a: &str| FaqInput {
            question: q.into(),
            answer: a.into(),
            language: "en".into(),
            keywords: vec![],
        };
        let parking = db.create_faq("t1", input("Is there parking?", "Park across the street.")).await.unwrap();
        k.faq.refresh(&db, "t1", usize::MAX).await.unwrap();
        let hits = k.faq.search(&db, "t1", "where can I leave my car", Some("en"), 3).await.unwrap();
        assert_eq!(hits[0].entry.id, parking.id);
        assert!(k.faq.search(&db, "t2", "where can I leave my car", Some("en"), 3).await.unwrap().is_empty());
        db.update_faq("t1", &parking.id, input("Is there parking?", "No parking, sorry.")).await.unwrap();
        k.faq.invalidate("t1");
        let hits = k.faq.search(&db, "t1", "where can I leave my car", Some("en"), 3).await.unwrap();
        assert_eq!(hits[0].entry.answer, "No parking, sorry.");
        db.delete_faq("t1", &parking.id).await.unwrap();
        k.faq.invalidate("t1");
        assert!(k.faq.search(&db, "t1", "where can I leave my car", Some("en"), 3).await.unwrap().is_empty());
    }
}
