"""Evaluating where a sound comes from (sound-source localisation, Senocak et al. 2018): from a coarse map over the
image grid to a region, then to IoU with the object's box.

* ``SoundLocalizer``: the model — a cosine map per (image, sound) pair, pooled by its top cells into the pair's score
  (in the line of Arandjelović & Zisserman's AVOL-Net and Mo & Morgado's EZ-VSL): the cosine of every visual grid
  cell with the sound's embedding is the map.
* ``localization_map``: clamp the (cosine) map at 0 (optionally smooth it over neighbouring cells), upsample it
  bilinearly to the image, min-max normalise to [0, 1].
* ``centre_prior``: the control map that always looks at the centre.

The measures are ``mmutils.metrics.localization``: ``map_iou`` (IoU of the map's region above 0.5 with each box),
``success_rate`` (cIoU@t) and ``success_auc`` as the paper's evaluation reports them (here with the world's exact
boxes), ``peak_in_box`` (the swap test) and ``random_object_chance``.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..validate import check_tensor

__all__ = ["SoundLocalizer", "localization_map", "centre_prior"]


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


def centre_prior(n: int, size: int, sigma: float = 0.25, device: torch.device | str = "cpu") -> torch.Tensor:
    """The control that ignores image and sound: a Gaussian at the image centre, ``sigma`` as a share of the size;
    ``(n, size, size)`` in [0, 1], on ``device``."""
    c = (torch.arange(size, device=device) + 0.5) / size - 0.5
    g = torch.exp(-(c[:, None] ** 2 + c[None, :] ** 2) / (2 * sigma**2))
    return g.expand(n, size, size).clone()
