"""The figure helpers draw what they say on valid input."""

import numpy as np
import torch

import mmutils
from mmutils.viz import to_display


def test_to_display_layout_and_range():
    rgb = to_display(torch.full((1, 4, 5), 255, dtype=torch.uint8))
    assert rgb.shape == (4, 5, 3) and np.allclose(rgb, 1.0)
    assert to_display(torch.rand(3, 4, 5) * 3).max() <= 1.0


def test_image_grid_has_one_titled_axis_per_image():
    fig = mmutils.image_grid(torch.rand(5, 3, 8, 8), titles=list("abcde"), ncols=3)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 6 and len(shown) == 5
    assert [ax.get_title() for ax in shown] == list("abcde")


def test_heatmap_overlay_upsamples_to_the_image():
    ax = mmutils.heatmap_overlay(torch.rand(3, 32, 40), torch.rand(4, 5))
    assert [im.get_array().shape[:2] for im in ax.images] == [(32, 40), (32, 40)]


def test_show_spectrogram_axes_span_time_and_nyquist():
    ax = mmutils.show_spectrogram(torch.rand(257, 100) + 1e-3, 16000, hop_length=160)
    left, right, bottom, top = ax.images[0].get_extent()
    assert (left, right, bottom, top) == (0, 1.0, 0, 8000)


def test_embedding_scatter_projects_to_two_dims():
    ax = mmutils.embedding_scatter(torch.randn(10, 6), labels=[str(i) for i in range(10)], groups=[0, 1] * 5)
    assert len(ax.collections) == 2 and len(ax.texts) == 10


def test_audio_player_and_animation_produce_html():
    audio = mmutils.audio_player(torch.sin(torch.linspace(0, 100, 800)), 8000)
    assert "audio" in audio._repr_html_()
    html = mmutils.animation_html(torch.rand(3, 3, 8, 8), fps=4)
    assert "<script" in html.data


def test_plot_history_draws_loss_and_metrics():
    fig = mmutils.plot_history({"loss": [1.0, 0.5], "acc": [0.4, 0.8]})
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 1
