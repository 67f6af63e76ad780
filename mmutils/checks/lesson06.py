"""Checks for lesson 06 (VQA): multi-glimpse attention pooling, low-rank bilinear pooling, the per-type majority
baseline."""

from __future__ import annotations

import torch

from ..blocks.attention import glimpse_pool
from ..metrics.classification import majority_by_type
from ..world import QUESTION_TYPES
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("06.1", title="my_glimpse_pool",
          hint="weights = torch.softmax(scores, dim=1).transpose(1, 2) is (B, G, N), one distribution over the N cells "
               "per glimpse; return (weights @ cells).flatten(1).",
          nudge="Each glimpse is its own distribution over the N cells (which axis of `scores` holds the cells?), and "
                "the G pooled vectors are placed side by side, glimpse 0's D values first, not interleaved.")
def _check_glimpse_pool(fn):
    g = torch.Generator().manual_seed(0)
    for b, n, d, k in [(2, 5, 3, 2), (4, 64, 8, 3), (3, 6, 4, 1)]:
        cells, scores = torch.randn(b, n, d, generator=g), torch.randn(b, n, k, generator=g) * 3
        got = fn(cells.clone(), scores.clone())
        want = glimpse_pool(cells, scores)[0]
        expect_tensor(got, (b, k * d), f"{k} glimpses of {d} values per example")
        expect_close(got, want, 1e-5, f"with {k} glimpses the pooled vectors (softmax over the cells, dim=1; glimpse 0 "
                                      f"first)")
    cells = torch.randn(1, 4, 2, generator=g)
    big = torch.tensor([[[0.0, 0.0], [0.0, 50.0], [50.0, 0.0], [0.0, 0.0]]])  # glimpse 0 -> cell 2, glimpse 1 -> cell 1
    if not torch.allclose(fn(cells, big), torch.cat([cells[:, 2], cells[:, 1]], 1), atol=1e-4):
        raise ExerciseFailed("a glimpse whose score for one cell is much larger must take that cell alone, and "
                             "glimpse 0's vector must come first")


@register("06.2", title="my_low_rank_bilinear",
          hint="(torch.tanh(x @ U) * torch.tanh(q @ V)) @ P",
          nudge="Project and squash each modality separately before they meet; they meet by an element-wise product, "
                "not a matrix product, and only then go to the output size.")
def _check_mlb(fn):
    g = torch.Generator().manual_seed(1)
    for b, dx, dq, r, o in [(3, 5, 4, 6, 2), (8, 16, 12, 32, 10)]:
        x, q = torch.randn(b, dx, generator=g), torch.randn(b, dq, generator=g)
        U, V, P = torch.randn(dx, r, generator=g), torch.randn(dq, r, generator=g), torch.randn(r, o, generator=g)
        got = fn(x.clone(), q.clone(), U.clone(), V.clone(), P.clone())
        want = (torch.tanh(x @ U) * torch.tanh(q @ V)) @ P
        expect_tensor(got, (b, o), "one fused vector per example")
        expect_close(got, want, 1e-4, f"with rank {r} the outputs")


@register("06.3", title="my_majority_by_type",
          hint="for each type k with training questions: best[k] = train_answer[train_qtype == k].mode().values; "
               "then return best[qtype].",
          nudge="Find one answer per question type, using only the training questions of that type (not one overall "
                "majority); ties go to the smallest answer id. Then each question gets its type's answer.")
def _check_majority(fn):
    g = torch.Generator().manual_seed(2)
    k = len(QUESTION_TYPES)
    for n in (50, 400):
        train_qtype = torch.randint(0, k, (n,), generator=g)
        train_answer = (train_qtype * 3 + torch.randint(0, 3, (n,), generator=g) ** 2) % 20  # skewed per type
        qtype = torch.randint(0, k, (30,), generator=g)
        got, want = fn(train_answer.clone(), train_qtype.clone(), qtype.clone()), \
            majority_by_type(train_answer, train_qtype, qtype)
        expect_tensor(got, (30,), "one predicted answer per question")
        if not torch.equal(got.long(), want):
            raise ExerciseFailed(f"{(got.long() != want).sum().item()} of 30 predictions are not their type's most "
                                 "common training answer")
