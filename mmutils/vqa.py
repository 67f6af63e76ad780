"""Visual question answering with two streams (Antol et al. 2015): an image stream keeping a feature grid, a question
stream (a GRU over tokens), a fusion from ``mmutils.fusion``, and an answer head over a fixed answer vocabulary.

The image stream is pretrained on the world's labels and frozen first (``mmutils.pretraining``), as real VQA
systems use frozen pretrained CNN grids.

* ``with_positions``: the grid as ``(B, H*W, D + H + W)`` cells, each carrying its row and column (one-hot).
* ``QuestionEncoder``, ``VQAModel`` (also the question-only and image-only baselines).
* ``vqa_examples``: (scene, question, answer) triples, with a chosen share of "yes" among "is there" questions —
  the language-bias experiment; ``majority_by_type`` and ``accuracy_by_type`` to measure it.
"""

from __future__ import annotations

import random

import torch
import torch.nn as nn

from .text import Vocabulary, tokenize
from .validate import check_choice, check_tensor
from .world import CLASS_NAMES, COLOUR_NAMES, QUESTION_TYPES, SLOTS, Scene
from .world.vocab import NUMBERS

__all__ = ["with_positions", "QuestionEncoder", "VQAModel", "vqa_examples",
           "accuracy_by_type", "majority_by_type", "answer_vocabulary"]


def with_positions(grid: torch.Tensor, scale: float = 3.0) -> torch.Tensor:
    """``(B, D, H, W)`` -> cells ``(B, H*W, D + H + W)``: each cell's features, then its row and column one-hot
    (times ``scale``), so that a fusion that looks at one cell also knows where it is."""
    g = check_tensor(grid, "with_positions", "grid", shape=("B", "D", "H", "W"), dtype="float")
    b, _, h, w = g.shape
    rows = torch.eye(h, device=g.device)[:, None, :].expand(h, w, h)  # (H, W, H)
    cols = torch.eye(w, device=g.device)[None, :, :].expand(h, w, w)  # (H, W, W)
    pos = scale * torch.cat([rows, cols], -1).reshape(1, h * w, h + w).expand(b, -1, -1)  # (B, H*W, H+W)
    return torch.cat([g.flatten(2).transpose(1, 2), pos], -1)  # (B, H*W, D+H+W)


class QuestionEncoder(nn.Module):
    """Token ids ``(B, L)`` (padded with 0) and lengths ``(B,)`` -> the GRU's state after the last real token
    ``(B, hidden)``."""

    def __init__(self, vocab_size: int, embed: int = 32, hidden: int = 64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=Vocabulary.PAD)
        self.gru = nn.GRU(embed, hidden, batch_first=True)
        self.dim = hidden

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        check_tensor(tokens, "QuestionEncoder", "tokens", shape=("B", "L"), dtype="int")
        check_tensor(lengths, "QuestionEncoder", "lengths", shape=(tokens.shape[0],), dtype="int")
        states, _ = self.gru(self.embed(tokens))  # (B, L, hidden)
        return states[torch.arange(len(tokens), device=tokens.device), lengths - 1]  # (B, hidden)


class VQAModel(nn.Module):
    """``image grid -> (pooling) -> fusion <- question encoder``, then an MLP answer head.

    ``uses`` is ``"both"`` (needs ``fusion``), ``"question"`` (the question-only baseline: head on the question) or
    ``"image"`` (the image-only baseline: head on the pooled grid). An attending fusion gets every cell; a vector
    fusion (and the image-only baseline) gets the grid pooled to one vector by ``pool``: ``"max"``, the maximum over
    the cells ``(B, D)`` (where a feature was is lost), or ``"flat"``, every cell in order ``(B, N * D)`` (where is
    kept by position in the vector; ``image_dim`` is then ``N * D``; each entry is standardised by batch norm without
    a learned scale).
    ``forward(cells (B, N, D), tokens (B, L), lengths (B,)) -> logits (B, answers)``.
    """

    def __init__(self, question_encoder: QuestionEncoder, image_dim: int, n_answers: int,
                 fusion: nn.Module | None = None, uses: str = "both", hidden: int = 128, pool: str = "max"):
        super().__init__()
        check_choice(uses, "VQAModel", "uses", ("both", "question", "image"))
        check_choice(pool, "VQAModel", "pool", ("max", "flat"))
        self.uses, self.pool = uses, pool
        if (uses == "both") != (fusion is not None):
            raise ValueError("VQAModel: give a fusion exactly when uses='both'.")
        self.question_encoder, self.fusion = question_encoder, fusion
        in_dim = {"both": getattr(fusion, "out_dim", None), "question": question_encoder.dim, "image": image_dim}[uses]
        if in_dim is None:
            in_dim = image_dim + question_encoder.dim  # ConcatFusion without dims
        self.head = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_answers))
        # The flat vector is long (N * D) and its features differ in scale: standardised with batch statistics
        # (running statistics at test time), so that a projection of it starts in tanh's working range.
        self.norm = nn.BatchNorm1d(image_dim, affine=False) if pool == "flat" else nn.Identity()

    def forward(self, cells: torch.Tensor, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        check_tensor(cells, "VQAModel", "cells", shape=("B", "N", "D"), dtype="float")
        if self.uses == "image":
            return self.head(self.pooled(cells))  # (B, answers)
        q = self.question_encoder(tokens, lengths)  # (B, d_q)
        if self.uses == "question":
            return self.head(q)
        fused = self.fusion(cells, q) if self.fusion.attends else self.fusion([self.pooled(cells), q])  # (B, d_f)
        return self.head(fused)  # (B, answers)

    def pooled(self, cells: torch.Tensor) -> torch.Tensor:
        """The grid as one vector: ``(B, N, D) -> (B, D)`` (max) or ``(B, N * D)`` (flat, standardised)."""
        return cells.amax(1) if self.pool == "max" else self.norm(cells.flatten(1))


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
    ids = [vocab.encode(tokenize(q)) for _, q, _, _ in rows]
    tokens = torch.zeros(len(rows), max(map(len, ids)), dtype=torch.long)
    for k, t in enumerate(ids):
        tokens[k, :len(t)] = torch.tensor(t)
    return {"scene": torch.tensor([r[0] for r in rows]), "tokens": tokens,
            "lengths": torch.tensor([len(t) for t in ids]), "answer": torch.tensor([r[2] for r in rows]),
            "qtype": torch.tensor([r[3] for r in rows]), "questions": [r[1] for r in rows]}


def accuracy_by_type(predicted: torch.Tensor, answer: torch.Tensor, qtype: torch.Tensor) -> dict[str, float]:
    """Accuracy per question type (``QUESTION_TYPES``) and ``"overall"``; all ``(n,)`` int tensors."""
    check_tensor(predicted, "accuracy_by_type", "predicted", shape=("n",), dtype="int")
    check_tensor(answer, "accuracy_by_type", "answer", shape=(len(predicted),), dtype="int")
    check_tensor(qtype, "accuracy_by_type", "qtype", shape=(len(predicted),), dtype="int")
    hit = (predicted == answer).float()
    out = {t: hit[qtype == k].mean().item() for k, t in enumerate(QUESTION_TYPES) if (qtype == k).any()}
    out["overall"] = hit.mean().item()
    return out


def majority_by_type(train_answer: torch.Tensor, train_qtype: torch.Tensor, qtype: torch.Tensor) -> torch.Tensor:
    """The per-question-type majority baseline: for each question type, the most common training answer. Returns
    its prediction ``(n,)`` for questions of types ``qtype`` ``(n,)``."""
    check_tensor(train_answer, "majority_by_type", "train_answer", shape=("n",), dtype="int")
    check_tensor(train_qtype, "majority_by_type", "train_qtype", shape=(len(train_answer),), dtype="int")
    check_tensor(qtype, "majority_by_type", "qtype", shape=("m",), dtype="int")
    best = torch.zeros(len(QUESTION_TYPES), dtype=torch.long, device=train_answer.device)
    for k in range(len(QUESTION_TYPES)):
        if (train_qtype == k).any():
            best[k] = train_answer[train_qtype == k].mode().values
    return best[qtype.to(best.device)]
