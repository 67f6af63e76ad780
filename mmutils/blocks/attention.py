"""Attention: one query scores a set of vectors, a softmax turns the scores into weights, and the weighted sum of the
vectors is what the query "looked at". Every attending model of the course is built from these three blocks.

* ``AdditiveAttention``: Bahdanau-style soft attention, ``e_i = wᵀ tanh(W_f f_i + W_h h)``, ``α = softmax_i(e)``,
  context ``Σ_i α_i f_i``: the query is a state ``h`` (the caption decoder's LSTM state in lesson 04, the question
  in lesson 06's ``AttentionFusion``).
* ``WordAttentionPool``: one *learned* query vector scores each word by a dot product (padding masked out): how the
  text-to-image generator of lesson 05 lets each part of the image read its own words.
* ``glimpse_pool``: ``G`` score maps at once, each softmaxed over the cells, give ``G`` glimpses that are
  concatenated (the multi-glimpse attention of MLB, lesson 06's ``MLBAttentionFusion``).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..validate import check_tensor

__all__ = ["AdditiveAttention", "WordAttentionPool", "glimpse_pool"]


class AdditiveAttention(nn.Module):
    """Soft attention over ``P`` feature cells ``(B, P, feature_dim)`` given a query ``h`` ``(B, hidden_dim)``."""

    def __init__(self, feature_dim: int, hidden_dim: int, attention_dim: int = 64):
        super().__init__()
        self.from_features = nn.Linear(feature_dim, attention_dim)
        self.from_hidden = nn.Linear(hidden_dim, attention_dim)
        self.score = nn.Linear(attention_dim, 1)

    def project(self, features: torch.Tensor) -> torch.Tensor:
        """``W_f f_i``, computed once per image: ``(B, P, feature_dim)`` -> ``(B, P, attention_dim)``."""
        return self.from_features(features)

    def forward(self, features: torch.Tensor, projected: torch.Tensor, h: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns the context ``(B, feature_dim)`` and the weights ``α`` ``(B, P)``."""
        e = self.score(torch.tanh(projected + self.from_hidden(h)[:, None])).squeeze(-1)  # (B, P)
        alpha = torch.softmax(e, dim=1)  # (B, P)
        return (alpha[:, :, None] * features).sum(1), alpha  # (B, feature_dim), (B, P)


class WordAttentionPool(nn.Module):
    """One learned query attends over a prompt's word vectors: ``(B, L, d)`` (+ padding mask ``(B, L)`` bool, True =
    a word) -> pooled ``(B, d)`` and weights ``(B, L)``."""

    def __init__(self, dim: int):
        super().__init__()
        # zero query: every part starts by reading all words equally, and training alone decides which it reads
        self.query = nn.Parameter(torch.zeros(dim))

    def forward(self, words: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        scores = words @ self.query  # (B, L)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = scores.softmax(1)  # (B, L)
        return (weights[:, :, None] * words).sum(1), weights  # (B, d), (B, L)


def glimpse_pool(cells: torch.Tensor, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``G`` attention maps over the same cells: ``cells (B, N, D)``, ``scores (B, N, G)`` (one score per cell and
    glimpse) -> the glimpses concatenated ``(B, G * D)`` (glimpse 0's D values first) and the weights ``(B, G, N)``,
    each glimpse's weights a softmax over the N cells."""
    check_tensor(cells, "glimpse_pool", "cells", shape=("B", "N", "D"), dtype="float")
    check_tensor(scores, "glimpse_pool", "scores", shape=(cells.shape[0], cells.shape[1], "G"), dtype="float")
    weights = torch.softmax(scores, dim=1).transpose(1, 2)  # (B, G, N)
    return (weights @ cells).flatten(1), weights  # (B, G * D), (B, G, N)
