"""Exercise checks of every lesson. ``check("LL.k", fn)`` in a notebook; see ``_core`` for the protocol.

Each lesson's checks live in a module ``lessonNN.py`` of this package; every such module is found and imported here
(importing registers its checks), so adding a lesson's checks needs no edit of this file."""

import importlib
import pkgutil
import re

from ._core import REGISTRY, Exercise, ExerciseFailed, Outcome, check, evaluate, exercises_for_lesson, register

LESSON_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"lesson\d\d", m.name))
for _name in LESSON_MODULES:
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["REGISTRY", "Exercise", "ExerciseFailed", "Outcome", "check", "evaluate", "exercises_for_lesson", "register",
           "LESSON_MODULES"]
