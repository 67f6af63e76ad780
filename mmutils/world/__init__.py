"""The course world: one seeded world of objects, scenes, words, sounds and voices with exact ground truth.

* ``vocab``    classes, colours, backgrounds, sizes, slots, and every word
* ``render``   procedural backgrounds, recoloured icons (Noto Color Emoji, shipped in data/icons)
* ``sounds``   each class's characteristic sound, synthesised and varied
* ``speech``   words spoken by 24 espeak-ng voices (data/speech), utterances with exact word timing
* ``scene``    ``make_scene``: image, boxes, masks, captions, tags, QA, sound, spoken captions
* ``faces``    speakers' faces (a parametric renderer) and the voice each speaks with (lesson 09)
* ``dataset``  splits with unseen (class, colour) combinations; ``WorldScenes`` torch Dataset

Each lesson's data built from the world:

* ``texts``      the texts of a scene for image tagging, and which images each is true of (lesson 03)
* ``prompts``    text-to-image prompts and their real images (lesson 05)
* ``questions``  VQA examples over a fixed answer vocabulary, with a chosen share of "yes" (lesson 06)
"""

from . import faces  # noqa: F401  (world.faces)
from .dataset import CombinationSplit, WorldScenes, combination_split
from .scene import ALL_PAIRS, QA, QUESTION_TYPES, Scene, WorldObject, make_scene
from .sounds import SAMPLE_RATE, SOUND_DESCRIPTIONS, class_sound
from .speech import SPEECH_RATE, speak, voices, word_phonemes
from .vocab import (BACKGROUND_NAMES, BACKGROUNDS, CLASS_NAMES, CLASSES, COLOUR_NAMES, COLOURS, SIZE_NAMES, SIZES,
                    SLOTS, SPOKEN_WORDS)
from . import prompts, questions, texts  # noqa: F401,E402  (world.prompts, world.questions, world.texts: after the above)

__all__ = [
    "CombinationSplit", "WorldScenes", "combination_split", "ALL_PAIRS", "QA", "QUESTION_TYPES", "Scene",
    "WorldObject", "make_scene", "SAMPLE_RATE", "SOUND_DESCRIPTIONS", "class_sound", "SPEECH_RATE", "speak",
    "voices", "word_phonemes", "BACKGROUND_NAMES", "BACKGROUNDS", "CLASS_NAMES", "CLASSES", "COLOUR_NAMES",
    "COLOURS", "SIZE_NAMES", "SIZES", "SLOTS", "SPOKEN_WORDS",
]
