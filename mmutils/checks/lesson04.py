"""Checks for lesson 04 (image captioning): additive attention, the doubly stochastic regulariser, BLEU's clipped
n-gram matches."""

from __future__ import annotations

from collections import Counter

import torch

from ..translating.captioning import doubly_stochastic_penalty
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("04.1", title="my_additive_attention",
          hint="scores = torch.tanh(features @ W_f + (h @ W_h)[:, None]) @ w  # (B, P); alpha = softmax over dim 1; "
               "context = (alpha[:, :, None] * features).sum(1); return context, alpha.",
          nudge="The hidden state's projection is the same for every cell, so it is added to each cell's projection. "
                "The softmax is a distribution over the P cells of each example, not over the batch or the attention "
                "size.")
def _check_attention(fn):
    g = torch.Generator().manual_seed(0)
    for b, p, d, hd, a in [(2, 4, 3, 5, 6), (3, 144, 8, 16, 10)]:
        f, h = torch.randn(b, p, d, generator=g), torch.randn(b, hd, generator=g)
        W_f, W_h, w = torch.randn(d, a, generator=g), torch.randn(hd, a, generator=g), torch.randn(a, generator=g)
        got = fn(f.clone(), h.clone(), W_f.clone(), W_h.clone(), w.clone())
        if not isinstance(got, tuple) or len(got) != 2:
            raise ExerciseFailed("return two tensors: (context, alpha)")
        alpha = torch.softmax(torch.tanh(f @ W_f + (h @ W_h)[:, None]) @ w, 1)
        expect_tensor(got[1], (b, p), "one weight per cell")
        expect_close(got[1], alpha, 1e-5, f"with {p} cells the weights")
        expect_tensor(got[0], (b, d), "one context vector per example")
        expect_close(got[0], (alpha[:, :, None] * f).sum(1), 1e-5, "the context (the weighted sum of the cells)")


@register("04.2", title="my_doubly_stochastic",
          hint="mask = (targets != 0).float()[:, :, None]; return ((1 - (alphas * mask).sum(1)) ** 2).mean().",
          nudge="For each image and cell, add up the attention it gets over the real (non-padding) steps; the ideal "
                "total is 1. Then average the squared shortfall over images and cells, not over time steps.")
def _check_doubly_stochastic(fn):
    g = torch.Generator().manual_seed(1)
    for b, t, p in [(2, 3, 4), (5, 7, 16)]:
        alphas = torch.softmax(torch.randn(b, t, p, generator=g), -1)
        targets = torch.randint(1, 9, (b, t), generator=g)
        targets[0, -2:] = 0  # padding at the end of the first caption
        got = fn(alphas.clone(), targets.clone())
        if not isinstance(got, torch.Tensor) or got.numel() != 1:
            raise ExerciseFailed(f"expected one number (a 0-d tensor); got {got!r}")
        expect_close(got.reshape(()), doubly_stochastic_penalty(alphas, targets), 1e-5,
                     f"with B={b}, T={t}, P={p} and padded steps the penalty")


def _clipped(hyp, refs, n):
    grams = lambda tokens: Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))  # noqa: E731
    most = Counter()
    for r in refs:
        most |= grams(r)
    counts = grams(hyp)
    return sum(min(c, most[k]) for k, c in counts.items()), sum(counts.values())


@register("04.3", title="my_clipped_matches",
          hint="count the hypothesis' n-grams (Counter of tuples); for each, the most times it occurs in any single "
               "reference (Counter's | takes the maximum); matched = sum of min(count, that maximum).",
          nudge="Clip each n-gram by the most times it occurs in any one reference, not by its count over all "
                "references together. The total counts the hypothesis' own n-grams, which is 0 when it is shorter "
                "than n.")
def _check_clipped(fn):
    cases = [("the the the the the the the".split(), [["the", "cat", "is", "on", "the", "mat"],
                                                     ["there", "is", "a", "cat", "on", "the", "mat"]], 1),
             ("a blue dog and a blue dog".split(), [["a", "blue", "dog", "and", "a", "red", "car"]], 2),
             (["dog"], [["a", "dog"]], 2)]
    g = torch.Generator().manual_seed(2)
    words = "a the dog cat blue red on and".split()
    for _ in range(20):
        rand = lambda k: [words[i] for i in torch.randint(0, len(words), (k,), generator=g).tolist()]  # noqa: E731
        cases.append((rand(9), [rand(8), rand(10), rand(7)], int(torch.randint(1, 5, (1,), generator=g))))
    for hyp, refs, n in cases:
        got, want = fn(list(hyp), [list(r) for r in refs], n), _clipped(hyp, refs, n)
        if tuple(got) != want:
            raise ExerciseFailed(f"for {' '.join(hyp)!r}, n={n}: expected (matched, total) = {want}; got {got!r}")
