"""Figures people would rather look at: image grids, attention overlays, spectrograms, embedding maps, audio players
and animations. Every function returns a matplotlib figure (end the cell with ``plt.show()``) or an IPython display
object. Conventions: images are ``(C, H, W)`` tensors with C in (1, 3), float in [0, 1] or uint8.
"""

from __future__ import annotations

import re
import textwrap
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .validate import check_positive, check_tensor

__all__ = [
    "to_display",
    "image_grid",
    "heatmap_overlay",
    "show_spectrogram",
    "embedding_scatter",
    "audio_player",
    "offline_player",
    "animation_html",
    "talking_video_html",
]

_IMAGE_RANKS = [("C", "H", "W")]
_C = {"C": (1, 3)}


def to_display(image) -> np.ndarray:
    """``(C, H, W)`` tensor → ``(H, W, 3)`` float array in [0, 1] for ``plt.imshow``."""
    t = check_tensor(image, "to_display", "image", shape=_IMAGE_RANKS, allowed=_C).detach().cpu()
    t = t.float() / 255.0 if t.dtype == torch.uint8 else t.float()
    if t.shape[0] == 1:
        t = t.expand(3, -1, -1)
    return t.clamp(0, 1).permute(1, 2, 0).numpy()


def image_grid(images, titles: Sequence[str] | None = None, ncols: int = 8, size: float = 1.4, suptitle=None):
    """Show ``images`` ``(N, C, H, W)`` in a grid of ``ncols`` columns with optional per-image ``titles``."""
    t = check_tensor(images, "image_grid", "images", shape=[("N", "C", "H", "W")], allowed=_C)
    check_positive(ncols, "image_grid", "ncols", integer=True)
    n = t.shape[0]
    if n == 0:
        raise ValueError("image_grid: `images` is empty (N = 0).")
    if titles is not None and len(titles) != n:
        raise ValueError(f"image_grid: got {len(titles)} titles for {n} images.")
    import matplotlib.pyplot as plt

    ncols = min(ncols, n)
    nrows = (n + ncols - 1) // ncols
    # Long titles wrap to the width of their image (about 14 characters of 8-point text per inch), and each row
    # gets the height its longest title needs, so neighbouring titles never overlap.
    wrapped = [textwrap.fill(str(x), width=max(8, int(size * 14))) for x in titles] if titles is not None else None
    lines = max((w.count("\n") + 1 for w in wrapped), default=0) if wrapped else 0
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + 0.16 * lines) * nrows + 0.1 * lines),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(to_display(t[i]), interpolation="nearest")
            if wrapped is not None:
                ax.set_title(wrapped[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def heatmap_overlay(image, heatmap, ax=None, alpha: float = 0.5, cmap: str = "jet", title: str | None = None):
    """Draw ``heatmap`` ``(h, w)`` (any grid size; upsampled bilinearly) over ``image`` ``(C, H, W)``.

    The heatmap is min-max normalised for display. Returns the axes.
    """
    rgb = to_display(image)
    hm = check_tensor(heatmap, "heatmap_overlay", "heatmap", shape=("h", "w"), dtype="float").detach().cpu().float()
    H, W = rgb.shape[:2]
    up = F.interpolate(hm[None, None], size=(H, W), mode="bilinear", align_corners=False)[0, 0]
    up = (up - up.min()) / (up.max() - up.min()).clamp_min(1e-12)
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.imshow(rgb, interpolation="nearest")
    ax.imshow(up.numpy(), cmap=cmap, alpha=alpha, interpolation="bilinear")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def show_spectrogram(spec, sample_rate: int, hop_length: int, ax=None, db: bool = True, title: str | None = None,
                     y_label: str = "frequency (Hz)", mel: bool = False):
    """Show a spectrogram ``(freq, time)`` (magnitude or power; converted to dB when ``db``). Returns the axes.

    The frequency axis runs 0..sample_rate/2 for a linear spectrogram; with ``mel`` the rows are labelled by index.
    """
    s = check_tensor(spec, "show_spectrogram", "spec", shape=("F", "T"), dtype="float").detach().cpu().double()
    check_positive(sample_rate, "show_spectrogram", "sample_rate", integer=True)
    check_positive(hop_length, "show_spectrogram", "hop_length", integer=True)
    if db:
        s = 10 * torch.log10(s.clamp_min(1e-10))
        s = s.clamp_min(s.max() - 80)
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    duration = s.shape[1] * hop_length / sample_rate
    top = s.shape[0] if mel else sample_rate / 2
    im = ax.imshow(s.numpy(), origin="lower", aspect="auto", extent=(0, duration, 0, top), cmap="magma")
    ax.set(xlabel="time (s)", ylabel="mel bin" if mel else y_label)
    if title:
        ax.set_title(title, fontsize=9)
    ax.figure.colorbar(im, ax=ax, label="dB" if db else "value")
    return ax


def embedding_scatter(points, labels: Sequence[str] | None = None, groups: Sequence | None = None, ax=None,
                      title: str | None = None):
    """Scatter ``points`` ``(N, D)``; D > 2 is projected to 2-D by PCA (SVD of the centred points).

    ``labels`` annotates each point; ``groups`` colours points by group. Returns the axes.
    """
    x = check_tensor(points, "embedding_scatter", "points", shape=("N", "D"), dtype="float").detach().cpu().double()
    n = x.shape[0]
    for what, seq in (("labels", labels), ("groups", groups)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"embedding_scatter: got {len(seq)} {what} for {n} points.")
    if x.shape[1] > 2:
        centred = x - x.mean(0)
        _, _, v = torch.linalg.svd(centred, full_matrices=False)
        x = centred @ v[:2].T
    elif x.shape[1] == 1:
        x = torch.cat([x, torch.zeros_like(x)], 1)
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    if groups is None:
        ax.scatter(x[:, 0], x[:, 1], s=18)
    else:
        for g in dict.fromkeys(groups):
            idx = [i for i in range(n) if groups[i] == g]
            ax.scatter(x[idx, 0], x[idx, 1], s=18, label=str(g))
        ax.legend(fontsize=8)
    for i, lab in enumerate(labels or []):
        ax.annotate(str(lab), (float(x[i, 0]), float(x[i, 1])), fontsize=8, xytext=(3, 3), textcoords="offset points")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def audio_player(waveform, sample_rate: int):
    """An in-notebook audio player for a mono ``(T,)`` or ``(1, T)`` waveform (float, any scale)."""
    w = check_tensor(waveform, "audio_player", "waveform", shape=[("T",), (1, "T")], dtype="float")
    check_positive(sample_rate, "audio_player", "sample_rate", integer=True)
    from IPython.display import Audio

    return Audio(w.detach().cpu().reshape(-1).double().numpy(), rate=sample_rate)


# matplotlib's JavaScript player draws its buttons with an icon font fetched from a CDN: offline the buttons are
# blank. The player keeps its controls with plain characters instead, and loads nothing.
_PLAYER_ICONS = {"fa fa-minus": "\u2212", "fa fa-fast-backward": "\u23ee", "fa fa-step-backward": "\u25c1",
                 "fa fa-play fa-flip-horizontal": "\u25c0", "fa fa-pause": "\u23f8", "fa fa-play": "\u25b6",
                 "fa fa-step-forward": "\u25b7", "fa fa-fast-forward": "\u23ed", "fa fa-plus": "+"}
_REMOTE_STYLESHEET = re.compile(r"<link[^>]*?href=[\"']https?://[^>]*>", re.S)


def offline_player(html: str) -> str:
    """matplotlib's ``to_jshtml`` player without its remote icon font: the stylesheet link goes, each icon becomes a
    character. Raises if anything remote is left (a matplotlib whose template changed)."""
    html = _REMOTE_STYLESHEET.sub("", html)
    for cls, char in _PLAYER_ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', char)
    if re.search(r"https?://", html) or 'class="fa ' in html:
        raise RuntimeError("animation_html: matplotlib's player still refers to a remote resource; update "
                           "mmutils.viz.offline_player for this matplotlib version.")
    return html


def animation_html(frames, fps: int = 12, size: float = 2.5, titles: Sequence[str] | None = None):
    """An animation of ``frames`` ``(T, C, H, W)`` as self-contained HTML (JavaScript player, nothing loaded from the
    network), for the notebook."""
    t = check_tensor(frames, "animation_html", "frames", shape=("T", "C", "H", "W"), allowed=_C)
    check_positive(fps, "animation_html", "fps", integer=True)
    if titles is not None and len(titles) != t.shape[0]:
        raise ValueError(f"animation_html: got {len(titles)} titles for {t.shape[0]} frames.")
    import matplotlib.pyplot as plt
    from IPython.display import HTML
    from matplotlib import animation

    fig, ax = plt.subplots(figsize=(size, size))
    ax.axis("off")
    shown = ax.imshow(to_display(t[0]), interpolation="nearest")

    def draw(i):
        shown.set_data(to_display(t[i]))
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        return (shown,)

    anim = animation.FuncAnimation(fig, draw, frames=t.shape[0], interval=1000 / fps, blit=False)
    html = offline_player(anim.to_jshtml(default_mode="loop"))
    plt.close(fig)
    return HTML(html)


def _wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono float samples -> a 16-bit PCM WAV file in memory, peak-normalised: the file IPython's Audio player makes."""
    from IPython.display import Audio

    if not samples.size or not np.abs(samples).max() > 0:  # IPython refuses to normalise silence
        return Audio(np.zeros(samples.shape), rate=sample_rate, normalize=False).data
    return Audio(samples, rate=sample_rate).data


def _png_data_uri(image) -> str:
    import base64
    import io

    from matplotlib.image import imsave

    buf = io.BytesIO()
    imsave(buf, to_display(image), format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def talking_video_html(panels: dict, waveform, sample_rate: int, fps: int, scale: float = 3.0,
                       title: str | None = None):
    """Video with its sound in one self-contained HTML element: ``panels`` maps a label to frames ``(T, C, H, W)``
    (every panel the same ``T``), shown side by side with their labels, ``scale`` times their pixel size; the
    ``waveform`` ``(N,)`` or ``(1, N)`` plays under them. One ``<audio>`` element (its own play button, plus a speed
    choice) is the clock: a small script shows frame ``floor(currentTime * fps)`` of every panel, so face and sound
    cannot drift apart. The sound is cut or padded with silence to the frames' ``T / fps`` seconds. Everything is
    embedded (a base64 WAV, base64 PNG frames); nothing is loaded from the network. Without scripts (a static
    viewer) the first frames and the sound still show."""
    import base64
    import hashlib
    import html as html_lib
    import json

    from IPython.display import HTML

    if not isinstance(panels, dict) or not panels:
        raise ValueError("talking_video_html: `panels` must be a non-empty dict {label: frames (T, C, H, W)}.")
    check_positive(sample_rate, "talking_video_html", "sample_rate", integer=True)
    check_positive(fps, "talking_video_html", "fps", integer=True)
    check_positive(scale, "talking_video_html", "scale")
    videos = {str(k): check_tensor(v, "talking_video_html", f"panels[{k!r}]", shape=("T", "C", "H", "W"), allowed=_C)
              for k, v in panels.items()}
    lengths = {k: v.shape[0] for k, v in videos.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"talking_video_html: every panel needs the same number of frames; got {lengths}.")
    n_frames = next(iter(lengths.values()))
    if n_frames == 0:
        raise ValueError("talking_video_html: the panels have no frames (T = 0).")
    w = check_tensor(waveform, "talking_video_html", "waveform", shape=[("N",), (1, "N")], dtype="float")
    samples = w.detach().cpu().reshape(-1).double().numpy()
    n_samples = round(n_frames * sample_rate / fps)
    samples = np.pad(samples[:n_samples], (0, max(0, n_samples - len(samples))))
    wav = base64.b64encode(_wav_bytes(samples, sample_rate)).decode("ascii")
    frames = [[_png_data_uri(f) for f in v] for v in videos.values()]
    uid = "talk" + hashlib.sha1((wav + "".join(frames[0])).encode()).hexdigest()[:12]
    figures = "".join(
        f'<figure style="margin:0 10px 0 0;text-align:center">'
        f'<img class="frame" src="{f[0]}" alt="{html_lib.escape(k)}"'
        f' width="{round(v.shape[3] * scale)}" height="{round(v.shape[2] * scale)}"'
        f' style="image-rendering:pixelated;display:block">'
        f'<figcaption style="font:14px sans-serif;margin-top:4px">{html_lib.escape(k)}</figcaption></figure>'
        for (k, v), f in zip(videos.items(), frames))
    heading = (f'<div style="font:bold 14px sans-serif;margin-bottom:6px">{html_lib.escape(title)}</div>'
               if title else "")
    speeds = "".join(f'<option value="{s}"{" selected" if s == 1 else ""}>{s}\u00d7</option>' for s in (1, 0.5, 0.25))
    script = f"""
(function() {{
  var root = document.getElementById("{uid}");
  var audio = root.querySelector("audio"), imgs = root.querySelectorAll("img.frame");
  var readout = root.querySelector(".readout"), speed = root.querySelector("select");
  var frames = {json.dumps(frames)};
  var fps = {fps}, count = {n_frames}, shown = -1;
  frames.forEach(function(panel) {{ panel.forEach(function(src) {{ new Image().src = src; }}); }});
  function show() {{
    var i = Math.max(0, Math.min(count - 1, Math.floor(audio.currentTime * fps)));
    if (i !== shown) {{
      for (var p = 0; p < imgs.length; p++) {{ imgs[p].src = frames[p][i]; }}
      readout.textContent = "frame " + (i + 1) + " / " + count + ", " + audio.currentTime.toFixed(2) + " s";
      shown = i;
    }}
  }}
  function tick() {{ show(); if (!audio.paused && !audio.ended) {{ window.requestAnimationFrame(tick); }} }}
  audio.addEventListener("play", tick);
  ["seeked", "seeking", "timeupdate", "pause", "ended"].forEach(function(e) {{ audio.addEventListener(e, show); }});
  speed.addEventListener("change", function() {{ audio.playbackRate = parseFloat(speed.value); }});
}})();
"""
    body = (f'<div id="{uid}" class="talking-video">{heading}<div style="display:flex;align-items:flex-end">{figures}'
            f'</div><div style="display:flex;align-items:center;gap:8px;margin-top:6px;font:13px sans-serif">'
            f'<audio controls preload="auto" src="data:audio/wav;base64,{wav}"></audio>'
            f'<label>speed <select>{speeds}</select></label><span class="readout">frame 1 / {n_frames}</span></div>'
            f"<script>{script}</script></div>")
    return HTML(body)
