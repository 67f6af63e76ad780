"""Localisation: whether a map or an attention peak falls on the right object.

A peak shared by several cells (a tie for the maximum) counts against the map, as ties count against the query in
``metrics.retrieval``: it is inside the box only when every maximal cell is. A map that gives every cell the same
value therefore never "finds" an object by the accident of which cell comes first.

* ``attention_hits``: whether a caption word's attention peak lies inside the named object's box (lesson 04).
* ``box_masks``: boxes ``(x0, y0, x1, y1)`` as boolean masks.
* ``map_iou``: IoU of the map's region above ``threshold`` (0.5) with each box.
* ``success_rate`` (cIoU@t: the share of maps whose IoU is at least t) and ``success_auc`` (the area under the success
  rate over t in [0, 1]), as sound-source localisation papers report them (lesson 10).
* ``peak_in_box``: whether each map's maximum lies inside the box (used by the swap test).
* ``random_object_chance``: the chance level of a map that finds *an* object but not which one sounds -- its peak on
  a random one of the scene's objects.
* ``truth_map`` and ``consensus_iou``: several annotators' boxes as one map (a pixel counts by how many of them boxed
  it, Senocak et al.) and the cIoU of a region with it: what real localisation test sets are scored with.
"""

from __future__ import annotations

import torch

from ..validate import check_tensor

__all__ = ["attention_hits", "box_masks", "map_iou", "success_rate", "success_auc", "peak_in_box",
           "random_object_chance", "truth_map", "consensus_iou"]


def attention_hits(alphas: torch.Tensor, grid: int, image_size: int, boxes: torch.Tensor) -> torch.Tensor:
    """Whether each attention map's peak cell centre lies inside its box (every peak cell's, when several tie):
    ``alphas`` ``(N, grid*grid)``, ``boxes`` ``(N, 4)`` as ``(x0, y0, x1, y1)`` pixels (x1, y1 exclusive) -> ``(N,)``
    bool."""
    check_tensor(alphas, "attention_hits", "alphas", shape=("N", grid * grid), dtype="float")
    check_tensor(boxes, "attention_hits", "boxes", shape=(alphas.shape[0], 4))
    peak = alphas == alphas.amax(1, keepdim=True)  # (N, grid*grid) the maximal cells
    cell = torch.arange(grid * grid, device=alphas.device)
    x, y = (cell % grid + 0.5) * image_size / grid, (cell // grid + 0.5) * image_size / grid  # (grid*grid,) centres
    b = boxes.to(alphas.device).float()[:, :, None]  # (N, 4, 1)
    inside = (x >= b[:, 0]) & (x < b[:, 2]) & (y >= b[:, 1]) & (y < b[:, 3])  # (N, grid*grid)
    return ~(peak & ~inside).any(1)


def box_masks(boxes: torch.Tensor, size: int) -> torch.Tensor:
    """Boxes ``(N, 4)`` as (x0, y0, x1, y1) pixel edges -> boolean masks ``(N, size, size)``."""
    b = check_tensor(boxes, "box_masks", "boxes", shape=("N", 4), dtype="int")
    ys = torch.arange(size, device=b.device)[None, :, None]
    xs = torch.arange(size, device=b.device)[None, None, :]
    return (xs >= b[:, 0, None, None]) & (xs < b[:, 2, None, None]) & (ys >= b[:, 1, None, None]) & \
        (ys < b[:, 3, None, None])


def map_iou(maps: torch.Tensor, boxes: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """IoU of each normalised map's region ``> threshold`` (``(N, S, S)`` from ``localization_map``) with its box
    ``(N, 4)``. Returns ``(N,)``."""
    m = check_tensor(maps, "map_iou", "maps", shape=("N", "S", "S"), dtype="float")
    check_tensor(boxes, "map_iou", "boxes", shape=(m.shape[0], 4), dtype="int")
    region, gt = m > threshold, box_masks(boxes.to(m.device), m.shape[1])
    inter = (region & gt).flatten(1).sum(1).float()
    union = (region | gt).flatten(1).sum(1).float()
    return inter / union.clamp_min(1)


def success_rate(ious: torch.Tensor, at: float = 0.5) -> float:
    """cIoU@at: the share of IoUs ``(N,)`` that are at least ``at``."""
    check_tensor(ious, "success_rate", "ious", shape=("N",), dtype="float")
    return (ious >= at).float().mean().item()


def success_auc(ious: torch.Tensor, steps: int = 21) -> float:
    """Area under the success-rate curve over IoU thresholds 0, 1/(steps-1), ..., 1 (trapezoid rule)."""
    check_tensor(ious, "success_auc", "ious", shape=("N",), dtype="float")
    ts = torch.linspace(0, 1, steps, device=ious.device)
    rates = torch.stack([(ious >= t).float().mean() for t in ts])
    return torch.trapezoid(rates, ts).item()


def peak_in_box(maps: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """Whether the maximum of each map ``(N, S, S)`` lies inside its box ``(N, 4)`` (every maximal pixel, when several
    tie). Returns ``(N,)`` bool."""
    m = check_tensor(maps, "peak_in_box", "maps", shape=("N", "S", "S"), dtype="float")
    peak = m == m.flatten(1).amax(1)[:, None, None]  # (N, S, S) the maximal pixels
    return ~(peak & ~box_masks(boxes.to(m.device), m.shape[1])).flatten(1).any(1)


def random_object_chance(object_boxes: list[torch.Tensor], boxes: torch.Tensor) -> float:
    """The share of peaks in ``boxes`` ``(N, 4)`` for a map that always peaks at the centre of one of its scene's
    objects, chosen at random: scene ``k``'s objects are ``object_boxes[k]`` ``(n_k, 4)``; each object counts
    ``1 / n_k`` when its centre pixel ``((x0 + x1) // 2, (y0 + y1) // 2)`` lies in the scene's box."""
    b = check_tensor(boxes, "random_object_chance", "boxes", shape=("N", 4), dtype="int")
    if len(object_boxes) != len(b):
        raise ValueError(f"random_object_chance: {len(object_boxes)} scenes of objects for {len(b)} boxes.")
    shares = []
    for objects, (x0, y0, x1, y1) in zip(object_boxes, b.tolist()):
        o = check_tensor(objects, "random_object_chance", "object_boxes[k]", shape=("n", 4), dtype="int")
        if len(o) == 0:
            raise ValueError("random_object_chance: every scene needs at least one object.")
        cx, cy = (o[:, 0] + o[:, 2]) // 2, (o[:, 1] + o[:, 3]) // 2
        shares.append(((cx >= x0) & (cx < x1) & (cy >= y0) & (cy < y1)).float().mean().item())
    return sum(shares) / len(shares)


def truth_map(boxes: torch.Tensor, size: int, consensus: bool) -> torch.Tensor:
    """The annotators' boxes ``(K, 4)`` (relative, 0-1) as a ``(size, size)`` map: 1 inside any box, or with
    ``consensus`` (several annotators) the number of boxes covering a pixel over 2, at most 1 (Senocak et al.)."""
    check_tensor(boxes, "truth_map", "boxes", shape=("K", 4), dtype="float")
    inside = box_masks((boxes * size).round().long(), size)  # (K, size, size), pixel boxes
    return (inside.float().sum(0) / 2).clamp(max=1) if consensus else inside.any(0).float()


def consensus_iou(region: torch.Tensor, truth: torch.Tensor) -> float:
    """cIoU of a predicted region (bool ``(S, S)``) with a truth map (``(S, S)`` in [0, 1]): the truth the region
    covers, over all the truth plus the region's pixels where the truth is 0 (the IoU itself for a 0/1 truth)."""
    check_tensor(region, "consensus_iou", "region", shape=("S", "S"), dtype="bool")
    check_tensor(truth, "consensus_iou", "truth", shape=tuple(region.shape), dtype="float")
    r, truth = region.float(), truth.to(region.device)
    return ((r * truth).sum() / (truth.sum() + (r * (truth == 0)).sum()).clamp_min(1e-8)).item()
