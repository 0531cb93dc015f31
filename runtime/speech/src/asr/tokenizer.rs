//! Whisper's tokenizer: ids to text and text to ids (GPT-2 byte-level BPE), and
//! the special tokens the decoder needs, found by name so one code path serves
//! multilingual and English-only models. Encoding is needed for prompts and for
//! scoring the answers a flow expects; it is small enough to own rather than
//! pull in the `tokenizers` crate and its dependency tree.

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
    /// "a b" pairs, most frequent first (older files write them as two-element lists).
    #[serde(default)]
    merges: Vec<serde_json::Value>,
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
    char_of: [char; 256],
    vocab: HashMap<String, u32>,
    /// Merge rank of each pair of symbols.
    ranks: HashMap<(String, String), usize>,
    /// `<|startofprev|>`: what follows it is earlier text the model is conditioned on.
    pub prev: Option<u32>,
    pub eot: u32,
    pub sot: u32,
    pub transcribe: u32,
    pub no_timestamps: u32,
    /// Language tokens (`<|en|>`, `<|zh|>`...) with their codes, for multilingual models.
    pub languages: Vec<(u32, String)>,
}

/// GPT-2's reversible map from bytes to printable characters.
fn byte_encoder() -> [char; 256] {
    let mut map = ['\0'; 256];
    for (c, b) in byte_decoder() {
        map[b as usize] = c;
    }
    map
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
        for (t, id) in &json.model.vocab {
            tokens[*id as usize] = t.clone();
        }
        let ranks = json
            .model
            .merges
            .iter()
            .filter_map(|m| match m {
                serde_json::Value::String(pair) => pair.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())),
                serde_json::Value::Array(pair) => match pair.as_slice() {
                    [serde_json::Value::String(a), serde_json::Value::String(b)] => Some((a.clone(), b.clone())),
                    _ => None,
                },
                _ => None,
            })
            .enumerate()
            .map(|(rank, pair)| (pair, rank + 1))
            .collect::<HashMap<(String, String), usize>>();
        // Some converted tokenizer files lost the first merge ("Ġ t": a converter took the
        // first line of merges.txt for its version header). A two-symbol token can only come
        // from a merge, so one that has none gets it back, ahead of the others.
        let mut ranks = ranks;
        for token in json.model.vocab.keys() {
            let mut chars = token.chars();
            if let (Some(a), Some(b), None) = (chars.next(), chars.next(), chars.next()) {
                ranks.entry((a.to_string(), b.to_string())).or_insert(0);
            }
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
            prev: special.get("<|startofprev|>").copied(),
            languages,
            special,
            tokens,
            byte_of: byte_decoder(),
            char_of: byte_encoder(),
            vocab: json.model.vocab,
            ranks,
        })
    }

    pub fn language_token(&self, code: &str) -> Option<u32> {
        self.special.get(&format!("<|{code}|>")).copied()
    }

    /// Ids of a text (no special tokens), as GPT-2's byte-level BPE splits it.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for piece in pre_tokenize(text) {
            let mut symbols: Vec<String> = piece.bytes().map(|b| self.char_of[b as usize].to_string()).collect();
            // Merge the adjacent pair with the best (lowest) rank until none is left.
            loop {
                let best = symbols
                    .windows(2)
                    .enumerate()
                    .filter_map(|(i, w)| self.ranks.get(&(w[0].clone(), w[1].clone())).map(|r| (*r, i)))
                    .min();
                let Some((_, i)) = best else { break };
                let merged = format!("{}{}", symbols[i], symbols[i + 1]);
                symbols.splice(i..i + 2, [merged]);
            }
            ids.extend(symbols.iter().filter_map(|s| self.vocab.get(s).copied()));
        }
        ids
    }

    /// The ordinary tokens that write Latin letters: masked where only Chinese characters may
    /// be heard (a closed Mandarin question whose answers are all Chinese).
    pub fn latin_tokens(&self) -> Vec<u32> {
        (0..self.eot.min(self.tokens.len() as u32))
            .filter(|&id| self.tokens[id as usize].chars().any(|c| c.is_ascii_alphabetic()))
            .collect()
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

/// GPT-2's pre-tokenizer, without a regex engine: contractions, then an optional
/// space with a run of letters, of digits, or of other symbols, then white space
/// (a space before a word goes with the word).
fn pre_tokenize(text: &str) -> Vec<String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Letter,
        Digit,
        Space,
        Other,
    }
    let class = |c: char| {
        if c.is_alphabetic() {
            Class::Letter
        } else if c.is_numeric() {
            Class::Digit
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Other
        }
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\'' {
            let rest: String = chars[i + 1..chars.len().min(i + 3)].iter().collect();
            if let Some(c) = ["re", "ve", "ll"].iter().find(|c| rest.starts_with(**c)) {
                out.push(format!("'{c}"));
                i += 3;
                continue;
            }
            if let Some(c) = rest.chars().next().filter(|c| "stmd".contains(*c)) {
                out.push(format!("'{c}"));
                i += 2;
                continue;
            }
        }
        let start = i;
        let mut j = i;
        if chars[j] == ' ' && j + 1 < chars.len() && class(chars[j + 1]) != Class::Space {
            j += 1;
        }
        let kind = class(chars[j]);
        if kind == Class::Space {
            // A run of spaces: all but the last, which goes with the next word.
            let mut end = j;
            while end < chars.len() && class(chars[end]) == Class::Space {
                end += 1;
            }
            let end = if end < chars.len() && end - start > 1 { end - 1 } else { end };
            out.push(chars[start..end].iter().collect());
            i = end;
            continue;
        }
        let mut end = j;
        while end < chars.len() && class(chars[end]) == kind && !(kind != Class::Letter && chars[end] == '\'') {
            end += 1;
        }
        out.push(chars[start..end].iter().collect());
        i = end.max(start + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_tokenizes_like_gpt2() {
        assert_eq!(pre_tokenize("I'll take two, please"), vec!["I", "'ll", " take", " two", ",", " please"]);
        assert_eq!(pre_tokenize("我要兩杯 大杯"), vec!["我要兩杯", " 大杯"]);
        assert_eq!(pre_tokenize("0912 345"), vec!["0912", " 345"]);
    }

    #[test]
    fn encoding_round_trips() {
        let path = crate::models::model_file("whisper-base", "tokenizer.json").expect("whisper-base (scripts/setup)");
        let tk = Tokenizer::load(&path).unwrap();
        for text in [" Yes, that's right.", "我要兩杯大杯珍珠奶茶，半糖少冰。", " 0912-345-678", "對", " half sugar"]
        {
            let ids = tk.encode(text);
            assert!(!ids.is_empty());
            assert_eq!(tk.decode(&ids), text);
        }
        // Known ids: " the" is one token in GPT-2's vocabulary.
        assert_eq!(tk.encode(" the").len(), 1);
    }
}
