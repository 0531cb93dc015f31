//! Whisper's text decoder, incremental: each step runs only the new tokens.
//!
//! candle's decoder re-runs every token each step and re-lays-out the cached
//! cross-attention keys and values per step (a transpose, a scale and a copy of
//! `[heads, frames, head_dim]` per layer), so a step costs in proportion to the
//! audio length. Here the cross-attention keys and values are computed once
//! per utterance in the layout the products need, self-attention keeps a
//! key/value cache, and a step costs a few small matrix products.
//!
//! A step is bound by memory, not arithmetic: every token reads all of the
//! decoder's weights and the 51,865 × d vocabulary projection (for base, about
//! 190 MB in f32). The per-token products therefore use 8-bit weights (Q8_0,
//! a scale per 32 values, as in llama.cpp), a quarter of the reads; the
//! cross-attention keys and values, computed once per utterance as large
//! matrix products, stay in f32.

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use candle_nn::{LayerNorm, Linear, VarBuilder};
use candle_transformers::models::whisper::Config;

/// A linear layer run once per token: 8-bit weights, or f32 when quantisation is off.
enum StepLinear {
    F32(Linear),
    Q8 { w: QMatMul, b: Option<Tensor> },
}

impl StepLinear {
    fn new(l: Linear, q8: bool) -> candle_core::Result<StepLinear> {
        if !q8 {
            return Ok(StepLinear::F32(l));
        }
        // Quantising reads the weight's storage from its start, and a weight may be a view into
        // a fused tensor (CTranslate2 stores q, k and v together): copy it out first.
        let weight = l.weight();
        let owned = Tensor::from_vec(weight.flatten_all()?.to_vec1::<f32>()?, weight.shape(), weight.device())?;
        let w = QMatMul::from_qtensor(QTensor::quantize(&owned, GgmlDType::Q8_0)?)?;
        Ok(StepLinear::Q8 { w, b: l.bias().cloned() })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            StepLinear::F32(l) => l.forward(x),
            StepLinear::Q8 { w, b } => {
                let y = w.forward(x)?;
                match b {
                    Some(b) => y.broadcast_add(b),
                    None => Ok(y),
                }
            }
        }
    }
}

struct Block {
    self_q: StepLinear,
    self_k: StepLinear,
    self_v: StepLinear,
    self_out: StepLinear,
    self_ln: LayerNorm,
    cross_q: StepLinear,
    cross_k: Linear,
    cross_v: Linear,
    cross_out: StepLinear,
    cross_ln: LayerNorm,
    fc1: StepLinear,
    fc2: StepLinear,
    mlp_ln: LayerNorm,
}

pub struct Decoder {
    embedding: Tensor,
    /// The vocabulary projection (the embedding, tied), for the logits.
    vocab: StepLinear,
    positions: Tensor,
    blocks: Vec<Block>,
    ln: LayerNorm,
    heads: usize,
    head_dim: usize,
}

/// Per-utterance state: cross-attention keys/values and the self-attention cache.
pub struct DecoderState {
    /// Per layer: keys `[heads, head_dim, frames]` (already transposed) and values `[heads, frames, head_dim]`.
    cross: Vec<(Tensor, Tensor)>,
    /// Per layer: keys and values `[heads, tokens, head_dim]` so far.
    cache: Vec<Option<(Tensor, Tensor)>>,
    /// Tokens decoded so far (the next position).
    position: usize,
}

fn linear(vb: &VarBuilder, d_in: usize, d_out: usize, name: &str, bias: bool) -> candle_core::Result<Linear> {
    if bias { candle_nn::linear(d_in, d_out, vb.pp(name)) } else { candle_nn::linear_no_bias(d_in, d_out, vb.pp(name)) }
}

impl Decoder {
    /// `q8`: 8-bit weights for the per-token products (see the module docs).
    pub fn load(vb: VarBuilder, cfg: &Config, q8: bool) -> candle_core::Result<Decoder> {
        let d = cfg.d_model;
        let ln = |vb: VarBuilder| candle_nn::layer_norm(d, 1e-5, vb);
        let step =
            |vb: &VarBuilder, d_in, d_out, name: &str, bias| StepLinear::new(linear(vb, d_in, d_out, name, bias)?, q8);
        let mut blocks = Vec::with_capacity(cfg.decoder_layers);
        for i in 0..cfg.decoder_layers {
            let b = vb.pp(format!("layers.{i}"));
            let (sa, ca) = (b.pp("self_attn"), b.pp("encoder_attn"));
            blocks.push(Block {
                self_q: step(&sa, d, d, "q_proj", true)?,
                self_k: step(&sa, d, d, "k_proj", false)?,
                self_v: step(&sa, d, d, "v_proj", true)?,
                self_out: step(&sa, d, d, "out_proj", true)?,
                self_ln: ln(b.pp("self_attn_layer_norm"))?,
                cross_q: step(&ca, d, d, "q_proj", true)?,
                cross_k: linear(&ca, d, d, "k_proj", false)?,
                cross_v: linear(&ca, d, d, "v_proj", true)?,
                cross_out: step(&ca, d, d, "out_proj", true)?,
                cross_ln: ln(b.pp("encoder_attn_layer_norm"))?,
                fc1: step(&b, d, 4 * d, "fc1", true)?,
                fc2: step(&b, 4 * d, d, "fc2", true)?,
                mlp_ln: ln(b.pp("final_layer_norm"))?,
            });
        }
        let embedding = vb.get((cfg.vocab_size, d), "embed_tokens.weight")?;
        Ok(Decoder {
            vocab: StepLinear::new(Linear::new(embedding.clone(), None), q8)?,
            embedding,
            positions: vb.get((cfg.max_target_positions, d), "embed_positions.weight")?,
            blocks,
            ln: ln(vb.pp("layer_norm"))?,
            heads: cfg.decoder_attention_heads,
            head_dim: d / cfg.decoder_attention_heads,
        })
    }

    /// Whether checking several drafted tokens in one pass is cheaper than decoding them one
    /// by one. With f32 weights it is (a batched product reads the weights once for all the
    /// rows). With 8-bit weights it is not: measured on base with 2 cores, candle's 8-bit
    /// product costs 5–7 ms per row, as much as a step of its own, so drafts are not used.
    pub fn checks_drafts_cheaply(&self) -> bool {
        matches!(self.vocab, StepLinear::F32(_))
    }

    /// `[n, d]` → `[heads, n, head_dim]`.
    fn split_heads(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let n = x.dim(0)?;
        x.reshape((n, self.heads, self.head_dim))?.transpose(0, 1)?.contiguous()
    }

    /// `[heads, n, head_dim]` → `[n, d]`.
    fn merge_heads(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let n = x.dim(1)?;
        x.transpose(0, 1)?.contiguous()?.reshape((n, self.heads * self.head_dim))
    }

    /// Prepare for one utterance: `audio` is the encoder output `[1, frames, d]`.
    pub fn start(&self, audio: &Tensor) -> candle_core::Result<DecoderState> {
        let audio = audio.squeeze(0)?;
        let cross = self
            .blocks
            .iter()
            .map(|b| {
                let k = self.split_heads(&b.cross_k.forward(&audio)?)?.transpose(1, 2)?.contiguous()?;
                let v = self.split_heads(&b.cross_v.forward(&audio)?)?;
                Ok((k, v))
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(DecoderState { cache: vec![None; self.blocks.len()], cross, position: 0 })
    }

    /// Prepare for one utterance whose cross-attention keys and values the encoder computed
    /// (per layer: keys `[heads, head_dim, frames]`, values `[heads, frames, head_dim]`).
    pub fn start_with(&self, cross: Vec<(Tensor, Tensor)>) -> candle_core::Result<DecoderState> {
        if cross.len() != self.blocks.len() {
            candle_core::bail!("the encoder gave keys and values for {} layers; the decoder has {}", cross.len(), self.blocks.len());
        }
        Ok(DecoderState { cache: vec![None; self.blocks.len()], cross, position: 0 })
    }

    /// Run `tokens` (the prompt at first, then one token at a time); returns the
    /// vocabulary logits for the last of them.
    pub fn step(&self, state: &mut DecoderState, tokens: &[u32]) -> candle_core::Result<Vec<f32>> {
        Ok(self.step_many(state, tokens, 1)?.pop().unwrap_or_default())
    }

    /// Run `tokens` and return the logits after each of the last `want` of them: what the
    /// model would say next at each of those points. Verifying a draft of `k` tokens this way
    /// is one pass over the weights instead of `k` (see [`DecoderState::truncate`]).
    pub fn step_many(
        &self,
        state: &mut DecoderState,
        tokens: &[u32],
        want: usize,
    ) -> candle_core::Result<Vec<Vec<f32>>> {
        let device = self.embedding.device();
        let n = tokens.len();
        let ids = Tensor::new(tokens, device)?;
        let mut x = self.embedding.index_select(&ids, 0)?.add(&self.positions.narrow(0, state.position, n)?)?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        // Prompt tokens see earlier prompt tokens only.
        let mask = if n > 1 { Some(causal_mask(n, state.position, device)?) } else { None };
        for (i, b) in self.blocks.iter().enumerate() {
            // Self-attention over everything decoded so far.
            let h = b.self_ln.forward(&x)?;
            let q = self.split_heads(&b.self_q.forward(&h)?)?;
            let k_new = self.split_heads(&b.self_k.forward(&h)?)?;
            let v_new = self.split_heads(&b.self_v.forward(&h)?)?;
            let (k, v) = match state.cache[i].take() {
                Some((k, v)) => (Tensor::cat(&[&k, &k_new], 1)?, Tensor::cat(&[&v, &v_new], 1)?),
                None => (k_new, v_new),
            };
            let mut scores = (q.matmul(&k.transpose(1, 2)?)? * scale)?;
            if let Some(m) = &mask {
                scores = scores.broadcast_add(m)?;
            }
            let attn = candle_nn::ops::softmax_last_dim(&scores)?.matmul(&v)?;
            x = (x + b.self_out.forward(&self.merge_heads(&attn)?)?)?;
            state.cache[i] = Some((k, v));

            // Cross-attention over the audio.
            let h = b.cross_ln.forward(&x)?;
            let q = self.split_heads(&b.cross_q.forward(&h)?)?;
            let (ck, cv) = &state.cross[i];
            let scores = (q.matmul(ck)? * scale)?;
            let attn = candle_nn::ops::softmax_last_dim(&scores)?.matmul(cv)?;
            x = (x + b.cross_out.forward(&self.merge_heads(&attn)?)?)?;

            // Feed-forward.
            let h = b.mlp_ln.forward(&x)?;
            x = (x + b.fc2.forward(&b.fc1.forward(&h)?.gelu_erf()?)?)?;
        }
        state.position += n;
        let want = want.clamp(1, n);
        let last = self.ln.forward(&x.narrow(0, n - want, want)?)?;
        self.vocab.forward(&last)?.to_vec2::<f32>()
    }
}

impl DecoderState {
    /// Tokens run so far.
    pub fn tokens(&self) -> usize {
        self.position
    }

    /// Forget every token after the first `len` (a draft's rejected tail). With `len` 0 the
    /// state is as [`Decoder::start`] made it: the audio heard, no token run.
    pub fn truncate(&mut self, len: usize) -> candle_core::Result<()> {
        if len >= self.position {
            return Ok(());
        }
        if len == 0 {
            self.cache.iter_mut().for_each(|entry| *entry = None);
            self.position = 0;
            return Ok(());
        }
        for entry in self.cache.iter_mut() {
            if let Some((k, v)) = entry.take() {
                *entry = Some((k.narrow(1, 0, len)?.contiguous()?, v.narrow(1, 0, len)?.contiguous()?));
            }
        }
        self.position = len;
        Ok(())
    }
}

/// `[n, past + n]`: new token `i` may see every cached token and new tokens up to itself.
fn causal_mask(n: usize, past: usize, device: &Device) -> candle_core::Result<Tensor> {
    let values: Vec<f32> =
        (0..n).flat_map(|i| (0..past + n).map(move |j| if j <= past + i { 0.0 } else { f32::NEG_INFINITY })).collect();
    Tensor::from_vec(values, (n, past + n), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_bit_products_match_f32() {
        let dev = Device::Cpu;
        // An odd number of outputs, like the vocabulary (51,865).
        let w = Tensor::randn(0f32, 0.05, (1027, 512), &dev).unwrap();
        let b = Tensor::randn(0f32, 0.1, 1027, &dev).unwrap();
        let x = Tensor::randn(0f32, 1.0, (3, 512), &dev).unwrap();
        // The weight is a view into a bigger (fused) tensor, as CTranslate2's q/k/v are.
        let fused = Tensor::cat(&[&w, &w.affine(2.0, 0.0).unwrap()], 0).unwrap();
        let w = fused.narrow(0, 1027, 1027).unwrap();
        let f32_layer = StepLinear::new(Linear::new(w.clone(), Some(b.clone())), false).unwrap();
        let q8_layer = StepLinear::new(Linear::new(w, Some(b)), true).unwrap();
        for x in [x.clone(), x.narrow(0, 2, 1).unwrap()] {
            let exact = f32_layer.forward(&x).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let q = q8_layer.forward(&x).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let err = exact.iter().zip(&q).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
            let scale = exact.iter().map(|a| a.abs()).fold(0f32, f32::max);
            assert!(err < 0.02 * scale, "max error {err} against values up to {scale}");
        }
    }
}
