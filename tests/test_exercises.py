"""Each check passes the reference answer and fails wrong ones (so a check can fail)."""

import pytest
import torch

import mmutils
from mmutils.checks import check, evaluate, REGISTRY
from mmutils.checks.lesson00 import reference_to_chw_float


def test_ids_are_unique_and_well_formed():
    assert REGISTRY and all(e.points > 0 and e.hint and e.nudge and e.nudge != e.hint for e in REGISTRY.values())


def test_every_lesson_check_module_is_found_without_a_list():
    """Checks modules are discovered: every lessonNN.py of the package is imported, and each lesson with exercises in
    its notebook has registered checks."""
    from pathlib import Path

    import mmutils.checks as ex

    on_disk = sorted(p.stem for p in Path(ex.__file__).parent.glob("lesson[0-9][0-9].py"))
    assert ex.LESSON_MODULES == on_disk and len(on_disk) == 12
    assert {e.id.split(".")[0] for e in REGISTRY.values()} == {name[-2:] for name in on_disk}


def test_a_first_wrong_answer_gets_the_nudge_then_the_full_hint(capsys, monkeypatch):
    from mmutils.checks import _core

    monkeypatch.setattr(_core, "FAILURES", {})
    wrong = lambda im: im.float() / 255  # noqa: E731  (not permuted)
    ex = REGISTRY["00.1"]
    check("00.1", wrong)
    first = capsys.readouterr().out
    assert "failed" in first and ex.nudge in first and ex.hint not in first
    check("00.1", wrong)
    second = capsys.readouterr().out
    assert ex.hint in second and ex.nudge not in second
    check("00.1", reference_to_chw_float)
    assert "passed" in capsys.readouterr().out


def test_a_crash_is_reported_at_the_students_line_not_inside_torch():
    def to_chw_float(im):
        scaled = im.float() / 255
        return scaled.permute(2, 0, 1, 3)  # one axis too many: torch raises inside its own code

    crash = evaluate("00.1", to_chw_float)
    assert crash.status == "failed" and "RuntimeError" in crash.message
    assert "of your `to_chw_float`: return scaled.permute(2, 0, 1, 3)" in crash.message
    assert "site-packages" not in crash.message and "torch/" not in crash.message


@pytest.mark.parametrize("exercise_id, right, wrongs", [
    ("00.1", reference_to_chw_float, [
        lambda im: im.permute(2, 0, 1).float(),  # not scaled
        lambda im: im.float() / 255,  # not permuted
        lambda im: im.permute(2, 0, 1).double() / 255,  # wrong dtype
    ]),
    ("00.2", mmutils.majority_baseline, [
        lambda tr, te: 0.5,
        lambda tr, te: (te == torch.bincount(te).argmax()).float().mean().item(),  # majority of the test set
        lambda tr, te: torch.tensor(0.5),  # not a float
    ]),
])
def test_checks_pass_reference_and_fail_wrong_answers(exercise_id, right, wrongs):
    assert evaluate(exercise_id, right).status == "passed"
    for wrong in wrongs:
        assert evaluate(exercise_id, wrong).status == "failed"


def test_not_implemented_and_crash_outcomes(capsys):
    def todo(*_):
        raise NotImplementedError("Exercise 00.1: write `to_chw_float`")

    assert evaluate("00.1", todo).status == "not implemented"
    crash = evaluate("00.1", lambda im: im.nope)
    assert crash.status == "failed" and "AttributeError" in crash.message
    check("00.1", todo)
    assert "not implemented" in capsys.readouterr().out
    with pytest.raises(ValueError, match="no exercise '99.9'"):
        check("99.9", todo)


@pytest.mark.parametrize("exercise_id", sorted(REGISTRY))
def test_every_check_can_fail_and_names_unfinished_work(exercise_id):
    """Every registered check fails a wrong answer (one that returns None, and one that returns garbage) and reports
    the student copy's NotImplementedError as "not implemented"."""
    assert evaluate(exercise_id, lambda *args: None).status == "failed"
    assert evaluate(exercise_id, lambda *args: torch.zeros(3)).status == "failed"

    def unfinished(*args):
        raise NotImplementedError(f"Exercise {exercise_id}")

    assert evaluate(exercise_id, unfinished).status == "not implemented"
