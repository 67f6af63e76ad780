"""Scenes of the course world, with exact ground truth.

A scene is a background with 1-3 objects, each of a class, a colour, a size and a horizontal slot (left, middle,
right: one object per slot). ``make_scene(seed, ...)`` is a pure function of its arguments, so a scene is identified
by its seed. Each scene knows its image, boxes and masks, paraphrased captions, tags, question-answer pairs, the sound
of its sounding object(s), and can speak its captions with per-word timing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import cached_property

import torch

from ..core import one_thread
from .render import background as draw_background
from .render import object_sprite, paste
from .sounds import SAMPLE_RATE, class_sound
from .speech import speak, voices
from .vocab import BACKGROUNDS, BACKGROUND_NAMES, CLASS_NAMES, COLOUR_NAMES, NUMBERS, SIZES, SLOTS, article

__all__ = ["WorldObject", "QA", "Scene", "make_scene", "ALL_PAIRS", "QUESTION_TYPES"]

ALL_PAIRS: list[tuple[str, str]] = [(c, k) for c in CLASS_NAMES for k in COLOUR_NAMES]
QUESTION_TYPES = ["what", "where", "how many", "is there", "which colour"]


@dataclass(frozen=True)
class WorldObject:
    cls: str
    colour: str
    size: str
    slot: str
    box: tuple[int, int, int, int]  # (x0, y0, x1, y1) pixels, x1/y1 exclusive
    flip: bool = False

    @property
    def centre(self) -> tuple[float, float]:
        """(x, y) centre of the box in pixels."""
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2


@dataclass(frozen=True)
class QA:
    question: str
    answer: str
    qtype: str  # one of QUESTION_TYPES


@dataclass
class Scene:
    seed: int
    size: int
    background: str
    objects: list[WorldObject]  # in slot order, left to right
    sounding: list[int]  # indices into objects
    _image: tuple = field(default=None, repr=False)

    # ---------------------------------------------------------------- pixels
    @one_thread
    def _render(self):
        if self._image is None:
            g = torch.Generator().manual_seed(self.seed)
            image = draw_background(self.background, self.size, g)  # (3, size, size)
            masks = []
            for o in self.objects:
                x0, y0, x1, _ = o.box
                rgb, alpha = object_sprite(o.cls, o.colour, x1 - x0, o.flip)
                masks.append(paste(image, rgb, alpha, x0, y0))
            self._image = (image, torch.stack(masks))
        return self._image

    @property
    def image(self) -> torch.Tensor:
        """``(3, size, size)`` float in [0, 1]."""
        return self._render()[0]

    @property
    def masks(self) -> torch.Tensor:
        """``(n_objects, size, size)`` bool: each object's visible pixels (alpha > 0.5) before occlusion."""
        return self._render()[1]

    @property
    def boxes(self) -> torch.Tensor:
        """``(n_objects, 4)`` int64 boxes (x0, y0, x1, y1)."""
        return torch.tensor([o.box for o in self.objects])

    # ---------------------------------------------------------------- text
    def _phrase(self, o: WorldObject, with_size: bool = False) -> str:
        words = ([o.size] if with_size else []) + [o.colour, o.cls]
        return f"{article(words[0])} {' '.join(words)}"

    @cached_property
    def captions(self) -> list[str]:
        """Paraphrased captions, all true of the scene (lower case, no punctuation)."""
        prep, bg = BACKGROUNDS[self.background], self.background
        phrases = [self._phrase(o) for o in self.objects]
        listed = " and ".join(phrases)
        caps = [
            f"{listed} {prep} the {bg}",
            f"there is {listed} {prep} the {bg}",
            f"the {bg} with {listed}",
            " and ".join(self._phrase(o, with_size=True) for o in self.objects) + f" {prep} the {bg}",
        ]
        if len(self.objects) >= 2:
            left, right = self.objects[0], self.objects[1]
            caps.append(f"{self._phrase(left)} to the left of {self._phrase(right)}")
        return caps

    @cached_property
    def tags(self) -> list[str]:
        """Every class, colour and the background of the scene, sorted."""
        return sorted({o.cls for o in self.objects} | {o.colour for o in self.objects} | {self.background})

    @cached_property
    def qa(self) -> list[QA]:
        """Question-answer pairs of every type: what / where / how many / is there / which colour."""
        rng = random.Random(self.seed * 7 + 1)
        out = [QA(f"what is on the {o.slot}", o.cls, "what") for o in self.objects]
        out += [QA(f"where is the {o.cls}", o.slot, "where") for o in self.objects]
        out.append(QA("how many objects are there", NUMBERS[len(self.objects) - 1], "how many"))
        present = [o.cls for o in self.objects]
        absent = [c for c in CLASS_NAMES if c not in present]
        out.append(QA(f"is there {article(p := rng.choice(present))} {p}", "yes", "is there"))
        out.append(QA(f"is there {article(a := rng.choice(absent))} {a}", "no", "is there"))
        out += [QA(f"what colour is the {o.cls}", o.colour, "which colour") for o in self.objects]
        return out

    # ---------------------------------------------------------------- sound
    @one_thread
    def sound(self, duration: float = 1.0, noise: float = 0.02) -> torch.Tensor:
        """The sounding object(s)' sounds mixed: ``(duration * 16000,)`` waveform at 16 kHz."""
        g = torch.Generator().manual_seed(self.seed * 13 + 5)
        mix = sum(class_sound(self.objects[i].cls, g, duration, noise=0.0) for i in self.sounding)
        return mix / max(1, len(self.sounding)) ** 0.5 + noise * torch.randn(int(duration * SAMPLE_RATE), generator=g)

    def spoken_caption(self, k: int = 0, voice: str | None = None) -> tuple[torch.Tensor, list[tuple]]:
        """Caption ``k`` spoken by ``voice`` (default: a voice chosen by the scene's seed): waveform ``(T,)`` at
        16 kHz and the timing of each word ``[(word, start_s, end_s), ...]``."""
        g = torch.Generator().manual_seed(self.seed * 17 + k)
        voice = voice or voices()[self.seed % len(voices())]
        return speak(self.captions[k], voice, generator=g)


def make_scene(seed: int, size: int = 32, n_objects: int | tuple[int, int] = 1,
               pairs: list[tuple[str, str]] | None = None, backgrounds: list[str] | None = None,
               n_sounding: int = 1) -> Scene:
    """Sample the scene of ``seed``: an image ``size`` x ``size``, ``n_objects`` objects (an int, or an inclusive
    range), each a distinct class with its (class, colour) drawn from ``pairs`` (default: all pairs), a background
    from ``backgrounds``, and ``n_sounding`` of the objects sounding."""
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"make_scene: `size` must be an int >= 16; got {size!r}.")
    lo, hi = (n_objects, n_objects) if isinstance(n_objects, int) else n_objects
    if not 1 <= lo <= hi <= 3:
        raise ValueError(f"make_scene: `n_objects` must be 1-3 or a range within it; got {n_objects!r}.")
    pairs = list(pairs) if pairs is not None else ALL_PAIRS
    bad = [p for p in pairs if p not in ALL_PAIRS]
    if bad or not pairs:
        raise ValueError(f"make_scene: `pairs` must be non-empty (class, colour) pairs of the world; bad: {bad[:3]}.")
    backgrounds = backgrounds or BACKGROUND_NAMES
    if any(b not in BACKGROUNDS for b in backgrounds):
        raise ValueError(f"make_scene: unknown background in {backgrounds}; the backgrounds are {BACKGROUND_NAMES}.")
    rng = random.Random(seed)
    n = rng.randint(lo, hi)
    if len({c for c, _ in pairs}) < n:
        raise ValueError(f"make_scene: `pairs` cover fewer than {n} classes.")
    if not 1 <= n_sounding <= n:
        raise ValueError(f"make_scene: `n_sounding` must be in 1..{n}; got {n_sounding}.")
    chosen: list[tuple[str, str]] = []
    while len(chosen) < n:
        c, k = rng.choice(pairs)
        if c not in {cc for cc, _ in chosen}:
            chosen.append((c, k))
    slots = sorted(rng.sample(range(3), n))
    objects = []
    for (cls, colour), slot in zip(chosen, slots):
        sz = rng.choice(list(SIZES))
        px = min(max(6, round(SIZES[sz] * size)), size // 3)  # no wider than the narrowest slot
        # the whole box stays inside its third of the image, so objects never overlap
        first, end = math.ceil(slot * size / 3), math.ceil((slot + 1) * size / 3)  # the slot's columns
        x0 = rng.randint(first, end - px)
        y0 = rng.randint(0, size - px)
        objects.append(WorldObject(cls, colour, sz, SLOTS[slot], (x0, y0, x0 + px, y0 + px), rng.random() < 0.5))
    sounding = sorted(rng.sample(range(n), n_sounding))
    return Scene(seed, size, rng.choice(backgrounds), objects, sounding)
