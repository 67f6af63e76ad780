"""Exercise checks of every lesson. ``check("LL.k", fn)`` in a notebook; see ``_core`` for the protocol."""

from ._core import REGISTRY, Exercise, ExerciseFailed, Outcome, check, evaluate, exercises_for_lesson, register
# importing each lesson's checks registers them
from . import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05  # noqa: F401
from . import lesson06, lesson07, lesson08, lesson09, lesson10, lesson11  # noqa: F401

__all__ = ["REGISTRY", "Exercise", "ExerciseFailed", "Outcome", "check", "evaluate", "exercises_for_lesson", "register"]
