"""Shared pretraining of the image encoder on the world's labels (lessons 04 and 06), as real captioners and VQA
systems start from a CNN pretrained on labelled images.

* ``slot_targets``: per scene and third of the image (left, middle, right), the class and colour of the object there.
* ``SlotHeads``: linear heads reading them from the maximum of a feature grid over each third.
* ``pretrain_slot_encoder``: an ``ImageCNN`` and its ``SlotHeads`` trained on those labels, then frozen; optionally
  with the class read from colour-permuted images, so that a class is learned from shape.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..core import rng, seed_everything
from .encoders import ImageCNN, permute_colour_channels
from ..training import ShuffledBatches, fit
from ..validate import check_tensor
from ..world import CLASS_NAMES, COLOUR_NAMES, SLOTS, Scene

__all__ = ["slot_targets", "SlotHeads", "pretrain_slot_encoder"]


def slot_targets(scenes: list[Scene]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per scene and slot (left, middle, right): the object's class (``len(CLASS_NAMES)`` = empty) and colour
    (``len(COLOUR_NAMES)`` = empty). Returns two ``(n, 3)`` int64 tensors."""
    cls = torch.full((len(scenes), 3), len(CLASS_NAMES), dtype=torch.long)
    colour = torch.full((len(scenes), 3), len(COLOUR_NAMES), dtype=torch.long)
    for i, s in enumerate(scenes):
        for o in s.objects:
            cls[i, SLOTS.index(o.slot)] = CLASS_NAMES.index(o.cls)
            colour[i, SLOTS.index(o.slot)] = COLOUR_NAMES.index(o.colour)
    return cls, colour


class SlotHeads(nn.Module):
    """Pretraining heads on a feature grid ``(B, D, H, W)``: max over the rows and the columns of each third of the
    image, then linear heads -> class logits ``(B, 3, classes + 1)`` and colour logits ``(B, 3, colours + 1)``."""

    def __init__(self, dim: int = 64):
        super().__init__()
        self.cls = nn.Linear(dim, len(CLASS_NAMES) + 1)
        self.colour = nn.Linear(dim, len(COLOUR_NAMES) + 1)

    def forward(self, grid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        g = check_tensor(grid, "SlotHeads", "grid", shape=("B", "D", "H", "W"), dtype="float")
        w = g.shape[3]
        edges = [round(k * w / 3) for k in range(4)]
        thirds = torch.stack([g[..., edges[k]:edges[k + 1]].amax(dim=(2, 3)) for k in range(3)], 1)  # (B, 3, D)
        return self.cls(thirds), self.colour(thirds)  # (B, 3, 11), (B, 3, 7)


def pretrain_slot_encoder(images: torch.Tensor, slot_cls: torch.Tensor, slot_colour: torch.Tensor, *,
                          class_from_permuted_colours: bool = False, epochs: int = 6, lr: float = 3e-3,
                          batch_size: int = 64, seed: int = 1, device: torch.device | str | None = None,
                          desc: str = "pretrain image encoder") -> nn.ModuleDict:
    """Train ``{"cnn": ImageCNN(), "heads": SlotHeads(64)}`` to name each third's class and colour (cross-entropy,
    Adam), then freeze it (eval mode, no gradients) and return it.

    ``images`` ``(n, 3, H, W)``; ``slot_cls`` and ``slot_colour`` ``(n, 3)`` from ``slot_targets``. With
    ``class_from_permuted_colours`` the class head is trained on images whose RGB channels are randomly permuted
    (``permute_colour_channels``; the colour head still sees the originals), so a class must be read from shape.
    Weights from ``seed_everything(seed)``, batch order and permutations from ``rng(0)`` each; the model ends on
    ``device`` (default: the images' device)."""
    check_tensor(images, "pretrain_slot_encoder", "images", shape=("n", 3, "H", "W"), dtype="float")
    check_tensor(slot_cls, "pretrain_slot_encoder", "slot_cls", shape=(len(images), 3), dtype="int")
    check_tensor(slot_colour, "pretrain_slot_encoder", "slot_colour", shape=(len(images), 3), dtype="int")
    device = torch.device(device) if device is not None else images.device
    seed_everything(seed)
    with torch.device("cpu"):  # the weights are drawn on the CPU (the same on every machine), then moved
        encoder = nn.ModuleDict({"cnn": ImageCNN(), "heads": SlotHeads(64)})
    encoder = encoder.to(device)
    augment = rng(0)

    def slot_loss(m: nn.Module, batch) -> torch.Tensor:
        x, cls, colour = batch  # (B, 3, H, W), (B, 3), (B, 3)
        if class_from_permuted_colours:
            shuffled = permute_colour_channels(x.cpu(), augment).to(x.device)  # (B, 3, H, W)
            cls_logits, _ = m["heads"](m["cnn"].grid(shuffled))  # (B, 3, classes + 1)
            _, colour_logits = m["heads"](m["cnn"].grid(x))  # (B, 3, colours + 1)
        else:
            cls_logits, colour_logits = m["heads"](m["cnn"].grid(x))
        return F.cross_entropy(cls_logits.flatten(0, 1), cls.flatten()) + \
            F.cross_entropy(colour_logits.flatten(0, 1), colour.flatten())

    fit(encoder, ShuffledBatches(images, slot_cls, slot_colour, batch_size=batch_size, generator=rng(0)),
        slot_loss, epochs=epochs, lr=lr, desc=desc, device=device)
    return encoder.eval().requires_grad_(False)
