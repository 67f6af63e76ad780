"""The words of the course world: object classes, colours, backgrounds, sizes, places, and every word a caption, a
question or an answer can use. The data build (``scripts/build_data.py``) speaks exactly ``SPOKEN_WORDS``."""

from __future__ import annotations

# object class -> (emoji code point, its Unicode name): icons are rendered from Noto Color Emoji
CLASSES: dict[str, tuple[str, str]] = {
    "dog": ("\U0001F415", "DOG"),
    "cat": ("\U0001F408", "CAT"),
    "horse": ("\U0001F40E", "HORSE"),
    "cow": ("\U0001F404", "COW"),
    "pig": ("\U0001F416", "PIG"),
    "sheep": ("\U0001F411", "SHEEP"),
    "bird": ("\U0001F426", "BIRD"),
    "frog": ("\U0001F438", "FROG FACE"),
    "car": ("\U0001F697", "AUTOMOBILE"),
    "duck": ("\U0001F986", "DUCK"),
}
CLASS_NAMES: list[str] = list(CLASSES)

# colour name -> RGB in [0, 1]; objects are recoloured: luminance of the icon times this colour
COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.90, 0.12, 0.10),
    "orange": (1.00, 0.55, 0.05),
    "yellow": (0.98, 0.90, 0.10),
    "green": (0.15, 0.75, 0.20),
    "blue": (0.15, 0.35, 0.95),
    "purple": (0.60, 0.20, 0.80),
}
COLOUR_NAMES: list[str] = list(COLOURS)

# background -> the preposition a caption uses with it ("in the sky", "on the grass")
BACKGROUNDS: dict[str, str] = {"grass": "on", "road": "on", "sky": "in", "water": "in", "sand": "on", "snow": "on"}
BACKGROUND_NAMES: list[str] = list(BACKGROUNDS)

# object size -> its side as a fraction of the image width
SIZES: dict[str, float] = {"small": 0.24, "large": 0.30}
SIZE_NAMES: list[str] = list(SIZES)

# horizontal thirds of the image; every object of a scene stands inside its own slot (objects never overlap)
SLOTS: list[str] = ["left", "middle", "right"]
NUMBERS: list[str] = ["one", "two", "three"]

FUNCTION_WORDS: list[str] = ["a", "an", "the", "on", "in", "there", "is", "and", "with", "to", "of"]
QUESTION_WORDS: list[str] = ["what", "where", "how", "many", "objects", "are", "colour"]
ANSWER_WORDS: list[str] = CLASS_NAMES + COLOUR_NAMES + SLOTS + NUMBERS + ["yes", "no"]

CAPTION_WORDS: list[str] = sorted(set(FUNCTION_WORDS + CLASS_NAMES + COLOUR_NAMES + BACKGROUND_NAMES + SIZE_NAMES
                                      + ["left"]))
SPOKEN_WORDS: list[str] = sorted(set(CAPTION_WORDS + SLOTS + NUMBERS + ["yes", "no"]))
ALL_WORDS: list[str] = sorted(set(SPOKEN_WORDS + QUESTION_WORDS))


def article(next_word: str) -> str:
    """'an' before a vowel sound, else 'a'."""
    return "an" if next_word[0] in "aeiou" else "a"
