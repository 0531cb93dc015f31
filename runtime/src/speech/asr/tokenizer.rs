//! Whisper's tokenizer, decode side: ids to text (GPT-2 byte-level BPE), and
//! the special tokens the decoder needs, found by name so one code path serves
//! multilingual and English-only models.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

#[derive(Deserialize)]
struct TokenizerJson {
    model: Model,
    added_tokens: Vec<Added>,
}

#[derive(Deserialize)]
struct Model {
    vocab: HashMap<String, u32>,
}

#[derive(Deserialize)]
struct Added {
    id: u32,
    content: String,
}

pub struct Tokenizer {
    tokens: Vec<String>,
    special: HashMap<String, u32>,
    byte_of: HashMap<char, u8>,
    pub eot: u32,
    pub sot: u32,
    pub transcribe: u32,
    pub no_timestamps: u32,
    /// Language tokens (`<|en|>`, `<|zh|>`...) with their codes, for multilingual models.
    pub languages: Vec<(u32, String)>,
}

/// GPT-2's reversible map from bytes to printable characters, inverted.
fn byte_decoder() -> HashMap<char, u8> {
    let mut printable: Vec<u32> = (b'!' as u32..=b'~' as u32).chain(0xA1..=0xAC).chain(0xAE..=0xFF).collect();
    let mut chars = printable.clone();
    let mut n = 0;
    for b in 0..=255u32 {
        if !printable.contains(&b) {
            printable.push(b);
            chars.push(256 + n);
            n += 1;
        }
    }
    printable.into_iter().zip(chars).filter_map(|(b, c)| char::from_u32(c).map(|c| (c, b as u8))).collect()
}

impl Tokenizer {
    pub fn load(path: &Path) -> anyhow::Result<Tokenizer> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let json: TokenizerJson = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let size = json.model.vocab.values().chain(json.added_tokens.iter().map(|a| &a.id)).max().map_or(0, |m| m + 1);
        let mut tokens = vec![String::new(); size as usize];
        for (t, id) in json.model.vocab {
            tokens[id as usize] = t;
        }
        let mut special = HashMap::new();
        for a in json.added_tokens {
            tokens[a.id as usize] = a.content.clone();
            special.insert(a.content, a.id);
        }
        let id = |name: &str| special.get(name).copied().with_context(|| format!("tokenizer has no {name}"));
        let languages = special
            .iter()
            .filter_map(|(name, &id)| {
                let code = name.strip_prefix("<|")?.strip_suffix("|>")?;
                (code.len() <= 3 && code.chars().all(|c| c.is_ascii_lowercase())).then(|| (id, code.to_string()))
            })
            .collect();
        Ok(Tokenizer {
            eot: id("<|endoftext|>")?,
            sot: id("<|startoftranscript|>")?,
            transcribe: id("<|transcribe|>")?,
            no_timestamps: id("<|notimestamps|>")?,
            languages,
            special,
            tokens,
            byte_of: byte_decoder(),
        })
    }

    pub fn language_token(&self, code: &str) -> Option<u32> {
        self.special.get(&format!("<|{code}|>")).copied()
    }

    /// Text of ordinary tokens (special tokens are skipped).
    pub fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &id in ids {
            if id >= self.eot {
                continue;
            }
            if let Some(t) = self.tokens.get(id as usize) {
                bytes.extend(t.chars().filter_map(|c| self.byte_of.get(&c)));
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}
