"""Checks for lesson 10 (sound-source localisation): the [0, 1] map, IoU of a region with a box, top-k pair scores,
and the contrastive localisation loss itself."""

from __future__ import annotations

import torch

from ..metrics.localization import map_iou
from ..referencing.localization import localization_map
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("10.1", title="my_localization_map",
          hint="up = F.interpolate(maps.clamp_min(0)[:, None], size=(size, size), mode='bilinear', "
               "align_corners=False)[:, 0]; then (up - min) / (max - min) per map, the range clamped at 1e-12.",
          nudge="Clamp negatives before upsampling, not after: bilinear blending makes the order matter. Normalise "
                "each map by its own minimum and maximum, and make sure a constant map gives zeros, not NaN.")
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
               "IoU = |region & box| / |region | box| (union clamped at 1).",
          nudge="Images are indexed (row, column), so y picks rows and x picks columns; the box's far edges are "
                "exclusive. The region is strictly above the threshold, and an empty union must give 0, not NaN.")
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
    at = torch.full((1, 8, 8), 0.5)  # every pixel exactly at the threshold: no region
    got = float(fn(at, torch.tensor([[0, 0, 2, 2]]), 0.5)[0])
    if got != 0:
        raise ExerciseFailed(f"the region is where the map is strictly above the threshold: a map equal to 0.5 "
                             f"everywhere has no region, so its IoU with a box is 0; got {got}")
    empty = fn(torch.zeros(1, 8, 8), torch.tensor([[3, 3, 3, 3]]), 0.5)  # no region and an empty box
    if not torch.isfinite(empty).all() or float(empty[0]) != 0:
        raise ExerciseFailed(f"with no region and an empty box the IoU is 0 (clamp the union at 1); got "
                             f"{float(empty[0])}")


@register("10.3", title="my_pair_scores",
          hint="pair_maps.flatten(2).topk(k, dim=2).values.mean(2)",
          nudge="The k highest cells are picked over each pair's whole h × w map at once, not along one row or "
                "column; the score is their average.")
def _check_scores(fn):
    g = torch.Generator().manual_seed(2)
    for i, s, h, k in [(2, 3, 4, 1), (5, 5, 12, 16)]:
        maps = torch.randn(i, s, h, h, generator=g)
        got = fn(maps.clone(), k)
        expect_tensor(got, (i, s), "one score per (image, sound) pair")
        expect_close(got, maps.flatten(2).topk(k, dim=2).values.mean(2), 1e-6, f"with k={k} the scores")


def _reference_loss(cells, sound, present, sounding, k, scale):
    from ..matching.joint_embedding import info_nce_loss

    scores = torch.einsum("bdhw,cd->bchw", cells, sound).flatten(2).topk(k, dim=2).values.mean(2)  # (B, B)
    return info_nce_loss(scores, present[:, sounding], scale)


@register("10.4", title="my_localization_loss",
          hint="maps = torch.einsum('bdhw,cd->bchw', cells, sound) (every image with every sound); "
               "scores = maps.flatten(2).topk(k, dim=2).values.mean(2); same = present[:, sounding]; "
               "return matching.info_nce_loss(scores, same, scale).",
          nudge="Build the cell map of every (image, sound) pair first and pool each map afterwards; do not "
                "compare a pooled image vector with the sound. A sound is just as true for any image that holds "
                "its class: that pair is not a negative.")
def _check_loss(fn):
    import torch.nn.functional as F

    from ..matching.joint_embedding import info_nce_loss

    g = torch.Generator().manual_seed(3)
    for b, d, h, c, k in [(4, 8, 3, 5, 2), (8, 16, 6, 10, 5)]:
        cells = F.normalize(torch.randn(b, d, h, h, generator=g), dim=1)
        sound = F.normalize(torch.randn(b, d, generator=g), dim=1)
        sounding = torch.randint(c, (b,), generator=g)
        present = torch.rand(b, c, generator=g) < 0.3
        present[torch.arange(b), sounding] = True  # the sounding object is in its own image
        present[0, sounding[1]] = True  # image 0 also holds the class that sound 1 is: not a negative for it
        got = fn(cells.clone(), sound.clone(), present.clone(), sounding.clone(), k, 10.0)
        expect_tensor(got, (), "one scalar loss")
        want = _reference_loss(cells, sound, present, sounding, k, 10.0)
        scores = torch.einsum("bdhw,cd->bchw", cells, sound).flatten(2).topk(k, dim=2).values.mean(2)
        if torch.allclose(got.float(), info_nce_loss(scores, None, 10.0), atol=1e-5):
            raise ExerciseFailed("the loss ignores the mask: a sound whose class is present in another image is "
                                 "just as true for it (same = present[:, sounding]) and must not count as a negative")
        pooled = torch.einsum("bd,cd->bc", F.normalize(cells.mean((2, 3)), dim=1), sound)
        if torch.allclose(got.float(), info_nce_loss(pooled, present[:, sounding], 10.0), atol=1e-5):
            raise ExerciseFailed("the scores compare a pooled image vector with the sound: compute the map of every "
                                 "(image, sound) pair first and pool each map by its k highest cells")
        expect_close(got, want, 1e-5, f"for {b} images with {h}x{h} cells and k={k} the loss")
    cells = F.normalize(torch.randn(4, 8, 3, 3, generator=g), dim=1).requires_grad_()
    sound = F.normalize(torch.randn(4, 8, generator=g), dim=1)
    present = torch.eye(4, dtype=torch.bool)
    loss = fn(cells, sound, present, torch.arange(4), 2, 10.0)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        raise ExerciseFailed("the loss must stay differentiable with respect to the cells (no .item(), no "
                             "torch.no_grad())")
