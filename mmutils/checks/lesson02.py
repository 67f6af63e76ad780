"""Checks for lesson 02 (word embeddings): subsampling, the SGNS loss, 3CosAdd."""

from __future__ import annotations

import torch

from ..matching.word2vec import analogy, keep_probability, sgns_loss
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("02.1", title="my_keep_probability",
          hint="f = counts / counts.sum() (in float64), then (sqrt(f / t) + 1) * t / f, clamp(max=1).",
          nudge="f is each word's share of the whole corpus, not its raw count. Work in floating point, not integers, "
                "and remember that rare words get a value above 1, which is not a probability.")
def _check_keep(fn):
    g = torch.Generator().manual_seed(0)
    for t in (1e-3, 1e-2):
        counts = torch.randint(1, 5000, (50,), generator=g)
        counts[0] = 100_000  # one very frequent word, kept rarely
        got, want = fn(counts.clone(), t), keep_probability(counts, t)
        expect_tensor(got, (50,), "one probability per word")
        if got.max() > 1 + 1e-6 or got.min() < 0:
            raise ExerciseFailed("probabilities must lie in [0, 1]: clip at 1")
        expect_close(got, want, 1e-5, f"at t={t} the probabilities")


@register("02.2", title="my_sgns_loss",
          hint="positive = logsigmoid((u * v).sum(-1)); negative = logsigmoid(-(negatives @ u[:, :, None]).squeeze(-1))"
               ".sum(-1); return -(positive + negative).",
          nudge="A negative should score low, so its term uses the opposite sign of its score, and the k negatives "
                "add up. Take the log of the sigmoid in one stable step: scores of ±3600 must give a finite loss.")
def _check_sgns(fn):
    g = torch.Generator().manual_seed(1)
    for b, k, d in [(4, 3, 6), (7, 5, 10)]:
        u, v, n = torch.randn(b, d, generator=g), torch.randn(b, d, generator=g), torch.randn(b, k, d, generator=g)
        got, want = fn(u.clone(), v.clone(), n.clone()), sgns_loss(u, v, n)
        expect_tensor(got, (b,), "one loss per pair")
        expect_close(got, want, 1e-4, f"with k={k} negatives the losses")
    big = fn(torch.full((1, 4), 30.0), torch.full((1, 4), 30.0), -torch.full((1, 2, 4), 30.0))
    if not torch.isfinite(big).all() or big.abs().max() > 1e-3:
        raise ExerciseFailed("for very large scores the loss must be ~0 and finite: use F.logsigmoid")
    wrong = fn(torch.full((1, 4), 30.0), -torch.full((1, 4), 30.0), torch.full((1, 2, 4), 30.0))  # every score off
    if not torch.isfinite(wrong).all() or abs(float(wrong.reshape(-1)[0]) - 3 * 3600) > 1:
        raise ExerciseFailed(f"for very wrong scores (u.v = -3600 and u.n_k = +3600 for 2 negatives) the loss must be "
                             f"large but finite, 3 x 3600 = 10800; got {float(wrong.reshape(-1)[0])}: "
                             "log(sigmoid(x)) underflows to -inf there, use F.logsigmoid")


@register("02.3", title="my_analogy",
          hint="unit = F.normalize(vectors, dim=1); scores = (unit[b] - unit[a] + unit[c]) @ unit.T; set the scores of "
               "a, b and c to -inf in each row; argmax(1).",
          nudge="3CosAdd works on directions: the vectors here have very different lengths, so bring them all to "
                "length 1 before the arithmetic and the scoring. The question's own three words are never allowed as "
                "answers.")
def _check_analogy(fn):
    g = torch.Generator().manual_seed(2)
    vectors = torch.randn(200, 16, generator=g) * torch.rand(200, 1, generator=g) * 5  # lengths differ: normalise
    q = torch.randint(0, 200, (40, 3), generator=g)
    q = q[(q[:, 0] != q[:, 1]) & (q[:, 0] != q[:, 2]) & (q[:, 1] != q[:, 2])]
    got, want = fn(vectors.clone(), q[:, 0], q[:, 1], q[:, 2]), analogy(vectors, q[:, 0], q[:, 1], q[:, 2])
    expect_tensor(got, (len(q),), "one word id per question")
    if (got[:, None] == q).any():
        raise ExerciseFailed("an answer is one of the question's own words a, b or c: exclude them")
    wrong = (got != want).sum().item()
    if wrong:
        raise ExerciseFailed(f"{wrong} of {len(q)} answers differ from 3CosAdd on unit vectors")
