"""Lesson 05's blocks (text-to-image) and the judges of generated images, against direct computations."""

import pytest
import torch
import torch.nn.functional as F

from mmutils import world
from mmutils.translating import text_to_image as t2i
from mmutils.blocks import encoders
from mmutils import metrics
from mmutils.blocks import attention
from mmutils.blocks.judges import AttributeClassifier, blur_and_noise


def test_prompt_words_and_rendering():
    assert world.prompts.prompt_words("dog", "orange", "sky") == ["an", "orange", "dog", "in", "the", "sky"]
    a = world.prompts.render_prompt("dog", "red", "grass", seed=1, jitter=2)
    assert a.shape == (3, 32, 32) and 0 <= a.min() and a.max() <= 1
    assert torch.equal(a, world.prompts.render_prompt("dog", "red", "grass", seed=1, jitter=2))
    assert not torch.equal(a, world.prompts.render_prompt("dog", "blue", "grass", seed=1, jitter=2))
    with pytest.raises(ValueError, match="object_px"):
        world.prompts.render_prompt("dog", "red", "grass", seed=1, object_px=40)


def test_word_attention_pool_ignores_padding_and_sums_to_one():
    pool = attention.WordAttentionPool(4)
    words = torch.randn(2, 5, 4)
    mask = torch.tensor([[True, True, True, False, False], [True] * 5])
    pooled, w = pool(words, mask)
    assert torch.allclose(w.sum(1), torch.ones(2)) and (w[0, 3:] == 0).all()
    manual = (torch.softmax(words[1] @ pool.query, 0)[:, None] * words[1]).sum(0)
    assert torch.allclose(pooled[1], manual, atol=1e-6)


def test_text_conditioner_and_decoders_shapes():
    text = encoders.TextConditioner(vocab_size=12, dim=8, parts=t2i.LayeredDecoder.parts)
    tokens = torch.randint(1, 12, (3, 6))
    parts = text(tokens)
    assert set(parts) == {"background", "shape", "colour"} and parts["shape"].shape == (3, 8)
    assert text.last_weights["colour"].shape == (3, 6)
    layered = t2i.LayeredDecoder(text_dim=8, latent_dim=3)
    image = layered(parts, torch.randn(3, 3))
    assert image.shape == (3, 3, 32, 32) and 0 <= image.min() and image.max() <= 1
    L = layered.layers
    assert torch.allclose(image, L["alpha"] * L["shade"] * L["colour"] + (1 - L["alpha"]) * L["background"])
    plain = t2i.PlainDecoder(text_dim=8, latent_dim=3)
    assert plain({"all": torch.randn(3, 8)}, torch.randn(3, 3)).shape == (3, 3, 32, 32)
    with pytest.raises(ValueError, match="tokens"):
        text(tokens.float())


def test_cvae_loss_is_the_negative_elbo_and_samples_have_the_right_shape():
    torch.manual_seed(0)
    model = t2i.ConditionalVAE(vocab_size=12, latent_dim=3, sigma=0.5).eval()
    images, tokens = torch.rand(4, 3, 32, 32), torch.randint(1, 12, (4, 6))
    torch.manual_seed(1)
    loss, parts = model.loss(images, tokens)
    assert loss.ndim == 0 and abs(loss.item() - (parts["nll"] + parts["kl"])) < 1e-3 * loss.item()
    # the negative ELBO computed here, independently: the same draw of z, squared error / (2 sigma^2), and the KL
    # from torch.distributions
    with torch.no_grad():
        text = model.text(tokens)
        mu, logvar = model.encode(images, text)  # (4, 3) each
        torch.manual_seed(1)
        z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)  # (4, 3)
        nll = ((model.decoder(text, z) - images) ** 2).sum((1, 2, 3)) / (2 * 0.5 ** 2)  # (4,)
        q = torch.distributions.Normal(mu, (0.5 * logvar).exp())
        kl = torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0)).sum(1)  # (4,)
    assert abs(parts["nll"] - nll.mean().item()) < 1e-4 * nll.mean().item()
    assert abs(parts["kl"] - kl.mean().item()) < 1e-4 + 1e-4 * kl.mean().item()
    assert torch.allclose(loss, (nll + kl).mean(), rtol=1e-5)
    assert model.sample(tokens, torch.Generator().manual_seed(0)).shape == (4, 3, 32, 32)
    with pytest.raises(ValueError, match="ConditionalVAE.loss"):
        model.loss(torch.rand(4, 3, 28, 28), tokens)


def test_gaussian_kl_matches_torch_distributions():
    mu, logvar = torch.randn(5, 4), torch.randn(5, 4)
    want = torch.distributions.kl_divergence(torch.distributions.Normal(mu, (0.5 * logvar).exp()),
                                             torch.distributions.Normal(0.0, 1.0)).sum(1)
    assert torch.allclose(t2i.gaussian_kl(mu, logvar), want, atol=1e-5)


def test_gan_cls_losses_and_discriminator():
    rr, rw, fr = torch.randn(6), torch.randn(6), torch.randn(6)
    want = (F.binary_cross_entropy(torch.sigmoid(rr), torch.ones(6))
            + 0.5 * F.binary_cross_entropy(torch.sigmoid(rw), torch.zeros(6))
            + 0.5 * F.binary_cross_entropy(torch.sigmoid(fr), torch.zeros(6)))
    assert torch.allclose(t2i.gan_cls_d_loss(rr, rw, fr), want, atol=1e-5)
    assert torch.allclose(t2i.gan_cls_g_loss(fr), F.binary_cross_entropy(torch.sigmoid(fr), torch.ones(6)), atol=1e-5)
    d = t2i.MatchingDiscriminator(vocab_size=12)
    assert d(torch.rand(3, 3, 32, 32), torch.randint(1, 12, (3, 6))).shape == (3,)
    with pytest.raises(ValueError, match="tokens"):
        d(torch.rand(3, 3, 32, 32), torch.randint(1, 12, (2, 6)))


def test_diversity_and_nearest_distance_by_hand():
    a = torch.zeros(2, 1, 2, 2)
    a[1] += 1.0  # RMS distance 1 between the two
    assert abs(metrics.pairwise_diversity(a) - 1.0) < 1e-6
    refs = torch.rand(7, 3, 4, 4)
    q = torch.cat([refs[2:3], refs[5:6] + 0.1])
    d = metrics.nearest_distance(q, refs)
    assert d[0] < 1e-6 and abs(d[1].item() - 0.1) < 1e-5
    with pytest.raises(ValueError, match="at least 2"):
        metrics.pairwise_diversity(a[:1])


def test_judge_and_blur_and_noise():
    judge = AttributeClassifier([3, 4])
    x = torch.rand(5, 3, 16, 16)
    assert [t.shape for t in judge(x)] == [(5, 3), (5, 4)] and judge.eval().predict(x).shape == (5, 2)
    with pytest.raises(ValueError, match=">= 2 values"):
        AttributeClassifier([2, 1])
    # no noise: every image is itself, blurred once or blurred twice (3x3 binomial, replicate padding)
    k = torch.tensor([1.0, 2.0, 1.0])
    k = (k[:, None] * k[None] / 16).expand(3, 1, 3, 3)
    once = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), k, groups=3)
    twice = F.conv2d(F.pad(once, (1, 1, 1, 1), mode="replicate"), k, groups=3)
    out = blur_and_noise(x, torch.Generator().manual_seed(0), noise=0.0, blur_levels=2)
    for i in range(5):
        assert any(torch.allclose(out[i], ref[i], atol=1e-6) for ref in (x, once, twice))
    noisy = blur_and_noise(x, torch.Generator().manual_seed(0), noise=0.1, blur_levels=0)
    assert not torch.equal(noisy, x) and (noisy - x).abs().max() < 0.1 * 6


def test_attention_pool_leaves_masked_words_out_and_an_empty_prompt_pools_to_zeros():
    from mmutils.blocks.attention import attention_pool

    values, scores = torch.randn(2, 4, 3), torch.randn(2, 4)
    mask = torch.tensor([[True, True, False, False], [False] * 4])
    pooled, weights = attention_pool(values, scores, mask)
    want = torch.softmax(scores[0, :2], 0)
    assert torch.allclose(weights[0, :2], want) and (weights[0, 2:] == 0).all()
    assert torch.allclose(pooled[0], want @ values[0, :2], atol=1e-6)
    assert (weights[1] == 0).all() and (pooled[1] == 0).all()  # nothing to attend: zeros, not NaN
