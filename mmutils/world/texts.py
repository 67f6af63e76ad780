"""The texts of a one-object scene for image tagging and matching (lesson 03): captions, tags and single tag words,
and which images each text is true of (one image has many true texts, one text many true images)."""

from __future__ import annotations

import torch

from ..validate import check_tensor
from .scene import Scene
from .vocab import BACKGROUND_NAMES, CLASS_NAMES, COLOUR_NAMES

__all__ = ["scene_attributes", "tagging_texts", "true_of"]


def scene_attributes(scene: Scene) -> tuple[int, int, int]:
    """(class id, colour id, background id) of a one-object scene."""
    if len(scene.objects) != 1:
        raise ValueError(f"scene_attributes: expected a one-object scene; got {len(scene.objects)} objects.")
    o = scene.objects[0]
    return CLASS_NAMES.index(o.cls), COLOUR_NAMES.index(o.colour), BACKGROUND_NAMES.index(scene.background)


def tagging_texts(scene: Scene) -> list[tuple[str, tuple[int, int, int]]]:
    """Every text that describes a one-object scene, each with the (class, colour, background) ids it states (-1 where
    it says nothing): the captions and the tags joined state all three; each tag word alone states one. Order: the
    captions, the tags, then the class, colour and background words."""
    c, k, b = scene_attributes(scene)
    o = scene.objects[0]
    return ([(t, (c, k, b)) for t in scene.captions] + [(" ".join(scene.tags), (c, k, b))]
            + [(o.cls, (c, -1, -1)), (o.colour, (-1, k, -1)), (scene.background, (-1, -1, b))])


def true_of(attributes: torch.Tensor, stated: torch.Tensor) -> torch.Tensor:
    """Whether each text is true of each image: ``attributes`` ``(I, 3)`` of the images, ``stated`` ``(T, 3)`` of
    the texts (-1 = not stated) -> ``(I, T)`` bool, true where every stated attribute matches."""
    check_tensor(attributes, "true_of", "attributes", shape=("I", 3), dtype="int")
    check_tensor(stated, "true_of", "stated", shape=("T", 3), dtype="int")
    return ((stated[None] == -1) | (stated[None] == attributes[:, None])).all(-1)  # (I, T)
