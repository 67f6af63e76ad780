"""Every lesson, executed once from a fresh kernel, proves four things at once: it runs top to bottom without an error,
its results cell meets every bar it asserts (a missed bar raises ``BarNotMet``), the cells marked
``# NBVAL_CHECK_OUTPUT`` print exactly what the committed notebook shows (nbval's comparison), and its solutions
score full marks with the grader. The untouched student copy is graded on its exercise cells and the cells they
read (by name): every exercise must come out "not implemented" with no error. That the rest of a lesson never
reads what an exercise cell defines -- so a student copy runs to the end whatever the student writes -- is checked
on the source in tests/test_notebooks.py.

Kernels run with one torch thread under pytest-xdist (see conftest.py); the bars hold at any thread count (the
robustness report, reports/robustness.md, measures it).
"""

import nbformat
import pytest

from mmutils import homework, lessons
from mmutils.checks import exercises_for_lesson

SOURCES = lessons.lesson_sources()
IDS = [p.stem for p in SOURCES]


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_lesson_runs_meets_its_bars_prints_its_checked_outputs_and_scores_full_marks(src):
    path = lessons.executed_path(src)
    committed = nbformat.read(path, as_version=4)
    kept = {}
    report = homework.grade(path, keep=kept, figures=True)  # figures drawn inline, as in the committed notebook
    assert not report.errors, "\n".join(report.errors)
    assert report.max_score == sum(e.points for e in exercises_for_lesson(src.stem[:2])) > 0
    assert report.score == report.max_score, report.table()
    mismatches = lessons.checked_output_mismatches(kept["notebook"], committed)
    assert not mismatches, "outputs differ from the committed notebook:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_untouched_student_copy_scores_zero_not_implemented(src, tmp_path):
    student = nbformat.read(lessons.EXERCISES / f"{src.stem}.ipynb", as_version=4)
    sliced = homework.exercise_slice(student)
    path = tmp_path / f"{src.stem}.ipynb"
    nbformat.write(sliced, path)
    report = homework.grade(path)
    assert report.rows and report.score == 0, report.table()
    assert {r["status"] for r in report.rows} == {"not implemented"}, report.table()
    assert not report.errors, report.errors
