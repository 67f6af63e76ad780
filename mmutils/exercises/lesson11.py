"""Checks for lesson 11 (lip movements): LSE-D / LSE-C, shifting a mouth track, the sync loss."""

from __future__ import annotations

import torch

from ..lipsync import REST, lse, shift_track
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("11.1", title="my_lse",
          hint="mean = distances.mean(2); lowest = mean.min(1).values; return lowest, mean.median(1).values - lowest")
def _check_lse(fn):
    g = torch.Generator().manual_seed(0)
    for b, o, w in [(2, 3, 4), (6, 17, 40)]:
        d = torch.rand(b, o, w, generator=g) * 2
        got = fn(d.clone())
        if not isinstance(got, tuple) or len(got) != 2:
            raise ExerciseFailed("return a pair (lse_d, lse_c)")
        want = lse(d)
        expect_tensor(got[0], (b,), "LSE-D, one per clip")
        expect_tensor(got[1], (b,), "LSE-C, one per clip")
        expect_close(got[0], want["LSE-D"], 1e-6, f"for {o} offsets and {w} windows, LSE-D")
        expect_close(got[1], want["LSE-C"], 1e-6, f"for {o} offsets and {w} windows, LSE-C")


@register("11.2", title="my_shift_track",
          hint="out[b, t] = tracks[b, t - shifts[b]] where 0 <= t - shifts[b] < F, else the rest mouth REST")
def _check_shift(fn):
    g = torch.Generator().manual_seed(1)
    for b, f in [(3, 6), (5, 30)]:
        tracks = torch.rand(b, f, 2, generator=g)
        shifts = torch.randint(-4, 5, (b,), generator=g)
        got = fn(tracks.clone(), shifts.clone())
        expect_tensor(got, (b, f, 2), "tracks of the same shape")
        expect_close(got, shift_track(tracks, shifts), 1e-7, "the shifted tracks")
    one = torch.arange(8.0).view(1, 4, 2) / 10
    got = fn(one.clone(), torch.tensor([1]))
    if not torch.allclose(got[0, 1], one[0, 0]) or not torch.allclose(got[0, 0], torch.tensor(REST)):
        raise ExerciseFailed("a shift of +1 makes the mouth one frame later: out[t] = tracks[t - 1], and frame 0 "
                             "is at rest")


@register("11.3", title="my_sync_loss", hint="-torch.log(p).mean()")
def _check_sync_loss(fn):
    g = torch.Generator().manual_seed(2)
    for n in (1, 50):
        p = torch.rand(n, generator=g).clamp(1e-3, 1 - 1e-3)
        got = fn(p.clone())
        expect_tensor(got, (), "a scalar loss")
        want = torch.nn.functional.binary_cross_entropy(p, torch.ones(n))
        expect_close(got, want, 1e-5, f"for {n} probabilities, the loss")
    q = torch.tensor([0.9, 0.5], requires_grad=True)
    fn(q).backward()
    if q.grad is None or not (q.grad < 0).all():
        raise ExerciseFailed("the loss must fall as the probabilities rise (and be differentiable)")
