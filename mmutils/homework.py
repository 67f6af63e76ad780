"""Homework: the student copies of the lessons (solutions replaced by ``raise NotImplementedError``) and grading a
student's notebook by the registered checks (``mmutils.checks``).
"""

from __future__ import annotations

import ast
import builtins
import copy
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .lessons import EXERCISES, execute, lesson_sources, read_source

__all__ = ["BEGIN", "END", "student_copy", "write_students", "cell_names", "exercise_slice", "GradeReport", "grade"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")
_LESSON = re.compile(r"^(\d\d)_")


def _strip_solution(source: str, where: str) -> str:
    ids = _CHECK_CALL.findall(source)
    if len(set(ids)) != 1:
        raise ValueError(f"{where}: a cell with {BEGIN} must call check('LL.k', ...) for exactly one exercise; "
                         f"found {sorted(set(ids)) or 'none'}.")
    from .checks import REGISTRY

    ex_id = ids[0]
    if ex_id not in REGISTRY:
        raise ValueError(f"{where}: exercise {ex_id} has no registered check in mmutils.checks.")
    title = REGISTRY[ex_id].title
    out, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"{where}: nested {BEGIN}.")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("Exercise {ex_id}: write `{title}` (see the task above).")')
        elif stripped == END:
            if not inside:
                raise ValueError(f"{where}: {END} without {BEGIN}.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN} without {END}.")
    return "\n".join(out)


def student_copy(source_nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode | None:
    """The student copy of a lesson: solutions replaced by ``raise NotImplementedError``, outputs cleared.

    Returns None when the lesson has no exercise.
    """
    nb = copy.deepcopy(source_nb)
    found = False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if BEGIN in cell.source or END in cell.source:
                cell.source = _strip_solution(cell.source, f"{name}, cell {i + 1}")
                found = True
    if not found:
        return None
    nb.metadata.pop("jupytext", None)  # the student copy is not paired with a script
    lesson = name[:2]
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"> **Student copy of lesson {lesson}** (generated from `notebooks/sources/{name}.py`; do not edit the lesson, "
        f"edit this copy). Fill in each exercise where it says `raise NotImplementedError`, run the cell, and read the "
        f"check's verdict. The lesson keeps running whatever you answer. Grade the whole notebook with "
        f"`make grade NB=notebooks/exercises/{name}.ipynb`."
    ))
    return nb


def write_students(paths: list[Path] | None = None) -> list[Path]:
    """Regenerate ``notebooks/exercises/`` from the lesson sources; returns the files written."""
    EXERCISES.mkdir(exist_ok=True)
    written = []
    for src in paths or lesson_sources():
        nb = student_copy(read_source(src), src.stem)
        if nb is not None:
            target = EXERCISES / f"{src.stem}.ipynb"
            nbformat.write(nb, target)
            written.append(target)
    return written


def cell_names(source: str) -> tuple[set[str], set[str]]:
    """``(binds, reads)`` of a code cell: the names it binds at top level (assignments, definitions, imports, loop
    and ``with`` targets) and the free names it reads (anywhere, function bodies included) that it does not bind
    itself and that are not builtins. IPython magics (lines starting with ``%`` or ``!``) are ignored."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    tree = ast.parse(code)
    binds: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            binds |= {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            binds |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    local: set[str] = set()  # parameters and names bound inside functions and comprehensions
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            local |= {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
            local |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    reads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return binds, reads - binds - local - set(dir(builtins))


def _is_exercise(cell) -> bool:
    return cell.cell_type == "code" and bool(_CHECK_CALL.search(cell.source))


def exercise_slice(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook cut down to its exercise cells and the earlier cells they need, by name (usually the imports):
    what grading an untouched student copy must execute. That the rest of the lesson does not depend on the exercise
    cells is checked separately (``tests/test_notebooks.py``)."""
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    keep = {i for i, c in code if _is_exercise(c)}
    needed: set[str] = set()
    for i in keep:
        needed |= cell_names(nb.cells[i].source)[1]
    for i, cell in reversed(code):
        if i in keep or i > max(keep, default=-1):
            continue
        binds, reads = cell_names(cell.source)
        if binds & needed:
            keep.add(i)
            needed = (needed - binds) | reads
    out = copy.deepcopy(nb)
    out.cells = [c for i, c in enumerate(nb.cells) if i in keep or c.cell_type == "markdown"]
    return out


@dataclass
class GradeReport:
    notebook: str
    lesson: str
    rows: list[dict]
    errors: list[str]

    @property
    def score(self) -> int:
        return sum(r["points"] for r in self.rows)

    @property
    def max_score(self) -> int:
        return sum(r["max_points"] for r in self.rows)

    def table(self) -> str:
        lines = [f"Grade of {self.notebook} (lesson {self.lesson})", "",
                 f"{'exercise':<9} {'title':<24} {'status':<16} points"]
        for r in self.rows:
            lines.append(f"{r['id']:<9} {r['title']:<24} {r['status']:<16} {r['points']}/{r['max_points']}")
            if r["status"] == "failed":
                lines.append(f"{'':<9} -> {r['message']}")
        lines.append(f"{'total':<9} {'':<24} {'':<16} {self.score}/{self.max_score}")
        for e in self.errors:
            lines.append(f"note: {e}")
        return "\n".join(lines)


def grade(path: str | Path, keep: dict | None = None, figures: bool = False) -> GradeReport:
    """Execute a student notebook in a fresh kernel and score each registered exercise of its lesson.

    The exercises come from the registry (``mmutils.checks``), not from the notebook, so a deleted check call
    scores zero as "not run". Errors outside the exercises are reported, and exercises after them count as not run.
    When ``keep`` is a dict, the executed notebook is stored in it as ``keep["notebook"]``. Figures are not drawn
    (matplotlib's Agg backend) unless ``figures``, which runs the kernel as JupyterLab does (inline figures).
    """
    from .checks import exercises_for_lesson

    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"grade: no notebook at {path}")
    m = _LESSON.match(path.name)
    if not m:
        raise SystemExit(f"grade: cannot tell the lesson from {path.name!r}: names start with the lesson number, "
                         f"e.g. 00_start_here.ipynb")
    lesson = m.group(1)
    expected = exercises_for_lesson(lesson)
    if not expected:
        raise SystemExit(f"grade: lesson {lesson} has no registered exercises")
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "grade.jsonl"
        env = {"MMUTILS_GRADE_REPORT": str(report)} if figures else {"MMUTILS_GRADE_REPORT": str(report),
                                                                       "MPLBACKEND": "agg"}
        execute(nb, path.parent.resolve(), env=env, allow_errors=True)
        if keep is not None:
            keep["notebook"] = nb
        outcomes = {}
        if report.exists():
            for line in report.read_text().splitlines():
                o = json.loads(line)
                outcomes[o["id"]] = o  # the last check of an exercise counts
    errors = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {i + 1} raised {out['ename']}: {out['evalue']}")
    rows = []
    for ex in expected:
        o = outcomes.get(ex.id, {"status": "not run", "points": 0, "message": "its check was never called"})
        rows.append({"id": ex.id, "title": ex.title, "status": o["status"], "points": o["points"],
                     "max_points": ex.points, "message": o.get("message", "")})
    return GradeReport(str(path), lesson, rows, errors)
