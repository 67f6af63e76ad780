"""Audio-visual sync (lesson 11): Wav2Lip's LSE-D and LSE-C from a sync expert's distance table, and two measures of
a generated mouth track against the true one (how much it moves; its L1 error at the best alignment)."""

from __future__ import annotations

import torch

from ..referencing.lipsync import shift_track
from ..validate import check_positive, check_tensor

__all__ = ["lse", "articulation", "aligned_l1"]


def lse(distances: torch.Tensor) -> dict[str, torch.Tensor]:
    """Wav2Lip's sync metrics from a distance table ``(B, offsets, W)``: the mean over windows gives each offset's
    distance; **LSE-D** is the smallest (lower = better sync), **LSE-C** (confidence) the median minus the smallest
    (higher = the sync stands out); the offset is the argmin, in frames (0 = in sync). Each ``(B,)``."""
    check_tensor(distances, "lse", "distances", shape=("B", "O", "W"), dtype="float")
    if distances.shape[1] % 2 != 1:
        raise ValueError(f"lse: the offsets axis must be odd (-vshift..vshift); got {distances.shape[1]}.")
    mean = distances.mean(2)  # (B, offsets)
    lowest, best = mean.min(1)
    return {"LSE-D": lowest, "LSE-C": mean.median(1).values - lowest, "offset": best - distances.shape[1] // 2}


def articulation(tracks: torch.Tensor) -> dict[str, torch.Tensor]:
    """How far a mouth track moves, whatever its timing: ``tracks (B, F, 2)`` -> per clip ``(B,)``: **open peak**,
    the 95th percentile of ``open`` over the frames (how wide the mouth opens on its open vowels), and the **open
    swing** and **width swing**, the standard deviation over the frames of each channel. A track smeared in time or
    shrunk towards its mean has lower values than the true one; LSE-D and LSE-C do not see that."""
    check_tensor(tracks, "articulation", "tracks", shape=("B", "F", 2), dtype="float")
    return {"open peak": tracks[:, :, 0].quantile(0.95, dim=1), "open swing": tracks[:, :, 0].std(1),
            "width swing": tracks[:, :, 1].std(1)}


def aligned_l1(tracks: torch.Tensor, reference: torch.Tensor, max_shift: int = 4) -> dict[str, torch.Tensor]:
    """The L1 distance between ``tracks`` and ``reference`` (each ``(B, F, 2)``) once timing is taken out: for each
    clip, the smallest mean absolute difference over shifts of the reference by ``-max_shift..max_shift`` frames
    (``shift_track``: frames shifted in are at rest). Returns ``{"L1": (B,), "shift": (B,)}``, the shift that
    fits best (positive: ``tracks`` is later than ``reference``). What is left is an error of shape: a mouth that
    opens too little, or too much, at the right time."""
    check_tensor(tracks, "aligned_l1", "tracks", shape=("B", "F", 2), dtype="float")
    check_tensor(reference, "aligned_l1", "reference", shape=tuple(tracks.shape), dtype="float")
    check_positive(max_shift + 1, "aligned_l1", "max_shift + 1", integer=True)
    shifts = torch.arange(-max_shift, max_shift + 1, device=tracks.device)  # (S,)
    errors = torch.stack([(tracks - shift_track(reference, s.repeat(len(tracks)))).abs().mean((1, 2))
                          for s in shifts], 1)  # (B, S)
    lowest, best = errors.min(1)
    return {"L1": lowest, "shift": shifts[best]}
