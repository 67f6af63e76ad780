"""Models composed from parts: ``encoders -> fusion -> head``."""

from __future__ import annotations

import torch
import torch.nn as nn

from .fusion import ConcatFusion

__all__ = ["LateFusionClassifier"]


class LateFusionClassifier(nn.Module):
    """One encoder per modality, a fusion, and a linear head.

    ``forward(inputs, keep=None)`` takes ``{modality: batch}`` and returns ``(logits (B, classes), features)`` where
    ``features`` maps each modality to its ``(B, dim)`` features. ``keep`` optionally maps a modality to a ``(B,)``
    0/1 mask that zeroes that modality's features per sample (modality dropout).
    """

    def __init__(self, encoders: dict[str, nn.Module], n_classes: int, fusion: nn.Module | None = None):
        super().__init__()
        self.modalities = list(encoders)
        self.encoders = nn.ModuleDict(encoders)
        self.fusion = fusion or ConcatFusion()
        self.head = nn.Linear(sum(e.dim for e in encoders.values()), n_classes)

    def forward(self, inputs: dict[str, torch.Tensor], keep: dict[str, torch.Tensor] | None = None):
        missing = [m for m in self.modalities if m not in inputs]
        if missing:
            raise ValueError(f"LateFusionClassifier: inputs lack modalities {missing}; expected {self.modalities}.")
        features = {m: self.encoders[m](inputs[m]) for m in self.modalities}  # each (B, dim_m)
        fused_in = [features[m] * keep[m][:, None] if keep and m in keep else features[m] for m in self.modalities]
        return self.head(self.fusion(fused_in)), features  # (B, classes), {m: (B, dim_m)}
