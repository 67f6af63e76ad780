"""Fusions: small interchangeable modules that combine per-modality features ``[(B, d_1), (B, d_2), ...]``."""

from __future__ import annotations

import torch
import torch.nn as nn

from .validate import check_tensor

__all__ = ["ConcatFusion"]


class ConcatFusion(nn.Module):
    """Late fusion by concatenation: ``[(B, d_1), ..., (B, d_m)] -> (B, d_1 + ... + d_m)``."""

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        if not isinstance(features, (list, tuple)) or not features:
            raise ValueError("ConcatFusion: `features` must be a non-empty list of (B, d) tensors.")
        batch = check_tensor(features[0], "ConcatFusion", "features[0]", shape=("B", None)).shape[0]
        for i, f in enumerate(features[1:], 1):
            check_tensor(f, "ConcatFusion", f"features[{i}]", shape=(batch, None))
        return torch.cat(list(features), dim=1)  # (B, sum d)
