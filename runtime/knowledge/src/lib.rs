//! What the bot knows beyond the flow: FAQ search, lexical and semantic, over an
//! index kept per tenant, and sentence embeddings for intents by example.
//!
//! ```text
//! caller's words ─► e5 embedding ─┐
//!                 ─► words/bigrams ┴─► each FAQ entry: lexical score + semantic lift ─► best entries
//! ```
//!
//! The embedding model (multilingual-e5-small, 4-bit, `switchboard-embed`) puts
//! a question and its paraphrases near each other in either language, so an
//! entry written "Is there parking?" answers 「我開車去要停哪裡」. Lexical
//! scoring still decides when the caller says an entry's keyword. Without the
//! model file, search is lexical alone (and says so once in the log).
//!
//! The index holds one vector per entry, keyed by the entry's id and update
//! time: a write marks the tenant's index stale, the next search re-reads the
//! entry list and embeds only what is new or changed. Nothing is scanned per
//! query beyond the tenant's own entries in memory.

pub mod clusters;
pub mod faq_index;
pub mod intents;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use switchboard_embed::{Embedder, Role};

pub use faq_index::FaqIndex;

/// Vectors kept for texts embedded as examples (intents), so calls that declare the
/// same examples do not embed them again.
const EXAMPLE_CACHE_ENTRIES: usize = 4096;
/// Vectors kept for caller turns the analytics group (apart from the examples, so that
/// they never push the intents' sentences out).
const TURN_CACHE_ENTRIES: usize = 2048;
/// Example sentences a caller turn may wait for (tens of ms each); more are embedded
/// in the background and meaning is left out of that turn.
pub const INLINE_EXAMPLES: usize = 4;
/// Where the built-in intents' sentence vectors are kept between runs, beside the model.
const SENTENCE_CACHE: &str = "sentences.bin";

/// The embedding model, when present, and what has been embedded with it.
pub struct Knowledge {
    embedder: Option<Arc<Embedder>>,
    pub faq: Arc<FaqIndex>,
    examples: Arc<Mutex<HashMap<String, Arc<[f32]>>>>,
    /// A background embedding of examples is under way.
    filling: Arc<std::sync::atomic::AtomicBool>,
    /// Caller turns the analytics group, and whether a background embedding of them runs.
    turns: Arc<Mutex<HashMap<String, Arc<[f32]>>>>,
    turns_filling: Arc<std::sync::atomic::AtomicBool>,
}

impl Knowledge {
    /// Load the embedding model (`model`: where `scripts/models.py` put it, or why it is
    /// not there), with the built-in intents' sentences embedded (from the cache file
    /// beside the model; the first start on a machine embeds them and logs how long it
    /// took). Without the model, search and intents are lexical.
    pub fn load<E: std::fmt::Display>(model: Result<std::path::PathBuf, E>) -> Arc<Knowledge> {
        let path = match model {
            Ok(path) => path,
            Err(e) => {
                tracing::warn!(error = %e, "FAQ search and intents are lexical only");
                return Knowledge::with(None);
            }
        };
        let knowledge = match Embedder::load(&path) {
            Ok(e) => Knowledge::with(Some(Arc::new(e))),
            Err(e) => {
                tracing::warn!(error = %e, "FAQ search and intents are lexical only");
                return Knowledge::with(None);
            }
        };
        let cache = path.with_file_name(SENTENCE_CACHE);
        let known = sentence_cache::read(&cache);
        let loaded = known.len();
        knowledge.examples.lock().unwrap_or_else(|p| p.into_inner()).extend(known);
        let builtin = switchboard_understand::Understander::new(Default::default(), &[]).intent_sentences();
        let started = std::time::Instant::now();
        if knowledge.embed_examples(&builtin, usize::MAX).is_some() && loaded < builtin.len() {
            tracing::info!(
                sentences = builtin.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "built-in intents' sentences embedded (cached for the next start)"
            );
            let all = knowledge.examples.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if let Err(e) = sentence_cache::write(&cache, &all) {
                tracing::warn!(error = %e, path = %cache.display(), "sentence vectors not cached");
            }
        }
        knowledge
    }

    pub fn with(embedder: Option<Arc<Embedder>>) -> Arc<Knowledge> {
        Arc::new(Knowledge {
            faq: Arc::new(FaqIndex::new(embedder.clone())),
            embedder,
            examples: Arc::default(),
            filling: Arc::default(),
            turns: Arc::default(),
            turns_filling: Arc::default(),
        })
    }

    pub fn has_model(&self) -> bool {
        self.embedder.is_some()
    }

    /// What a caller said, as a vector (blocking: tens of ms on one core).
    pub fn embed_query(&self, text: &str) -> Option<Vec<f32>> {
        let e = self.embedder.as_ref()?;
        e.embed(text, Role::Query).inspect_err(|err| tracing::warn!(error = %err, "embedding failed")).ok()
    }

    /// Example sentences as vectors, from the cache where embedded before (blocking).
    /// When more than `inline_max` are new (a flow declared many intents), they are
    /// embedded in the background and `None` says to do without them this time.
    pub fn embed_examples(&self, texts: &[String], inline_max: usize) -> Option<Vec<Arc<[f32]>>> {
        let e = self.embedder.as_ref()?;
        let missing = missing_from(&self.examples, texts);
        if missing.len() > inline_max {
            self.fill_in_background(missing);
            return None;
        }
        fill(e, &self.examples, &missing, EXAMPLE_CACHE_ENTRIES)?;
        let cache = self.examples.lock().unwrap_or_else(|p| p.into_inner());
        // A text evicted meanwhile by another call's batch makes this turn do without.
        texts.iter().map(|t| cache.get(t).cloned()).collect()
    }

    /// Caller turns as vectors, for the analytics (blocking: the ones not seen before are
    /// embedded now, tens of ms each).
    pub fn embed_turns(&self, texts: &[String]) -> Option<Vec<Arc<[f32]>>> {
        let e = self.embedder.as_ref()?;
        let missing = missing_from(&self.turns, texts);
        fill(e, &self.turns, &missing, TURN_CACHE_ENTRIES)?;
        let cache = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        texts.iter().map(|t| cache.get(t).cloned()).collect()
    }

    /// Embed caller turns in the background, so that the analytics find them ready.
    pub fn warm_turns(&self, texts: Vec<String>) {
        use std::sync::atomic::Ordering;
        let Some(e) = self.embedder.clone() else { return };
        let missing = missing_from(&self.turns, &texts);
        if missing.is_empty() || self.turns_filling.swap(true, Ordering::AcqRel) {
            return;
        }
        let (turns, filling) = (self.turns.clone(), self.turns_filling.clone());
        let spawned = std::thread::Builder::new().name("embed-turns".into()).spawn(move || {
            fill(&e, &turns, &missing, TURN_CACHE_ENTRIES);
            filling.store(false, Ordering::Release);
        });
        if spawned.is_err() {
            self.turns_filling.store(false, Ordering::Release);
        }
    }

    fn fill_in_background(&self, missing: Vec<String>) {
        use std::sync::atomic::Ordering;
        let Some(e) = self.embedder.clone() else { return };
        if self.filling.swap(true, Ordering::AcqRel) {
            return;
        }
        let (examples, filling) = (self.examples.clone(), self.filling.clone());
        let spawned = std::thread::Builder::new().name("embed-examples".into()).spawn(move || {
            fill(&e, &examples, &missing, EXAMPLE_CACHE_ENTRIES);
            filling.store(false, Ordering::Release);
        });
        if spawned.is_err() {
            self.filling.store(false, Ordering::Release);
        }
    }
}

/// The texts a cache does not hold yet, each once.
fn missing_from(cache: &Mutex<HashMap<String, Arc<[f32]>>>, texts: &[String]) -> Vec<String> {
    let cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    let mut m: Vec<String> = texts.iter().filter(|t| !cache.contains_key(*t)).cloned().collect();
    m.sort_unstable();
    m.dedup();
    m
}

/// Embed `missing` and add them to the cache, which holds at most `bound` (emptied when full).
fn fill(e: &Embedder, cache: &Mutex<HashMap<String, Arc<[f32]>>>, missing: &[String], bound: usize) -> Option<()> {
    if missing.is_empty() {
        return Some(());
    }
    let refs: Vec<&str> = missing.iter().map(String::as_str).collect();
    // Examples are matched as what callers say: the same side of the model as the caller.
    let fresh =
        e.embed_all(&refs, Role::Query).inspect_err(|err| tracing::warn!(error = %err, "embedding failed")).ok()?;
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() + fresh.len() > bound {
        cache.clear();
    }
    for (text, v) in missing.iter().zip(fresh) {
        cache.insert(text.clone(), v.into());
    }
    Some(())
}

/// The sentence-vector cache file: a text and its 384 floats per record, little-endian.
mod sentence_cache {
    use std::collections::HashMap;
    use std::io::{Read, Write};
    use std::path::Path;
    use std::sync::Arc;

    const MAGIC: &[u8; 8] = b"SBSENT01";

    pub fn read(path: &Path) -> HashMap<String, Arc<[f32]>> {
        let mut bytes = Vec::new();
        if std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).is_err() {
            return HashMap::new();
        }
        parse(&bytes).unwrap_or_default()
    }

    fn parse(bytes: &[u8]) -> Option<HashMap<String, Arc<[f32]>>> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let mut out = HashMap::new();
        let mut at = 0;
        let u32_at = |at: usize| rest.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        while at < rest.len() {
            let text_len = u32_at(at)?;
            let text = std::str::from_utf8(rest.get(at + 4..at + 4 + text_len)?).ok()?.to_string();
            at += 4 + text_len;
            let dim = u32_at(at)?;
            let floats = rest.get(at + 4..at + 4 + dim * 4)?;
            at += 4 + dim * 4;
            let v: Vec<f32> = floats.chunks(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            out.insert(text, v.into());
        }
        Some(out)
    }

    /// Written to a temporary file and renamed, so a reader never sees half a file.
    pub fn write(path: &Path, all: &HashMap<String, Arc<[f32]>>) -> std::io::Result<()> {
        let mut bytes = MAGIC.to_vec();
        for (text, v) in all {
            bytes.extend((text.len() as u32).to_le_bytes());
            bytes.extend(text.as_bytes());
            bytes.extend((v.len() as u32).to_le_bytes());
            v.iter().for_each(|x| bytes.extend(x.to_le_bytes()));
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::File::create(&tmp)?.write_all(&bytes)?;
        std::fs::rename(&tmp, path)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn vectors_survive_the_file() {
            let dir = switchboard_store::redb::TempDir::new();
            let path = dir.path().join("s.bin");
            let mut all = std::collections::HashMap::new();
            all.insert("我要找真人".to_string(), vec![0.5f32, -1.0, 2.0].into());
            super::write(&path, &all).unwrap();
            assert_eq!(super::read(&path), all);
            std::fs::write(&path, b"SBSENT01\x05\x00").unwrap();
            assert!(super::read(&path).is_empty(), "a damaged file is ignored");
        }
    }
}

fn names(v: Vec<switchboard_domain::catalog::Localized>) -> Vec<switchboard_understand::Localized> {
    v.into_iter().map(|n| switchboard_understand::Localized { lang: n.lang, text: n.text }).collect()
}

/// The tenant's stored catalogue in the understander's terms.
/// A FAQ hit scoring this much or more answers the question more often than not (the demo
/// flow answers from it; the analytics count a turn it answers as understood).
pub const FAQ_ANSWERS_FROM: f32 = 0.35;

pub fn catalog_for_understanding(c: switchboard_domain::catalog::Catalog) -> switchboard_understand::Catalog {
    switchboard_understand::Catalog {
        currency: c.currency,
        products: c
            .products
            .into_iter()
            .map(|p| switchboard_understand::Product {
                id: p.id,
                names: names(p.names),
                aliases: p.aliases,
                sizes: p
                    .sizes
                    .into_iter()
                    .map(|s| switchboard_understand::Size { id: s.id, names: names(s.names), price: s.price })
                    .collect(),
                option_groups: p.option_groups,
            })
            .collect(),
        option_groups: c
            .option_groups
            .into_iter()
            .map(|g| switchboard_understand::OptionGroup {
                id: g.id,
                names: names(g.names),
                choices: g
                    .choices
                    .into_iter()
                    .map(|c| switchboard_understand::Choice { id: c.id, names: names(c.names), aliases: c.aliases })
                    .collect(),
                default_choice: g.default_choice,
            })
            .collect(),
    }
}
