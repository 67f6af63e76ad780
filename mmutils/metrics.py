"""Metrics and controls, written out for teaching. Each is tested against a library's version where one exists."""

from __future__ import annotations

import math
from collections import Counter

import torch

from .core import rng
from .validate import check_tensor

__all__ = ["accuracy", "majority_baseline", "linear_probe", "precision_at_k", "first_hit_rank", "recall_at_k",
           "median_rank", "r_precision", "corpus_bleu", "edit_distance", "word_error_rate"]


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
    return (pred == y).float().mean().item()


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


def precision_at_k(scores: torch.Tensor, relevant: torch.Tensor, k: int) -> float:
    """Mean over queries of the fraction of the ``k`` best-scored gallery items that are relevant.

    ``scores`` ``(Q, G)`` (higher is better), ``relevant`` ``(Q, G)`` bool. Ties are broken by gallery order."""
    s = check_tensor(scores, "precision_at_k", "scores", shape=("Q", "G"), dtype="float")
    r = check_tensor(relevant, "precision_at_k", "relevant", shape=tuple(s.shape), dtype="bool")
    if not isinstance(k, int) or not 1 <= k <= s.shape[1]:
        raise ValueError(f"precision_at_k: `k` must be an int in 1..{s.shape[1]}; got {k!r}.")
    top = s.topk(k, dim=1).indices  # (Q, k)
    return r.gather(1, top).float().mean().item()


def first_hit_rank(scores: torch.Tensor, relevant: torch.Tensor) -> torch.Tensor:
    """For each query row of ``scores`` ``(Q, G)``, the 1-based rank of its best-ranked relevant item
    (``relevant`` ``(Q, G)`` bool, at least one per row). Returns ``(Q,)`` int64."""
    check_tensor(scores, "first_hit_rank", "scores", shape=("Q", "G"), dtype="float")
    check_tensor(relevant, "first_hit_rank", "relevant", shape=tuple(scores.shape), dtype="bool")
    if not relevant.any(1).all():
        raise ValueError("first_hit_rank: every query needs at least one relevant item.")
    best_relevant = scores.masked_fill(~relevant, -float("inf")).amax(1, keepdim=True)  # (Q, 1)
    return (scores > best_relevant).sum(1) + 1  # items strictly above it, plus one


def recall_at_k(scores: torch.Tensor, relevant: torch.Tensor, ks=(1, 5, 10)) -> dict[int, float]:
    """Recall@K as in image–text retrieval: the share of queries with at least one relevant item in their top K."""
    ranks = first_hit_rank(scores, relevant)
    return {k: (ranks <= k).float().mean().item() for k in ks}


def median_rank(scores: torch.Tensor, relevant: torch.Tensor) -> float:
    """Median over queries of the rank of the first relevant item (1 is perfect)."""
    return first_hit_rank(scores, relevant).float().median().item()


def r_precision(scores: torch.Tensor, relevant: torch.Tensor) -> float:
    """For each query with R relevant items, the share of relevant items among its top R; mean over queries."""
    check_tensor(scores, "r_precision", "scores", shape=("Q", "G"), dtype="float")
    check_tensor(relevant, "r_precision", "relevant", shape=tuple(scores.shape), dtype="bool")
    out = []
    for s, r in zip(scores, relevant):
        n = int(r.sum())
        if n:
            out.append(r[s.topk(n).indices].float().mean())
    return torch.stack(out).mean().item()


def _ngrams(tokens: list, n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(references: list[list[list]], hypotheses: list[list], max_n: int = 4) -> list[float]:
    """Corpus BLEU (Papineni et al. 2002) as captioning papers report it: BLEU-1 .. BLEU-``max_n``.

    ``references[i]`` is the list of reference token lists of item i (all captions of an image); ``hypotheses[i]``
    its generated token list. For each n, the *clipped* n-gram matches (each n-gram counted at most as often as in
    the reference that has it most) are summed over the corpus and divided by the hypotheses' n-gram count; BLEU-N is
    the geometric mean of precisions 1..N times the brevity penalty ``exp(1 - r/c)`` when the total hypothesis length
    c is below r, the sum over items of the reference length closest to each hypothesis (ties: the shorter). A zero
    precision gives 0 (no smoothing). Returns ``[BLEU-1, ..., BLEU-max_n]``.
    """
    if len(references) != len(hypotheses) or not hypotheses:
        raise ValueError(f"corpus_bleu: need as many reference lists as hypotheses (> 0); got {len(references)} and "
                         f"{len(hypotheses)}.")
    if any(not refs for refs in references):
        raise ValueError("corpus_bleu: every item needs at least one reference.")
    matches, totals = [0] * max_n, [0] * max_n
    hyp_len = ref_len = 0
    for refs, hyp in zip(references, hypotheses):
        hyp_len += len(hyp)
        ref_len += min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
        for n in range(1, max_n + 1):
            counts = _ngrams(hyp, n)
            most = Counter()
            for r in refs:
                most |= _ngrams(r, n)  # element-wise max over the references
            matches[n - 1] += sum(min(c, most[g]) for g, c in counts.items())
            totals[n - 1] += max(len(hyp) - n + 1, 0)
    if hyp_len == 0:
        return [0.0] * max_n
    penalty = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    scores, log_sum = [], 0.0
    for n in range(max_n):
        if matches[n] == 0 or totals[n] == 0:
            scores.extend([0.0] * (max_n - n))
            break
        log_sum += math.log(matches[n] / totals[n])
        scores.append(penalty * math.exp(log_sum / (n + 1)))
    return scores


def edit_distance(hypothesis: list, reference: list) -> int:
    """Levenshtein distance between two token lists: the fewest substitutions, insertions and deletions that turn
    ``hypothesis`` into ``reference`` (dynamic programming, one row at a time)."""
    previous = list(range(len(reference) + 1))  # distance from an empty hypothesis prefix
    for i, h in enumerate(hypothesis, 1):
        current = [i]
        for j, r in enumerate(reference, 1):
            current.append(min(previous[j] + 1,  # delete h
                               current[j - 1] + 1,  # insert r
                               previous[j - 1] + (h != r)))  # substitute (or match)
        previous = current
    return previous[-1]


def word_error_rate(hypotheses: list[str], references: list[str]) -> float:
    """Corpus word error rate: total word-level edit distance over total reference words (whitespace tokens)."""
    if len(hypotheses) != len(references) or not references:
        raise ValueError(f"word_error_rate: need as many hypotheses as references (> 0); got {len(hypotheses)} and "
                         f"{len(references)}.")
    words = sum(len(r.split()) for r in references)
    if words == 0:
        raise ValueError("word_error_rate: the references have no words.")
    return sum(edit_distance(h.split(), r.split()) for h, r in zip(hypotheses, references)) / words
