//! Whisper's audio encoder: two convolutions, then transformer blocks over the frames.
//!
//! Two implementations of the same network ([`AudioEncoder`]):
//! - [`OnnxEncoder`]: ONNX Runtime runs the graph `scripts/whisper_encoder.py` writes, at setup,
//!   from the same CTranslate2 weights. It is the one in use for Whisper base: on these 2 cores it
//!   encodes a 5 s window in about half the time of candle's (68 ms against 145 ms), because
//!   MLAS's products use AVX-512 and its threads sleep between operators where candle's pool spins
//!   against gemm's threads.
//! - [`Encoder`], on candle: for tiny.en, and for comparison (`SWITCHBOARD_WHISPER_ENCODER=candle`).
//!
//! candle's encoder here is the same computation as candle's own, with one difference: GELU. candle computes it
//! element by element through libm's `tanhf`, on one thread; on base's 5 s context that
//! is about 3.5 million calls per utterance, a fifth of the encoder's time (measured with
//! `perf`). Here it is the same tanh formula, written as `x / (1 + e^(-2u))` with an
//! exponential the compiler vectorises, split over the cores.

use std::sync::Mutex;

use anyhow::Context;
use candle_core::{CpuStorage, Device, Layout, Module, Shape, Tensor};
use candle_nn::{Conv1d, Conv1dConfig, LayerNorm, Linear, VarBuilder};
use candle_transformers::models::whisper::Config;

struct Block {
    attn_ln: LayerNorm,
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    mlp_ln: LayerNorm,
    fc1: Linear,
    fc2: Linear,
}

pub struct Encoder {
    conv1: Conv1d,
    conv2: Conv1d,
    positions: Tensor,
    blocks: Vec<Block>,
    ln_post: LayerNorm,
    heads: usize,
}

impl Encoder {
    pub fn load(vb: VarBuilder, cfg: &Config) -> candle_core::Result<Encoder> {
        let d = cfg.d_model;
        let ln = |vb: VarBuilder| candle_nn::layer_norm(d, 1e-5, vb);
        let conv = |stride| Conv1dConfig { padding: 1, stride, groups: 1, dilation: 1, cudnn_fwd_algo: None };
        let mut blocks = Vec::with_capacity(cfg.encoder_layers);
        for i in 0..cfg.encoder_layers {
            let b = vb.pp(format!("layers.{i}"));
            let a = b.pp("self_attn");
            blocks.push(Block {
                attn_ln: ln(b.pp("self_attn_layer_norm"))?,
                q: candle_nn::linear(d, d, a.pp("q_proj"))?,
                k: candle_nn::linear_no_bias(d, d, a.pp("k_proj"))?,
                v: candle_nn::linear(d, d, a.pp("v_proj"))?,
                out: candle_nn::linear(d, d, a.pp("out_proj"))?,
                mlp_ln: ln(b.pp("final_layer_norm"))?,
                fc1: candle_nn::linear(d, 4 * d, b.pp("fc1"))?,
                fc2: candle_nn::linear(4 * d, d, b.pp("fc2"))?,
            });
        }
        Ok(Encoder {
            conv1: candle_nn::conv1d(cfg.num_mel_bins, d, 3, conv(1), vb.pp("conv1"))?,
            conv2: candle_nn::conv1d(d, d, 3, conv(2), vb.pp("conv2"))?,
            positions: sinusoids(cfg.max_source_positions, d, vb.device())?,
            blocks,
            ln_post: ln(vb.pp("layer_norm"))?,
            heads: cfg.encoder_attention_heads,
        })
    }

    /// `mel`: `[1, mels, frames]` → `[1, frames / 2, d]`.
    pub fn forward(&self, mel: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_unless(mel, &|| false)
    }

    /// [`Encoder::forward`], given up between blocks once `cancelled` says so (a recognition
    /// begun in a pause the caller then spoke on through): the cores go to the next one.
    pub fn forward_unless(&self, mel: &Tensor, cancelled: &dyn Fn() -> bool) -> candle_core::Result<Tensor> {
        let x = gelu(&self.conv1.forward(mel)?)?;
        let x = gelu(&self.conv2.forward(&x)?)?;
        let x = x.squeeze(0)?.t()?;
        let (frames, d) = x.dims2()?;
        let mut x = x.broadcast_add(&self.positions.narrow(0, 0, frames)?)?;
        let head_dim = d / self.heads;
        // Scaling q and k by head_dim^-1/4 each, as Whisper does.
        let scale = (head_dim as f64).powf(-0.25);
        let heads = |t: Tensor| t.reshape((frames, self.heads, head_dim))?.transpose(0, 1);
        for b in &self.blocks {
            if cancelled() {
                candle_core::bail!("recognition cancelled");
            }
            let h = b.attn_ln.forward(&x)?;
            let q = (heads(b.q.forward(&h)?)? * scale)?.contiguous()?;
            let k = (heads(b.k.forward(&h)?)?.transpose(1, 2)? * scale)?.contiguous()?;
            let v = heads(b.v.forward(&h)?)?.contiguous()?;
            let w = candle_nn::ops::softmax_last_dim(&q.matmul(&k)?)?;
            let attn = w.matmul(&v)?.transpose(0, 1)?.reshape((frames, d))?;
            x = (x + b.out.forward(&attn)?)?;
            let h = b.mlp_ln.forward(&x)?;
            x = (&x + b.fc2.forward(&gelu(&b.fc1.forward(&h)?)?)?)?;
        }
        self.ln_post.forward(&x)?.unsqueeze(0)
    }
}

/// Whisper's encoder, on whichever runtime runs it.
pub enum AudioEncoder {
    Candle(Encoder),
    Onnx(OnnxEncoder),
}

/// What the encoder heard.
pub struct Encoded {
    /// `[1, frames / 2, d]`.
    pub audio: Tensor,
    /// Per decoder layer, its cross-attention keys `[heads, head_dim, frames / 2]` and values
    /// `[heads, frames / 2, head_dim]`, when the encoder computed them too (the ONNX graph
    /// does; otherwise the decoder computes them from `audio`).
    pub cross: Option<Vec<(Tensor, Tensor)>>,
}

impl AudioEncoder {
    /// `mel`: `[1, mels, frames]`; given up once `cancelled` says so (a recognition begun in a
    /// pause the caller then spoke on through).
    pub fn forward_unless(&self, mel: &Tensor, cancelled: &dyn Fn() -> bool) -> candle_core::Result<Encoded> {
        match self {
            AudioEncoder::Candle(e) => Ok(Encoded { audio: e.forward_unless(mel, cancelled)?, cross: None }),
            // One run is a few tens of milliseconds: the caller asks before it, not during.
            AudioEncoder::Onnx(e) => e.encode(mel),
        }
    }
}

/// Whisper's encoder as an ONNX graph, written by `scripts/whisper_encoder.py`: input `mel`
/// `[1, mels, frames]`, outputs `audio` `[1, frames / 2, d]` and each decoder layer's
/// cross-attention keys and values (`cross_k_<i>`, `cross_v_<i>`), which ONNX Runtime computes
/// in half the time candle does.
pub struct OnnxEncoder {
    /// One run at a time: it takes both cores, and a second would only halve each.
    session: Mutex<ort::session::Session>,
}

impl OnnxEncoder {
    pub fn load(path: &std::path::Path) -> anyhow::Result<OnnxEncoder> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let session = crate::onnx::session(path, cores).context("loading Whisper's encoder")?;
        Ok(OnnxEncoder { session: Mutex::new(session) })
    }

    pub fn encode(&self, mel: &Tensor) -> candle_core::Result<Encoded> {
        let dims = mel.dims().to_vec();
        let values = mel.flatten_all()?.to_vec1::<f32>()?;
        let fail = |e: ort::Error| candle_core::Error::Msg(format!("Whisper's encoder (ONNX Runtime): {e}"));
        let input = ort::value::Tensor::from_array((dims, values)).map_err(fail)?;
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = session.run(ort::inputs!["mel" => input]).map_err(fail)?;
        let tensor = |name: &str| -> candle_core::Result<Tensor> {
            let value = outputs.get(name).ok_or_else(|| {
                candle_core::Error::Msg(format!(
                    "Whisper's encoder graph has no output `{name}`: rewrite it with `scripts/models.py`"
                ))
            })?;
            let (shape, data) = value.try_extract_tensor::<f32>().map_err(fail)?;
            let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
            Tensor::from_slice(data, shape.as_slice(), &Device::Cpu)
        };
        let audio = tensor("audio")?;
        let mut cross = Vec::new();
        while outputs.contains_key(&format!("cross_k_{}", cross.len())) {
            let i = cross.len();
            cross.push((tensor(&format!("cross_k_{i}"))?, tensor(&format!("cross_v_{i}"))?));
        }
        Ok(Encoded { audio, cross: Some(cross).filter(|c| !c.is_empty()) })
    }
}

/// Whisper's positional encoding for `length` frames (as candle computes it).
fn sinusoids(length: usize, channels: usize, device: &Device) -> candle_core::Result<Tensor> {
    let increment = 10_000f32.ln() / (channels / 2 - 1) as f32;
    let inv: Vec<f32> = (0..channels / 2).map(|i| (i as f32 * -increment).exp()).collect();
    let inv = Tensor::new(inv.as_slice(), device)?.unsqueeze(0)?;
    let time = Tensor::arange(0, length as u32, device)?.to_dtype(candle_core::DType::F32)?.unsqueeze(1)?;
    let scaled = time.broadcast_mul(&inv)?;
    Tensor::cat(&[scaled.sin()?, scaled.cos()?], 1)
}

/// GELU (tanh form), vectorised and on every core.
pub fn gelu(x: &Tensor) -> candle_core::Result<Tensor> {
    x.apply_op1_no_bwd(&FastGelu)
}

struct FastGelu;

impl candle_core::CustomOp1 for FastGelu {
    fn name(&self) -> &'static str {
        "fast-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let all = storage.as_slice::<f32>()?;
        let Some((from, to)) = layout.contiguous_offsets() else {
            candle_core::bail!("fast-gelu needs a contiguous tensor")
        };
        let input = &all[from..to];
        let mut out = vec![0f32; input.len()];
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // Below this, starting threads costs more than it saves.
        let chunk = input.len().div_ceil(cores).max(64 * 1024);
        std::thread::scope(|s| {
            for (src, dst) in input.chunks(chunk).zip(out.chunks_mut(chunk)) {
                s.spawn(move || gelu_slice(src, dst));
            }
        });
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

fn gelu_slice(src: &[f32], dst: &mut [f32]) {
    const C: f32 = 0.797_884_6; // sqrt(2 / pi)
    for (o, &v) in dst.iter_mut().zip(src) {
        // 0.5 v (1 + tanh u) = v / (1 + e^(-2u))
        let u = C * v * (1.0 + 0.044_715 * v * v);
        *o = v / (1.0 + exp(-2.0 * u));
    }
}

/// e^x, relative error about 2e-7, in plain arithmetic (no libm call, so loops vectorise).
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding and subtracting 1.5 * 2^23 rounds to the nearest integer without a libm call.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The graph `scripts/whisper_encoder.py` writes computes what candle's encoder computes
    /// from the same weights (up to GELU: exact there, the tanh form here), on a recorded caller,
    /// and the decoder's cross-attention keys and values as the decoder does.
    #[test]
    fn the_onnx_encoder_matches_candles() {
        let model = |file| crate::models::model_file("whisper-base", file).expect("whisper-base (scripts/setup)");
        let super::super::ct2::Weights { tensors, config } =
            super::super::ct2::load(&model("model.bin"), &Device::Cpu).unwrap();
        let vb = VarBuilder::from_tensors(tensors, candle_core::DType::F32, &Device::Cpu);
        let candle = Encoder::load(vb.pp("model.encoder"), &config).unwrap();
        let path = crate::models::model_file("whisper-base-encoder", "encoder.onnx").expect("scripts/setup makes it");
        let onnx = OnnxEncoder::load(&path).unwrap();
        let clip = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/callers/jm_kumo/zh-yes-1.wav");
        let mut samples = crate::audio::Audio::read_wav(&clip).unwrap().resampled(16_000).samples;
        samples.resize(5 * 16_000, 0.0);
        let mel = super::super::mel::log_mel(&samples, 80).unwrap();
        let frames = mel.dim(2).unwrap() / 2 * 2;
        let mel = mel.narrow(2, 0, frames).unwrap();
        let a = candle.forward(&mel).unwrap();
        let encoded = onnx.encode(&mel).unwrap();
        // The cross-attention keys and values it computes are the decoder's own: the same
        // logits after the start of transcript.
        let decoder = super::super::decoder::Decoder::load(vb.pp("model.decoder"), &config, true).unwrap();
        let sot = super::super::tokenizer::Tokenizer::load(&model("tokenizer.json")).unwrap().sot;
        let own = decoder.step(&mut decoder.start(&encoded.audio).unwrap(), &[sot]).unwrap();
        let given = decoder.step(&mut decoder.start_with(encoded.cross.unwrap()).unwrap(), &[sot]).unwrap();
        let worst = own.iter().zip(&given).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-2, "logits differ by up to {worst}");
        let b = encoded.audio;
        assert_eq!(a.dims(), b.dims());
        assert_eq!(a.dims(), &[1, frames / 2, 512]);
        // Per position, the two vectors point the same way and differ by a small fraction.
        let (a, b) = (a.squeeze(0).unwrap().to_vec2::<f32>().unwrap(), b.squeeze(0).unwrap().to_vec2::<f32>().unwrap());
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
            let norm = |v: &[f32]| v.iter().map(|p| p * p).sum::<f32>().sqrt();
            let cosine = dot / (norm(x) * norm(y));
            assert!(cosine > 0.999, "position {i}: cosine {cosine}");
        }
    }

    #[test]
    fn fast_gelu_and_exp_match_libm() {
        for i in -2000..=2000 {
            let x = i as f32 / 100.0;
            let e = exp(x);
            assert!((e - x.exp()).abs() <= 1e-6 * x.exp(), "exp({x}) = {e}, not {}", x.exp());
            let exact = 0.5 * x * (1.0 + (0.797_884_6 * x * (1.0 + 0.044_715 * x * x)).tanh());
            let mut fast = [0f32];
            gelu_slice(&[x], &mut fast);
            assert!((fast[0] - exact).abs() <= 1e-5 * exact.abs().max(1.0), "gelu({x}) = {}, not {exact}", fast[0]);
        }
        // Far out: no infinities or NaN.
        let mut far = [0f32; 2];
        gelu_slice(&[-1e4, 1e4], &mut far);
        assert!(far[0].abs() < 1e-30 && far[1] == 1e4, "{far:?}");
        let t = Tensor::new(&[[-1f32, 0.0, 2.0]], &Device::Cpu).unwrap();
        let g = gelu(&t).unwrap().to_vec2::<f32>().unwrap();
        assert!((g[0][2] - 1.954_597_7).abs() < 1e-5 && g[0][1] == 0.0, "{g:?}");
    }
}
