"""Independent judges of generated images (lessons 05 and 09): a small attribute classifier trained on real images,
and the blur-and-noise augmentation that lets it read soft, generated ones."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..core import random_device
from .encoders import conv_block2d
from ..validate import check_tensor

__all__ = ["AttributeClassifier", "blur_and_noise"]


class AttributeClassifier(nn.Module):
    """A small CNN (three conv-BN-ReLU blocks) with one head per attribute (e.g. class, colour, background; or beard,
    width, ...).

    ``forward(images (B, 3, H, W))`` -> list of logits ``(B, n_values)``, one per attribute; ``predict`` -> value
    indices ``(B, n_attributes)``."""

    def __init__(self, n_values: list[int], width: int = 16):
        super().__init__()
        if not n_values or any(int(n) < 2 for n in n_values):
            raise ValueError(f"AttributeClassifier: each attribute needs >= 2 values; got {n_values}.")
        w = width
        self.features = nn.Sequential(
            *conv_block2d(3, w), nn.MaxPool2d(2),
            *conv_block2d(w, 2 * w), nn.MaxPool2d(2),
            *conv_block2d(2 * w, 2 * w), nn.AdaptiveAvgPool2d(4),
            nn.Flatten(),
        )
        self.heads = nn.ModuleList(nn.Linear(2 * w * 16, int(n)) for n in n_values)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        check_tensor(images, "AttributeClassifier", "images", shape=("B", 3, "H", "W"), dtype="float")
        h = self.features(images)  # (B, 2w * 16)
        return [head(h) for head in self.heads]

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> torch.Tensor:
        return torch.stack([logits.argmax(1) for logits in self(images)], 1)  # (B, n_attributes)


def blur_and_noise(images: torch.Tensor, generator: torch.Generator | None = None, noise: float = 0.05,
                   blur_levels: int = 1) -> torch.Tensor:
    """Augmentation for a judge of *generated* images: each image blurred 0 to ``blur_levels`` times (3x3
    binomial, chosen at random, evenly), plus Gaussian noise of a random level up to ``noise``. ``(B, 3, H, W)`` ->
    same shape."""
    check_tensor(images, "blur_and_noise", "images", shape=("B", 3, "H", "W"), dtype="float")
    k = torch.tensor([1.0, 2.0, 1.0], device=images.device)
    k = (k[:, None] * k[None]) / 16  # (3, 3)
    n = len(images)
    draw = random_device(generator, images.device)
    passes = ((1 - torch.rand(n, generator=generator, device=draw)) * (blur_levels + 1)).floor().clamp(max=blur_levels)
    passes = passes.to(images.device)[:, None, None, None]  # (B, 1, 1, 1)
    level = noise * torch.rand(n, 1, 1, 1, generator=generator, device=draw).to(images.device)
    eps = torch.randn(images.shape, generator=generator, device=draw).to(images.device)
    out, blurred = images, images
    for p in range(1, blur_levels + 1):
        blurred = F.conv2d(F.pad(blurred, (1, 1, 1, 1), mode="replicate"), k.expand(3, 1, 3, 3), groups=3)
        out = torch.where(passes == p, blurred, out)
    return out + level * eps
