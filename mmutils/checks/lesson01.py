"""Checks for lesson 01 (what is multi-modal learning): the pieces of the two remedies for modality bias."""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from ..blocks.balance import ogm_coefficients, true_class_score, unimodal_logits
from ._core import ExerciseFailed, register


@register("01.1", title="keep_mask",
          hint="torch.rand(batch, generator=generator) gives uniform numbers; keep a sample where the number is "
               ">= p_drop, and return the result as float 0/1.",
          nudge="p_drop is the chance that a sample is dropped, not kept. Draw the randomness from the generator "
                "you are given (so that a run can be repeated), and return floats: the mask multiplies features.")
def _check_keep_mask(fn):
    for batch, p in [(10, 0.0), (10, 1.0), (20000, 0.5), (20000, 0.2)]:
        out = fn(batch, p, torch.Generator().manual_seed(batch))
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (batch,):
            raise ExerciseFailed(f"expected a tensor of shape ({batch},), got "
                                 f"{tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}")
        if not out.is_floating_point():
            raise ExerciseFailed(f"expected a float mask (it multiplies features), got {out.dtype}")
        if not torch.all((out == 0) | (out == 1)):
            raise ExerciseFailed("a keep mask holds only 0 (dropped) and 1 (kept)")
        kept = out.mean().item()
        if abs(kept - (1 - p)) > 0.02:
            raise ExerciseFailed(f"with p_drop={p} about {1 - p:.0%} of the samples should be kept; got {kept:.1%}")
    first, again = (fn(1000, 0.3, torch.Generator().manual_seed(7)) for _ in range(2))
    if not torch.equal(first, again):
        raise ExerciseFailed("two generators seeded alike gave different masks: draw the random numbers from the "
                             "`generator` you are given, so that a run can be repeated")


@register("01.2", title="ogm_coeffs",
          hint="score each modality by summing softmax(logits)[i, y_i] over the batch; rho_a = s_a / s_b and "
               "rho_b = s_b / s_a; the modality whose rho is > 1 gets 1 - tanh(alpha * rho), the other gets 1.0 "
               "(both 1.0 when the scores are equal).",
          nudge="Score each modality by the probability it gives the true classes, not by its raw logits. Only the "
                "modality that is ahead is slowed, and Eq. 10 puts the ratio itself in the tanh, not its excess over "
                "1.")
def _check_ogm(fn):
    g = torch.Generator().manual_seed(0)
    for alpha, boost in [(0.5, 3.0), (1.0, -3.0), (0.1, 0.5), (2.0, 0.0), (0.3, -0.2)]:
        y = torch.randint(0, 5, (32,), generator=g)
        a = torch.randn(32, 5, generator=g)
        b = torch.randn(32, 5, generator=g)
        a[torch.arange(32), y] += max(boost, 0)  # make one modality confident on the true class
        b[torch.arange(32), y] += max(-boost, 0)
        want = ogm_coefficients(a, b, y, alpha)
        got = fn(a.clone(), b.clone(), y.clone(), alpha)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ExerciseFailed(f"expected a tuple (k_a, k_b), got {got!r}")
        if any(not math.isclose(float(x), w, abs_tol=1e-5) for x, w in zip(got, want)):
            rho_a = true_class_score(a, y) / true_class_score(b, y)
            shifted = [1 - math.tanh(alpha * (rho - 1)) if rho > 1 else 1.0 for rho in (rho_a, 1 / rho_a)]
            if all(math.isclose(float(x), w, abs_tol=1e-5) for x, w in zip(got, shifted)):
                raise ExerciseFailed(f"with alpha={alpha} you used tanh(alpha * (rho - 1)); the paper's Eq. 10 "
                                     f"uses tanh(alpha * rho)")
            raise ExerciseFailed(f"with alpha={alpha} expected ({want[0]:.4f}, {want[1]:.4f}), "
                                 f"got ({float(got[0]):.4f}, {float(got[1]):.4f})")


@register("01.3", title="split_logits",
          hint="the head's weight is (classes, d_a + d_b): columns [:d_a] multiply the first modality's features, "
               "the rest the second's; each modality gets half of the bias.",
          nudge="An nn.Linear weight is stored as (outputs, inputs), so the concatenation runs along its inputs. The "
                "bias belongs to neither modality, and the two shares must still add up to the fused logits.")
def _check_unimodal(fn):
    g = torch.Generator().manual_seed(1)
    for da, db in [(4, 6), (8, 8)]:
        head = nn.Linear(da + db, 3)
        with torch.no_grad():
            head.weight.copy_(torch.randn(3, da + db, generator=g))
            head.bias.copy_(torch.randn(3, generator=g))
        fa, fb = torch.randn(5, da, generator=g), torch.randn(5, db, generator=g)
        want = unimodal_logits(head, [fa, fb])
        got = fn(head, fa.clone(), fb.clone())
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ExerciseFailed("expected a tuple (logits_a, logits_b)")
        for name, x, w in zip("ab", got, want):
            if tuple(x.shape) != tuple(w.shape):
                raise ExerciseFailed(f"logits_{name}: expected shape {tuple(w.shape)}, got {tuple(x.shape)}")
            if not torch.allclose(x, w, atol=1e-5):
                raise ExerciseFailed(f"logits_{name} differ from W_{name} f_{name} + b/2 by up to "
                                     f"{(x - w).abs().max():.3g}")
        if not torch.allclose(got[0] + got[1], head(torch.cat([fa, fb], 1)), atol=1e-5):
            raise ExerciseFailed("the two shares must add up to the fused head's logits")
