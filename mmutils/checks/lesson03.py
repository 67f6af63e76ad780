"""Checks for lesson 03 (joint embedding): symmetric InfoNCE, Recall@K, zero-shot through the word space."""

from __future__ import annotations

import torch

from ..matching.joint_embedding import info_nce_loss, zero_shot_through_words
from ..metrics import recall_at_k
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("03.1", title="my_info_nce",
          hint="logits = (scale * sim).masked_fill(same & ~eye, -inf); target = arange(B); return the mean of "
               "F.cross_entropy(logits, target) and F.cross_entropy(logits.T, target).",
          nudge="Mask the equally true off-diagonal pairs before the softmax, not after, and leave the diagonal "
                "alone: it is the target. Then do the same from the text side (the columns) and average the two.")
def _check_info_nce(fn):
    g = torch.Generator().manual_seed(0)
    for b, scale in [(4, 1.0), (9, 14.3)]:
        sim = torch.rand(b, b, generator=g) * 2 - 1
        combo = torch.randint(0, 3, (b,), generator=g)
        same = combo[:, None] == combo[None, :]
        got = fn(sim.clone(), same.clone(), scale)
        want = info_nce_loss(sim, same, scale)
        if not isinstance(got, torch.Tensor) or got.numel() != 1:
            raise ExerciseFailed(f"expected one loss value (a 0-d tensor); got {got!r}")
        expect_close(got.reshape(()), want, 1e-4, f"with B={b}, scale={scale} and pairs masked as `same` the loss")
    sim = torch.rand(5, 5, generator=g)
    asym = fn(sim, torch.zeros(5, 5, dtype=torch.bool), 3.0)
    if abs(asym.item() - info_nce_loss(sim, None, 3.0).item()) > 1e-4:
        raise ExerciseFailed("on a non-symmetric `sim` the loss must average the row (image→text) and the column "
                             "(text→image) cross-entropies")


@register("03.2", title="my_recall_at_k",
          hint="best = scores.masked_fill(~relevant, float('-inf')).amax(1, keepdim=True) is each query's best "
               "relevant score; rank = ((scores >= best) & ~relevant).sum(1) + 1; return (rank <= k).float().mean()"
               ".item().",
          nudge="A query is a hit when its best-ranked relevant item is among its k best-ranked items; how many "
                "relevant items there are does not matter (that would be precision). Mind the ties: an irrelevant "
                "item scoring exactly as high as the best relevant one ranks above it.")
def _check_recall(fn):
    g = torch.Generator().manual_seed(1)
    for q, n, ties in [(6, 10, False), (20, 50, False), (20, 12, True)]:
        # ties: scores with a few values only, so that relevant and irrelevant items often score the same
        scores = torch.randint(0, 3, (q, n), generator=g).float() if ties else torch.randn(q, n, generator=g)
        relevant = torch.rand(q, n, generator=g) < 0.15
        relevant[torch.arange(q), torch.randint(0, n, (q,), generator=g)] = True
        for k in (1, 3, 5):
            got = fn(scores.clone(), relevant.clone(), k)
            if isinstance(got, torch.Tensor):
                if got.numel() != 1:
                    raise ExerciseFailed(f"expected one number, the fraction over all {q} queries (a Python float); "
                                         f"got a tensor of shape {tuple(got.shape)}")
                got = got.item()
            want = recall_at_k(scores, relevant, ks=(k,))[k]
            if not isinstance(got, float) or abs(got - want) > 1e-6:
                where = "with tied scores (a tie counts against the query), " if ties else "with "
                raise ExerciseFailed(f"{where}{q} queries, a gallery of {n} and k={k}: expected {want:.4f}, got "
                                     f"{got!r}")


@register("03.3", title="my_zero_shot",
          hint="placed = seen_probs @ F.normalize(seen_vectors, dim=1); return (F.normalize(placed, dim=1) @ "
               "F.normalize(unseen_vectors, dim=1).T).argmax(1).",
          nudge="The word vectors have very different lengths, and a long one would dominate both the weighted mean "
                "and the comparison. Work with directions throughout: before mixing, and when you compare.")
def _check_zero_shot(fn):
    g = torch.Generator().manual_seed(2)
    for n, s, u, d in [(5, 3, 2, 4), (40, 6, 4, 16)]:
        probs = torch.softmax(torch.randn(n, s, generator=g) * 3, dim=1)
        seen = torch.randn(s, d, generator=g) * torch.rand(s, 1, generator=g) * 5  # unequal lengths
        unseen = torch.randn(u, d, generator=g) * torch.rand(u, 1, generator=g) * 5
        got = fn(probs.clone(), seen.clone(), unseen.clone())
        expect_tensor(got, (n,), "one unseen-name index per image")
        want = zero_shot_through_words(probs, seen, unseen)
        if not torch.equal(got.long(), want):
            raise ExerciseFailed(f"{(got.long() != want).sum().item()} of {n} tags differ: normalise the word vectors "
                                 "before mixing, and compare by cosine")
