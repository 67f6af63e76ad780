"""Encoders: one small network per modality, each mapping its input to a feature vector (or a feature grid).

Composed as ``encoders -> fusion -> head`` (see ``blocks.fusion`` and ``blocks.models``).

* images: ``ImageCNN`` (a vector, or the grid of its last conv layer), with ``conv_block2d`` and the
  ``permute_colour_channels`` augmentation;
* audio: ``AudioCNN`` (a log-mel spectrogram), ``WaveformCNN`` (the raw waveform, SoundNet-style),
  ``mel_conv1d_stack`` (1-D convolutions over a log-mel's time axis);
* text: ``BagOfWordsEncoder`` (the mean of a text's word vectors, then a linear map: lesson 03),
  ``QuestionEncoder`` (a GRU's last state: lesson 06), ``TextConditioner`` (one attention-pooled vector per part
  of a generator: lesson 05).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..core import random_device
from ..text import Vocabulary, mean_of_words
from ..validate import check_positive, check_tensor
from .attention import WordAttentionPool

__all__ = ["ImageCNN", "AudioCNN", "WaveformCNN", "conv_block2d", "mel_conv1d_stack", "permute_colour_channels",
           "BagOfWordsEncoder", "QuestionEncoder", "TextConditioner"]


def conv_block2d(cin: int, cout: int) -> list[nn.Module]:
    """A 3x3 convolution (same size), batch norm and ReLU: the block of the course's small image CNNs."""
    return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]


def mel_conv1d_stack(n_mels: int, width: int) -> list[nn.Module]:
    """Three 1-D convolutions over time of a log-mel spectrogram ``(B, n_mels, T)`` -> ``(B, width, T // 4)``: the
    trunk of lesson 09's voice encoder and caption recogniser (kernel 5, batch norm, ReLU, max pooling by 2 after
    the first two)."""
    w = width
    return [nn.Conv1d(n_mels, w, 5, padding=2), nn.BatchNorm1d(w), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.BatchNorm1d(w), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.ReLU()]


_PERMUTATIONS = torch.tensor([[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])


def permute_colour_channels(images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Each image's RGB channels in one of the six orders, drawn at random: ``(B, 3, H, W)`` -> same shape.

    An augmentation for what must not depend on colour: a red dog becomes a green or a blue one, so a class learned
    on permuted images is learned from shape."""
    check_tensor(images, "permute_colour_channels", "images", shape=("B", 3, "H", "W"), dtype="float")
    draws = torch.randint(6, (len(images),), generator=generator, device=random_device(generator, images.device))
    order = _PERMUTATIONS.to(images.device)[draws.to(images.device)]  # (B, 3)
    return torch.gather(images, 1, order[:, :, None, None].expand_as(images))


class ImageCNN(nn.Module):
    """Three conv-BN-ReLU blocks (two 2x poolings) over an image ``(B, 3, H, W)``.

    ``forward`` returns a feature vector ``(B, dim)`` (global max pooling); ``grid`` returns the feature grid
    ``(B, dim, H/4, W/4)`` for attention.
    """

    def __init__(self, dim: int = 64, width: int = 16, in_channels: int = 3):
        super().__init__()
        self.dim = dim
        self.features = nn.Sequential(
            *conv_block2d(in_channels, width), nn.MaxPool2d(2),
            *conv_block2d(width, 2 * width), nn.MaxPool2d(2),
            *conv_block2d(2 * width, dim),
        )

    def grid(self, images: torch.Tensor) -> torch.Tensor:
        check_tensor(images, "ImageCNN", "images", shape=("B", "C", "H", "W"), dtype="float")
        # Channels-last memory order (the same tensor, stored pixel by pixel): on a CPU the convolutions, batch norms
        # and poolings run about 1.5x faster in it. The result is laid out that way too; shape and values are as usual.
        return self.features(images.contiguous(memory_format=torch.channels_last))  # (B, dim, H/4, W/4)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.grid(images).amax(dim=(2, 3))  # (B, dim)


class AudioCNN(nn.Module):
    """1-D convolutions over time of a (log-mel) spectrogram ``(B, n_mels, T)`` -> ``(B, dim)`` (max over time)."""

    def __init__(self, n_mels: int = 32, dim: int = 64, width: int = 32):
        super().__init__()
        self.n_mels, self.dim = n_mels, dim
        self.features = nn.Sequential(
            nn.Conv1d(n_mels, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(width, dim, 5, padding=2), nn.ReLU(),
        )

    def forward(self, spectrograms: torch.Tensor) -> torch.Tensor:
        check_tensor(spectrograms, "AudioCNN", "spectrograms", shape=("B", self.n_mels, "T"), dtype="float")
        return self.features(spectrograms).amax(dim=2)  # (B, dim)


class WaveformCNN(nn.Module):
    """SoundNet-style encoder of the raw waveform ``(B, T)``: strided 1-D convolutions straight on the samples (no
    spectrogram), each followed by batch norm, ReLU and max pooling, then a global max over time -> ``(B, dim)``."""

    def __init__(self, dim: int = 64, width: int = 16):
        super().__init__()
        self.dim = dim
        self.features = nn.Sequential(
            nn.Conv1d(1, width, 64, stride=8, padding=28), nn.BatchNorm1d(width), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(width, 2 * width, 16, stride=2, padding=7), nn.BatchNorm1d(2 * width), nn.ReLU(),
            nn.MaxPool1d(4),
            nn.Conv1d(2 * width, dim, 8, padding=4), nn.BatchNorm1d(dim), nn.ReLU(),
        )

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        check_tensor(waveforms, "WaveformCNN", "waveforms", shape=("B", "T"), dtype="float")
        return self.features(waveforms[:, None]).amax(dim=2)  # (B, dim)


class BagOfWordsEncoder(nn.Module):
    """Token ids ``(B, L)`` (0 = padding) -> mean of their word vectors -> linear -> ``(B, dim)``.

    ``vectors`` ``(V, d)`` optionally initialises the word vectors (DeViSE starts from skip-gram vectors);
    ``freeze_vectors`` keeps them fixed, so that words never seen in training keep their meaning."""

    def __init__(self, vocab_size: int, dim: int = 64, word_dim: int = 64, vectors: torch.Tensor | None = None,
                 freeze_vectors: bool = False):
        super().__init__()
        if vectors is not None:
            check_tensor(vectors, "BagOfWordsEncoder", "vectors", shape=(vocab_size, None), dtype="float")
            word_dim = vectors.shape[1]
        self.words = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        if vectors is not None:
            with torch.no_grad():
                self.words.weight.copy_(vectors)
        self.words.weight.requires_grad_(not freeze_vectors)
        self.project = nn.Linear(word_dim, dim)
        self.dim = dim

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        check_tensor(tokens, "BagOfWordsEncoder", "tokens", shape=("B", "L"), dtype="int")
        return self.project(mean_of_words(self.words(tokens), tokens))  # (B, dim)


class QuestionEncoder(nn.Module):
    """Token ids ``(B, L)`` (padded with 0) and lengths ``(B,)`` -> the GRU's state after the last real token
    ``(B, hidden)``."""

    def __init__(self, vocab_size: int, embed: int = 32, hidden: int = 64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=Vocabulary.PAD)
        self.gru = nn.GRU(embed, hidden, batch_first=True)
        self.dim = hidden

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        check_tensor(tokens, "QuestionEncoder", "tokens", shape=("B", "L"), dtype="int")
        check_tensor(lengths, "QuestionEncoder", "lengths", shape=(tokens.shape[0],), dtype="int")
        states, _ = self.gru(self.embed(tokens))  # (B, L, hidden)
        return states[torch.arange(len(tokens), device=tokens.device), lengths - 1]  # (B, hidden)


class TextConditioner(nn.Module):
    """Token ids ``(B, L)`` -> one conditioning vector per *part* ``{part: (B, dim)}``: word embeddings, then a
    ``WordAttentionPool`` per part, so each part of a generator can read the words it needs. ``last_weights`` keeps
    the attention of the last call, ``{part: (B, L)}``."""

    def __init__(self, vocab_size: int, dim: int, parts: list[str], pad_id: int = 0):
        super().__init__()
        check_positive(vocab_size, "TextConditioner", "vocab_size", integer=True)
        self.pad_id, self.parts = pad_id, list(parts)
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=pad_id)
        self.pools = nn.ModuleDict({p: WordAttentionPool(dim) for p in self.parts})
        self.last_weights: dict[str, torch.Tensor] = {}

    def forward(self, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
        check_tensor(tokens, "TextConditioner", "tokens", shape=("B", "L"), dtype="int")
        words, mask = self.embed(tokens), tokens != self.pad_id  # (B, L, dim), (B, L)
        out = {}
        for part, pool in self.pools.items():
            out[part], self.last_weights[part] = pool(words, mask)
        return out
