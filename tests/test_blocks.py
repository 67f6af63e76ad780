"""Building blocks of lesson 01 onward: encoders, fusion, late-fusion model, balance remedies, probe, text, audio."""

import math

import pytest
import torch
import torch.nn as nn
import torchaudio

import mmutils
from mmutils.audio import log_mel
from mmutils.blocks.balance import (gradient_norm, modality_keep_mask, modulate_gradients, ogm_coefficients,
                                    true_class_score, unimodal_logits)
from mmutils.blocks.encoders import AudioCNN, ImageCNN
from mmutils.blocks.fusion import ConcatFusion
from mmutils.metrics import linear_probe
from mmutils.blocks.models import LateFusionClassifier
from mmutils.text import Vocabulary, tokenize


def test_encoder_shapes_and_validation():
    enc = ImageCNN(dim=24)
    assert enc(torch.rand(2, 3, 32, 32)).shape == (2, 24) and enc.grid(torch.rand(2, 3, 32, 32)).shape == (2, 24, 8, 8)
    assert AudioCNN(n_mels=32, dim=16)(torch.rand(2, 32, 51)).shape == (2, 16)
    with pytest.raises(ValueError, match=r"AudioCNN: `spectrograms` must have shape \(B, 32, T\)"):
        AudioCNN(n_mels=32)(torch.rand(2, 40, 51))
    with pytest.raises(ValueError, match=r"ImageCNN: `images` must have shape \(B, C, H, W\)"):
        enc(torch.rand(3, 32, 32))


def test_image_cnn_runs_channels_last_with_the_usual_values_and_gradients():
    """`ImageCNN.grid` stores its activations channels-last (faster on a CPU): the values and the gradients are those
    of the same layers run in the default layout, to float rounding."""
    torch.manual_seed(0)
    cnn = ImageCNN().train()
    images = torch.rand(5, 3, 24, 24, requires_grad=True)
    grid = cnn.grid(images)  # (5, 64, 6, 6)
    assert grid.shape == (5, 64, 6, 6)
    assert grid.is_contiguous(memory_format=torch.channels_last)
    reference = cnn.features(images.detach().clone().requires_grad_())
    assert torch.allclose(grid, reference, atol=1e-5)
    weight = torch.randn_like(grid)
    (grad_cl,) = torch.autograd.grad((grid * weight).sum(), images)
    x = images.detach().clone().requires_grad_()
    (grad_ref,) = torch.autograd.grad((cnn.features(x) * weight).sum(), x)
    assert torch.allclose(grad_cl, grad_ref, rtol=1e-4, atol=1e-4)  # gradients reach ~20 here
    assert torch.allclose(cnn(images), reference.amax(dim=(2, 3)), atol=1e-5)


def test_concat_fusion_and_late_fusion_keep_mask():
    assert ConcatFusion((2, 3))([torch.rand(4, 2), torch.rand(4, 3)]).shape == (4, 5)
    assert ConcatFusion((2, 3)).out_dim == 5
    with pytest.raises(ValueError, match=r"features\[1\]` must have shape \(4, 3\)"):
        ConcatFusion((2, 3))([torch.rand(4, 2), torch.rand(5, 3)])
    with pytest.raises(ValueError, match="list of 2 tensors"):
        ConcatFusion((2, 3))([torch.rand(4, 2)])
    with pytest.raises(ValueError, match="positive size"):
        ConcatFusion(())
    torch.manual_seed(0)
    model = LateFusionClassifier({"image": ImageCNN(dim=8), "audio": AudioCNN(dim=8)}, n_classes=3).eval()
    inputs = {"image": torch.rand(2, 3, 16, 16), "audio": torch.rand(2, 32, 20)}
    logits, feats = model(inputs, keep={"audio": torch.tensor([1.0, 0.0])})
    no_audio = model.head(torch.cat([feats["image"], torch.zeros_like(feats["audio"])], 1))
    assert torch.allclose(logits[1], no_audio[1]) and not torch.allclose(logits[0], no_audio[0])
    with pytest.raises(ValueError, match=r"lack modalities \['audio'\]"):
        model({"image": inputs["image"]})


def test_unimodal_logits_add_up_to_the_head():
    head = nn.Linear(5, 4)
    fa, fb = torch.randn(3, 2), torch.randn(3, 3)
    la, lb = unimodal_logits(head, [fa, fb])
    assert torch.allclose(la + lb, head(torch.cat([fa, fb], 1)), atol=1e-6)
    assert torch.allclose(la, fa @ head.weight[:, :2].T + head.bias / 2)
    with pytest.raises(ValueError, match="sum to 4, but the head takes 5"):
        unimodal_logits(head, [fa, torch.randn(3, 2)])


def test_ogm_coefficients_by_hand():
    y = torch.tensor([0, 1])
    confident = torch.tensor([[10.0, 0.0], [0.0, 10.0]])  # softmax ~1 on the targets: score ~2
    unsure = torch.zeros(2, 2)  # softmax 0.5 each: score 1
    rho = 2 * torch.softmax(torch.tensor([10.0, 0.0]), 0)[0].item() / 1.0  # discrepancy ratio of the confident one
    ka, kb = ogm_coefficients(confident, unsure, y, alpha=0.5)
    assert kb == 1.0 and ka == pytest.approx(1 - math.tanh(0.5 * rho))  # Eq. 10: 1 - tanh(alpha * rho)
    ka, kb = ogm_coefficients(unsure, confident, y, alpha=0.5)
    assert ka == 1.0 and kb == pytest.approx(1 - math.tanh(0.5 * rho))
    assert ogm_coefficients(unsure, unsure, y, alpha=1.0) == (1.0, 1.0)  # rho = 1: neither is ahead
    assert ogm_coefficients(confident, unsure, y, alpha=0.0) == (1.0, 1.0)  # alpha = 0: no modulation
    with pytest.raises(ValueError, match="`alpha` must be >= 0"):
        ogm_coefficients(confident, unsure, y, alpha=-1.0)


def _ogm_reference(out_a, out_b, label, alpha):
    """OGM's coefficients written out sample by sample, the way Eq. 10 of Peng et al. (2022) reads."""
    score_a = sum(torch.softmax(out_a[i], 0)[label[i]].item() for i in range(len(label)))
    score_b = sum(torch.softmax(out_b[i], 0)[label[i]].item() for i in range(len(label)))
    rho_a, rho_b = score_a / score_b, score_b / score_a
    return (1 - math.tanh(alpha * rho_a) if rho_a > 1 else 1.0, 1 - math.tanh(alpha * rho_b) if rho_b > 1 else 1.0)


def test_ogm_coefficients_match_eq10_on_random_batches():
    g = torch.Generator().manual_seed(0)
    for trial in range(20):
        n, c = int(torch.randint(2, 40, (1,), generator=g)), int(torch.randint(2, 12, (1,), generator=g))
        y = torch.randint(0, c, (n,), generator=g)
        a, b = 3 * torch.randn(n, c, generator=g), 3 * torch.randn(n, c, generator=g)
        alpha = float(torch.rand((), generator=g)) * 2
        got, want = ogm_coefficients(a, b, y, alpha), _ogm_reference(a, b, y, alpha)
        assert got == pytest.approx(want, abs=1e-6)
        assert min(got) == pytest.approx(1.0) or max(got) == pytest.approx(1.0)  # only the one ahead is slowed
        assert true_class_score(a, y) == pytest.approx(torch.softmax(a, 1)[torch.arange(n), y].sum().item(), abs=1e-5)


def test_modulate_gradients_scales_and_adds_noise_of_gradient_scale():
    conv = nn.Conv2d(2, 4, 3)
    conv(torch.randn(8, 2, 9, 9)).pow(2).sum().backward()
    w, b = conv.weight.grad.clone(), conv.bias.grad.clone()
    modulate_gradients(conv, 0.25, noise=False)
    assert torch.allclose(conv.weight.grad, 0.25 * w) and torch.allclose(conv.bias.grad, 0.25 * b)
    conv.weight.grad, conv.bias.grad = w.clone(), b.clone()
    modulate_gradients(conv, 0.0, noise=True, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(conv.bias.grad, torch.zeros_like(b))  # biases: scaled only
    assert conv.weight.grad.std().item() == pytest.approx(w.std().item(), rel=0.3)  # kernels: noise of grad's std


def test_gradient_norm_is_the_norm_of_all_gradients():
    conv = nn.Conv2d(2, 4, 3)
    assert gradient_norm(conv) == 0.0  # no backward yet
    conv(torch.randn(8, 2, 9, 9)).pow(2).sum().backward()
    flat = torch.cat([conv.weight.grad.flatten(), conv.bias.grad.flatten()])
    assert gradient_norm(conv) == pytest.approx(torch.linalg.vector_norm(flat).item(), rel=1e-5)
    total = torch.nn.utils.clip_grad_norm_(conv.parameters(), max_norm=float("inf"))  # torch's total norm, unclipped
    assert gradient_norm(conv) == pytest.approx(total.item(), rel=1e-5)


def test_modality_keep_mask():
    m = modality_keep_mask(10000, 0.3, torch.Generator().manual_seed(0))
    assert m.dtype == torch.float32 and set(m.unique().tolist()) <= {0.0, 1.0}
    assert abs(m.mean().item() - 0.7) < 0.02
    assert modality_keep_mask(5, 0.0).sum() == 5 and modality_keep_mask(5, 1.0).sum() == 0
    with pytest.raises(ValueError, match=r"`p_drop` must be in \[0, 1\]"):
        modality_keep_mask(5, 1.5)


def test_linear_probe_reads_information_and_not_noise():
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 4, (600,), generator=g)
    informative = torch.nn.functional.one_hot(y, 4).float() * 3 + torch.randn(600, 4, generator=g)
    assert linear_probe(informative[:400], y[:400], informative[400:], y[400:]) > 0.85
    noise = torch.randn(600, 4, generator=g)
    assert linear_probe(noise[:400], y[:400], noise[400:], y[400:]) < 0.4
    with pytest.raises(ValueError, match="train features have 4 dims, test features 3"):
        linear_probe(noise[:10], y[:10], noise[:10, :3], y[:10])


def test_log_mel_matches_torchaudio():
    w = torch.randn(2, 16000)
    want = torch.log(torchaudio.transforms.MelSpectrogram(16000, n_fft=512, hop_length=320, n_mels=32)(w) + 1e-6)
    out = log_mel(w)
    assert out.shape == (2, 32, 51) and torch.allclose(out, want)
    with pytest.raises(ValueError, match=r"`waveforms` must have shape \(T,\) or \(B, T\)"):
        log_mel(torch.randn(1, 2, 100))


def test_tokenize_and_vocabulary():
    assert tokenize("A red dog, on the grass! (2x)") == ["a", "red", "dog", "on", "the", "grass", "x"]
    vocab = Vocabulary([["a", "dog"], ["a", "cat"]])
    assert vocab.itos[:5] == ["<pad>", "<unk>", "<bos>", "<eos>", "a"]
    ids = vocab.encode(["a", "cat", "zebra"], bos_eos=True)
    assert ids == [2, 4, vocab.stoi["cat"], 1, 3] and vocab.decode(ids) == ["a", "cat", "<unk>"]
    batch = vocab.batch([["a"], ["a", "dog"]])
    assert batch.tolist() == [[4, 0], [4, vocab.stoi["dog"]]]
    with pytest.raises(ValueError, match="must be a str"):
        tokenize(3)


def test_fit_after_backward_hook_runs_before_the_step():
    model = nn.Linear(2, 1)
    seen = []
    mmutils.fit(model, [torch.ones(4, 2)], lambda m, b: m(b).sum(), epochs=2, progress=False,
                after_backward=lambda m: seen.append(m.weight.grad.clone()))
    assert len(seen) == 2 and all(g is not None for g in seen)


def test_waveform_cnn_shapes():
    from mmutils.blocks.encoders import WaveformCNN

    assert WaveformCNN(dim=32)(torch.randn(3, 16000)).shape == (3, 32)
    with pytest.raises(ValueError, match=r"`waveforms` must have shape \(B, T\)"):
        WaveformCNN()(torch.randn(3, 1, 16000))


def test_distillation_loss_matches_torch_kl_div():
    from mmutils.matching.distillation import distillation_loss, soft_targets

    g = torch.Generator().manual_seed(0)
    s, t = torch.randn(16, 7, generator=g) * 3, torch.randn(16, 7, generator=g) * 3
    for temperature in (1.0, 4.0):
        want = torch.nn.functional.kl_div(torch.log_softmax(s / temperature, 1), torch.softmax(t / temperature, 1),
                                          reduction="batchmean") * temperature**2
        assert distillation_loss(s, t, temperature).item() == pytest.approx(want.item(), rel=1e-5)
    assert distillation_loss(t, t).item() == pytest.approx(0.0, abs=1e-6)
    assert torch.allclose(soft_targets(t, 1.0), torch.softmax(t, 1))
    with pytest.raises(ValueError, match="`temperature` must be a positive number"):
        soft_targets(t, 0)


def test_precision_at_k_matches_a_direct_loop():
    from mmutils.metrics import precision_at_k

    g = torch.Generator().manual_seed(1)
    scores, relevant = torch.randn(20, 50, generator=g), torch.rand(20, 50, generator=g) < 0.2
    for k in (1, 5, 50):
        want = sum(relevant[q, sorted(range(50), key=lambda i: -scores[q, i])[:k]].float().mean().item()
                   for q in range(20)) / 20
        assert precision_at_k(scores, relevant, k) == pytest.approx(want)
    with pytest.raises(ValueError, match=r"`k` must be an int in 1..50"):
        precision_at_k(scores, relevant, 0)


def test_mean_of_words_leaves_padding_out():
    from mmutils.text import mean_of_words

    g = torch.Generator().manual_seed(0)
    tokens = torch.tensor([[3, 5, 0, 0], [0, 0, 0, 0], [7, 1, 2, 9]])
    vectors = torch.randn(3, 4, 5, generator=g)
    want = torch.stack([vectors[0, :2].mean(0), torch.zeros(5), vectors[2].mean(0)])
    assert torch.allclose(mean_of_words(vectors, tokens), want, atol=1e-6)
    with pytest.raises(ValueError, match="vectors"):
        mean_of_words(vectors[:, :3], tokens)


def test_attribute_classifier_is_built_from_the_shared_conv_block():
    """The judges' CNN is three of the course's conv blocks: the same layers, in the same order, as it was written out
    before (same initial weights from the same seed)."""
    from mmutils.blocks.judges import AttributeClassifier

    torch.manual_seed(3)
    got = AttributeClassifier([10, 6, 3])
    torch.manual_seed(3)
    w = 16
    written_out = nn.Sequential(
        nn.Conv2d(3, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(w, 2 * w, 3, padding=1), nn.BatchNorm2d(2 * w), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(2 * w, 2 * w, 3, padding=1), nn.BatchNorm2d(2 * w), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
        nn.Flatten())
    assert [type(m) for m in got.features] == [type(m) for m in written_out]
    for (k, a), (k2, b) in zip(got.features.state_dict().items(), written_out.state_dict().items()):
        assert k == k2 and torch.equal(a, b)


def test_every_fusion_keeps_one_contract_and_any_vector_fusion_fits_the_late_fusion_classifier():
    """``forward(list) -> (B, out_dim)`` for every fusion; the classifier's head is sized from ``out_dim``."""
    from mmutils.blocks.fusion import AttentionFusion, BilinearFusion, MLBAttentionFusion, ProductFusion

    x, q, grid = torch.randn(3, 5), torch.randn(3, 4), torch.randn(3, 6, 5)
    for fusion in [ConcatFusion((5, 4)), ProductFusion(5, 4, 7), BilinearFusion(5, 4, 8, 7)]:
        assert not fusion.attends and fusion([x, q]).shape == (3, fusion.out_dim)
    for fusion in [AttentionFusion(5, 4, 8), MLBAttentionFusion(5, 4, 8, 7)]:
        assert fusion.attends and fusion([grid, q]).shape == (3, fusion.out_dim)
        with pytest.raises(ValueError, match=r"grid \(B, N, d_x\), query"):
            fusion([grid])
    torch.manual_seed(0)
    encoders = {"image": ImageCNN(dim=8, width=4), "audio": AudioCNN(dim=6, width=4)}
    model = LateFusionClassifier(encoders, n_classes=3, fusion=ProductFusion(8, 6, 5)).eval()
    assert model.head.in_features == 5
    logits, _ = model({"image": torch.rand(2, 3, 16, 16), "audio": torch.rand(2, 32, 20)})
    assert logits.shape == (2, 3)
    with pytest.raises(ValueError, match="vector fusion"):
        LateFusionClassifier(encoders, n_classes=3, fusion=AttentionFusion(8, 6))


def test_attention_fusion_is_additive_attention_over_the_grid():
    """AttentionFusion = AdditiveAttention's context concatenated with the query, the formula written out."""
    from mmutils.blocks.fusion import AttentionFusion

    torch.manual_seed(0)
    fusion, grid, q = AttentionFusion(5, 4, 8), torch.randn(3, 6, 5), torch.randn(3, 4)
    a = fusion.attention
    scores = a.score(torch.tanh(grid @ a.from_features.weight.T + a.from_features.bias
                                + (q @ a.from_hidden.weight.T + a.from_hidden.bias)[:, None])).squeeze(-1)  # (3, 6)
    weights = torch.softmax(scores, 1)
    want = torch.cat([(weights[:, :, None] * grid).sum(1), q], 1)
    assert torch.allclose(fusion([grid, q]), want, atol=1e-6)
    assert torch.allclose(fusion.weights, weights, atol=1e-6)
