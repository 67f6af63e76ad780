"""Metrics and controls, written out for teaching. Each is tested against a library's version where one exists."""

from __future__ import annotations

import torch

from .validate import check_tensor

__all__ = ["accuracy", "majority_baseline"]


def accuracy(logits_or_labels: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of correct predictions. Accepts logits ``(N, classes)`` or predicted labels ``(N,)``."""
    pred = check_tensor(logits_or_labels, "accuracy", "logits_or_labels", shape=[("N", None), ("N",)])
    y = check_tensor(targets, "accuracy", "targets", shape=("N",), dtype="int")
    if pred.dim() == 2:
        pred = pred.argmax(1)
    if pred.shape[0] != y.shape[0]:
        raise ValueError(f"accuracy: {pred.shape[0]} predictions for {y.shape[0]} targets.")
    if y.shape[0] == 0:
        raise ValueError("accuracy: no targets (N = 0).")
    return (pred == y).float().mean().item()


def majority_baseline(train_labels: torch.Tensor, test_labels: torch.Tensor) -> float:
    """The control every classifier must beat: the accuracy on ``test_labels`` ``(M,)`` of always answering the
    most frequent label of ``train_labels`` ``(N,)`` (ties go to the smallest label). Labels are non-negative ints."""
    train = check_tensor(train_labels, "majority_baseline", "train_labels", shape=("N",), dtype="int")
    test = check_tensor(test_labels, "majority_baseline", "test_labels", shape=("M",), dtype="int")
    if train.numel() == 0 or test.numel() == 0:
        raise ValueError("majority_baseline: both label tensors must be non-empty.")
    if train.min() < 0:
        raise ValueError("majority_baseline: labels must be non-negative.")
    majority = torch.bincount(train).argmax()
    return (test == majority).float().mean().item()
