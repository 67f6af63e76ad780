"""The notebook pipeline: every lesson source is paired with an executed .ipynb that is in sync, executed in order
with no errors, ends with a `results` cell; student copies are exactly what the generator makes from the sources.
(tests/test_lessons.py executes every lesson notebook from a fresh kernel.) Also: the rest of a lesson never reads
what an exercise cell binds, and the helpers behind the one-execution lesson test can fail."""

import nbformat
import pytest
from mmutils import course, homework, lessons


SOURCES = lessons.lesson_sources()
IDS = [p.stem for p in SOURCES]


def _cells(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_there_are_lessons_and_every_ipynb_has_a_source():
    assert SOURCES, "no lesson sources found"
    stems = {p.stem for p in lessons.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    assert stems == set(IDS), "each lesson needs both NN_name.py and NN_name.ipynb"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_pair_in_sync(src):
    source = lessons.read_source(src)
    executed = nbformat.read(lessons.executed_path(src), as_version=4)
    assert _cells(executed) == _cells(source), f"{src.stem}: run `make notebooks LESSONS={src.stem[:2]}`"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_committed_notebook_executed_top_to_bottom(src):
    nb = nbformat.read(lessons.executed_path(src), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "execute top to bottom, once"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"error outputs: {[e.ename for e in errors]}"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_lesson_ends_with_results_then_summary_exercises_papers(src):
    nb = lessons.read_source(src)
    tagged = [i for i, c in enumerate(nb.cells) if "results" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one code cell tagged `results`"
    assert "report_results(" in nb.cells[tagged[0]].source
    tail = "\n".join(c.source for c in nb.cells[tagged[0] + 1:])
    for heading in ("## Summary", "## Exercises", "## Papers"):
        assert heading in tail, f"{heading} missing after the results cell"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_student_copy_in_sync(src):
    expected = homework.student_copy(lessons.read_source(src), src.stem)
    target = lessons.EXERCISES / f"{src.stem}.ipynb"
    if expected is None:
        assert not target.exists()
        return
    committed = nbformat.read(target, as_version=4)
    assert _cells(committed) == _cells(expected), "run `make students`"
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code"), "outputs not cleared"
    text = "\n".join(c.source for c in committed.cells)
    assert homework.BEGIN not in text and homework.END not in text


def test_student_copy_replaces_solution_with_named_not_implemented():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n\n"
                                  'check("00.1", f)'),
    ])
    out = homework.student_copy(nb, "00_demo")
    code = out.cells[1].source
    assert code.splitlines()[1] == ('    raise NotImplementedError('
                                    '"Exercise 00.1: write `to_chw_float` (see the task above).")')
    assert "return x" not in code and 'check("00.1", f)' in code


@pytest.mark.parametrize("bad, message", [
    ('### BEGIN SOLUTION\nx = 1\ncheck("00.1", x)', "without ### END SOLUTION"),
    ('x = 1\n### END SOLUTION\ncheck("00.1", x)', "without ### BEGIN SOLUTION"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "must call check"),
    ('### BEGIN SOLUTION\nx = 1\n### END SOLUTION\ncheck("99.1", x)', "no registered check"),
])
def test_student_copy_rejects_malformed_markup(bad, message):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(bad)])
    with pytest.raises(ValueError, match=message):
        homework.student_copy(nb, "00_demo")


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_each_exercise_cell_defines_the_function_its_check_names(src):
    from mmutils.checks import exercises_for_lesson, REGISTRY

    ids_in_notebook = []
    for cell in lessons.read_source(src).cells:
        if homework.BEGIN in cell.source:
            ex_id = homework._CHECK_CALL.findall(cell.source)[0]
            ids_in_notebook.append(ex_id)
            assert f"def {REGISTRY[ex_id].title}(" in cell.source, \
                f"exercise {ex_id}: the student is told to write `{REGISTRY[ex_id].title}`; the cell must define it"
    assert ids_in_notebook == [e.id for e in exercises_for_lesson(src.stem[:2])], \
        "every registered exercise of the lesson appears once, in order"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_output_check_markers_are_ones_nbval_reads(src):
    """nbval reads `# NBVAL_CHECK_OUTPUT` only on a line of its own; at the end of a code line it is silently ignored.
    Marked cells are compared with the committed outputs (made with 2 torch threads) while the suite runs kernels with
    1 thread, so only cells whose output does not depend on training may carry the marker."""
    source = lessons.read_source(src)
    code = [c for c in source.cells if c.cell_type == "code"]
    trailing = [line for c in code for line in c.source.splitlines()
                if "NBVAL_CHECK_OUTPUT" in line and line.strip() != "# NBVAL_CHECK_OUTPUT"]
    assert not trailing, f"{src.stem}: a marker nbval ignores: {trailing[0].strip()!r}"
    marked = [c for c in code if "# NBVAL_CHECK_OUTPUT" in c.source.splitlines()]
    assert marked, f"{src.stem}: no cell's output is checked"
    assert not [c for c in marked if "tqdm" in c.source], f"{src.stem}: a training cell is marked (progress bars vary)"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_the_lesson_never_reads_what_an_exercise_cell_binds(src):
    """A student copy differs from the lesson only inside its exercise cells; if no other cell reads a name an exercise
    cell binds (the student's function, anything set beside it), the student copy runs to the end whatever the
    student writes -- so grading it needs only its exercise cells and what they read."""
    cells = [c for c in lessons.read_source(src).cells if c.cell_type == "code"]
    exercise = [homework._is_exercise(c) for c in cells]
    bound = set()
    for cell, is_ex in zip(cells, exercise):
        binds, reads = homework.cell_names(cell.source)
        if is_ex:
            bound |= binds
        else:
            assert not reads & bound, f"{src.stem}: a cell reads {sorted(reads & bound)}, bound by an exercise cell"


def test_cell_names_and_the_exercise_slice():
    binds, reads = homework.cell_names(
        "import torch as T\nx = T.ones(3)\ndef f(a):\n    return a + y + len(a)\n%time f(x)")
    assert binds == {"T", "x", "f"} and reads == {"y"}
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import math\nfrom mmutils.checks import check"),
        nbformat.v4.new_code_cell("scale = 2.0"),
        nbformat.v4.new_code_cell("model = train_for_a_minute()"),  # not needed by the exercise
        nbformat.v4.new_markdown_cell("### Exercise"),
        nbformat.v4.new_code_cell('def my_f(x):\n    return math.sqrt(x) * scale\n\ncheck("00.1", my_f)'),
        nbformat.v4.new_code_cell("print(model)"),  # after the exercises
    ])
    kept = [c.source for c in homework.exercise_slice(nb).cells if c.cell_type == "code"]
    assert kept == [nb.cells[0].source, nb.cells[1].source, nb.cells[4].source]


def test_checked_output_mismatches_compare_marked_cells_only_and_skip_images():
    def nb_with(text, png, marked=True):
        cell = nbformat.v4.new_code_cell(("# NBVAL_CHECK_OUTPUT\n" if marked else "") + "print(x)")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text),
                        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
        return nbformat.v4.new_notebook(cells=[cell])

    assert lessons.checked_output_mismatches(nb_with("3\n", "AAAA"), nb_with("3\n", "BBBB")) == []
    found = lessons.checked_output_mismatches(nb_with("4\n", "AAAA"), nb_with("3\n", "AAAA"))
    assert len(found) == 1 and "stdout" in found[0]
    assert lessons.checked_output_mismatches(nb_with("4\n", "A", False), nb_with("3\n", "A", False)) == []


def test_checked_output_ignores_how_a_stream_was_cut_into_chunks():
    def nb_with(*chunks):
        cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(x)")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in chunks]
        return nbformat.v4.new_notebook(cells=[cell])

    assert lessons.checked_output_mismatches(nb_with("a\nb\n"), nb_with("a\n", "b\n")) == []
    assert len(lessons.checked_output_mismatches(nb_with("a\nc\n"), nb_with("a\n", "b\n"))) == 1


# Words that belong to the project's bookkeeping (the README's lesson table, the maintainers' notes), never to a
# lesson a student reads. Lessons 06-10 still carry some; each joins the list when its second edition lands.
BOOKKEEPING = [r"\bthe issue\b", r"\bissues?\b that", r"\(asked\b", r"\bnot met\b", r"\bthread counts?\b",
               r"\bat every thread\b", r"not reached by every seed", r"\bbars? (?:come|came) from\b"]
SECOND_EDITION = SOURCES  # every lesson: student text carries no project bookkeeping


@pytest.mark.parametrize("src", SECOND_EDITION, ids=[p.stem for p in SECOND_EDITION])
def test_lesson_text_speaks_to_students_not_of_bookkeeping(src):
    """Markdown, code comments, printed outputs and metric names of the source, the executed copy and the student
    copy: none mentions issues, what was 'asked', bars 'not met', or thread counts."""
    import re

    texts = {"source": src.read_text()}
    for label, path in [("executed copy", lessons.executed_path(src)),
                        ("student copy", lessons.NOTEBOOKS / "exercises" / f"{src.stem}.ipynb")]:
        nb = nbformat.read(path, as_version=4)
        texts[label] = "\n".join([c.source for c in nb.cells] + [o.get("text", "") for c in nb.cells
                                                                   if c.cell_type == "code" for o in c.outputs])
    found = [(label, m.group(0)) for label, text in texts.items() for pattern in BOOKKEEPING
             for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
    assert not found, f"{src.stem}: project bookkeeping in student-facing text: {found[:5]}"


def test_bench_reports_the_median_of_repeated_runs(monkeypatch, capsys):
    times = iter([30.0, 90.0, 40.0])

    def fake_run(src):
        return None, course.BenchRow(src.stem, next(times), {"accuracy": 0.5})

    monkeypatch.setattr(course, "_run_lesson", fake_run)
    (row,) = course.bench(["00"], repeat=3)
    assert row.seconds == 40.0 and row.runs == [30.0, 90.0, 40.0]
    assert "| 40.0 | 30.0 90.0 40.0 |" in capsys.readouterr().out
    with pytest.raises(ValueError, match="repeat"):
        course.bench(["00"], repeat=0)


def test_sync_text_copies_markdown_only_and_refuses_changed_code(tmp_path, monkeypatch):
    monkeypatch.setattr(lessons, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(lessons, "SOURCES", tmp_path / "sources")
    monkeypatch.setattr(homework, "EXERCISES", tmp_path / "exercises")
    (tmp_path / "sources").mkdir()
    src = tmp_path / "sources" / "42_demo.py"
    src.write_text("# %% [markdown]\n# # 42 · Demo\n# old text\n\n# %%\nprint(1)\n")
    executed = lessons.read_source(src)
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    executed.cells[1].execution_count = 1
    nbformat.write(executed, lessons.executed_path(src))
    src.write_text("# %% [markdown]\n# # 42 · Demo\n# new text\n\n# %%\nprint(1)\n")
    assert course.sync_text(["42"]) == [lessons.executed_path(src)]
    again = nbformat.read(lessons.executed_path(src), as_version=4)
    assert "new text" in again.cells[0].source and again.cells[1].outputs[0].text == "1\n"
    assert course.sync_text(["42"]) == []  # nothing left to copy
    # the same program, wrapped and commented: copied, outputs kept
    src.write_text("# %% [markdown]\n# # 42 · Demo\n# new text\n\n# %%\n# one\nprint(\n    1)\n")
    assert course.sync_text(["42"]) == [lessons.executed_path(src)]
    again = nbformat.read(lessons.executed_path(src), as_version=4)
    assert again.cells[1].source == "# one\nprint(\n    1)" and again.cells[1].outputs[0].text == "1\n"
    src.write_text("# %% [markdown]\n# # 42 · Demo\n# new text\n\n# %%\nprint(2)\n")
    with pytest.raises(SystemExit, match="run `build`"):
        course.sync_text(["42"])
    src.write_text("# %% [markdown]\n# # 42 · Demo\n# new text\n\n# %%\nprint(1)\n\n# %%\nprint(3)\n")
    with pytest.raises(SystemExit, match="run `build`"):  # a cell more
        course.sync_text(["42"])
