"""Visual question answering (lesson 06) with two streams (Antol et al. 2015): an image stream keeping a feature grid,
a question stream, a fusion, and an answer head over a fixed answer vocabulary. The parts live with the other blocks:

* the image stream: ``blocks.pretraining`` (pretrained on the world's labels and frozen first, as real VQA systems
  use frozen pretrained CNN grids), its cells given positions by ``with_positions`` below;
* the question stream: ``blocks.encoders.QuestionEncoder``; the fusions: ``blocks.fusion``; the model and its
  question-only and image-only baselines: ``blocks.models.VQAModel``;
* the examples: ``world.questions.vqa_examples`` (with a chosen share of "yes" among "is there" questions — the
  language-bias experiment); the measures: ``metrics.classification.accuracy_by_type`` and ``majority_by_type``.
"""

from __future__ import annotations

import torch

from ..validate import check_tensor

__all__ = ["with_positions"]


def with_positions(grid: torch.Tensor, scale: float = 3.0) -> torch.Tensor:
    """``(B, D, H, W)`` -> cells ``(B, H*W, D + H + W)``: each cell's features, then its row and column one-hot
    (times ``scale``), so that a fusion that looks at one cell also knows where it is."""
    g = check_tensor(grid, "with_positions", "grid", shape=("B", "D", "H", "W"), dtype="float")
    b, _, h, w = g.shape
    rows = torch.eye(h, device=g.device)[:, None, :].expand(h, w, h)  # (H, W, H)
    cols = torch.eye(w, device=g.device)[None, :, :].expand(h, w, w)  # (H, W, W)
    pos = scale * torch.cat([rows, cols], -1).reshape(1, h * w, h + w).expand(b, -1, -1)  # (B, H*W, H+W)
    return torch.cat([g.flatten(2).transpose(1, 2), pos], -1)  # (B, H*W, D+H+W)
