"""Checks for lesson 00 (start here): warm-up exercises on tensor layout and on controls."""

from __future__ import annotations

import torch
from torchvision.transforms.v2 import functional as TF

from ..metrics import majority_baseline
from ._core import ExerciseFailed, register


def reference_to_chw_float(image: torch.Tensor) -> torch.Tensor:
    """``(H, W, C)`` uint8 → ``(C, H, W)`` float32 in [0, 1], by torchvision."""
    return TF.to_dtype(image.permute(2, 0, 1), torch.float32, scale=True)


@register("00.1", title="to_chw_float",
          hint="permute (H, W, C) to (C, H, W), convert to float32 and divide by 255.",
          nudge="Moving the channel axis to the front reorders the axes; a reshape gives the right shape but "
                "scrambles the pixels. The bytes 0-255 must also become 32-bit floats in [0, 1].")
def _check_to_chw_float(fn):
    g = torch.Generator().manual_seed(0)
    for h, w, c in [(4, 5, 3), (32, 32, 3), (7, 2, 1)]:
        image = torch.randint(0, 256, (h, w, c), generator=g, dtype=torch.uint8)
        out = fn(image.clone())
        want = reference_to_chw_float(image)
        if not isinstance(out, torch.Tensor):
            raise ExerciseFailed(f"expected a torch.Tensor, got {type(out).__name__}")
        if tuple(out.shape) != tuple(want.shape):
            raise ExerciseFailed(f"for an image of shape {(h, w, c)} expected shape {tuple(want.shape)}, "
                                 f"got {tuple(out.shape)}")
        if out.dtype != torch.float32:
            raise ExerciseFailed(f"expected dtype torch.float32, got {out.dtype}")
        if not torch.allclose(out, want, atol=1e-6):
            raise ExerciseFailed(f"values differ from the expected ones by up to {(out - want).abs().max():.3g} "
                                 f"(are they scaled to [0, 1]?)")


@register("00.2", title="majority_baseline",
          hint="find the most frequent label in train_labels (torch.bincount then argmax) and return the fraction "
               "of test_labels equal to it, as a Python float.",
          nudge="The one answer you always give comes from the training labels alone (ties go to the smallest label); "
                "the test labels are only used to score it.")
def _check_majority_baseline(fn):
    g = torch.Generator().manual_seed(1)
    for n_classes, majority in [(2, 1), (5, 3), (10, 0)]:
        train = torch.randint(0, n_classes, (200,), generator=g)
        train[:120] = majority  # a clear majority
        test = torch.randint(0, n_classes, (300,), generator=g)
        out = fn(train.clone(), test.clone())
        want = majority_baseline(train, test)
        if not isinstance(out, float):
            raise ExerciseFailed(f"expected a Python float, got {type(out).__name__} (use .item())")
        if abs(out - want) > 1e-6:
            raise ExerciseFailed(f"with {n_classes} classes expected {want:.4f}, got {out:.4f}")
