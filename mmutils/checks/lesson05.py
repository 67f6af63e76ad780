"""Checks for lesson 05 (text-to-image): the Gaussian KL, GAN-CLS's discriminator loss, nearest-neighbour distance."""

from __future__ import annotations

import torch

from ..metrics.generation import nearest_distance
from ..translating.text_to_image import gan_cls_d_loss
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("05.1", title="my_gaussian_kl",
          hint="0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)",
          nudge="logvar is the log of the variance, not of the standard deviation. The KL of a diagonal Gaussian adds "
                "up one term per dimension; sanity check: mu = 0 and logvar = 0 must give 0.")
def _check_kl(fn):
    g = torch.Generator().manual_seed(0)
    for b, d in [(1, 1), (7, 8)]:
        mu, logvar = torch.randn(b, d, generator=g), torch.randn(b, d, generator=g)
        got = fn(mu.clone(), logvar.clone())
        expect_tensor(got, (b,), "one KL per example (summed over dimensions)")
        want = torch.distributions.kl_divergence(torch.distributions.Normal(mu, (0.5 * logvar).exp()),
                                                 torch.distributions.Normal(0.0, 1.0)).sum(1)
        expect_close(got, want, 1e-5, f"for {b} examples of {d} dimensions, torch.distributions' KL")
    zero = fn(torch.zeros(2, 3), torch.zeros(2, 3))
    if zero.abs().max() > 1e-7:
        raise ExerciseFailed("the prior against itself (mu = 0, logvar = 0) has KL 0")


@register("05.2", title="my_gan_cls_d_loss",
          hint="bce = F.binary_cross_entropy_with_logits; bce(real_right, 1) + 0.5 * bce(real_wrong, 0) "
               "+ 0.5 * bce(fake_right, 0), each the mean over the batch",
          nudge="Only a real image with its own prompt is labelled real: a real image with the wrong prompt counts as "
                "a fake too. The inputs are logits, not probabilities.")
def _check_d_loss(fn):
    g = torch.Generator().manual_seed(1)
    for b in (1, 16):
        rr, rw, fr = (torch.randn(b, generator=g) * 3 for _ in range(3))
        got = fn(rr.clone(), rw.clone(), fr.clone())
        expect_tensor(got, (), "a scalar loss")
        expect_close(got, gan_cls_d_loss(rr, rw, fr), 1e-5, f"for a batch of {b}, the loss")
    big = torch.full((4,), 20.0)
    if float(fn(big, -big, -big)) > 1e-3:
        raise ExerciseFailed("a discriminator sure of all three answers (real-right high, real-wrong and fake-right "
                             "low) must have a loss near 0: which pairs are labelled real?")


@register("05.3", title="my_nearest_distance",
          hint="flatten both to (N, D) and (M, D); torch.cdist(q, r).amin(1) / D ** 0.5",
          nudge="Root-mean-square means the mean of the squared differences over every pixel value (all channels), "
                "then the square root, not the plain Euclidean distance. Keep only each query's nearest reference.")
def _check_nn(fn):
    g = torch.Generator().manual_seed(2)
    for n, m in [(1, 1), (5, 9)]:
        q, r = torch.rand(n, 3, 4, 4, generator=g), torch.rand(m, 3, 4, 4, generator=g)
        got = fn(q.clone(), r.clone())
        expect_tensor(got, (n,), "one distance per query image")
        expect_close(got, nearest_distance(q, r), 1e-5, f"for {n} queries and {m} references, the distances")
    r = torch.rand(3, 3, 4, 4, generator=g)
    if float(fn(r[1:2].clone(), r.clone())[0]) > 1e-5:
        raise ExerciseFailed("an image that is one of the references is at distance 0 (a copy)")
