"""Speech in the world: words spoken by 24 espeak-ng voices (shipped in data/speech), joined into utterances whose
word timings are known exactly."""

from __future__ import annotations

import torch

from ..core import one_thread
from ..data import load_speech_index, load_voice

__all__ = ["SPEECH_RATE", "voices", "word_phonemes", "speak"]

SPEECH_RATE = 16_000


def voices() -> list[str]:
    """Voice names ``"<variant>-p<pitch>-s<speed>"``, e.g. ``"f3-p65-s140"`` (espeak-ng variant, pitch, words/min)."""
    return sorted(load_speech_index()["voices"])


def word_phonemes(word: str) -> str:
    """espeak-ng's phoneme string of a spoken word (e.g. ``"d'0g"``)."""
    table = load_speech_index()["phonemes"]
    if word not in table:
        raise ValueError(f"word_phonemes: {word!r} is not a spoken word of the world; see vocab.SPOKEN_WORDS.")
    return table[word]


@one_thread
def speak(words: list[str] | str, voice: str, generator: torch.Generator | None = None,
          gap: tuple[float, float] = (0.03, 0.09), lead: float = 0.05) -> tuple[torch.Tensor, list[tuple]]:
    """Say ``words`` (a list, or a sentence split on spaces) in ``voice``.

    Returns the waveform ``(T,)`` at 16 kHz and the exact timing of each word ``[(word, start_s, end_s), ...]``.
    Gaps between words are drawn uniformly from ``gap`` seconds (by ``generator``; their midpoint when None).
    """
    index = load_speech_index()
    if isinstance(words, str):
        words = words.split()
    if not words:
        raise ValueError("speak: `words` is empty.")
    if voice not in index["voices"]:
        raise ValueError(f"speak: unknown voice {voice!r}; the voices are {voices()}.")
    table = index["voices"][voice]["words"]
    unknown = [w for w in words if w not in table]
    if unknown:
        raise ValueError(f"speak: no recording of {unknown}; spoken words are in vocab.SPOKEN_WORDS.")
    recording = load_voice(voice)  # (all words,)
    pieces, timings = [torch.zeros(int(lead * SPEECH_RATE))], []
    pos = len(pieces[0])
    for i, word in enumerate(words):
        start, end = table[word]
        pieces.append(recording[start:end])
        timings.append((word, pos / SPEECH_RATE, (pos + end - start) / SPEECH_RATE))
        pos += end - start
        seconds = (gap[0] + gap[1]) / 2 if generator is None else \
            gap[0] + (gap[1] - gap[0]) * torch.rand((), generator=generator).item()
        silence = int(seconds * SPEECH_RATE) if i < len(words) - 1 else int(lead * SPEECH_RATE)
        pieces.append(torch.zeros(silence))
        pos += silence
    return torch.cat(pieces), timings
