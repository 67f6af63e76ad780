"""Wrong input to public mmutils functions raises a ValueError that says what was expected."""

import numpy as np
import pytest
import torch

import mmutils
from mmutils.validate import check_tensor

IMG = torch.rand(3, 8, 8)


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: mmutils.image_grid(torch.rand(3, 32)), r"image_grid: `images` must have shape \(N, C, H, W\)"),
        (lambda: mmutils.image_grid(torch.rand(2, 4, 8, 8)), r"with C in \(1, 3\); got shape \(2, 4, 8, 8\)"),
        (lambda: mmutils.image_grid(torch.rand(2, 3, 8, 8), titles=["a"]), r"got 1 titles for 2 images"),
        (lambda: mmutils.image_grid(torch.rand(2, 3, 8, 8), ncols=0), r"`ncols` must be a positive int"),
        (lambda: mmutils.image_grid([1, 2]), r"must be a torch.Tensor or numpy array; got list"),
        (lambda: mmutils.heatmap_overlay(IMG, torch.rand(1, 4, 4)), r"`heatmap` must have shape \(h, w\)"),
        (lambda: mmutils.heatmap_overlay(IMG, torch.ones(4, 4, dtype=torch.long)),
         r"must have a floating-point dtype; got torch.int64"),
        (lambda: mmutils.heatmap_overlay(torch.rand(8, 8), torch.rand(4, 4)), r"`image` must have shape \(C, H, W\)"),
        (lambda: mmutils.show_spectrogram(torch.rand(10), 16000, 128), r"`spec` must have shape \(F, T\)"),
        (lambda: mmutils.show_spectrogram(torch.rand(5, 10), 0, 128), r"`sample_rate` must be a positive int"),
        (lambda: mmutils.embedding_scatter(torch.rand(5)), r"`points` must have shape \(N, D\)"),
        (lambda: mmutils.embedding_scatter(torch.rand(5, 3), labels=["a"]), r"got 1 labels for 5 points"),
        (lambda: mmutils.audio_player(torch.rand(2, 100), 16000), r"`waveform` must have shape \(T,\) or \(1, T\)"),
        (lambda: mmutils.audio_player(torch.rand(100), 16000.5), r"`sample_rate` must be a positive int"),
        (lambda: mmutils.animation_html(torch.rand(3, 8, 8)), r"`frames` must have shape \(T, C, H, W\)"),
        (lambda: mmutils.accuracy(torch.rand(4, 3), torch.tensor([0.0, 1, 2, 0])),
         r"`targets` must have an integer dtype; got torch.float32"),
        (lambda: mmutils.accuracy(torch.rand(4, 3), torch.tensor([0, 1, 2])), r"accuracy: 4 predictions for 3 targets"),
        (lambda: mmutils.majority_baseline(torch.zeros(3, 2).long(), torch.zeros(3).long()), r"`train_labels` must"),
        (lambda: mmutils.majority_baseline(torch.tensor([-1, 0]), torch.zeros(3).long()), r"non-negative"),
        (lambda: mmutils.seed_everything(-1), r"`seed` must be a non-negative int"),
        (lambda: mmutils.seed_everything(1.5), r"`seed` must be a non-negative int"),
        (lambda: mmutils.fit(torch.nn.Linear(2, 2), [], lambda m, b: 0, epochs=0), r"`epochs` must be a positive int"),
        (lambda: mmutils.fit("model", [], lambda m, b: 0, epochs=1), r"`model` must be a torch.nn.Module"),
        (lambda: mmutils.fit(torch.nn.Linear(2, 2), [], lambda m, b: 0, epochs=1), r"yielded no batch"),
        (lambda: mmutils.fit(torch.nn.Linear(2, 2), [torch.rand(3, 2)], lambda m, b: m(b), epochs=1),
         r"must return a 0-d tensor"),
        (lambda: mmutils.plot_history({"acc": [1]}), r"must be a dict with a 'loss' list"),
        (lambda: mmutils.report_results({}), r"non-empty dict"),
        (lambda: mmutils.report_results({"a": (1.0, "=>", 2.0)}), r"op in"),
        (lambda: mmutils.report_results({"a": "high"}), r"must be a real number; got str"),
        (lambda: mmutils.show_source(3), r"expected a function, method or class"),
    ],
)
def test_bad_input_raises_clear_value_error(call, expected):
    with pytest.raises(ValueError, match=expected):
        call()


def test_check_tensor_named_sizes_must_agree():
    check_tensor(torch.rand(4, 4), "f", "x", shape=("n", "n"))
    with pytest.raises(ValueError, match=r"f: `x` must have shape \(n, n\); got shape \(4, 5\)"):
        check_tensor(torch.rand(4, 5), "f", "x", shape=("n", "n"))


def test_check_tensor_accepts_numpy_and_exact_sizes():
    t = check_tensor(np.zeros((2, 3), dtype=np.float32), "f", "x", shape=(2, None), dtype=torch.float32)
    assert isinstance(t, torch.Tensor) and t.shape == (2, 3)
    with pytest.raises(ValueError, match=r"must have shape \(2, None\)"):
        check_tensor(np.zeros((3, 3)), "f", "x", shape=(2, None))
    with pytest.raises(ValueError, match=r"must have torch.int64; got torch.float32"):
        check_tensor(torch.zeros(2), "f", "x", dtype=torch.int64)
