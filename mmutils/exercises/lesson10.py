"""Checks for lesson 10 (sound-source localisation): the [0, 1] map, IoU of a region with a box, top-k pair scores."""

from __future__ import annotations

import torch

from ..localization import localization_map, map_iou
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("10.1", title="my_localization_map",
          hint="up = F.interpolate(maps.clamp_min(0)[:, None], size=(size, size), mode='bilinear', "
               "align_corners=False)[:, 0]; then (up - min) / (max - min) per map, the range clamped at 1e-12.")
def _check_map(fn):
    g = torch.Generator().manual_seed(0)
    for n, h, size in [(3, 4, 16), (5, 12, 48)]:
        maps = torch.randn(n, h, h, generator=g)
        got = fn(maps.clone(), size)
        expect_tensor(got, (n, size, size), "one upsampled map per input map")
        expect_close(got, localization_map(maps, size), 1e-5, f"for {h}x{h} maps upsampled to {size}x{size}")
    flat = fn(-torch.ones(1, 3, 3), 6)  # everything clamps to 0: a constant map
    if not torch.isfinite(flat).all() or flat.abs().max() > 1e-6:
        raise ExerciseFailed("a map that is negative everywhere clamps to a constant: it must become all zeros, "
                             "not NaN (clamp the range before dividing)")


@register("10.2", title="my_map_iou",
          hint="box mask: (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1); region = maps > threshold; "
               "IoU = |region & box| / |region | box| (union clamped at 1).")
def _check_iou(fn):
    g = torch.Generator().manual_seed(1)
    for n, s in [(4, 8), (10, 24)]:
        maps = torch.rand(n, s, s, generator=g)
        x0, y0 = torch.randint(0, s // 2, (n,), generator=g), torch.randint(0, s // 2, (n,), generator=g)
        boxes = torch.stack([x0, y0, x0 + torch.randint(1, s // 2, (n,), generator=g),
                             y0 + torch.randint(1, s // 2, (n,), generator=g)], 1)
        for t in (0.5, 0.8):
            got = fn(maps.clone(), boxes.clone(), t)
            expect_tensor(got, (n,), "one IoU per map")
            expect_close(got, map_iou(maps, boxes, t), 1e-6, f"at threshold {t} the IoUs")
    exact = torch.zeros(1, 8, 8)
    exact[0, 2:5, 1:4] = 1  # rows y 2..4, columns x 1..3
    if abs(float(fn(exact, torch.tensor([[1, 2, 4, 5]]), 0.5)[0]) - 1) > 1e-6:
        raise ExerciseFailed("a region equal to its box must have IoU 1: x runs along columns, y along rows, "
                             "and x1, y1 are exclusive")


@register("10.3", title="my_pair_scores",
          hint="pair_maps.flatten(2).topk(k, dim=2).values.mean(2)")
def _check_scores(fn):
    g = torch.Generator().manual_seed(2)
    for i, s, h, k in [(2, 3, 4, 1), (5, 5, 12, 16)]:
        maps = torch.randn(i, s, h, h, generator=g)
        got = fn(maps.clone(), k)
        expect_tensor(got, (i, s), "one score per (image, sound) pair")
        expect_close(got, maps.flatten(2).topk(k, dim=2).values.mean(2), 1e-6, f"with k={k} the scores")
