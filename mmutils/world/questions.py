"""The world's questions as VQA examples (lesson 06): (scene, question, answer) triples over a fixed answer
vocabulary, with a chosen share of "yes" among "is there" questions — the language-bias experiment."""

from __future__ import annotations

import random

import torch

from ..text import Vocabulary, tokenize
from .scene import QUESTION_TYPES, Scene
from .vocab import CLASS_NAMES, COLOUR_NAMES, NUMBERS, SLOTS

__all__ = ["answer_vocabulary", "vqa_examples"]


def answer_vocabulary() -> list[str]:
    """Every answer the world's questions can have: classes, slots, numbers, yes/no, colours."""
    return list(CLASS_NAMES) + list(SLOTS) + list(NUMBERS) + ["yes", "no"] + list(COLOUR_NAMES)


def vqa_examples(scenes: list[Scene], vocab: Vocabulary, yes_share: float | None = None,
                 seed: int = 0, is_there_per_scene: float | None = None) -> dict[str, torch.Tensor]:
    """Every question of every scene, except that "is there" questions are sampled so that ``yes_share`` of them are
    answered "yes" (each scene has one "yes" and one "no" question; ``None`` keeps both: balanced). By default every
    "yes" question is kept and "no" questions are dropped at random; ``is_there_per_scene`` instead sets the expected
    number of "is there" questions kept per scene (at most 2), so that two splits with different shares can have the
    same size: ``yes_share=0.5, is_there_per_scene=1 / 0.9`` is as large as ``yes_share=0.9``. Returns tensors:
    ``scene`` (n,) index into ``scenes``, ``tokens`` (n, L), ``lengths`` (n,), ``answer`` (n,) into
    ``answer_vocabulary()``, ``qtype`` (n,) into ``QUESTION_TYPES``; and ``questions``, a list of the n strings."""
    if yes_share is not None and not 0.5 <= yes_share < 1:
        raise ValueError(f"vqa_examples: `yes_share` must be None (balanced) or in [0.5, 1); got {yes_share}.")
    rng = random.Random(seed)
    answers = answer_vocabulary()
    share = 0.5 if yes_share is None else yes_share
    if is_there_per_scene is None:
        keep = {"yes": 1.0, "no": (1 - share) / share}
    else:
        keep = {"yes": is_there_per_scene * share, "no": is_there_per_scene * (1 - share)}
        if not 0 < is_there_per_scene or max(keep.values()) > 1:
            raise ValueError("vqa_examples: `is_there_per_scene` must be positive and at most 1 / max(yes_share, "
                             f"1 - yes_share) (each scene has one 'yes' and one 'no' question); got "
                             f"{is_there_per_scene}.")
    rows = []
    for i, s in enumerate(scenes):
        for qa in s.qa:
            if qa.qtype == "is there" and keep[qa.answer] < 1 and rng.random() >= keep[qa.answer]:
                continue
            rows.append((i, qa.question, answers.index(qa.answer), QUESTION_TYPES.index(qa.qtype)))
    words = [tokenize(q) for _, q, _, _ in rows]
    return {"scene": torch.tensor([r[0] for r in rows]), "tokens": vocab.batch(words),  # (n, L) padded with <pad>
            "lengths": torch.tensor([len(w) for w in words]), "answer": torch.tensor([r[2] for r in rows]),
            "qtype": torch.tensor([r[3] for r in rows]), "questions": [r[1] for r in rows]}
