"""Retrieval: a query scores every item of a gallery; the metrics read where the relevant items land.

**One tie rule for every ranking here: a tie counts against the query.** An irrelevant item that scores exactly as
high as a relevant one is ranked above it. A model that gives every item the same score therefore ranks every
relevant item below all the irrelevant ones (it is not credited with a hit it did not single out: its Recall@K is 0
unless K exceeds the number of irrelevant items), and a metric never depends on the gallery's order. With
scores from a trained network ties are rare; they matter for degenerate scores (constant, or a few discrete values).

* ``first_hit_rank``: the 1-based rank of each query's best-ranked relevant item; ``recall_at_k`` (the share of
  queries with a relevant item in the top K) and ``median_rank`` are read from it.
* ``precision_at_k`` and ``r_precision``: the share of relevant items among the top K (or top R, R = the number of
  relevant items).
* ``retrieval_at_1``: whether the true item is nearer than every distractor among a query's candidates (lesson 09).

All take ``scores (Q, G)`` (higher is better) and ``relevant (Q, G)`` bool unless said otherwise.
"""

from __future__ import annotations

import torch

from ..validate import check_tensor

__all__ = ["first_hit_rank", "recall_at_k", "median_rank", "precision_at_k", "r_precision", "retrieval_at_1"]


def _check(scores: torch.Tensor, relevant: torch.Tensor, who: str) -> tuple[torch.Tensor, torch.Tensor]:
    s = check_tensor(scores, who, "scores", shape=("Q", "G"), dtype="float")
    r = check_tensor(relevant, who, "relevant", shape=tuple(s.shape), dtype="bool")
    return s, r.to(s.device)


def _ranked_relevance(scores: torch.Tensor, relevant: torch.Tensor) -> torch.Tensor:
    """``relevant`` reordered by each row's ranking ``(Q, G)``: best score first, and within a tie the irrelevant
    items before the relevant ones (the tie rule)."""
    by_relevance = torch.argsort(relevant.to(torch.uint8), dim=1, stable=True)  # irrelevant first, gallery order
    order = torch.argsort(scores.gather(1, by_relevance), dim=1, descending=True, stable=True)  # (Q, G)
    return relevant.gather(1, by_relevance.gather(1, order))  # (Q, G) bool, in ranked order


def first_hit_rank(scores: torch.Tensor, relevant: torch.Tensor) -> torch.Tensor:
    """For each query, the 1-based rank of its best-ranked relevant item (at least one per row): one plus the number
    of irrelevant items scoring at least as high. Returns ``(Q,)`` int64."""
    s, r = _check(scores, relevant, "first_hit_rank")
    if not r.any(1).all():
        raise ValueError("first_hit_rank: every query needs at least one relevant item.")
    best_relevant = s.masked_fill(~r, -float("inf")).amax(1, keepdim=True)  # (Q, 1)
    return ((s >= best_relevant) & ~r).sum(1) + 1  # irrelevant items at or above it, plus one


def recall_at_k(scores: torch.Tensor, relevant: torch.Tensor, ks=(1, 5, 10)) -> dict[int, float]:
    """Recall@K as in image–text retrieval: the share of queries with at least one relevant item in their top K."""
    ranks = first_hit_rank(scores, relevant)
    return {k: (ranks <= k).float().mean().item() for k in ks}


def median_rank(scores: torch.Tensor, relevant: torch.Tensor) -> float:
    """Median over queries of the rank of the first relevant item (1 is perfect; the lower middle value when the
    number of queries is even, as ``torch.median``)."""
    return first_hit_rank(scores, relevant).float().median().item()


def precision_at_k(scores: torch.Tensor, relevant: torch.Tensor, k: int) -> float:
    """Mean over queries of the fraction of the ``k`` best-ranked gallery items that are relevant."""
    s, r = _check(scores, relevant, "precision_at_k")
    if not isinstance(k, int) or not 1 <= k <= s.shape[1]:
        raise ValueError(f"precision_at_k: `k` must be an int in 1..{s.shape[1]}; got {k!r}.")
    return _ranked_relevance(s, r)[:, :k].float().mean().item()


def r_precision(scores: torch.Tensor, relevant: torch.Tensor) -> float:
    """For each query with R relevant items, the share of relevant items among its top R; mean over the queries
    that have any."""
    s, r = _check(scores, relevant, "r_precision")
    n = r.sum(1)  # (Q,)
    if not (n > 0).any():
        raise ValueError("r_precision: no query has a relevant item.")
    ranked = _ranked_relevance(s, r).float()  # (Q, G)
    top = torch.arange(s.shape[1], device=s.device)[None, :] < n[:, None]  # (Q, G) the first R places
    per_query = (ranked * top).sum(1) / n.clamp_min(1)  # (Q,)
    return per_query[n > 0].mean().item()


def retrieval_at_1(predicted: torch.Tensor, gallery: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
    """Is the true item the nearest of each query's candidates? ``predicted (N, D)`` embeddings, ``gallery (M, D)``,
    ``candidates (N, K)`` gallery indices whose first column is each query's true item. Scores are negative squared
    Euclidean distances, ranked by ``first_hit_rank`` (so a tie counts against the query). Returns ``(N,)`` bool:
    Recall@1 per query (lesson 09: a voice's predicted face latent among 10 faces)."""
    check_tensor(predicted, "retrieval_at_1", "predicted", shape=("N", "D"), dtype="float")
    check_tensor(gallery, "retrieval_at_1", "gallery", shape=("M", predicted.shape[1]), dtype="float")
    check_tensor(candidates, "retrieval_at_1", "candidates", shape=(len(predicted), "K"), dtype="int")
    d = (gallery[candidates.to(gallery.device)] - predicted[:, None]).pow(2).sum(2)  # (N, K)
    true = torch.zeros_like(d, dtype=torch.bool)
    true[:, 0] = True  # (N, K): the first candidate is the true item
    return first_hit_rank(-d, true) == 1
