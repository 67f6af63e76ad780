"""Drawing the world: procedural backgrounds and recoloured icons pasted with their alpha, in torch."""

from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F

from ..data import load_icon
from .vocab import BACKGROUND_NAMES, COLOURS

__all__ = ["background", "object_sprite", "paste"]


def _noise(g: torch.Generator, size: int, scale: float, smooth: int = 1) -> torch.Tensor:
    n = torch.randn(1, 1, size, size, generator=g)
    if smooth > 1:
        n = F.avg_pool2d(n, smooth, stride=1, padding=smooth // 2, count_include_pad=False)[..., :size, :size]
        n = n / n.std().clamp_min(1e-6)
    return scale * n[0]  # (1, size, size)


def _rgb(r: float, gr: float, b: float, size: int) -> torch.Tensor:
    return torch.tensor([r, gr, b]).view(3, 1, 1).expand(3, size, size)


def background(name: str, size: int, generator: torch.Generator) -> torch.Tensor:
    """A seeded, textured background ``(3, size, size)`` in [0, 1]: grass, road, sky, water, sand or snow."""
    g = generator
    ys = torch.arange(size).float().view(1, size, 1) / size  # (1, size, 1) 0 at top
    xs = torch.arange(size).float().view(1, 1, size) / size  # (1, 1, size)
    if name == "grass":
        blades = torch.randn(1, 1, size, generator=g) * 0.06  # streaks along columns
        img = (_rgb(0.25, 0.55, 0.18, size) + _noise(g, size, 0.05)
               + blades * torch.tensor([0.3, 1.0, 0.3]).view(3, 1, 1))
    elif name == "road":
        img = _rgb(0.36, 0.36, 0.38, size) + _noise(g, size, 0.04)
        offset = torch.rand((), generator=g).item()
        dash = ((xs + offset) * 4 % 1 < 0.5) & ((ys - 0.5).abs() < 0.03)  # (1, size, size) centre line
        img = torch.where(dash, torch.tensor([0.95, 0.9, 0.6]).view(3, 1, 1), img)
    elif name == "sky":
        img = _rgb(0.35, 0.6, 0.95, size) + ys * torch.tensor([0.3, 0.25, 0.05]).view(3, 1, 1)
        for _ in range(2):
            cy, cx = torch.rand(2, generator=g).tolist()
            blob = torch.exp(-(((ys - cy) / 0.08) ** 2 + ((xs - cx) / 0.18) ** 2))  # (1, size, size)
            img = img + 0.5 * blob * (1.0 - img)
    elif name == "water":
        phase = torch.rand((), generator=g).item() * 2 * math.pi
        ripples = torch.sin(2 * math.pi * ys * 6 + phase + 2 * torch.sin(2 * math.pi * xs * 2))  # (1, size, size)
        img = _rgb(0.1, 0.35, 0.6, size) + 0.05 * ripples + _noise(g, size, 0.02)
    elif name == "sand":
        img = _rgb(0.86, 0.76, 0.52, size) + _noise(g, size, 0.05) + _noise(g, size, 0.03, smooth=5)
    elif name == "snow":
        img = (_rgb(0.92, 0.94, 0.98, size) + _noise(g, size, 0.03)
               - 0.06 * ys * torch.tensor([1.0, 0.6, 0.0]).view(3, 1, 1))
    else:
        raise ValueError(f"background: unknown background {name!r}; the backgrounds are {BACKGROUND_NAMES}.")
    return img.clamp(0, 1).contiguous()


@lru_cache(maxsize=4096)
def object_sprite(cls: str, colour: str, px: int, flip: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The icon of ``cls`` recoloured to ``colour``, ``px`` pixels square: RGB ``(3, px, px)`` and alpha
    ``(1, px, px)``. Recolouring keeps the icon's shading: RGB = (0.25 + 0.75 * luminance) * colour."""
    if colour not in COLOURS:
        raise ValueError(f"object_sprite: unknown colour {colour!r}; the colours are {list(COLOURS)}.")
    rgba = load_icon(cls)  # (4, 64, 64)
    lum = (0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2])[None]  # (1, 64, 64)
    rgb = (0.25 + 0.75 * lum) * torch.tensor(COLOURS[colour]).view(3, 1, 1)  # (3, 64, 64)
    small = F.interpolate(torch.cat([rgb * rgba[3:], rgba[3:]])[None], size=(px, px), mode="bilinear",
                          antialias=True, align_corners=False)[0]  # (4, px, px) premultiplied
    alpha = small[3:].clamp(0, 1)
    rgb = (small[:3] / alpha.clamp_min(1e-3)).clamp(0, 1)
    if flip:
        rgb, alpha = rgb.flip(-1), alpha.flip(-1)
    return rgb, alpha


def paste(image: torch.Tensor, rgb: torch.Tensor, alpha: torch.Tensor, x0: int, y0: int) -> torch.Tensor:
    """Alpha-composite a sprite onto ``image`` (3, H, W) in place at column ``x0``, row ``y0``; returns the
    sprite's mask ``(H, W)`` bool (alpha > 0.5)."""
    _, h, w = rgb.shape
    region = image[:, y0:y0 + h, x0:x0 + w]
    region.mul_(1 - alpha).add_(rgb * alpha)
    mask = torch.zeros(image.shape[1:], dtype=torch.bool)
    mask[y0:y0 + h, x0:x0 + w] = alpha[0] > 0.5
    return mask
