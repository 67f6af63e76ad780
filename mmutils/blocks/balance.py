"""Remedies for a model's bias toward one modality (lecture 1-1: "특정한 modality에 bias될 수 있다").

* **Modality dropout**: drop one modality's features on a random part of each batch, so the model must also learn
  to answer from the other one (and keeps working when that modality is missing).
* **OGM-GE** (Peng et al., CVPR 2022, "Balanced Multimodal Learning via On-the-fly Gradient Modulation"): score how
  well each modality explains the batch through its share of a late-fusion linear head,
  ``s_u = sum_i softmax(logits_u)_i[y_i]``; the discrepancy ratio of a modality is ``rho_u = s_u / s_other``. The
  modality that is ahead (``rho_u > 1``) has its encoder's gradients scaled by ``k_u = 1 - tanh(alpha * rho_u)``
  (the paper's Eq. 10), the other keeps ``k = 1``; and Gaussian noise with the standard deviation of each kernel's
  own gradient is added (the generalisation enhancement, GE).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..core import random_device
from ..validate import check_tensor

__all__ = ["modality_keep_mask", "unimodal_logits", "true_class_score", "ogm_coefficients", "modulate_gradients",
           "gradient_norm"]


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


def true_class_score(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """OGM's score of one modality on a batch: ``sum_i softmax(logits)_i[y_i]``, the summed probability its share of
    the logits ``(B, C)`` gives to the true classes ``(B,)`` (between 0 and B)."""
    check_tensor(logits, "true_class_score", "logits", shape=("B", "C"), dtype="float")
    check_tensor(targets, "true_class_score", "targets", shape=(logits.shape[0],), dtype="int")
    with torch.no_grad():
        return F.softmax(logits.float(), 1).gather(1, targets[:, None]).sum().item()


def ogm_coefficients(logits_a: torch.Tensor, logits_b: torch.Tensor, targets: torch.Tensor,
                     alpha: float) -> tuple[float, float]:
    """OGM's gradient coefficients ``(k_a, k_b)`` for one batch (Peng et al. 2022, Eq. 10).

    With the scores ``s_a, s_b`` of ``true_class_score`` and the discrepancy ratio ``rho_a = s_a / s_b``
    (``rho_b = 1 / rho_a``): ``k_u = 1 - tanh(alpha * rho_u)`` for the modality with ``rho_u > 1``, and 1 for the
    other. As ``rho_u > 1``, the modality that is ahead is always slowed by at least ``1 - tanh(alpha)``.
    """
    check_tensor(logits_a, "ogm_coefficients", "logits_a", shape=("B", "C"), dtype="float")
    check_tensor(logits_b, "ogm_coefficients", "logits_b", shape=("B", "C"), dtype="float")
    if not alpha >= 0:
        raise ValueError(f"ogm_coefficients: `alpha` must be >= 0; got {alpha!r}.")
    s_a, s_b = true_class_score(logits_a, targets), true_class_score(logits_b, targets)
    rho_a = s_a / max(s_b, 1e-12)
    if rho_a > 1:
        return 1 - math.tanh(alpha * rho_a), 1.0
    rho_b = s_b / max(s_a, 1e-12)
    if rho_b > 1:
        return 1.0, 1 - math.tanh(alpha * rho_b)
    return 1.0, 1.0


def modulate_gradients(encoder: nn.Module, coefficient: float, noise: bool = True,
                       generator: torch.Generator | None = None) -> None:
    """OGM-GE's update of one encoder's gradients (call after ``backward``): every gradient is scaled by
    ``coefficient``; with ``noise`` (GE), each convolution kernel's gradient then gets Gaussian noise whose standard
    deviation is that gradient's own before scaling (``g <- k g + N(0, std(g)^2)``). The noise is added whatever the
    coefficient, to the encoder that is ahead and to the other one. (The authors' code scales and perturbs the
    convolution kernels only; here the biases and batch-norm parameters are scaled too, without noise.)"""
    for p in encoder.parameters():
        if p.grad is None:
            continue
        if noise and p.grad.dim() >= 3:  # convolution kernels (Conv1d: 3-D, Conv2d: 4-D)
            std = p.grad.std().item() + 1e-8
            noise_sample = torch.randn(p.grad.shape, generator=generator,
                                       device=random_device(generator, p.grad.device)).to(p.grad.device)
            p.grad.mul_(coefficient).add_(noise_sample * std)
        else:
            p.grad.mul_(coefficient)


def gradient_norm(module: nn.Module) -> float:
    """The L2 norm of all of ``module``'s current gradients taken together (0 when none): how hard the last
    ``backward`` pushed its parameters."""
    grads = [p.grad.detach().float().pow(2).sum() for p in module.parameters() if p.grad is not None]
    return torch.stack(grads).sum().sqrt().item() if grads else 0.0
