"""Translating between audio and images (lesson 09): Speech2Face (voice -> face) and image-to-speech (image -> spoken
description).

Speech2Face (Oh et al. 2019): a face autoencoder, trained first and frozen, gives every face a latent; a
``VoiceEncoder`` regresses the speaker's face latent from a log-mel spectrogram; the autoencoder's decoder renders the
prediction, and an independent ``judges.AttributeClassifier`` reads attributes off the rendering.

Image-to-speech: an ``ImageToSpeech`` model maps an image straight to the log-mel frames of its spoken caption;
``vocode`` turns frames into a waveform (torchaudio's mel pseudo-inverse and Griffin-Lim); a ``CaptionRecognizer``,
trained only on recorded speech, transcribes it. The cascade baseline goes through text: a ``SlotCaptioner``
predicts the caption's colour, class and background from the image, ``slots_to_captions`` writes the caption, and the
caption's spoken frames are vocoded the same way.
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn as nn
import torchaudio

from .validate import check_positive, check_tensor
from .generation import prompt_words
from .world.vocab import BACKGROUND_NAMES, CLASS_NAMES, COLOUR_NAMES

__all__ = ["FaceAutoencoder", "VoiceEncoder", "ImageToSpeech", "SlotCaptioner", "slots_to_captions",
           "CaptionRecognizer", "mel_to_linear", "vocode", "retrieval_at_1"]


class FaceAutoencoder(nn.Module):
    """Faces ``(B, 3, 32, 32)`` <-> latents ``(B, latent_dim)``: three stride-2 convolutions and a linear layer down,
    the mirror image up (sigmoid output in [0, 1])."""

    def __init__(self, latent_dim: int = 16, width: int = 16):
        super().__init__()
        self.latent_dim = latent_dim
        w = width
        self.encoder = nn.Sequential(
            nn.Conv2d(3, w, 4, 2, 1), nn.ReLU(),  # (B, w, 16, 16)
            nn.Conv2d(w, 2 * w, 4, 2, 1), nn.ReLU(),  # (B, 2w, 8, 8)
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1), nn.ReLU(),  # (B, 4w, 4, 4)
            nn.Flatten(), nn.Linear(4 * w * 16, latent_dim),  # (B, latent_dim)
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 4 * w * 16), nn.ReLU(), nn.Unflatten(1, (4 * w, 4, 4)),  # (B, 4w, 4, 4)
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1), nn.ReLU(),  # (B, 2w, 8, 8)
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.ReLU(),  # (B, w, 16, 16)
            nn.ConvTranspose2d(w, 3, 4, 2, 1), nn.Sigmoid(),  # (B, 3, 32, 32)
        )

    def encode(self, faces: torch.Tensor) -> torch.Tensor:
        check_tensor(faces, "FaceAutoencoder.encode", "faces", shape=("B", 3, 32, 32), dtype="float")
        return self.encoder(faces)  # (B, latent_dim)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        check_tensor(latents, "FaceAutoencoder.decode", "latents", shape=("B", self.latent_dim), dtype="float")
        return self.decoder(latents)  # (B, 3, 32, 32)

    def forward(self, faces: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(faces))


class VoiceEncoder(nn.Module):
    """A voice ``(B, n_mels, T)`` (standardised log-mel) -> a face latent ``(B, latent_dim)``.

    Three 1-D convolutions over time; the mean over time (how the voice sounds on average: pitch, timbre) and the max
    (its strongest moments) are concatenated and mapped by an MLP to the latent."""

    def __init__(self, n_mels: int = 32, latent_dim: int = 16, width: int = 64):
        super().__init__()
        self.n_mels = n_mels
        w = width
        self.features = nn.Sequential(
            nn.Conv1d(n_mels, w, 5, padding=2), nn.BatchNorm1d(w), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.BatchNorm1d(w), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(2 * w, 2 * w), nn.ReLU(), nn.Linear(2 * w, latent_dim))

    def forward(self, spectrograms: torch.Tensor) -> torch.Tensor:
        check_tensor(spectrograms, "VoiceEncoder", "spectrograms", shape=("B", self.n_mels, "T"), dtype="float")
        h = self.features(spectrograms)  # (B, w, T/4)
        return self.head(torch.cat([h.mean(2), h.amax(2)], 1))  # (B, latent_dim)


def retrieval_at_1(predicted: torch.Tensor, gallery: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
    """Is the true face the nearest? ``predicted (N, D)`` latents, ``gallery (M, D)`` face latents, ``candidates
    (N, K)`` gallery indices whose first column is each query's true face. Squared Euclidean distance; a tie counts
    against the query. Returns ``(N,)`` bool."""
    check_tensor(predicted, "retrieval_at_1", "predicted", shape=("N", "D"), dtype="float")
    check_tensor(gallery, "retrieval_at_1", "gallery", shape=("M", predicted.shape[1]), dtype="float")
    check_tensor(candidates, "retrieval_at_1", "candidates", shape=(len(predicted), "K"), dtype="int")
    d = (gallery[candidates] - predicted[:, None]).pow(2).sum(2)  # (N, K)
    return d[:, 0] < d[:, 1:].amin(1)


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
    ``(B, encoder.dim)``) and one linear head per slot."""

    SLOTS = (COLOUR_NAMES, CLASS_NAMES, BACKGROUND_NAMES)

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.heads = nn.ModuleList(nn.Linear(encoder.dim, len(names)) for names in self.SLOTS)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        h = self.encoder(images)  # (B, dim)
        return [head(h) for head in self.heads]  # [(B, 6), (B, 10), (B, 6)]


def slots_to_captions(colour_logits: torch.Tensor, class_logits: torch.Tensor,
                      background_logits: torch.Tensor) -> list[str]:
    """The most likely word of each slot, written as the world writes a caption (``generation.prompt_words``): logits
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
        self.features = nn.Sequential(
            nn.Conv1d(n_mels, w, 5, padding=2), nn.BatchNorm1d(w), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.BatchNorm1d(w), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(2 * n_words), nn.Flatten(),
        )
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
