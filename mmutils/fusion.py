"""Fusions: small interchangeable modules that combine per-modality features.

* ``ConcatFusion``: ``[(B, d_1), ..., (B, d_m)] -> (B, sum d)`` (late fusion; also the VQA baseline of Antol et al.).
* ``ProductFusion``: both vectors projected to one size, tanh, element-wise product (Antol et al. 2015).
* ``BilinearFusion``: low-rank bilinear pooling, ``P^T (tanh(U^T x) * tanh(V^T q))`` (MLB, Kim et al. 2017).
* ``AttentionFusion``: a question-guided soft attention over an image feature grid (Yang et al. 2016, Xu et al. 2015);
  the attended image vector is concatenated with the question.
* ``MLBAttentionFusion``: MLB inside attention, as Kim et al. (2017) build their VQA model: each cell is scored by a
  low-rank bilinear product with the question, the glimpses are pooled by those scores, and the pooled vector is fused
  with the question by a second MLB.

The three vector fusions take ``[image (B, d_x), question (B, d_q)]``; the two attending fusions take the whole grid
``(B, N, d_x)`` and the question ``(B, d_q)`` (their ``attends`` attribute says so). Each has ``out_dim``.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .validate import check_tensor

__all__ = ["ConcatFusion", "ProductFusion", "BilinearFusion", "AttentionFusion", "MLBAttentionFusion"]


def _pair(features, who: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(features, (list, tuple)) or len(features) != 2:
        raise ValueError(f"{who}: expected [image (B, d_x), question (B, d_q)].")
    x = check_tensor(features[0], who, "image", shape=("B", None), dtype="float")
    q = check_tensor(features[1], who, "question", shape=(x.shape[0], None), dtype="float")
    return x, q


class ConcatFusion(nn.Module):
    """Late fusion by concatenation: ``[(B, d_1), ..., (B, d_m)] -> (B, d_1 + ... + d_m)``."""

    attends = False

    def __init__(self, dims: tuple[int, ...] | None = None):
        super().__init__()
        self.out_dim = sum(dims) if dims else None

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        if not isinstance(features, (list, tuple)) or not features:
            raise ValueError("ConcatFusion: `features` must be a non-empty list of (B, d) tensors.")
        batch = check_tensor(features[0], "ConcatFusion", "features[0]", shape=("B", None)).shape[0]
        for i, f in enumerate(features[1:], 1):
            check_tensor(f, "ConcatFusion", f"features[{i}]", shape=(batch, None))
        return torch.cat(list(features), dim=1)  # (B, sum d)


class ProductFusion(nn.Module):
    """``tanh(W_x x) * tanh(W_q q)``: each modality projected to ``dim``, multiplied element-wise -> ``(B, dim)``."""

    attends = False

    def __init__(self, image_dim: int, question_dim: int, dim: int = 128):
        super().__init__()
        self.image, self.question, self.out_dim = nn.Linear(image_dim, dim), nn.Linear(question_dim, dim), dim

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        x, q = _pair(features, "ProductFusion")
        return torch.tanh(self.image(x)) * torch.tanh(self.question(q))  # (B, dim)


class BilinearFusion(nn.Module):
    """Low-rank bilinear pooling (MLB): a full bilinear map ``x^T W_k q`` for every output k would need
    ``d_x * d_q * out`` weights; MLB factorises each ``W_k`` with rank ``rank``:
    ``z = P^T (tanh(U^T x) * tanh(V^T q))`` -> ``(B, out)``."""

    attends = False

    def __init__(self, image_dim: int, question_dim: int, rank: int = 256, out: int = 128):
        super().__init__()
        self.U, self.V = nn.Linear(image_dim, rank), nn.Linear(question_dim, rank)
        self.P, self.out_dim = nn.Linear(rank, out), out

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        x, q = _pair(features, "BilinearFusion")
        return self.P(torch.tanh(self.U(x)) * torch.tanh(self.V(q)))  # (B, out)


class AttentionFusion(nn.Module):
    """Question-guided attention over the image grid: ``a_i = softmax_i(w^T tanh(W_x x_i + W_q q))``,
    ``x_att = sum_i a_i x_i``, output ``[x_att, q]`` ``(B, d_x + d_q)``. The last weights are kept in ``weights``
    ``(B, N)`` for display."""

    attends = True

    def __init__(self, image_dim: int, question_dim: int, hidden: int = 128):
        super().__init__()
        self.image, self.question = nn.Linear(image_dim, hidden), nn.Linear(question_dim, hidden)
        self.score = nn.Linear(hidden, 1)
        self.out_dim = image_dim + question_dim
        self.weights: torch.Tensor | None = None

    def forward(self, grid: torch.Tensor, question: torch.Tensor) -> torch.Tensor:
        check_tensor(grid, "AttentionFusion", "grid", shape=("B", "N", None), dtype="float")
        check_tensor(question, "AttentionFusion", "question", shape=(grid.shape[0], None), dtype="float")
        hidden = torch.tanh(self.image(grid) + self.question(question)[:, None, :])  # (B, N, hidden)
        weights = torch.softmax(self.score(hidden).squeeze(-1), dim=1)  # (B, N)
        self.weights = weights.detach()
        attended = (weights[:, :, None] * grid).sum(1)  # (B, d_x)
        return torch.cat([attended, question], dim=1)  # (B, d_x + d_q)


class MLBAttentionFusion(nn.Module):
    """MLB with attention (Kim et al. 2017), ``glimpses`` attention maps over the grid:

    * scores: ``s_gi = p_g^T (tanh(U x_i) * tanh(V q))`` — a low-rank bilinear product of cell ``i`` with the question;
    * ``a_g = softmax_i(s_g)``, glimpse ``v_g = sum_i a_gi x_i``; the glimpses are concatenated, ``v (B, G d_x)``;
    * output ``P^T (tanh(U' v) * tanh(V' q))`` ``(B, out)``: a second MLB fuses what was looked at with the question.

    The paper also uses dropout and a shortcut-free classifier over 2,000 answers; here only the fusion is built.
    The last weights are kept in ``weights`` ``(B, G, N)`` for display."""

    attends = True

    def __init__(self, image_dim: int, question_dim: int, rank: int = 256, out: int = 128, glimpses: int = 2):
        super().__init__()
        self.image, self.question = nn.Linear(image_dim, rank), nn.Linear(question_dim, rank)
        self.score = nn.Linear(rank, glimpses)
        self.fuse = BilinearFusion(glimpses * image_dim, question_dim, rank=rank, out=out)
        self.out_dim, self.glimpses = out, glimpses
        self.weights: torch.Tensor | None = None

    def forward(self, grid: torch.Tensor, question: torch.Tensor) -> torch.Tensor:
        check_tensor(grid, "MLBAttentionFusion", "grid", shape=("B", "N", None), dtype="float")
        check_tensor(question, "MLBAttentionFusion", "question", shape=(grid.shape[0], None), dtype="float")
        joint = torch.tanh(self.image(grid)) * torch.tanh(self.question(question))[:, None, :]  # (B, N, rank)
        weights = torch.softmax(self.score(joint), dim=1).transpose(1, 2)  # (B, G, N)
        self.weights = weights.detach()
        glimpses = (weights @ grid).flatten(1)  # (B, G * d_x)
        return self.fuse([glimpses, question])  # (B, out)
