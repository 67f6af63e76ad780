"""Remedies for a model's bias toward one modality (lecture 1-1: "특정한 modality에 bias될 수 있다").

* **Modality dropout**: drop the dominant modality's features on a random part of each batch, so the model must also
  learn from the other one.
* **OGM-GE** (Peng et al., CVPR 2022, "Balanced Multimodal Learning via On-the-fly Gradient Modulation"): measure how
  well each modality alone explains the batch through its share of a late-fusion linear head; slow down the encoder of
  the modality that is ahead by scaling its gradients with ``1 - tanh(alpha * (ratio - 1))``, and add Gaussian noise
  with the gradient's own standard deviation (the generalisation enhancement, GE).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .core import random_device
from .validate import check_tensor

__all__ = ["modality_keep_mask", "unimodal_logits", "ogm_coefficients", "modulate_gradients"]


def modality_keep_mask(batch: int, p_drop: float, generator: torch.Generator | None = None,
                       device: torch.device | str = "cpu") -> torch.Tensor:
    """A ``(batch,)`` float mask on ``device``: 0 with probability ``p_drop`` (modality dropped for that sample),
    else 1."""
    if not 0.0 <= p_drop <= 1.0:
        raise ValueError(f"modality_keep_mask: `p_drop` must be in [0, 1]; got {p_drop!r}.")
    device = torch.device(device)
    draws = torch.rand(batch, generator=generator, device=random_device(generator, device))  # (batch,)
    return (draws >= p_drop).float().to(device)


def unimodal_logits(head: nn.Linear, features: list[torch.Tensor]) -> list[torch.Tensor]:
    """Split a concatenation head ``W [f_1; ...; f_m] + b`` into each modality's share ``W_i f_i + b / m``.

    ``features``: ``[(B, d_1), ..., (B, d_m)]`` with ``sum d_i == head.in_features``; returns ``[(B, classes), ...]``.
    """
    dims = [check_tensor(f, "unimodal_logits", f"features[{i}]", shape=("B", None)).shape[1]
            for i, f in enumerate(features)]
    if sum(dims) != head.in_features:
        raise ValueError(f"unimodal_logits: feature sizes {dims} sum to {sum(dims)}, but the head takes "
                         f"{head.in_features}.")
    out, start = [], 0
    for f, d in zip(features, dims):
        out.append(f @ head.weight[:, start:start + d].T + head.bias / len(features))  # (B, classes)
        start += d
    return out


def ogm_coefficients(logits_a: torch.Tensor, logits_b: torch.Tensor, targets: torch.Tensor,
                     alpha: float) -> tuple[float, float]:
    """OGM's gradient coefficients ``(k_a, k_b)`` for one batch.

    Score of a modality: ``s = sum_i softmax(logits)_i[y_i]`` over the batch. With ``ratio = s_a / s_b``, the
    modality that is ahead gets ``1 - tanh(alpha * (ratio - 1))`` (``ratio`` taken the other way for b), the other 1.
    """
    check_tensor(logits_a, "ogm_coefficients", "logits_a", shape=("B", "C"), dtype="float")
    check_tensor(logits_b, "ogm_coefficients", "logits_b", shape=("B", "C"), dtype="float")
    check_tensor(targets, "ogm_coefficients", "targets", shape=(logits_a.shape[0],), dtype="int")
    with torch.no_grad():
        s_a = F.softmax(logits_a, 1).gather(1, targets[:, None]).sum().item()
        s_b = F.softmax(logits_b, 1).gather(1, targets[:, None]).sum().item()
    ratio = s_a / max(s_b, 1e-12)
    if ratio > 1:
        return 1 - math.tanh(alpha * (ratio - 1)), 1.0
    return 1.0, 1 - math.tanh(alpha * (1 / max(ratio, 1e-12) - 1))


def modulate_gradients(encoder: nn.Module, coefficient: float, noise: bool = True,
                       generator: torch.Generator | None = None) -> None:
    """Scale every gradient of ``encoder`` by ``coefficient``; with ``noise`` (GE) add to each convolution kernel's
    gradient Gaussian noise whose standard deviation is that gradient's own (call after ``backward``)."""
    for p in encoder.parameters():
        if p.grad is None:
            continue
        if noise and p.grad.dim() >= 3:  # convolution kernels, as in the paper's code
            std = p.grad.std().item() + 1e-8
            noise_sample = torch.randn(p.grad.shape, generator=generator,
                                       device=random_device(generator, p.grad.device)).to(p.grad.device)
            p.grad.mul_(coefficient).add_(noise_sample * std)
        else:
            p.grad.mul_(coefficient)
