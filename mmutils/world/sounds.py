"""Each object class's characteristic sound, synthesised: seeded, varied from call to call (pitch, timing, number of
calls, noise), and built so that classes share pitch ranges and textures: telling them apart takes learning.

All sounds are mono float waveforms at ``SAMPLE_RATE`` in about [-1, 1].
"""

from __future__ import annotations

import math

import torch

from ..core import one_thread
from .vocab import CLASS_NAMES

__all__ = ["SAMPLE_RATE", "class_sound", "SOUND_DESCRIPTIONS"]

SAMPLE_RATE = 16_000

SOUND_DESCRIPTIONS = {
    "dog": "2-3 short barks: harmonic bursts near 450 Hz falling in pitch, with noise",
    "cat": "a meow: a gliding tone rising then falling, 500-850 Hz",
    "horse": "a neigh: a descending tone with strong vibrato",
    "cow": "a moo: a long low harmonic tone near 140 Hz",
    "pig": "3-5 grunts: short noisy low bursts near 200 Hz",
    "sheep": "a baa: a 300 Hz tone with fast tremolo",
    "bird": "4-7 quick high chirps sweeping up near 3-4.5 kHz",
    "frog": "a ribbit: two trains of fast pulses on a 600 Hz carrier",
    "car": "an engine rumble near 90 Hz and a two-tone horn",
    "duck": "2-3 quacks: harsh nasal bursts near 280 Hz",
}


def _u(g: torch.Generator, lo: float, hi: float) -> float:
    return lo + (hi - lo) * torch.rand((), generator=g).item()


def _ri(g: torch.Generator, lo: int, hi: int) -> int:
    return int(torch.randint(lo, hi + 1, (), generator=g))


def _tone(f0: torch.Tensor, harmonics: int, tilt: float, g: torch.Generator, square: bool = False) -> torch.Tensor:
    """Harmonic tone following the per-sample pitch curve ``f0`` (T,) Hz; amplitude of harmonic k is k^-tilt."""
    phase = 2 * math.pi * torch.cumsum(f0, 0) / SAMPLE_RATE + _u(g, 0, 2 * math.pi)  # (T,)
    out = torch.zeros_like(f0)
    top = f0.max().item()
    for k in range(1, harmonics + 1):
        if square and k % 2 == 0:
            continue
        wave = torch.sin(k * phase)  # (T,)
        if k * top >= SAMPLE_RATE / 2:  # no aliasing: silent wherever this harmonic would pass the Nyquist frequency
            wave = (k * f0 < SAMPLE_RATE / 2).float() * wave
        out += wave.div_(k**tilt)
    return out / out.abs().max().clamp_min(1e-6)


def _envelope(n: int, attack: float, release: float) -> torch.Tensor:
    """Linear attack then exponential-ish release over n samples."""
    t = torch.linspace(0, 1, n)
    a = (t / max(attack, 1e-3)).clamp(max=1)
    r = ((1 - t) / max(release, 1e-3)).clamp(max=1)
    return a * r


def _glide(n: int, points: list[float]) -> torch.Tensor:
    """A pitch curve through ``points`` (Hz), linearly interpolated over n samples."""
    x = torch.linspace(0, len(points) - 1, n)
    lo = x.floor().long().clamp(max=len(points) - 2)
    frac = x - lo
    p = torch.tensor(points)
    return p[lo] * (1 - frac) + p[lo + 1] * frac


def _noise(n: int, g: torch.Generator) -> torch.Tensor:
    return torch.randn(n, generator=g)


def _place(total: int, events: list[torch.Tensor], starts: list[int]) -> torch.Tensor:
    out = torch.zeros(total)
    for ev, s in zip(events, starts):
        if s >= total:  # a late call falls outside the clip
            continue
        e = min(total, s + len(ev))
        out[s:e] += ev[: e - s]
    return out


def _calls(g, total, count, make, gap=(0.05, 0.15)) -> torch.Tensor:
    events, starts, pos = [], [], int(_u(g, 0.02, 0.2) * SAMPLE_RATE)
    for _ in range(count):
        ev = make()
        events.append(ev)
        starts.append(pos)
        pos += len(ev) + int(_u(g, *gap) * SAMPLE_RATE)
    return _place(total, events, starts)


def _n(sec: float) -> int:
    return max(1, int(sec * SAMPLE_RATE))


def _dog(g, total):
    def bark():
        n, f = _n(_u(g, 0.09, 0.16)), _u(g, 380, 560)
        tone = _tone(_glide(n, [f * 1.25, f, f * 0.8]), 12, 1.0, g)
        return (0.7 * tone + 0.3 * _noise(n, g)) * _envelope(n, 0.05, 0.7)
    return _calls(g, total, _ri(g, 2, 3), bark)


def _cat(g, total):
    n, f = _n(_u(g, 0.45, 0.7)), _u(g, 480, 620)
    tone = _tone(_glide(n, [f, f * 1.4, f * 1.05]), 10, 1.2, g)
    return _place(total, [tone * _envelope(n, 0.25, 0.4)], [_n(_u(g, 0.05, 0.35))])


def _horse(g, total):
    n, f = _n(_u(g, 0.6, 0.85)), _u(g, 550, 750)
    t = torch.arange(n) / SAMPLE_RATE
    f0 = _glide(n, [f, f * 0.8, f * 0.55]) * (1 + 0.08 * torch.sin(2 * math.pi * _u(g, 7, 10) * t))
    return _place(total, [_tone(f0, 10, 1.0, g) * _envelope(n, 0.1, 0.5)], [_n(_u(g, 0.02, 0.2))])


def _cow(g, total):
    n, f = _n(_u(g, 0.7, 0.9)), _u(g, 120, 165)
    tone = _tone(_glide(n, [f, f * 1.15, f * 1.05]), 25, 1.4, g)
    return _place(total, [tone * _envelope(n, 0.2, 0.3)], [_n(_u(g, 0.02, 0.15))])


def _pig(g, total):
    def grunt():
        n, f = _n(_u(g, 0.07, 0.13)), _u(g, 170, 240)
        return (0.5 * _tone(_glide(n, [f, f * 0.9]), 20, 0.8, g) + 0.5 * _noise(n, g)) * _envelope(n, 0.1, 0.6)
    return _calls(g, total, _ri(g, 3, 5), grunt, gap=(0.03, 0.09))


def _sheep(g, total):
    n, f = _n(_u(g, 0.5, 0.75)), _u(g, 260, 340)
    t = torch.arange(n) / SAMPLE_RATE
    tremolo = 0.6 + 0.4 * torch.sin(2 * math.pi * _u(g, 18, 28) * t)
    tone = _tone(_glide(n, [f, f * 1.05, f * 0.95]), 14, 1.1, g)
    return _place(total, [tone * tremolo * _envelope(n, 0.15, 0.35)], [_n(_u(g, 0.02, 0.3))])


def _bird(g, total):
    def chirp():
        n, f = _n(_u(g, 0.04, 0.08)), _u(g, 2800, 3600)
        return _tone(_glide(n, [f, f * 1.3]), 2, 2.0, g) * _envelope(n, 0.2, 0.5)
    return _calls(g, total, _ri(g, 4, 7), chirp, gap=(0.03, 0.1))


def _frog(g, total):
    def ribbit():
        n, f = _n(_u(g, 0.12, 0.2)), _u(g, 500, 700)
        t = torch.arange(n) / SAMPLE_RATE
        pulses = (torch.sin(2 * math.pi * _u(g, 25, 40) * t) > 0.3).float()
        return _tone(torch.full((n,), f), 6, 1.0, g) * pulses * _envelope(n, 0.05, 0.3)
    return _calls(g, total, 2, ribbit, gap=(0.05, 0.12))


def _car(g, total):
    f = _u(g, 75, 110)
    t = torch.arange(total) / SAMPLE_RATE
    rumble = _tone(torch.full((total,), f) * (1 + 0.03 * torch.sin(2 * math.pi * 3 * t)), 15, 1.3, g)
    rumble = 0.35 * rumble + 0.1 * _noise(total, g)
    n, h = _n(_u(g, 0.25, 0.45)), _u(g, 330, 420)
    horn = (_tone(torch.full((n,), h), 8, 1.0, g) + _tone(torch.full((n,), h * 1.26), 8, 1.0, g)) / 2
    return rumble + _place(total, [horn * _envelope(n, 0.05, 0.1)], [_n(_u(g, 0.1, 0.5))])


def _duck(g, total):
    def quack():
        n, f = _n(_u(g, 0.12, 0.2)), _u(g, 240, 320)
        tone = _tone(_glide(n, [f, f * 1.1, f * 0.9]), 25, 0.6, g, square=True)
        return (0.8 * tone + 0.2 * _noise(n, g)) * _envelope(n, 0.05, 0.5)
    return _calls(g, total, _ri(g, 2, 3), quack, gap=(0.04, 0.12))


_MAKERS = {"dog": _dog, "cat": _cat, "horse": _horse, "cow": _cow, "pig": _pig, "sheep": _sheep, "bird": _bird,
           "frog": _frog, "car": _car, "duck": _duck}
assert list(_MAKERS) == CLASS_NAMES


@one_thread
def class_sound(name: str, generator: torch.Generator, duration: float = 1.0, noise: float = 0.02) -> torch.Tensor:
    """One seeded, varied sound of object class ``name``: a ``(round(duration * SAMPLE_RATE),)`` waveform.

    ``noise`` is the standard deviation of white background noise added (after scaling the sound to peak 0.8).
    """
    if name not in _MAKERS:
        raise ValueError(f"class_sound: unknown class {name!r}; the classes are {CLASS_NAMES}.")
    if not isinstance(generator, torch.Generator):
        raise ValueError(f"class_sound: `generator` must be a torch.Generator; got {type(generator).__name__}.")
    if not duration > 0:
        raise ValueError(f"class_sound: `duration` must be positive; got {duration!r}.")
    total = _n(duration)
    wave = _MAKERS[name](generator, total)
    wave = 0.8 * wave / wave.abs().max().clamp_min(1e-6) * _u(generator, 0.6, 1.0)
    return wave + noise * torch.randn(total, generator=generator)
