"""Course tooling for notebooks: rebuild the executed lessons, generate student copies, grade, benchmark.

Lesson sources are jupytext percent scripts ``notebooks/NN_name.py``; each is paired with ``notebooks/NN_name.ipynb``,
committed executed top to bottom. Command line (the Makefile wraps these)::

    python -m mmutils.notebooks build [NN ...]     # execute sources -> .ipynb, regenerate student copies, print bench
    python -m mmutils.notebooks students           # regenerate notebooks/exercises/*.ipynb only
    python -m mmutils.notebooks text [NN ...]      # only text changed (markdown, wrapped code): copy it, no execution
    python -m mmutils.notebooks setup-cells        # (re)write every lesson's setup cell (mmutils.setup_cell)
    python -m mmutils.notebooks bench [NN ...]     # execute each lesson 3 times (--repeat N), print the median wall
                                                   # time and the metrics
    python -m mmutils.notebooks grade NOTEBOOK     # execute a student notebook, print a per-exercise score table
"""

from __future__ import annotations

import argparse
import ast
import builtins
import copy
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .validate import check_positive

__all__ = [
    "REPO", "NOTEBOOKS", "EXERCISES", "lesson_sources", "read_source", "student_copy", "execute", "grade",
    "bench", "sync_text", "GradeReport", "cell_names", "exercise_slice", "checked_output_mismatches", "CHECK_MARKER",
]

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
EXERCISES = NOTEBOOKS / "exercises"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")
_LESSON = re.compile(r"^(\d\d)_")
EXECUTE_TIMEOUT = 900  # seconds per cell, generous: a stalled host must not fail a rebuild


def lesson_sources(selected: list[str] | None = None) -> list[Path]:
    """The lesson sources ``notebooks/NN_*.py`` in order, optionally only lessons whose number is in ``selected``."""
    paths = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    if selected:
        unknown = set(selected) - {p.name[:2] for p in paths}
        if unknown:
            raise SystemExit(f"no lesson source for {sorted(unknown)} in {NOTEBOOKS}")
        paths = [p for p in paths if p.name[:2] in selected]
    return paths


def read_source(path: Path) -> nbformat.NotebookNode:
    """Read a jupytext percent script as a notebook (no outputs)."""
    import jupytext

    return jupytext.read(path)


# ----------------------------------------------------------------------------------------------------------------
# Student copies


def _strip_solution(source: str, where: str) -> str:
    ids = _CHECK_CALL.findall(source)
    if len(set(ids)) != 1:
        raise ValueError(f"{where}: a cell with {BEGIN} must call check('LL.k', ...) for exactly one exercise; "
                         f"found {sorted(set(ids)) or 'none'}.")
    from .exercises import REGISTRY

    ex_id = ids[0]
    if ex_id not in REGISTRY:
        raise ValueError(f"{where}: exercise {ex_id} has no registered check in mmutils.exercises.")
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
        f"> **Student copy of lesson {lesson}** (generated from `notebooks/{name}.py`; do not edit the lesson, edit "
        f"this copy). Fill in each exercise where it says `raise NotImplementedError`, run the cell, and read the "
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


# ----------------------------------------------------------------------------------------------------------------
# What a cell reads and binds; the cells an exercise needs


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


# ----------------------------------------------------------------------------------------------------------------
# Output checks (nbval's semantics: cells marked `# NBVAL_CHECK_OUTPUT` must print what the committed notebook shows)

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"


def _comparable(outputs) -> dict[str, list]:
    """Outputs flattened as nbval compares them: by stream name or MIME type, images and metadata skipped."""
    from nbval.plugin import transform_streams_for_comparison

    skip = {"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
            "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}
    flat: dict[str, list] = {}
    for out in transform_streams_for_comparison(outputs):
        for key, value in out.items():
            if key in skip:
                continue
            items = value.items() if key == "data" else [(key, value)]
            for k, v in items:
                if k not in skip:
                    flat.setdefault(k, []).append(v if isinstance(v, str) else "".join(v))
    for stream in ("stdout", "stderr"):  # how a stream is cut into chunks depends on timing, not on what it says
        if stream in flat:
            flat[stream] = ["".join(flat[stream])]
    return flat


def checked_output_mismatches(executed: nbformat.NotebookNode, committed: nbformat.NotebookNode) -> list[str]:
    """Each cell marked ``# NBVAL_CHECK_OUTPUT`` whose fresh outputs differ from the committed ones, described."""
    if len(executed.cells) != len(committed.cells):
        return [f"the notebooks differ in length ({len(executed.cells)} vs {len(committed.cells)} cells)"]
    found = []
    for i, (new, old) in enumerate(zip(executed.cells, committed.cells)):
        if old.cell_type != "code" or CHECK_MARKER not in old.source.splitlines():
            continue
        a, b = _comparable(new.get("outputs", [])), _comparable(old.get("outputs", []))
        if a != b:
            keys = sorted(set(a) | set(b))
            diff = next(k for k in keys if a.get(k) != b.get(k))
            found.append(f"cell {i + 1} ({old.source.splitlines()[0][:60]!r}): {diff} now {str(a.get(diff))[:300]!r}, "
                         f"committed {str(b.get(diff))[:300]!r}")
    return found


# ----------------------------------------------------------------------------------------------------------------
# Execution, build, benchmark


def execute(nb: nbformat.NotebookNode, cwd: Path, env: dict[str, str] | None = None,
            allow_errors: bool = False) -> nbformat.NotebookNode:
    """Execute ``nb`` top to bottom in a fresh kernel (this Python's ipykernel), in ``cwd``, with extra ``env``."""
    from nbclient import NotebookClient

    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        client = NotebookClient(nb, timeout=EXECUTE_TIMEOUT, kernel_name="python3", allow_errors=allow_errors,
                                resources={"metadata": {"path": str(cwd)}})
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


@dataclass
class BenchRow:
    notebook: str
    seconds: float
    metrics: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)  # every run's wall seconds when repeated (``seconds`` is their median)


def _run_lesson(src: Path) -> tuple[nbformat.NotebookNode, BenchRow]:
    nb = read_source(src)
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        start = time.perf_counter()
        execute(nb, NOTEBOOKS, env={"MMUTILS_RESULTS_FILE": str(results)})
        seconds = time.perf_counter() - start
        metrics = {}
        if results.exists():
            for line in results.read_text().splitlines():
                metrics.update(json.loads(line)["metrics"])
    return nb, BenchRow(src.stem, seconds, metrics)


def print_bench(rows: list[BenchRow]) -> None:
    import torch

    from . import world

    start = time.perf_counter()
    world.WorldScenes(500, "all", size=32, n_objects=(1, 3)).tensors()
    rate = 500 / (time.perf_counter() - start)  # lessons build thousands of scenes: this should be in the hundreds
    print(f"\nbenchmark: {os.cpu_count()} CPU cores, torch threads {torch.get_num_threads()}; "
          f"the course world draws {rate:.0f} scenes/s (32 px, 1-3 objects)")
    print("| notebook | wall s (median) | runs s | headline metrics |\n|---|---:|---|---|")
    for r in rows:
        shown = ", ".join(f"{k} {v:.4g}" for k, v in r.metrics.items()) or "–"
        runs = " ".join(f"{t:.1f}" for t in r.runs) or f"{r.seconds:.1f}"
        print(f"| {r.notebook} | {r.seconds:.1f} | {runs} | {shown} |")


def bench(selected: list[str] | None = None, repeat: int = 1) -> list[BenchRow]:
    """Execute each lesson ``repeat`` times from its source, each in a fresh kernel; print and return the table
    with the median wall time (the host can stall: one run is a sample, the median of three a measurement). The
    metrics are the last run's; a lesson whose metrics differ between runs is not deterministic and is reported."""
    check_positive(repeat, "bench", "repeat", integer=True)
    rows = []
    for src in lesson_sources(selected):
        runs = []
        for k in range(repeat):
            print(f"running {src.name} ({k + 1}/{repeat}) ...", flush=True)
            runs.append(_run_lesson(src)[1])
        if any(r.metrics != runs[0].metrics for r in runs):
            print(f"  {src.stem}: metrics differ between runs: {[r.metrics for r in runs]}")
        times = [r.seconds for r in runs]
        rows.append(BenchRow(src.stem, statistics.median(times), runs[-1].metrics, times))
    print_bench(rows)
    return rows


def build(selected: list[str] | None = None) -> list[BenchRow]:
    """Execute each lesson source, write its ``.ipynb`` with outputs, regenerate student copies, print the table."""
    rows = []
    for src in lesson_sources(selected):
        print(f"building {src.stem}.ipynb ...", flush=True)
        nb, row = _run_lesson(src)
        nbformat.write(nb, src.with_suffix(".ipynb"))
        rows.append(row)
    write_students(lesson_sources(selected))
    print_bench(rows)
    return rows


def _same_program(a: str, b: str) -> bool:
    """Whether two code cells are the same program: equal text, or equal syntax trees (only layout and comments
    differ, e.g. a long line wrapped)."""
    if a == b:
        return True
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except SyntaxError:  # IPython syntax (magics): only equal text counts
        return False


def sync_text(selected: list[str] | None = None) -> list[Path]:
    """Copy each source's markdown cells into its executed ``.ipynb`` (and regenerate the student copies), without
    executing anything: for edits of the text alone. Code cells are copied too when they are the same program
    (``_same_program``: a wrapped line, a comment); the outputs are kept. Refuses a lesson whose code or cell layout
    differs otherwise (that needs ``build``). Returns the notebooks it rewrote."""
    changed = []
    for src in lesson_sources(selected):
        source, target = read_source(src), src.with_suffix(".ipynb")
        executed = nbformat.read(target, as_version=4)
        if [c.cell_type for c in source.cells] != [c.cell_type for c in executed.cells] or not all(
                _same_program(a.source, b.source)
                for a, b in zip(source.cells, executed.cells) if a.cell_type == "code"):
            raise SystemExit(f"text: {src.name}'s code or cell layout differs from {target.name}: run `build`")
        if any(a.source != b.source for a, b in zip(source.cells, executed.cells)):
            for a, b in zip(source.cells, executed.cells):
                b.source = a.source
            nbformat.write(executed, target)
            changed.append(target)
    write_students(lesson_sources(selected))
    return changed


# ----------------------------------------------------------------------------------------------------------------
# Grading


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

    The exercises come from the registry (``mmutils.exercises``), not from the notebook, so a deleted check call
    scores zero as "not run". Errors outside the exercises are reported, and exercises after them count as not run.
    When ``keep`` is a dict, the executed notebook is stored in it as ``keep["notebook"]``. Figures are not drawn
    (matplotlib's Agg backend) unless ``figures``, which runs the kernel as JupyterLab does (inline figures).
    """
    from .exercises import exercises_for_lesson

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


# ----------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmutils.notebooks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("build", "bench", "text"):
        p = sub.add_parser(name)
        p.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 00 03 (default: all)")
        if name == "bench":
            p.add_argument("--repeat", type=int, default=3, help="runs per lesson; the table shows the median")
    sub.add_parser("students")
    sub.add_parser("setup-cells")
    p = sub.add_parser("grade")
    p.add_argument("notebook")
    p.add_argument("--json", help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    if args.cmd == "build":
        build(args.lessons)
    elif args.cmd == "bench":
        bench(args.lessons, repeat=args.repeat)
    elif args.cmd == "text":
        for p in sync_text(args.lessons):
            print(f"wrote {p.relative_to(REPO)}")
    elif args.cmd == "setup-cells":
        from .setup_cell import write_setup_cells

        for p in write_setup_cells(lesson_sources()):
            print(f"wrote {p.relative_to(REPO)}")
        write_students()
    elif args.cmd == "students":
        for p in write_students():
            print(f"wrote {p.relative_to(REPO)}")
    else:
        report = grade(args.notebook)
        print(report.table())
        if args.json:
            Path(args.json).write_text(json.dumps(report.__dict__, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
