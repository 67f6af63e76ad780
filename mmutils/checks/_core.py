"""Exercise checks: the registry, ``check`` and the three outcomes.

A lesson's exercise is a function the student completes between ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
the cell ends with ``check("<lesson>.<k>", the_function)``. ``check`` runs the registered test on the student's
function and prints one of

* ``passed``
* ``failed`` with a hint (a wrong answer, or an exception other than NotImplementedError),
* ``not implemented`` (the student copy's ``raise NotImplementedError``),

and never raises, so the lesson goes on: later cells use the course's own implementation, not the student's.
When ``MMUTILS_GRADE_REPORT`` names a file (the grader sets it), each outcome is appended to it as a JSON line.
"""

from __future__ import annotations

import json
import os
import re
import sysconfig
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["Exercise", "ExerciseFailed", "Outcome", "REGISTRY", "FAILURES", "register", "evaluate", "check",
           "exercises_for_lesson", "expect_tensor", "expect_close"]

_ID = re.compile(r"^\d\d\.\d+$")


class ExerciseFailed(AssertionError):
    """Raised inside a check when the student's answer is wrong; its message says what was wrong."""


def expect_tensor(got, shape: tuple[int, ...], what: str) -> None:
    """Fail unless the answer ``got`` is a tensor of ``shape``; ``what`` says what it should hold."""
    import torch

    if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(shape):
        found = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        raise ExerciseFailed(f"expected a {tuple(shape)} tensor ({what}); got {found}")


def expect_close(got, want, atol: float, context: str) -> None:
    """Fail unless ``got`` equals ``want`` within ``atol``; ``context`` says for which inputs."""
    import torch

    if not torch.allclose(got.float(), want.float(), atol=atol):
        raise ExerciseFailed(f"{context}: differs from the expected values by up to "
                             f"{(got.float() - want.float()).abs().max():.3g}")


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    hint: str  # the full recipe, shown from the second failure on
    points: int
    test: Callable
    nudge: str = ""  # the first hint: where to look, not how to write it


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str  # "passed" | "failed" | "not implemented"
    points: int
    max_points: int
    message: str = ""


REGISTRY: dict[str, Exercise] = {}


def register(exercise_id: str, title: str, hint: str, points: int = 1, nudge: str = ""):
    """Decorator: register ``test(*student_objects)`` as the check of exercise ``exercise_id`` (``"LL.k"``).

    The test raises ``ExerciseFailed`` (or any AssertionError) with a message when the answer is wrong. ``nudge`` is
    the hint a student sees after a first wrong answer (the idea or the usual slip, no code); ``hint`` the fuller
    recipe, shown from the second wrong answer on.
    """
    if not _ID.match(exercise_id):
        raise ValueError(f"register: exercise ids look like '03.2'; got {exercise_id!r}.")
    if not nudge:
        raise ValueError(f"register: exercise {exercise_id} needs a `nudge` (the first hint, before the recipe).")

    def deco(test):
        if exercise_id in REGISTRY:
            raise ValueError(f"register: exercise {exercise_id} is registered twice.")
        REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, points, test, nudge)
        return test

    return deco


def exercises_for_lesson(lesson: str) -> list[Exercise]:
    """The registered exercises of lesson ``"LL"``, in id order."""
    return sorted((e for e in REGISTRY.values() if e.id.split(".")[0] == lesson),
                  key=lambda e: int(e.id.split(".")[1]))


def evaluate(exercise_id: str, *student_objects) -> Outcome:
    """Run exercise ``exercise_id``'s check on the student's objects and return the ``Outcome`` (prints nothing)."""
    if exercise_id not in REGISTRY:
        raise ValueError(f"check: no exercise {exercise_id!r}; known: {sorted(REGISTRY)}.")
    ex = REGISTRY[exercise_id]
    try:
        ex.test(*student_objects)
    except NotImplementedError as err:
        return Outcome(ex.id, "not implemented", 0, ex.points, str(err) or "raise NotImplementedError left in place")
    except AssertionError as err:
        return Outcome(ex.id, "failed", 0, ex.points, str(err) or "wrong answer")
    except Exception as err:  # the student's code crashed: a failure, reported at the student's own line
        return Outcome(ex.id, "failed", 0, ex.points, f"your code raised {type(err).__name__}: {err}"
                       + _student_line(err.__traceback__))
    return Outcome(ex.id, "passed", ex.points, ex.points)


# the standard library, and this package (mmutils); installed packages such as torch sit under site-packages
_LIBRARY_DIRS = (str(Path(sysconfig.get_paths()["stdlib"]).resolve()) + os.sep,
                 str(Path(__file__).resolve().parents[1]) + os.sep)


def _is_library(filename: str) -> bool:
    """Whether a traceback frame's file is library code rather than the student's (a notebook cell, a script)."""
    path = filename if filename.startswith("<") else str(Path(filename).resolve())
    return path.startswith(_LIBRARY_DIRS) or "site-packages" in path or "dist-packages" in path


def _student_line(tb) -> str:
    """`` at line N of your `fn`: <the line>`` for the innermost frame of the student's code in traceback ``tb``
    (not the line inside torch where an error surfaced); empty if no frame is theirs."""
    frames = [f for f in traceback.extract_tb(tb) if not _is_library(f.filename)]
    if not frames:
        return ""
    where = frames[-1]
    text = f" — at line {where.lineno} of your `{where.name}`"
    return text + (f": {where.line.strip()}" if where.line else "")


FAILURES: dict[str, int] = {}  # wrong answers so far per exercise, in this Python session


def check(exercise_id: str, *student_objects) -> None:
    """Check the student's answer to exercise ``exercise_id`` and print the verdict. Never raises for a wrong or
    missing answer (only for an unknown exercise id), so the lesson goes on. After a first wrong answer the hint is
    the exercise's ``nudge``; from the second on, its full ``hint``."""
    outcome = evaluate(exercise_id, *student_objects)
    ex = REGISTRY[exercise_id]
    head = f"Exercise {ex.id} ({ex.title}): {outcome.status}"
    if outcome.status == "passed":
        print(f"{head} ✔  [{outcome.points}/{outcome.max_points}]")
    elif outcome.status == "failed":
        FAILURES[ex.id] = FAILURES.get(ex.id, 0) + 1
        if FAILURES[ex.id] == 1:
            hint = f"{ex.nudge}\n  (run the cell again after a fix; a second wrong answer shows a fuller hint)"
        else:
            hint = ex.hint
        print(f"{head} ✘  [0/{ex.points}]\n  what went wrong: {outcome.message}\n  hint: {hint}")
    else:
        print(f"{head} …  [0/{ex.points}]\n  replace the `raise NotImplementedError(...)` line with your code.")
    path = os.environ.get("MMUTILS_GRADE_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(outcome.__dict__) + "\n")
