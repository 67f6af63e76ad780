"""Image-to-speech (lesson 09): image -> spoken description.

An ``ImageToSpeech`` model maps an image straight to the log-mel frames of its spoken caption; ``vocode`` turns
frames into a waveform (torchaudio's mel pseudo-inverse and Griffin-Lim); a ``CaptionRecognizer``, trained only on
recorded speech, transcribes it. The cascade baseline goes through text: a ``SlotCaptioner`` predicts the caption's
colour, class and background from the image, ``slots_to_captions`` writes the caption, and the caption's spoken
frames are vocoded the same way.
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn as nn
import torchaudio

from ..blocks.encoders import mel_conv1d_stack
from ..validate import check_positive, check_tensor
from ..world.prompts import prompt_words
from ..world.vocab import BACKGROUND_NAMES, CLASS_NAMES, COLOUR_NAMES

__all__ = ["ImageToSpeech", "SlotCaptioner", "slots_to_captions", "CaptionRecognizer", "mel_to_linear", "vocode"]


class ImageToSpeech(nn.Module):
    """An image ``(B, 3, H, W)`` -> the log-mel frames of its spoken description ``(B, n_mels, frames)``.

    An image encoder (any module giving ``(B, encoder.dim)``) and an MLP that writes all the frames at once: the
    description's words and their timing are decided from the image in one step."""

    def __init__(self, encoder: nn.Module, n_mels: int, frames: int, hidden: int = 256):
        super().__init__()
        check_positive(n_mels, "ImageToSpeech", "n_mels", integer=True)
        check_positive(frames, "ImageToSpeech", "frames", integer=True)
        self.encoder, self.n_mels, self.frames = encoder, n_mels, frames
        self.decoder = nn.Sequential(nn.Linear(encoder.dim, hidden), nn.ReLU(), nn.Linear(hidden, n_mels * frames))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        h = self.encoder(images)  # (B, dim)
        return self.decoder(h).view(-1, self.n_mels, self.frames)  # (B, n_mels, frames)


class SlotCaptioner(nn.Module):
    """The cascade's first step: an image ``(B, 3, H, W)`` -> logits for the three words of its caption that the image
    decides, ``[colour (B, 6), class (B, 10), background (B, 6)]`` (world order). An image encoder (any module giving
    ``(B, encoder.dim)``) and one linear head per field of the caption."""

    FIELDS = (COLOUR_NAMES, CLASS_NAMES, BACKGROUND_NAMES)

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.heads = nn.ModuleList(nn.Linear(encoder.dim, len(names)) for names in self.FIELDS)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        h = self.encoder(images)  # (B, dim)
        return [head(h) for head in self.heads]  # [(B, 6), (B, 10), (B, 6)]


def slots_to_captions(colour_logits: torch.Tensor, class_logits: torch.Tensor,
                      background_logits: torch.Tensor) -> list[str]:
    """The most likely word of each slot, written as the world writes a caption (``world.prompts.prompt_words``): logits
    ``(N, 6), (N, 10), (N, 6)`` -> N captions such as "an orange cat in the water" (the article follows the colour,
    the preposition the background)."""
    for name, logits, names in [("colour_logits", colour_logits, COLOUR_NAMES), ("class_logits", class_logits,
                                CLASS_NAMES), ("background_logits", background_logits, BACKGROUND_NAMES)]:
        check_tensor(logits, "slots_to_captions", name, shape=(len(colour_logits), len(names)), dtype="float")
    return [" ".join(prompt_words(CLASS_NAMES[c], COLOUR_NAMES[k], BACKGROUND_NAMES[b]))  # the world's caption form
            for k, c, b in zip(colour_logits.argmax(1).tolist(), class_logits.argmax(1).tolist(),
                               background_logits.argmax(1).tolist())]


class CaptionRecognizer(nn.Module):
    """A small recogniser of spoken captions with a fixed number of words: ``(B, n_mels, T)`` standardised log-mel
    -> word logits ``(B, n_words, vocab_size)``, one softmax per word position (convolutions over time, pooled to
    ``n_words * 2`` time steps, a linear layer)."""

    def __init__(self, n_mels: int, n_words: int, vocab_size: int, width: int = 64):
        super().__init__()
        self.n_mels, self.n_words, self.vocab_size = n_mels, n_words, vocab_size
        w = width
        self.features = nn.Sequential(*mel_conv1d_stack(n_mels, w),  # (B, w, T/4)
                                      nn.AdaptiveAvgPool1d(2 * n_words), nn.Flatten())  # (B, w * 2 * n_words)
        self.head = nn.Linear(w * 2 * n_words, n_words * vocab_size)

    def forward(self, spectrograms: torch.Tensor) -> torch.Tensor:
        check_tensor(spectrograms, "CaptionRecognizer", "spectrograms", shape=("B", self.n_mels, "T"), dtype="float")
        h = self.features(spectrograms)  # (B, w * 2 * n_words)
        return self.head(h).view(-1, self.n_words, self.vocab_size)  # (B, n_words, vocab)


@lru_cache(maxsize=4)
def _mel_inverse(n_fft: int, n_mels: int, sample_rate: int) -> torchaudio.transforms.InverseMelScale:
    return torchaudio.transforms.InverseMelScale(n_stft=n_fft // 2 + 1, n_mels=n_mels, sample_rate=sample_rate,
                                                 driver="gelsd")


def mel_to_linear(mel_power: torch.Tensor, n_fft: int = 512, sample_rate: int = 16_000) -> torch.Tensor:
    """Mel power ``(..., n_mels, T)`` -> linear power spectrogram ``(..., n_fft // 2 + 1, T)``: the least-squares
    (minimum-norm) solution of ``fb^T x = mel``, clamped at 0 (torchaudio's InverseMelScale)."""
    check_tensor(mel_power, "mel_to_linear", "mel_power", dtype="float")
    if mel_power.dim() < 2:
        raise ValueError(f"mel_to_linear: expected (..., n_mels, T); got shape {tuple(mel_power.shape)}.")
    return _mel_inverse(n_fft, mel_power.shape[-2], sample_rate)(mel_power)


def vocode(log_mels: torch.Tensor, n_fft: int = 512, hop_length: int = 320, sample_rate: int = 16_000,
           n_iter: int = 32, chunk: int = 10) -> torch.Tensor:
    """Log-mel frames (as ``audio.log_mel`` makes them) ``(B, n_mels, T)`` -> waveforms ``(B, samples)``: exp, the
    mel pseudo-inverse, then Griffin-Lim's phase estimate (torchaudio, ``n_iter`` iterations, zero initial phase so
    the result does not depend on a random state). Clips are vocoded ``chunk`` at a time: each is independent of
    the others, and small batches stay in the CPU's cache (twice as fast as one batch of 150)."""
    check_tensor(log_mels, "vocode", "log_mels", shape=("B", "n_mels", "T"), dtype="float")
    linear = mel_to_linear(log_mels.exp(), n_fft, sample_rate)  # (B, n_fft // 2 + 1, T)
    with torch.device(log_mels.device):  # its window is built where the spectrogram is
        griffin_lim = torchaudio.transforms.GriffinLim(n_fft=n_fft, hop_length=hop_length, n_iter=n_iter, power=2.0,
                                                       rand_init=False)
    return torch.cat([griffin_lim(part) for part in linear.split(chunk)])  # (B, samples)
