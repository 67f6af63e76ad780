"""Fusions: interchangeable modules that combine per-modality features. They share one contract:

* ``forward(features: list[Tensor]) -> (B, out_dim)``: one tensor per modality, in the order the fusion was built
  with; the batch dimension is shared;
* ``out_dim``: the size of the fused vector, from which a model sizes its head;
* ``attends``: False for vector fusions, whose inputs are ``(B, d)`` vectors; True for attending fusions, whose
  first input is a grid of cells ``(B, N, d_x)`` that the second input (the query, ``(B, d_q)``) attends over.

A model built as ``encoders -> fusion -> head`` (``mmutils.blocks.models``) works with any of them.

* ``ConcatFusion``: ``[(B, d_1), ..., (B, d_m)] -> (B, sum d)`` (late fusion; also the VQA baseline of Antol et al.).
* ``ProductFusion``: both vectors projected to one size, tanh, element-wise product (Antol et al. 2015).
* ``BilinearFusion``: low-rank bilinear pooling, ``P^T (tanh(U^T x) * tanh(V^T y))`` (MLB, Kim et al. 2017).
* ``AttentionFusion``: the query attends over the grid with ``AdditiveAttention`` (Yang et al. 2016, Xu et al.
  2015); the attended vector is concatenated with the query.
* ``MLBAttentionFusion``: MLB inside attention, as Kim et al. (2017) build their VQA model: each cell is scored by a
  low-rank bilinear product with the query, ``glimpse_pool`` pools the cells by those scores, and a second MLB fuses
  the glimpses with the query.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn

from ..validate import check_tensor
from .attention import AdditiveAttention, glimpse_pool

__all__ = ["ConcatFusion", "ProductFusion", "BilinearFusion", "AttentionFusion", "MLBAttentionFusion"]


def _pair(features, who: str, grid: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """The two inputs of a two-modality fusion, checked: ``[x (B, d_x), y (B, d_y)]`` or, for an attending fusion,
    ``[grid (B, N, d_x), query (B, d_q)]``."""
    expected = "[grid (B, N, d_x), query (B, d_q)]" if grid else "[x (B, d_x), y (B, d_y)]"
    if not isinstance(features, (list, tuple)) or len(features) != 2:
        raise ValueError(f"{who}: expected a list of two tensors {expected}; got {type(features).__name__}.")
    x = check_tensor(features[0], who, "features[0]", shape=("B", "N", None) if grid else ("B", None), dtype="float")
    y = check_tensor(features[1], who, "features[1]", shape=(x.shape[0], None), dtype="float")
    return x, y


class ConcatFusion(nn.Module):
    """Late fusion by concatenation: ``[(B, d_1), ..., (B, d_m)] -> (B, d_1 + ... + d_m)``; ``dims`` are the
    ``d_i``."""

    attends = False

    def __init__(self, dims: Sequence[int]):
        super().__init__()
        if not dims or not all(isinstance(d, int) and d > 0 for d in dims):
            raise ValueError(f"ConcatFusion: `dims` must list each input's positive size; got {dims!r}.")
        self.dims, self.out_dim = tuple(dims), sum(dims)

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        if not isinstance(features, (list, tuple)) or len(features) != len(self.dims):
            raise ValueError(f"ConcatFusion: `features` must be a list of {len(self.dims)} tensors of sizes "
                             f"{self.dims}.")
        batch = check_tensor(features[0], "ConcatFusion", "features[0]", shape=("B", self.dims[0])).shape[0]
        for i, (f, d) in enumerate(zip(features[1:], self.dims[1:]), 1):
            check_tensor(f, "ConcatFusion", f"features[{i}]", shape=(batch, d))
        return torch.cat(list(features), dim=1)  # (B, sum d)


class ProductFusion(nn.Module):
    """``tanh(W_x x) * tanh(W_y y)``: each modality projected to ``dim``, multiplied element-wise -> ``(B, dim)``."""

    attends = False

    def __init__(self, x_dim: int, y_dim: int, dim: int = 128):
        super().__init__()
        self.x_proj, self.y_proj, self.out_dim = nn.Linear(x_dim, dim), nn.Linear(y_dim, dim), dim

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        x, y = _pair(features, "ProductFusion")
        return torch.tanh(self.x_proj(x)) * torch.tanh(self.y_proj(y))  # (B, dim)


class BilinearFusion(nn.Module):
    """Low-rank bilinear pooling (MLB): a full bilinear map ``x^T W_k y`` for every output k would need
    ``d_x * d_y * out`` weights; MLB factorises each ``W_k`` with rank ``rank``:
    ``z = P^T (tanh(U^T x) * tanh(V^T y))`` -> ``(B, out)``."""

    attends = False

    def __init__(self, x_dim: int, y_dim: int, rank: int = 256, out: int = 128):
        super().__init__()
        self.U, self.V = nn.Linear(x_dim, rank), nn.Linear(y_dim, rank)
        self.P, self.out_dim = nn.Linear(rank, out), out

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        x, y = _pair(features, "BilinearFusion")
        return self.P(torch.tanh(self.U(x)) * torch.tanh(self.V(y)))  # (B, out)


class AttentionFusion(nn.Module):
    """The query attends over the grid: ``a_i = softmax_i(w^T tanh(W_x x_i + W_q q))`` (``AdditiveAttention``),
    ``x_att = sum_i a_i x_i``; ``[grid (B, N, d_x), query (B, d_q)] -> [x_att, q]`` ``(B, d_x + d_q)``. The last
    weights are kept in ``weights`` ``(B, N)`` for display."""

    attends = True

    def __init__(self, grid_dim: int, query_dim: int, attention_dim: int = 128):
        super().__init__()
        self.attention = AdditiveAttention(grid_dim, query_dim=query_dim, attention_dim=attention_dim)
        self.out_dim = grid_dim + query_dim
        self.weights: torch.Tensor | None = None

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        grid, query = _pair(features, "AttentionFusion", grid=True)
        attended, weights = self.attention(grid, self.attention.project(grid), query)  # (B, d_x), (B, N)
        self.weights = weights.detach()
        return torch.cat([attended, query], dim=1)  # (B, d_x + d_q)


class MLBAttentionFusion(nn.Module):
    """MLB with attention (Kim et al. 2017), ``glimpses`` attention maps over the grid:

    * scores: ``s_gi = p_g^T (tanh(U x_i) * tanh(V q))`` — a low-rank bilinear product of cell ``i`` with the query;
    * ``glimpse_pool``: ``a_g = softmax_i(s_g)``, glimpse ``v_g = sum_i a_gi x_i``, concatenated, ``v (B, G d_x)``;
    * output ``P^T (tanh(U' v) * tanh(V' q))`` ``(B, out)``: a second MLB fuses what was looked at with the query.

    The paper also uses dropout and a shortcut-free classifier over 2,000 answers; here only the fusion is built.
    ``[grid (B, N, d_x), query (B, d_q)] -> (B, out)``; the last weights are kept in ``weights`` ``(B, G, N)``."""

    attends = True

    def __init__(self, grid_dim: int, query_dim: int, rank: int = 256, out: int = 128, glimpses: int = 2):
        super().__init__()
        self.grid_proj, self.query_proj = nn.Linear(grid_dim, rank), nn.Linear(query_dim, rank)
        self.score = nn.Linear(rank, glimpses)
        self.fuse = BilinearFusion(glimpses * grid_dim, query_dim, rank=rank, out=out)
        self.out_dim, self.glimpses = out, glimpses
        self.weights: torch.Tensor | None = None

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        grid, query = _pair(features, "MLBAttentionFusion", grid=True)
        joint = torch.tanh(self.grid_proj(grid)) * torch.tanh(self.query_proj(query))[:, None, :]  # (B, N, rank)
        glimpses, weights = glimpse_pool(grid, self.score(joint))  # (B, G * d_x), (B, G, N)
        self.weights = weights.detach()
        return self.fuse([glimpses, query])  # (B, out)
