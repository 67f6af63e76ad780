"""Audio-visual sync (lesson 11): Wav2Lip's LSE-D and LSE-C from a sync expert's distance table ``(B, offsets, W)``
(the table is ``referencing.lipsync.sync_distances``; the measures of a mouth track itself, ``articulation`` and
``aligned_l1``, live with the tracks in ``referencing.lipsync``)."""

from __future__ import annotations

import torch

from ..validate import check_tensor

__all__ = ["lse"]


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
