"""Speech2Face (lesson 09; Oh et al. 2019): voice -> face. A face autoencoder, trained first and frozen, gives every
face a latent; a ``VoiceEncoder`` regresses the speaker's face latent from a log-mel spectrogram; the autoencoder's
decoder renders the prediction, and an independent ``blocks.judges.AttributeClassifier`` reads attributes off the
rendering. Whether the predicted latent finds the true face among distractors is ``metrics.retrieval.retrieval_at_1``.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..blocks.encoders import mel_conv1d_stack
from ..validate import check_tensor

__all__ = ["FaceAutoencoder", "VoiceEncoder", "error_whitening"]


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
        self.features = nn.Sequential(*mel_conv1d_stack(n_mels, w))  # (B, n_mels, T) -> (B, w, T/4)
        self.head = nn.Sequential(nn.Linear(2 * w, 2 * w), nn.ReLU(), nn.Linear(2 * w, latent_dim))

    def forward(self, spectrograms: torch.Tensor) -> torch.Tensor:
        check_tensor(spectrograms, "VoiceEncoder", "spectrograms", shape=("B", self.n_mels, "T"), dtype="float")
        h = self.features(spectrograms)  # (B, w, T/4)
        return self.head(torch.cat([h.mean(2), h.amax(2)], 1))  # (B, latent_dim)


def error_whitening(errors: torch.Tensor) -> torch.Tensor:
    """The voice encoder's errors on training speakers ``(n, D)`` -> ``L`` ``(D, D)`` with ``L Lᵀ = Σ⁻¹``, where
    ``Σ = errorsᵀ errors / n`` is the errors' second moment (not centred: a bias is an error too). Distances between
    latents multiplied by ``L`` are Mahalanobis distances, ``‖(a − b) L‖² = (a − b) Σ⁻¹ (a − b)ᵀ``: a difference
    counts less along the directions in which the encoder often errs (what the voice does not tell)."""
    check_tensor(errors, "error_whitening", "errors", shape=("N", "D"), dtype="float")
    n, d = errors.shape
    if n < d:
        raise ValueError(f"error_whitening: need at least as many error vectors as dimensions (D={d}); got {n}.")
    return torch.linalg.cholesky(torch.linalg.inv(errors.T @ errors / n))  # (D, D)
