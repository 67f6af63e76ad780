"""Splits of the world with unseen combinations, and torch ``Dataset`` wrappers.

``combination_split(seed)`` holds out one colour per class (each colour held out for some class): the ``train`` part
uses only the remaining (class, colour) pairs, the ``test`` part only the held-out ones, so a test score measures
generalisation to combinations never seen in training, not memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch
from torch.utils.data import Dataset

from .scene import ALL_PAIRS, Scene, make_scene
from .vocab import BACKGROUND_NAMES, CLASS_NAMES, COLOUR_NAMES, SIZE_NAMES, SLOTS

__all__ = ["CombinationSplit", "combination_split", "WorldScenes"]


@dataclass(frozen=True)
class CombinationSplit:
    train_pairs: tuple[tuple[str, str], ...]
    test_pairs: tuple[tuple[str, str], ...]

    def pairs(self, part: str) -> list[tuple[str, str]]:
        if part not in ("train", "test", "all"):
            raise ValueError(f"CombinationSplit.pairs: `part` must be 'train', 'test' or 'all'; got {part!r}.")
        return list({"train": self.train_pairs, "test": self.test_pairs,
                     "all": self.train_pairs + self.test_pairs}[part])


def combination_split(seed: int = 0, held_out_per_class: int = 1) -> CombinationSplit:
    """Hold out ``held_out_per_class`` colours of every class, spread so every colour is held out for some class."""
    if not 1 <= held_out_per_class < len(COLOUR_NAMES):
        raise ValueError(f"combination_split: `held_out_per_class` must be in 1..{len(COLOUR_NAMES) - 1}.")
    rng = random.Random(seed)
    order = COLOUR_NAMES[:]
    rng.shuffle(order)
    test = {(c, order[(i * held_out_per_class + j) % len(order)])
            for i, c in enumerate(CLASS_NAMES) for j in range(held_out_per_class)}
    return CombinationSplit(tuple(p for p in ALL_PAIRS if p not in test), tuple(p for p in ALL_PAIRS if p in test))


class WorldScenes(Dataset):
    """``n`` scenes of one part (``train`` / ``test`` / ``all``) of a combination split.

    Item ``i`` is a dict of tensors: ``image`` (3, size, size); ``cls``, ``colour``, ``size``, ``slot`` (indices
    into the vocab lists) of the first sounding object; ``background``; ``n_objects``; ``index`` (i). Use
    ``scene(i)`` for the whole scene (captions, QA, boxes, masks, sound, speech). Scenes are generated on demand from
    their seed, so two datasets with the same arguments are identical; the seeds of different parts never collide.
    """

    _PART_OFFSET = {"train": 0, "test": 1, "all": 2}

    def __init__(self, n: int, part: str = "train", seed: int = 0, size: int = 32,
                 n_objects: int | tuple[int, int] = 1, split: CombinationSplit | None = None, n_sounding: int = 1):
        if not isinstance(n, int) or n <= 0:
            raise ValueError(f"WorldScenes: `n` must be a positive int; got {n!r}.")
        self.split = split or combination_split(seed)
        self.pairs = self.split.pairs(part)
        self.n, self.part, self.size, self.n_objects, self.n_sounding = n, part, size, n_objects, n_sounding
        self._base = (seed * 3 + self._PART_OFFSET[part]) * 10_000_019

    def __len__(self) -> int:
        return self.n

    def scene(self, i: int) -> Scene:
        if not 0 <= i < self.n:
            raise IndexError(f"WorldScenes: index {i} out of range 0..{self.n - 1}.")
        return make_scene(self._base + i, self.size, self.n_objects, self.pairs, n_sounding=self.n_sounding)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        s = self.scene(i)
        o = s.objects[s.sounding[0]]
        return {
            "image": s.image,
            "cls": torch.tensor(CLASS_NAMES.index(o.cls)),
            "colour": torch.tensor(COLOUR_NAMES.index(o.colour)),
            "size": torch.tensor(SIZE_NAMES.index(o.size)),
            "slot": torch.tensor(SLOTS.index(o.slot)),
            "background": torch.tensor(BACKGROUND_NAMES.index(s.background)),
            "n_objects": torch.tensor(len(s.objects)),
            "index": torch.tensor(i),
        }

    def tensors(self) -> dict[str, torch.Tensor]:
        """Every item stacked: ``image`` (n, 3, size, size) and each label (n,). Fast enough for thousands."""
        items = [self[i] for i in range(self.n)]
        return {k: torch.stack([it[k] for it in items]) for k in items[0]}
