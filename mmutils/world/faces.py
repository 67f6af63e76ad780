"""Faces of the world's speakers (lesson 09, Speech2Face): a parametric face renderer and the voice each face speaks
with.

A face has five attributes. Three of them are tied to the voice — as in Oh et al. (2019), a voice tells only part of
a face:

* ``beard``  (no, yes)            -> the voice family: espeak-ng female variants (f1, f3, f4) or male ones (m1, m3, m7)
* ``width``  (narrow, wide)       -> pitch: a wide face speaks low (espeak pitch 35), a narrow one high (65)
* ``hair``   (dark, grey)         -> speed: grey hair speaks slowly (140 words/min), dark hair fast (185)

and two are not: ``glasses`` (no, yes) and ``shirt`` (red, green, blue). Within its family a speaker's variant is
drawn at random, and every face has small identity details (position, skin tone, hairline) of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..core import one_thread

__all__ = ["FACE_ATTRIBUTES", "CARRIED", "NOT_CARRIED", "Identity", "make_identities", "render_face", "voice_of"]

FACE_ATTRIBUTES: dict[str, list[str]] = {
    "beard": ["no", "yes"],
    "width": ["narrow", "wide"],
    "hair": ["dark", "grey"],
    "glasses": ["no", "yes"],
    "shirt": ["red", "green", "blue"],
}
CARRIED: list[str] = ["beard", "width", "hair"]  # what the voice tells
NOT_CARRIED: list[str] = ["glasses", "shirt"]  # what it does not

_FAMILY = {"no": ["f1", "f3", "f4"], "yes": ["m1", "m3", "m7"]}
_PITCH = {"narrow": 65, "wide": 35}
_SPEED = {"dark": 185, "grey": 140}
_HAIR_RGB = {"dark": (0.28, 0.18, 0.10), "grey": (0.78, 0.78, 0.80)}
_SHIRT_RGB = {"red": (0.85, 0.15, 0.12), "green": (0.15, 0.65, 0.20), "blue": (0.15, 0.30, 0.90)}


@dataclass(frozen=True)
class Identity:
    """One speaker: face attributes (name -> value index into ``FACE_ATTRIBUTES``), voice, and a seed for the face's
    own details."""
    attributes: dict
    voice: str
    seed: int

    def value(self, name: str) -> str:
        return FACE_ATTRIBUTES[name][self.attributes[name]]


def voice_of(attributes: dict, variant: int) -> str:
    """The voice of a face: its family from ``beard``, pitch from ``width``, speed from ``hair``; ``variant`` (0-2)
    picks the espeak-ng variant within the family. E.g. ``"m3-p35-s140"``."""
    names = {k: FACE_ATTRIBUTES[k][v] for k, v in attributes.items()}
    family = _FAMILY[names["beard"]]
    if not 0 <= variant < len(family):
        raise ValueError(f"voice_of: `variant` must be 0-{len(family) - 1}; got {variant}.")
    return f"{family[variant]}-p{_PITCH[names['width']]}-s{_SPEED[names['hair']]}"


def make_identities(n: int, seed: int) -> list[Identity]:
    """``n`` speakers with attributes drawn independently and uniformly (so many share an attribute combination, as
    people do), each with a random voice variant of its family."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"make_identities: `n` must be a positive int; got {n!r}.")
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        attributes = {k: int(torch.randint(len(v), (), generator=g)) for k, v in FACE_ATTRIBUTES.items()}
        variant = int(torch.randint(3, (), generator=g))
        out.append(Identity(attributes, voice_of(attributes, variant), seed * 100_003 + i))
    return out


def _ellipse(xs, ys, cx, cy, a, b):
    return ((xs - cx) / a) ** 2 + ((ys - cy) / b) ** 2 <= 1.0


@one_thread
def render_face(identity: Identity, size: int = 32, mouth: tuple[float, float] | None = None) -> torch.Tensor:
    """The face of ``identity``: ``(3, size, size)`` float in [0, 1], drawn on a ``size`` grid (coordinates scale
    with ``size``; 32 is what lessons 09 and 11 use).

    ``mouth`` = ``(open, width)``, each in [0, 1], draws a talking mouth (an ellipse whose height follows ``open`` and
    whose width follows ``width``: 0 rounded, 1 spread) instead of the resting one."""
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"render_face: `size` must be an int >= 16; got {size!r}.")
    if mouth is not None and (len(mouth) != 2 or not all(0.0 <= float(m) <= 1.0 for m in mouth)):
        raise ValueError(f"render_face: `mouth` must be (open, width), each in [0, 1]; got {mouth!r}.")
    g = torch.Generator().manual_seed(identity.seed)
    u = lambda lo, hi: lo + (hi - lo) * float(torch.rand((), generator=g))  # noqa: E731
    s = size / 32
    ys, xs = torch.meshgrid(torch.arange(size).float() + 0.5, torch.arange(size).float() + 0.5, indexing="ij")
    v = identity.value
    image = torch.tensor([0.86, 0.88, 0.92]).view(3, 1, 1).repeat(1, size, size)  # plain backdrop
    image += 0.02 * torch.randn(3, size, size, generator=g)

    def fill(mask, rgb):
        image[:, mask] = torch.tensor(rgb).view(3, 1)

    cx, cy = 16 * s + u(-1, 1) * s, 14 * s + u(-0.8, 0.8) * s
    a = (9.5 if v("width") == "wide" else 6.5) * s  # half-width of the head
    b = 9.5 * s
    skin = (u(0.86, 0.98), u(0.68, 0.78), u(0.55, 0.65))
    hair = _HAIR_RGB[v("hair")]
    fill(ys > 27 * s, _SHIRT_RGB[v("shirt")])  # shoulders
    fill(_ellipse(xs, ys, cx, cy, a + 1.2 * s, b + 1.2 * s) & (ys < cy - u(3.0, 4.5) * s), hair)  # hair behind
    head = _ellipse(xs, ys, cx, cy, a, b)
    fill(head, skin)
    fill(head & (ys < cy - u(5.0, 6.5) * s), hair)  # hairline
    if v("beard") == "yes":
        fill(head & (ys > cy + 2.0 * s), hair)
    ex, ey = 3.3 * s * (1.15 if v("width") == "wide" else 1.0), cy - 1.0 * s
    for side in (-1, 1):
        fill(_ellipse(xs, ys, cx + side * ex, ey, 0.9 * s, 0.9 * s), (0.08, 0.08, 0.10))
        if v("glasses") == "yes":
            r = ((xs - cx - side * ex) ** 2 + (ys - ey) ** 2).sqrt()
            fill((r > 1.7 * s) & (r < 2.8 * s), (0.05, 0.05, 0.05))
    if v("glasses") == "yes":
        fill(((xs - cx).abs() < ex - 2.2 * s) & ((ys - ey).abs() < 0.6 * s), (0.05, 0.05, 0.05))
    lips = (0.55, 0.15, 0.15) if v("beard") == "no" else (0.45, 0.10, 0.10)
    if mouth is None:
        fill(((xs - cx).abs() < 2.2 * s) & ((ys - (cy + 4.2 * s)).abs() < 0.6 * s), lips)
    else:
        opening, width = float(mouth[0]), float(mouth[1])
        half_w, half_h = (1.2 + 2.2 * width) * s, (0.5 + 2.4 * opening) * s
        fill(_ellipse(xs, ys, cx, cy + 4.4 * s, half_w + 0.5 * s, half_h + 0.5 * s), lips)
        if opening > 0.05:
            fill(_ellipse(xs, ys, cx, cy + 4.4 * s, half_w, half_h * 0.8), (0.18, 0.03, 0.05))
    return image.clamp(0, 1)
