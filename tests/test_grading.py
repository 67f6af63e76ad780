"""Homework grading, end to end on lesson 00's whole student copy: an injected wrong answer is "failed", a deleted
check is "not run", an error outside the exercises is reported. (Every lesson's solution scoring full marks and its
untouched student copy scoring zero are in tests/test_lessons.py.)"""

import re

import nbformat
import pytest
from mmutils import homework, lessons


def _statuses(report):
    return {r["id"]: r["status"] for r in report.rows}


def _student_copy(src, tmp_path):
    nb = nbformat.read(lessons.EXERCISES / f"{src.stem}.ipynb", as_version=4)
    return nb, tmp_path / f"{src.stem}.ipynb"


def test_wrong_answer_is_failed_and_deleted_check_is_not_run(tmp_path):
    """End to end on lesson 00 (the machinery is the same for every lesson; that every lesson's checks can fail is
    tested directly in tests/test_exercises.py, without re-running each lesson a third time)."""
    src = lessons.lesson_sources(["00"])[0]
    nb, path = _student_copy(src, tmp_path)
    raising = [c for c in nb.cells if c.cell_type == "code" and "raise NotImplementedError(" in c.source]
    first_id = re.search(r'check\(\s*"(\d\d\.\d+)"', raising[0].source).group(1)
    last_id = re.search(r'check\(\s*"(\d\d\.\d+)"', raising[-1].source).group(1)
    # a wrong answer: return None instead of raising
    raising[0].source = re.sub(r"raise NotImplementedError\(.*\)", "return None", raising[0].source)
    # a deleted check call
    raising[-1].source = re.sub(r'check\(\s*"\d\d\.\d+".*\)', "pass", raising[-1].source)
    nbformat.write(nb, path)
    statuses = _statuses(homework.grade(path))
    assert statuses[first_id] == "failed"
    if last_id != first_id:
        assert statuses[last_id] == "not run"


def test_grade_table_and_errors_outside_exercises(tmp_path):
    src = lessons.lesson_sources(["00"])[0]
    nb, path = _student_copy(src, tmp_path)
    nb.cells.insert(2, nbformat.v4.new_code_cell("1 / 0"))
    nbformat.write(nb, path)
    report = homework.grade(path)
    assert any("ZeroDivisionError" in e for e in report.errors)
    table = report.table()
    assert "total" in table and f"0/{report.max_score}" in table


def test_grade_rejects_unknown_names(tmp_path):
    bad = tmp_path / "notes.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), bad)
    with pytest.raises(SystemExit, match="cannot tell the lesson"):
        homework.grade(bad)
    with pytest.raises(SystemExit, match="no notebook"):
        homework.grade(tmp_path / "00_missing.ipynb")
