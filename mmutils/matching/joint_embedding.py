"""Matching: a joint embedding of images and text (DeViSE, VSE, VSE++, CLIP in miniature).

The texts come from ``mmutils.world.texts`` (``tagging_texts``, ``true_of``: the one-to-many pairing of image
tagging); the text encoder is ``blocks.encoders.BagOfWordsEncoder`` (additive: arithmetic works).

* ``JointEmbedding``: image encoder and text encoder projected into one space of unit vectors, with a learned
  temperature for InfoNCE.
* Losses over a batch's similarity matrix ``S`` ``(B, B)`` (``S[i, j]`` = image i . text j, diagonal = true pairs),
  with ``same`` ``(B, B)`` marking off-diagonal pairs that are just as true and so no negatives (``same[i, j]``: text
  j is true of image i; it need not be symmetric):
  ``hinge_sum_loss`` (sum of violations, Kiros/Frome), ``hinge_max_loss`` (hardest negative, VSE++) and
  ``info_nce_loss`` (symmetric cross-entropy, CLIP).
* ``zero_shot_through_words``: tags for classes never seen in image training, through the word-vector space (ConSE,
  the convex-combination form of DeViSE's idea).

Retrieval is measured with ``mmutils.metrics.retrieval`` (``recall_at_k``, ``median_rank``, ``r_precision``).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..validate import check_tensor

__all__ = ["JointEmbedding", "hinge_sum_loss", "hinge_max_loss", "info_nce_loss", "zero_shot_through_words"]


class JointEmbedding(nn.Module):
    """``image_encoder`` (its ``dim``) and ``text_encoder`` (its ``dim``), each followed by a linear map into a shared
    ``dim``-d space and L2 normalisation. ``logit_scale`` is CLIP's learned inverse temperature (log), starting at
    ``log(1 / 0.07)``."""

    def __init__(self, image_encoder: nn.Module, text_encoder: nn.Module, dim: int = 64):
        super().__init__()
        self.image_encoder, self.text_encoder = image_encoder, text_encoder
        self.image_proj = nn.Linear(image_encoder.dim, dim)
        self.text_proj = nn.Linear(text_encoder.dim, dim)
        self.logit_scale = nn.Parameter(torch.tensor(1 / 0.07).log())

    def embed_images(self, images: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.image_proj(self.image_encoder(images)), dim=1)  # (B, dim)

    def embed_texts(self, tokens: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.text_proj(self.text_encoder(tokens)), dim=1)  # (B, dim)

    def forward(self, images: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """Similarity matrix ``(B_images, B_texts)`` of cosines."""
        return self.embed_images(images) @ self.embed_texts(tokens).T


def _check_pair(sim: torch.Tensor, same: torch.Tensor | None, who: str) -> torch.Tensor:
    check_tensor(sim, who, "sim", shape=("B", "B"), dtype="float")
    if same is None:
        return torch.zeros_like(sim, dtype=torch.bool)
    check_tensor(same, who, "same", shape=tuple(sim.shape), dtype="bool")
    return same & ~torch.eye(len(sim), dtype=torch.bool, device=sim.device)


def hinge_sum_loss(sim: torch.Tensor, same: torch.Tensor | None = None, margin: float = 0.2) -> torch.Tensor:
    """Sum of violations over every negative, both directions, mean over the batch:
    ``sum_j [m - S_ii + S_ij]_+ + sum_j [m - S_ii + S_ji]_+``."""
    off = _check_pair(sim, same, "hinge_sum_loss") | torch.eye(len(sim), dtype=torch.bool, device=sim.device)
    pos = sim.diag()[:, None]  # (B, 1)
    i2t = (margin - pos + sim).clamp_min(0).masked_fill(off, 0)  # (B, B) image i vs wrong text j
    # Transpose the mask with the scores: off.T[i, j] = off[j, i] says text i is true of image j. ``same`` need not
    # be symmetric (the text "dog" is true of every dog image; a full caption is true of few).
    t2i = (margin - pos + sim.T).clamp_min(0).masked_fill(off.T, 0)  # (B, B) text i vs wrong image j
    return (i2t.sum(1) + t2i.sum(1)).mean()


def hinge_max_loss(sim: torch.Tensor, same: torch.Tensor | None = None, margin: float = 0.2) -> torch.Tensor:
    """VSE++: only the hardest negative of each query counts, both directions, mean over the batch."""
    off = _check_pair(sim, same, "hinge_max_loss") | torch.eye(len(sim), dtype=torch.bool, device=sim.device)
    pos = sim.diag()  # (B,)
    hardest_text = sim.masked_fill(off, -float("inf")).amax(1)  # (B,)
    hardest_image = sim.T.masked_fill(off.T, -float("inf")).amax(1)  # (B,) the mask transposes with the scores
    return ((margin - pos + hardest_text).clamp_min(0) + (margin - pos + hardest_image).clamp_min(0)).mean()


def info_nce_loss(sim: torch.Tensor, same: torch.Tensor | None = None, logit_scale: torch.Tensor | float = 1 / 0.07
                  ) -> torch.Tensor:
    """CLIP's symmetric InfoNCE: cross-entropy of each image over the texts and of each text over the images, on
    ``sim * scale`` (``logit_scale`` is the log of the scale when a tensor, clamped at log 100)."""
    off = _check_pair(sim, same, "info_nce_loss")
    scale = logit_scale.clamp(max=4.6052).exp() if isinstance(logit_scale, torch.Tensor) else logit_scale
    logits = (sim * scale).masked_fill(off, -float("inf"))  # (B, B), equally true pairs are not negatives
    target = torch.arange(len(sim), device=sim.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def zero_shot_through_words(seen_probs: torch.Tensor, seen_vectors: torch.Tensor, unseen_vectors: torch.Tensor,
                            top: int | None = None) -> torch.Tensor:
    """Name images of classes never seen in training (Norouzi et al.'s ConSE, DeViSE's idea without a regression).

    ``seen_probs`` ``(n, S)``: each image's probabilities over the S seen class names (from any seen-class model);
    ``seen_vectors`` ``(S, d)`` and ``unseen_vectors`` ``(U, d)``: the names' word vectors. The image is placed in word
    space at the probability-weighted mean of its ``top`` most probable seen names' vectors (all when ``None``) and
    named by the unseen name of highest cosine. Returns indices into the unseen names, ``(n,)``.
    """
    check_tensor(seen_probs, "zero_shot_through_words", "seen_probs", shape=("n", "S"), dtype="float")
    check_tensor(seen_vectors, "zero_shot_through_words", "seen_vectors", shape=(seen_probs.shape[1], "d"),
                 dtype="float")
    check_tensor(unseen_vectors, "zero_shot_through_words", "unseen_vectors", shape=("U", seen_vectors.shape[1]),
                 dtype="float")
    top = seen_probs.shape[1] if top is None else top
    if not 1 <= top <= seen_probs.shape[1]:
        raise ValueError(f"zero_shot_through_words: `top` must be in 1..{seen_probs.shape[1]}; got {top}.")
    best = seen_probs.topk(top, dim=1)  # values, indices: (n, top)
    weights = torch.zeros_like(seen_probs).scatter(1, best.indices, best.values)  # (n, S) zero outside the top
    placed = (weights / weights.sum(1, keepdim=True)) @ F.normalize(seen_vectors, dim=1)  # (n, d)
    return (F.normalize(placed, dim=1) @ F.normalize(unseen_vectors, dim=1).T).argmax(1)  # (n,)
