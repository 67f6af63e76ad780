"""The course's command line (the Makefile wraps it): rebuild the executed lessons, regenerate the student copies,
copy text-only edits, benchmark, grade::

    python -m mmutils.course build [NN ...]     # execute sources -> .ipynb, regenerate student copies, print bench
    python -m mmutils.course students           # regenerate notebooks/exercises/*.ipynb only
    python -m mmutils.course text [NN ...]      # only text changed (markdown, wrapped code): copy it, no execution
    python -m mmutils.course setup-cells        # (re)write every lesson's setup cell (mmutils.setup_cell)
    python -m mmutils.course bench [NN ...]     # execute each lesson 3 times (--repeat N), print the median wall
                                                # time and the metrics
    python -m mmutils.course grade NOTEBOOK     # execute a student notebook, print a per-exercise score table
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .homework import grade, write_students
from .lessons import NOTEBOOKS, REPO, execute, executed_path, lesson_sources, read_source
from .validate import check_positive

__all__ = ["BenchRow", "bench", "print_bench", "build", "sync_text", "main"]


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
        nbformat.write(nb, executed_path(src))
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
        source, target = read_source(src), executed_path(src)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmutils.course", description=__doc__,
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
