"""Attention: a query scores a set of vectors, a softmax turns the scores into weights, and the weighted sum of the
vectors is what the query "looked at". Every attending model of the course is built from these blocks.

* ``attention_pool``: the shared last step — scores ``(B, N)`` over vectors ``(B, N, D)`` (a padding mask optional)
  -> softmax weights and their weighted sum.
* ``AdditiveAttention``: Bahdanau-style scores, ``e_i = wᵀ tanh(W_f f_i + W_h h)``, for a query state ``h`` (the
  caption decoder's LSTM state in lesson 04, the question in lesson 06's ``AttentionFusion``).
* ``WordAttentionPool``: one *learned* query vector scores each word by a dot product (padding masked out): how the
  text-to-image generator of lesson 05 lets each part of the image read its own words.
* ``glimpse_pool``: ``G`` score maps at once, each softmaxed over the cells, give ``G`` glimpses that are
  concatenated (the multi-glimpse attention of MLB, lesson 06's ``MLBAttentionFusion``).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..validate import check_tensor

__all__ = ["attention_pool", "AdditiveAttention", "WordAttentionPool", "glimpse_pool"]


def attention_pool(values: torch.Tensor, scores: torch.Tensor, mask: torch.Tensor | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """``values (B, N, D)``, ``scores (B, N)`` and an optional ``mask (B, N)`` (True = may be attended) -> the pooled
    ``(B, D)`` and the weights ``α = softmax_i(scores)`` ``(B, N)``. A row with nothing to attend pools to zeros."""
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=1)  # (B, N)
    if mask is not None:
        weights = weights.nan_to_num(0.0)  # a fully masked row: softmax of all -inf
    return (weights[:, :, None] * values).sum(1), weights  # (B, D), (B, N)


class AdditiveAttention(nn.Module):
    """Soft attention over ``P`` feature cells ``(B, P, feature_dim)`` given a query ``h`` ``(B, query_dim)``; the
    scores are computed in an ``attention_dim``-sized space."""

    def __init__(self, feature_dim: int, query_dim: int, attention_dim: int = 64):
        super().__init__()
        self.from_features = nn.Linear(feature_dim, attention_dim)
        self.from_hidden = nn.Linear(query_dim, attention_dim)
        self.score = nn.Linear(attention_dim, 1)

    def project(self, features: torch.Tensor) -> torch.Tensor:
        """``W_f f_i``, computed once per image: ``(B, P, feature_dim)`` -> ``(B, P, attention_dim)``."""
        return self.from_features(features)

    def forward(self, features: torch.Tensor, projected: torch.Tensor, h: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns the context ``(B, feature_dim)`` and the weights ``α`` ``(B, P)``."""
        e = self.score(torch.tanh(projected + self.from_hidden(h)[:, None])).squeeze(-1)  # (B, P)
        return attention_pool(features, e)  # (B, feature_dim), (B, P)


class WordAttentionPool(nn.Module):
    """One learned query attends over a prompt's word vectors: ``(B, L, d)`` (+ padding mask ``(B, L)`` bool, True =
    a word) -> pooled ``(B, d)`` and weights ``(B, L)``."""

    def __init__(self, dim: int):
        super().__init__()
        # zero query: every part starts by reading all words equally, and training alone decides which it reads
        self.query = nn.Parameter(torch.zeros(dim))

    def forward(self, words: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        return attention_pool(words, words @ self.query, mask)  # scores (B, L) -> (B, d), (B, L)


def glimpse_pool(cells: torch.Tensor, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``G`` attention maps over the same cells: ``cells (B, N, D)``, ``scores (B, N, G)`` (one score per cell and
    glimpse) -> the glimpses concatenated ``(B, G * D)`` (glimpse 0's D values first) and the weights ``(B, G, N)``,
    each glimpse's weights a softmax over the N cells."""
    check_tensor(cells, "glimpse_pool", "cells", shape=("B", "N", "D"), dtype="float")
    check_tensor(scores, "glimpse_pool", "scores", shape=(cells.shape[0], cells.shape[1], "G"), dtype="float")
    weights = torch.softmax(scores, dim=1).transpose(1, 2)  # (B, G, N)
    return (weights @ cells).flatten(1), weights  # (B, G * D), (B, G, N)
