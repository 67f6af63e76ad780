"""Checks for lesson 08 (SoundNet): soft targets, the distillation loss, Precision@K."""

from __future__ import annotations

import torch

from ..matching.distillation import distillation_loss, soft_targets
from ..metrics import precision_at_k
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("08.1", title="soften",
          hint="divide the logits by the temperature, then softmax over the classes (dim=1).",
          nudge="A higher temperature must make the distribution flatter, so the logits are scaled down by it before "
                "the softmax. The softmax runs over the classes of each example, so every row sums to 1.")
def _check_soften(fn):
    g = torch.Generator().manual_seed(0)
    for temperature in (1.0, 4.0, 10.0):
        logits = torch.randn(6, 5, generator=g) * 5
        got, want = fn(logits.clone(), temperature), soft_targets(logits, temperature)
        expect_tensor(got, (6, 5), "probabilities, one row per example")
        if not torch.allclose(got.sum(1), torch.ones(6), atol=1e-5):
            raise ExerciseFailed("each row must be a probability distribution (sum to 1)")
        expect_close(got, want, 1e-5, f"at T={temperature} the probabilities")


@register("08.2", title="kd_loss",
          hint="p = softmax(teacher / T), log q = log_softmax(student / T); KL = sum p (log p - log q) over classes, "
               "mean over the batch, times T**2.",
          nudge="The KL is from the teacher to the student: the teacher's probabilities weight the log-ratio. Sum "
                "over classes, average over examples only (not over classes too), and keep the T² factor.")
def _check_kd(fn):
    g = torch.Generator().manual_seed(1)
    for temperature in (1.0, 4.0):
        s, t = torch.randn(8, 5, generator=g) * 3, torch.randn(8, 5, generator=g) * 3
        got, want = fn(s.clone(), t.clone(), temperature), distillation_loss(s, t, temperature)
        if not isinstance(got, torch.Tensor) or got.dim() != 0:
            raise ExerciseFailed("expected a 0-d tensor (the batch mean)")
        if abs(got.item() - want.item()) > 1e-4:
            raise ExerciseFailed(f"at T={temperature} expected {want.item():.5f}, got {got.item():.5f}")
        if abs(fn(t.clone(), t.clone(), temperature).item()) > 1e-5:
            raise ExerciseFailed("a student equal to its teacher must have loss 0")


@register("08.3", title="my_precision_at_k",
          hint="order = torch.argsort(relevant.to(torch.uint8), dim=1, stable=True) puts the irrelevant items first; "
               "by_score = torch.argsort(scores.gather(1, order), dim=1, descending=True, stable=True) keeps that "
               "order within a tie; top = order.gather(1, by_score[:, :k]); return relevant.gather(1, top).float()"
               ".mean().item().",
          nudge="Precision is the fraction of the k best-ranked items that are relevant: not whether any is (that is "
                "Recall@K), and not divided by the number of relevant items. Mind the ties: among items with equal "
                "scores, the irrelevant ones rank first.")
def _check_pak(fn):
    g = torch.Generator().manual_seed(2)
    for q, n, k, ties in [(5, 20, 1, False), (7, 30, 5, False), (3, 10, 10, False), (8, 12, 4, True)]:
        # ties: scores with a few values only, so that the k-th place is often shared
        scores = torch.randint(0, 3, (q, n), generator=g).float() if ties else torch.randn(q, n, generator=g)
        relevant = torch.rand(q, n, generator=g) < 0.3
        got, want = fn(scores.clone(), relevant.clone(), k), precision_at_k(scores, relevant, k)
        if not isinstance(got, float):
            raise ExerciseFailed(f"expected a Python float, got {type(got).__name__} (a 0-d tensor becomes one with "
                                 f"`.item()`)")
        if abs(got - want) > 1e-6:
            where = "with tied scores (among equal scores the irrelevant items rank first) and " if ties else "with "
            raise ExerciseFailed(f"{where}k={k} expected {want:.4f}, got {got:.4f}")
