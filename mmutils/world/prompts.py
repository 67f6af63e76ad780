"""Text-to-image prompts of the world (lesson 05): the words of a prompt, and a real image of it drawn by the
world's renderer."""

from __future__ import annotations

import torch

from ..core import one_thread
from .render import background as draw_background
from .render import object_sprite, paste
from .vocab import BACKGROUNDS, article

__all__ = ["prompt_words", "render_prompt"]


def prompt_words(cls: str, colour: str, background: str) -> list[str]:
    """The prompt of an image: ``["a", "red", "dog", "on", "the", "grass"]`` (article and preposition as the world's
    captions use them)."""
    return [article(colour), colour, cls, BACKGROUNDS[background], "the", background]


@one_thread
def render_prompt(cls: str, colour: str, background: str, seed: int, size: int = 32, object_px: int = 20,
                  jitter: int | None = None) -> torch.Tensor:
    """A real image of a prompt: the world's background and one ``object_px``-pixel object (flipped or not) drawn by
    the world's renderer, centred give or take ``jitter`` pixels each way (None: anywhere in the image);
    ``(3, size, size)`` in [0, 1]."""
    if not 4 <= object_px <= size:
        raise ValueError(f"render_prompt: `object_px` must be in 4..{size}; got {object_px}.")
    g = torch.Generator().manual_seed(seed)
    image = draw_background(background, size, g).clone()  # (3, size, size)
    free = size - object_px
    lo, hi = (0, free) if jitter is None else (max(0, free // 2 - jitter), min(free, free // 2 + jitter))
    x0 = int(torch.randint(lo, hi + 1, (), generator=g))
    y0 = int(torch.randint(lo, hi + 1, (), generator=g))
    rgb, alpha = object_sprite(cls, colour, object_px, bool(torch.rand((), generator=g) < 0.5))
    paste(image, rgb, alpha, x0, y0)
    return image
