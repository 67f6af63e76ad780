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


def _talking_video(n_frames=6, seconds=None, **kwargs):
    panels = {"true": torch.rand(n_frames, 3, 8, 8), "model <a>": torch.rand(n_frames, 1, 8, 10)}
    rate, fps = 8000, 4
    n = int((seconds or n_frames / fps) * rate)
    return mmutils.viz.talking_video_html(panels, torch.sin(torch.arange(n) / 5.0), rate, fps, **kwargs).data


def test_talking_video_plays_frames_and_sound_in_one_element_offline():
    import base64
    import io
    import json
    import re
    import wave

    html = _talking_video(title="a test")
    assert html.count("<audio") == 1 and html.count('class="talking-video"') == 1
    # the sound is embedded: a WAV data URI that decodes to 6 frames / 4 fps = 1.5 s at 8 kHz
    wav = re.search(r'<audio[^>]*src="data:audio/wav;base64,([A-Za-z0-9+/=]+)"', html).group(1)
    with wave.open(io.BytesIO(base64.b64decode(wav))) as w:
        assert (w.getframerate(), w.getnframes(), w.getnchannels()) == (8000, 12000, 1)
    # every panel's frames are embedded, one PNG each, in the order they play
    frames = json.loads(re.search(r"var frames = (\[.*?\]\]);", html).group(1))
    assert [len(f) for f in frames] == [6, 6]
    assert all(src.startswith("data:image/png;base64,") for f in frames for src in f)
    assert "var fps = 4, count = 6" in html and "currentTime * fps" in html
    # labelled side by side, escaped; nothing remote: every src is a data URI, no http anywhere
    assert "<figcaption" in html and "model &lt;a&gt;" in html and "a test" in html
    assert re.findall(r'src="([^"]*)"', html) and all(s.startswith("data:") for s in re.findall(r'src="([^"]*)"', html))
    outside_data = re.sub(r"data:[\w/;]+;base64,[A-Za-z0-9+/=]+", "", html)
    assert "http" not in outside_data and "//" not in outside_data


def test_talking_video_fits_the_sound_to_the_frames():
    import base64
    import io
    import re
    import wave

    for seconds in (0.5, 4.0):  # too short: padded with silence; too long: cut
        html = _talking_video(seconds=seconds)
        wav = re.search(r'src="data:audio/wav;base64,([A-Za-z0-9+/=]+)"', html).group(1)
        with wave.open(io.BytesIO(base64.b64decode(wav))) as w:
            assert w.getnframes() == 12000


def test_talking_video_input_checks():
    import pytest

    frames, sound = torch.rand(4, 3, 8, 8), torch.rand(1000)
    talking = mmutils.viz.talking_video_html
    with pytest.raises(ValueError, match="non-empty dict"):
        talking({}, sound, 8000, 4)
    with pytest.raises(ValueError, match="same number of frames"):
        talking({"a": frames, "b": frames[:3]}, sound, 8000, 4)
    with pytest.raises(ValueError, match=r"panels\['a'\]. must have shape \(T, C, H, W\)"):
        talking({"a": frames[0]}, sound, 8000, 4)
    with pytest.raises(ValueError, match=r"`waveform` must have shape \(N,\) or \(1, N\)"):
        talking({"a": frames}, torch.rand(2, 1000), 8000, 4)
    with pytest.raises(ValueError, match="`fps` must be a positive int"):
        talking({"a": frames}, sound, 8000, 2.5)
    with pytest.raises(ValueError, match="no frames"):
        talking({"a": frames[:0]}, sound, 8000, 4)
