"""Text as data: tokens and a vocabulary mapping them to ids (an embedding layer then maps ids to vectors), and the
mean of a text's word vectors (``mean_of_words``), the simplest text encoder."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

import torch

from .validate import check_tensor

__all__ = ["tokenize", "Vocabulary", "mean_of_words"]

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens (letters, with inner apostrophes); punctuation and digits are dropped."""
    if not isinstance(text, str):
        raise ValueError(f"tokenize: `text` must be a str; got {type(text).__name__}.")
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """Token <-> id. Ids 0..3 are the specials ``<pad> <unk> <bos> <eos>``; the rest follow in order of frequency
    (ties alphabetical), keeping tokens seen at least ``min_count`` times."""

    SPECIALS = ["<pad>", "<unk>", "<bos>", "<eos>"]
    PAD, UNK, BOS, EOS = 0, 1, 2, 3

    def __init__(self, token_lists: Iterable[list[str]], min_count: int = 1):
        counts = Counter(t for tokens in token_lists for t in tokens)
        kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        self.itos: list[str] = self.SPECIALS + kept
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str], bos_eos: bool = False) -> list[int]:
        ids = [self.stoi.get(t, self.UNK) for t in tokens]
        return [self.BOS] + ids + [self.EOS] if bos_eos else ids

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[i] for i in ids if i not in (self.PAD, self.BOS, self.EOS)]

    def batch(self, token_lists: list[list[str]], bos_eos: bool = False) -> torch.Tensor:
        """Encode and right-pad with ``<pad>``: ``(B, longest)`` int64."""
        if not token_lists:
            raise ValueError("Vocabulary.batch: `token_lists` is empty.")
        encoded = [self.encode(t, bos_eos) for t in token_lists]
        out = torch.full((len(encoded), max(map(len, encoded))), self.PAD, dtype=torch.long)
        for i, ids in enumerate(encoded):
            out[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        return out


def mean_of_words(vectors: torch.Tensor, tokens: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """The mean of each text's word vectors, padding left out: ``vectors`` ``(B, L, D)`` (the embedded ``tokens``),
    ``tokens`` ``(B, L)`` ids padded with ``pad_id`` -> ``(B, D)`` (zeros for an all-padding row)."""
    check_tensor(tokens, "mean_of_words", "tokens", shape=("B", "L"), dtype="int")
    check_tensor(vectors, "mean_of_words", "vectors", shape=(tokens.shape[0], tokens.shape[1], "D"), dtype="float")
    mask = (tokens != pad_id).float()[:, :, None]  # (B, L, 1)
    return (vectors * mask).sum(1) / mask.sum(1).clamp_min(1)  # (B, D)
