"""The shipped data bundle: paths, checksum verification, and loaders.

Every file under ``data/`` is listed in ``data/MANIFEST.sha256``. ``data_file(rel)`` checks the file against it the
first time it is used in a process, and a missing or corrupted file raises ``DataFileError`` naming the file and how
to restore it. Provenance and licenses: ``data/README.md``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

__all__ = ["DATA", "DataFileError", "data_file", "write_manifest", "load_icon", "load_speech_index",
           "load_voice", "load_text", "load_mnist", "load_digit_speech"]

DATA = Path(__file__).resolve().parents[1] / "data"
MANIFEST = DATA / "MANIFEST.sha256"
_UNLISTED = {"MANIFEST.sha256", "README.md"}


class DataFileError(RuntimeError):
    """A course data file is missing or corrupted."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _restore_hint(rel: str) -> str:
    return (f"restore it with `git checkout -- data/{rel}` (or a fresh clone of the course); course authors can "
            f"rebuild the bundle with `scripts/build_data.py`")


@lru_cache(maxsize=None)
def _manifest() -> dict[str, str]:
    if not MANIFEST.is_file():
        raise DataFileError(f"the data manifest data/MANIFEST.sha256 is missing: {_restore_hint('MANIFEST.sha256')}.")
    entries = {}
    for line in MANIFEST.read_text().splitlines():
        digest, rel = line.split(maxsplit=1)
        entries[rel.strip()] = digest
    return entries


@lru_cache(maxsize=None)
def data_file(rel: str) -> Path:
    """Path of ``data/<rel>`` after checking it against the manifest (once per process).

    Raises:
        DataFileError: the file is not in the manifest, is missing, or its checksum differs.
    """
    entries = _manifest()
    if rel not in entries:
        raise DataFileError(f"data/{rel} is not part of the course data (not in data/MANIFEST.sha256).")
    path = DATA / rel
    if not path.is_file():
        raise DataFileError(f"data file data/{rel} is missing: {_restore_hint(rel)}.")
    if _sha256(path) != entries[rel]:
        raise DataFileError(f"data file data/{rel} is corrupted (its SHA-256 differs from data/MANIFEST.sha256): "
                            f"{_restore_hint(rel)}.")
    return path


def write_manifest() -> None:
    """Write ``data/MANIFEST.sha256`` for every file under ``data/`` (course authors, after a rebuild)."""
    lines = []
    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):
        rel = path.relative_to(DATA).as_posix()
        if rel not in _UNLISTED:
            lines.append(f"{_sha256(path)}  {rel}")
    MANIFEST.write_text("\n".join(lines) + "\n")
    _manifest.cache_clear()
    data_file.cache_clear()


@lru_cache(maxsize=None)
def load_icon(name: str) -> torch.Tensor:
    """The icon of object class ``name`` as a ``(4, 64, 64)`` float tensor (RGBA in [0, 1])."""
    from PIL import Image

    with Image.open(data_file(f"icons/{name}.png")) as im:
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float32) / 255.0  # (64, 64, 4)
    return torch.from_numpy(rgba).permute(2, 0, 1).contiguous()


@lru_cache(maxsize=None)
def load_speech_index() -> dict:
    """The spoken-word index: sample rate, voices (variant, pitch, speed, word sample ranges) and phonemes."""
    return json.loads(data_file("speech/index.json").read_text())


@lru_cache(maxsize=None)
def load_voice(voice: str) -> torch.Tensor:
    """All words spoken by ``voice``, back to back, as a float ``(T,)`` waveform (see ``load_speech_index``)."""
    import soundfile as sf

    index = load_speech_index()
    if voice not in index["voices"]:
        raise ValueError(f"load_voice: unknown voice {voice!r}; the voices are {sorted(index['voices'])}.")
    wave, _ = sf.read(data_file(f"speech/{voice}.flac"), dtype="float32")
    return torch.from_numpy(wave)


def load_digit_speech(digit: int) -> tuple[torch.Tensor, int]:
    """A real human recording of ``digit`` (0-9): float ``(T,)`` waveform and its sample rate (8 kHz)."""
    import soundfile as sf

    if not (isinstance(digit, int) and 0 <= digit <= 9):
        raise ValueError(f"load_digit_speech: `digit` must be an int 0-9; got {digit!r}.")
    wave, rate = sf.read(data_file(f"digits_speech/{digit}.flac"), dtype="float32")
    return torch.from_numpy(wave), rate


def load_text(name: str) -> list[str]:
    """A shipped corpus as a list of lines: ``"kjv"`` (King James Bible, a verse per line) or ``"wordnet_glosses"``."""
    if name not in ("kjv", "wordnet_glosses"):
        raise ValueError(f"load_text: `name` must be 'kjv' or 'wordnet_glosses'; got {name!r}.")
    return gzip.decompress(data_file(f"text/{name}.txt.gz").read_bytes()).decode("utf-8").splitlines()


def load_mnist() -> tuple[torch.Tensor, torch.Tensor]:
    """5,000 real MNIST digits: images ``(5000, 28, 28)`` uint8 and labels ``(5000,)`` int64."""
    with np.load(data_file("mnist/mnist_5k.npz")) as z:
        return torch.from_numpy(z["images"]), torch.from_numpy(z["labels"].astype(np.int64))
