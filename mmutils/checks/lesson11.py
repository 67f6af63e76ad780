"""Checks for lesson 11 (lip movements): LSE-D / LSE-C, shifting a mouth track, Wav2Lip's sync loss through a frozen
expert."""

from __future__ import annotations

import torch

from ..metrics.sync import lse
from ..referencing.lipsync import MELS_PER_FRAME, REST, WINDOW, SyncExpert, mouth_windows, shift_track
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("11.1", title="my_lse",
          hint="mean = distances.mean(2); lowest = mean.min(1).values; return lowest, mean.median(1).values - lowest",
          nudge="Average over the windows first, so each offset has one distance; both metrics are then taken across "
                "the offsets. LSE-C says how far the best offset stands out from the typical (median) one.")
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
          hint="out[b, t] = tracks[b, t - shifts[b]] where 0 <= t - shifts[b] < F, else the rest mouth REST",
          nudge="A positive shift makes the mouth move later, so frame t shows what the original showed s frames "
                "earlier. Frames with no source are the rest mouth, not wrapped around from the other end.")
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


@register("11.3", title="my_sync_loss",
          hint="windows = ls.mouth_windows(track)  # (B, W, 10); p = expert(windows.flatten(0, 1), "
               "audio_w.flatten(0, 1)); return -torch.log(p).mean()",
          nudge="The expert must read each mouth window in the layout it was trained on, next to the audio of the "
                "same moment. Average over every window of every clip, and keep the graph intact so the gradient "
                "reaches the track.")
def _check_sync_loss(fn):
    with torch.random.fork_rng(devices=[]):  # the lesson's random state is left as it was
        torch.manual_seed(0)
        expert = SyncExpert(n_mels=4).eval().requires_grad_(False)  # frozen, random weights: any expert will do
    g = torch.Generator().manual_seed(2)
    for b, f in [(1, 5), (3, 12)]:
        track = torch.rand(b, f, 2, generator=g).requires_grad_(True)
        audio_w = torch.randn(b, f - WINDOW + 1, 4, MELS_PER_FRAME * WINDOW, generator=g)
        got = fn(expert, track, audio_w.clone())
        expect_tensor(got, (), "a scalar loss")
        want = -torch.log(expert(mouth_windows(track.detach()).flatten(0, 1), audio_w.flatten(0, 1))).mean()
        expect_close(got.detach(), want, 1e-5, f"for {b} tracks of {f} frames, the loss")
        if not got.requires_grad:
            raise ExerciseFailed("the loss must carry a gradient back to the generated track (no detach, no "
                                 "torch.no_grad): it is what trains the generator")
        got.backward()
        if track.grad is None or not track.grad.abs().sum() > 0:
            raise ExerciseFailed("no gradient reached the generated track")
