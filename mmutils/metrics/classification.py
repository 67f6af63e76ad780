"""Classification: accuracy and the controls it is read against (the majority answer, a linear probe of frozen
features), and the per-question-type accuracy and majority of VQA (lesson 06). A tie for the most frequent label goes
to the smallest label."""

from __future__ import annotations

import torch

from ..core import rng
from ..validate import check_tensor
from ..world.scene import QUESTION_TYPES

__all__ = ["accuracy", "majority_baseline", "linear_probe", "accuracy_by_type", "majority_by_type", "vqa_accuracy"]


def accuracy(logits_or_labels: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of correct predictions. Accepts logits ``(N, classes)`` or predicted labels ``(N,)``."""
    pred = check_tensor(logits_or_labels, "accuracy", "logits_or_labels", shape=[("N", None), ("N",)])
    y = check_tensor(targets, "accuracy", "targets", shape=("N",), dtype="int")
    if pred.dim() == 2:
        pred = pred.argmax(1)
    if pred.shape[0] != y.shape[0]:
        raise ValueError(f"accuracy: {pred.shape[0]} predictions for {y.shape[0]} targets.")
    if y.shape[0] == 0:
        raise ValueError("accuracy: no targets (N = 0).")
    return (pred == y.to(pred.device)).float().mean().item()


def majority_baseline(train_labels: torch.Tensor, test_labels: torch.Tensor) -> float:
    """The control every classifier must beat: the accuracy on ``test_labels`` ``(M,)`` of always answering the
    most frequent label of ``train_labels`` ``(N,)`` (ties go to the smallest label). Labels are non-negative ints."""
    train = check_tensor(train_labels, "majority_baseline", "train_labels", shape=("N",), dtype="int")
    test = check_tensor(test_labels, "majority_baseline", "test_labels", shape=("M",), dtype="int")
    if train.numel() == 0 or test.numel() == 0:
        raise ValueError("majority_baseline: both label tensors must be non-empty.")
    if train.min() < 0:
        raise ValueError("majority_baseline: labels must be non-negative.")
    majority = torch.bincount(train).argmax()
    return (test == majority).float().mean().item()


def linear_probe(train_features: torch.Tensor, train_labels: torch.Tensor, test_features: torch.Tensor,
                 test_labels: torch.Tensor, steps: int = 300, lr: float = 1e-2, seed: int = 0) -> float:
    """Accuracy of a linear classifier trained on frozen features: how much of the label an encoder's features carry,
    whatever the rest of the model did with them. Features ``(N, d)`` and ``(M, d)`` are standardised with the
    training statistics; full-batch Adam for ``steps`` steps."""
    ftr = check_tensor(train_features, "linear_probe", "train_features", shape=("N", "d"), dtype="float")
    fte = check_tensor(test_features, "linear_probe", "test_features", shape=("M", "d"), dtype="float")
    ytr = check_tensor(train_labels, "linear_probe", "train_labels", shape=(ftr.shape[0],), dtype="int")
    yte = check_tensor(test_labels, "linear_probe", "test_labels", shape=(fte.shape[0],), dtype="int")
    if ftr.shape[1] != fte.shape[1]:
        raise ValueError(f"linear_probe: train features have {ftr.shape[1]} dims, test features {fte.shape[1]}.")
    ytr, yte = ytr.to(ftr.device), yte.to(fte.device)
    mean, std = ftr.mean(0), ftr.std(0) + 1e-6
    ftr, fte = ((ftr - mean) / std).detach(), ((fte - mean) / std).detach()
    gen = rng(seed)
    n_classes = int(max(ytr.max(), yte.max())) + 1
    weight = (torch.randn(ftr.shape[1], n_classes, generator=gen, device=gen.device) * 0.01).to(ftr.device)
    weight.requires_grad_()
    bias = torch.zeros(n_classes, device=ftr.device, requires_grad=True)
    opt = torch.optim.Adam([weight, bias], lr=lr)
    with torch.enable_grad():
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(ftr @ weight + bias, ytr).backward()
            opt.step()
    with torch.no_grad():
        return accuracy(fte @ weight + bias, yte)


def accuracy_by_type(predicted: torch.Tensor, answer: torch.Tensor, qtype: torch.Tensor) -> dict[str, float]:
    """Accuracy per question type (``QUESTION_TYPES``) and ``"overall"``; all ``(n,)`` int tensors."""
    check_tensor(predicted, "accuracy_by_type", "predicted", shape=("n",), dtype="int")
    check_tensor(answer, "accuracy_by_type", "answer", shape=(len(predicted),), dtype="int")
    check_tensor(qtype, "accuracy_by_type", "qtype", shape=(len(predicted),), dtype="int")
    hit = (predicted == answer.to(predicted.device)).float()  # (n,)
    qtype = qtype.to(hit.device)
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


def vqa_accuracy(predicted: torch.Tensor, human: torch.Tensor) -> float:
    """The VQA accuracy (Antol et al. 2015; VQA v2's evaluation): an answer is fully right when at least 3 of the
    humans gave it, ``min(#humans who gave it / 3, 1)``, averaged over the 10 ways of leaving one of the 10 humans
    out; then the mean over questions. ``predicted (N,)`` answer ids, ``human (N, H)`` the humans' answer ids
    (H = 10 in VQA v2; -1 for an answer outside the vocabulary)."""
    pred = check_tensor(predicted, "vqa_accuracy", "predicted", shape=("N",), dtype="int")
    gt = check_tensor(human, "vqa_accuracy", "human", shape=(pred.shape[0], "H"), dtype="int").to(pred.device)
    if gt.shape[1] < 2:
        raise ValueError("vqa_accuracy: needs at least 2 human answers per question (VQA v2 has 10).")
    match = (gt == pred[:, None]).float()  # (N, H)
    others = match.sum(1, keepdim=True) - match  # (N, H): matches among the other H - 1 humans
    return (others / 3).clamp(max=1).mean(1).mean().item()
