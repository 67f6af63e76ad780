"""Evaluating where a sound comes from (sound-source localisation, Senocak et al. 2018): from a coarse map over the
image grid to a region, then to IoU with the object's box.

* ``SoundLocalizer``: the model — a cosine map per (image, sound) pair, pooled by its top cells into the pair's score
  (in the line of Arandjelović & Zisserman's AVOL-Net and Mo & Morgado's EZ-VSL): the cosine of every visual grid
  cell with the sound's embedding is the map.
* ``localization_map``: clamp the (cosine) map at 0 (optionally smooth it over neighbouring cells), upsample it
  bilinearly to the image, min-max normalise to [0, 1].
* ``box_masks``: boxes ``(x0, y0, x1, y1)`` as boolean masks.
* ``map_iou``: IoU of the map's region above ``threshold`` (0.5) with each box.
* ``success_rate`` (cIoU@t: the share of maps whose IoU is at least t) and ``success_auc`` (the area under the success
  rate over t in [0, 1]), as the paper's evaluation reports them, here with the world's exact boxes.
* ``peak_in_box``: whether each map's maximum lies inside the box (used by the swap test).
* ``centre_prior``: the control map that always looks at the centre.
* ``random_object_chance``: the chance level of a map that finds *an* object but not which one sounds -- its peak on
  a random one of the scene's objects.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .validate import check_tensor

__all__ = ["SoundLocalizer", "localization_map", "box_masks", "map_iou", "success_rate", "success_auc", "peak_in_box",
           "centre_prior", "random_object_chance"]


class SoundLocalizer(nn.Module):
    """Where in the image is the sound? ``image_encoder.grid`` gives ``(B, D, h, w)`` cells, ``audio_encoder`` a
    ``(B, D)`` embedding; both are L2-normalised, so each cell's dot product with the sound is a cosine.

    ``maps(images, sounds)``: each image with its own sound, ``(B, h, w)``. ``pair_maps``: every image with every
    sound, ``(B_images, B_sounds, h, w)`` — computed per pair, so a sound cannot say "which clip" by where the image
    attends. ``pair_scores``: each pair's mean of its ``top_k`` highest cells, ``(B_images, B_sounds)``, for a
    contrastive loss with the learned temperature ``logit_scale`` (log).
    """

    def __init__(self, image_encoder: nn.Module, audio_encoder: nn.Module, top_k: int = 16):
        super().__init__()
        self.image_encoder, self.audio_encoder, self.top_k = image_encoder, audio_encoder, top_k
        self.logit_scale = nn.Parameter(torch.tensor(10.0).log())

    def embed(self, images: torch.Tensor, sounds: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cells = F.normalize(self.image_encoder.grid(images), dim=1)  # (B, D, h, w)
        sound = F.normalize(self.audio_encoder(sounds), dim=1)  # (B, D)
        return cells, sound

    def maps(self, images: torch.Tensor, sounds: torch.Tensor) -> torch.Tensor:
        cells, sound = self.embed(images, sounds)
        return torch.einsum("bdhw,bd->bhw", cells, sound)  # (B, h, w)

    def pair_maps(self, images: torch.Tensor, sounds: torch.Tensor) -> torch.Tensor:
        cells, sound = self.embed(images, sounds)
        return torch.einsum("bdhw,cd->bchw", cells, sound)  # (B_images, B_sounds, h, w)

    def pair_scores(self, pair_maps: torch.Tensor) -> torch.Tensor:
        check_tensor(pair_maps, "SoundLocalizer.pair_scores", "pair_maps", shape=("I", "S", "h", "w"),
                     dtype="float")
        return pair_maps.flatten(2).topk(self.top_k, dim=2).values.mean(2)  # (B_images, B_sounds)


def localization_map(maps: torch.Tensor, size: int, smooth: int = 0) -> torch.Tensor:
    """``(N, h, w)`` maps -> ``(N, size, size)`` in [0, 1]: clamped at 0, averaged over each cell's
    ``(2 smooth + 1)²`` neighbourhood when ``smooth`` > 0, upsampled bilinearly, min-max normalised per map (a
    constant map becomes all zeros)."""
    m = check_tensor(maps, "localization_map", "maps", shape=("N", "h", "w"), dtype="float").clamp_min(0)
    if smooth < 0:
        raise ValueError(f"localization_map: `smooth` must be >= 0; got {smooth}.")
    if smooth:
        m = F.avg_pool2d(m[:, None], 2 * smooth + 1, 1, smooth, count_include_pad=False)[:, 0]  # (N, h, w)
    up = F.interpolate(m[:, None], size=(size, size), mode="bilinear", align_corners=False)[:, 0]
    lo = up.flatten(1).amin(1)[:, None, None]
    hi = up.flatten(1).amax(1)[:, None, None]
    return (up - lo) / (hi - lo).clamp_min(1e-12)


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
    region, gt = m > threshold, box_masks(boxes, m.shape[1])
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
    """Whether the maximum of each map ``(N, S, S)`` lies inside its box ``(N, 4)``. Returns ``(N,)`` bool."""
    m = check_tensor(maps, "peak_in_box", "maps", shape=("N", "S", "S"), dtype="float")
    flat = m.flatten(1).argmax(1)
    ys, xs = flat // m.shape[2], flat % m.shape[2]
    return box_masks(boxes.to(m.device), m.shape[1])[torch.arange(len(m), device=m.device), ys, xs]


def centre_prior(n: int, size: int, sigma: float = 0.25, device: torch.device | str = "cpu") -> torch.Tensor:
    """The control that ignores image and sound: a Gaussian at the image centre, ``sigma`` as a share of the size;
    ``(n, size, size)`` in [0, 1], on ``device``."""
    c = (torch.arange(size, device=device) + 0.5) / size - 0.5
    g = torch.exp(-(c[:, None] ** 2 + c[None, :] ** 2) / (2 * sigma**2))
    return g.expand(n, size, size).clone()


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
