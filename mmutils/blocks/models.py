"""Models composed from parts, ``encoders -> fusion -> head``: any fusion of ``mmutils.blocks.fusion`` fits, and the
head is sized from the fusion's ``out_dim``.

* ``LateFusionClassifier``: one encoder per modality, a vector fusion, a linear head (lesson 01).
* ``VQAModel``: a frozen image grid and a question encoder, a vector or attending fusion, an MLP answer head; also
  the question-only and image-only baselines (lesson 06).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..validate import check_choice, check_tensor
from .encoders import QuestionEncoder
from .fusion import ConcatFusion

__all__ = ["LateFusionClassifier", "VQAModel"]


class LateFusionClassifier(nn.Module):
    """One encoder per modality, a vector fusion (default: ``ConcatFusion`` of the encoders' ``dim``), and a linear
    head on the fusion's ``out_dim``.

    ``forward(inputs, keep=None)`` takes ``{modality: batch}`` and returns ``(logits (B, classes), features)`` where
    ``features`` maps each modality to its ``(B, dim)`` features. ``keep`` optionally maps a modality to a ``(B,)``
    0/1 mask that zeroes that modality's features per sample (modality dropout).
    """

    def __init__(self, encoders: dict[str, nn.Module], n_classes: int, fusion: nn.Module | None = None):
        super().__init__()
        self.modalities = list(encoders)
        self.encoders = nn.ModuleDict(encoders)
        self.fusion = fusion if fusion is not None else ConcatFusion([e.dim for e in encoders.values()])
        if self.fusion.attends:
            raise ValueError("LateFusionClassifier: the encoders give vectors; use a vector fusion (attends=False).")
        self.head = nn.Linear(self.fusion.out_dim, n_classes)

    def forward(self, inputs: dict[str, torch.Tensor], keep: dict[str, torch.Tensor] | None = None):
        missing = [m for m in self.modalities if m not in inputs]
        if missing:
            raise ValueError(f"LateFusionClassifier: inputs lack modalities {missing}; expected {self.modalities}.")
        features = {m: self.encoders[m](inputs[m]) for m in self.modalities}  # each (B, dim_m)
        fused_in = [features[m] * keep[m][:, None] if keep and m in keep else features[m] for m in self.modalities]
        return self.head(self.fusion(fused_in)), features  # (B, classes), {m: (B, dim_m)}


class VQAModel(nn.Module):
    """``image grid -> (pooling) -> fusion <- question encoder``, then an MLP answer head.

    ``uses`` is ``"both"`` (needs ``fusion``), ``"question"`` (the question-only baseline: head on the question) or
    ``"image"`` (the image-only baseline: head on the pooled grid). An attending fusion gets every cell; a vector
    fusion (and the image-only baseline) gets the grid pooled to one vector by ``pool``: ``"max"``, the maximum over
    the cells ``(B, D)`` (where a feature was is lost), or ``"flat"``, every cell in order ``(B, N * D)`` (where is
    kept by position in the vector; ``image_dim`` is then ``N * D``; each entry is standardised by batch norm without
    a learned scale).
    ``forward(cells (B, N, D), tokens (B, L), lengths (B,)) -> logits (B, answers)``.
    """

    def __init__(self, question_encoder: QuestionEncoder, image_dim: int, n_answers: int,
                 fusion: nn.Module | None = None, uses: str = "both", hidden: int = 128, pool: str = "max"):
        super().__init__()
        check_choice(uses, "VQAModel", "uses", ("both", "question", "image"))
        check_choice(pool, "VQAModel", "pool", ("max", "flat"))
        self.uses, self.pool = uses, pool
        if (uses == "both") != (fusion is not None):
            raise ValueError("VQAModel: give a fusion exactly when uses='both'.")
        self.question_encoder, self.fusion = question_encoder, fusion
        in_dim = {"both": fusion.out_dim if fusion is not None else None, "question": question_encoder.dim,
                  "image": image_dim}[uses]
        self.head = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_answers))
        # The flat vector is long (N * D) and its features differ in scale: standardised with batch statistics
        # (running statistics at test time), so that a projection of it starts in tanh's working range.
        self.norm = nn.BatchNorm1d(image_dim, affine=False) if pool == "flat" else nn.Identity()

    def forward(self, cells: torch.Tensor, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        check_tensor(cells, "VQAModel", "cells", shape=("B", "N", "D"), dtype="float")
        if self.uses == "image":
            return self.head(self.pooled(cells))  # (B, answers)
        q = self.question_encoder(tokens, lengths)  # (B, d_q)
        if self.uses == "question":
            return self.head(q)
        fused = self.fusion([cells if self.fusion.attends else self.pooled(cells), q])  # (B, d_f)
        return self.head(fused)  # (B, answers)

    def pooled(self, cells: torch.Tensor) -> torch.Tensor:
        """The grid as one vector: ``(B, N, D) -> (B, D)`` (max) or ``(B, N * D)`` (flat, standardised)."""
        return cells.amax(1) if self.pool == "max" else self.norm(cells.flatten(1))
