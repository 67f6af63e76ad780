"""Measures of generated images (lesson 05): how different the samples of one prompt are from each other, and how
far each is from its nearest training image (copying)."""

from __future__ import annotations

import torch

from ..validate import check_tensor

__all__ = ["pairwise_diversity", "nearest_distance"]


def pairwise_diversity(images: torch.Tensor) -> float:
    """Mean root-mean-square pixel distance between every pair of ``images (N, C, H, W)``, N >= 2."""
    check_tensor(images, "pairwise_diversity", "images", shape=("N", "C", "H", "W"), dtype="float")
    if len(images) < 2:
        raise ValueError("pairwise_diversity: need at least 2 images.")
    flat = images.flatten(1)
    d = torch.cdist(flat, flat) / flat.shape[1] ** 0.5  # (N, N) RMS distances
    n = len(images)
    return (d.sum() / (n * (n - 1))).item()


def nearest_distance(queries: torch.Tensor, references: torch.Tensor, chunk: int = 512) -> torch.Tensor:
    """For each query image, the root-mean-square pixel distance to its nearest reference image: ``(N, C, H, W)``,
    ``(M, C, H, W)`` -> ``(N,)``."""
    check_tensor(queries, "nearest_distance", "queries", shape=("N", "C", "H", "W"), dtype="float")
    check_tensor(references, "nearest_distance", "references", shape=("M",) + tuple(queries.shape[1:]), dtype="float")
    q, r = queries.flatten(1), references.flatten(1)
    best = torch.cat([torch.cdist(part, r).amin(1) for part in q.split(chunk)])
    return best / q.shape[1] ** 0.5
