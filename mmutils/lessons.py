"""The lessons as files: where the sources and executed notebooks are, reading a source, executing a notebook in a
fresh kernel, and comparing the outputs of the cells marked ``# NBVAL_CHECK_OUTPUT``.

Lesson sources are jupytext percent scripts ``notebooks/sources/NN_name.py``; each is paired with
``notebooks/NN_name.ipynb``, committed executed top to bottom, so the folder a student opens shows one notebook per
lesson (JupyterLab's jupytext pairing keeps the two in step when either is edited). The command line that rebuilds
them is ``mmutils.course``; the student copies and grading are ``mmutils.homework``.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

__all__ = ["REPO", "NOTEBOOKS", "SOURCES", "EXERCISES", "lesson_sources", "executed_path", "read_source", "execute",
           "checked_output_mismatches", "CHECK_MARKER"]

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"  # the executed lessons, what a student opens
SOURCES = NOTEBOOKS / "sources"  # their jupytext sources, what an author edits and reviews
EXERCISES = NOTEBOOKS / "exercises"
EXECUTE_TIMEOUT = 900  # seconds per cell, generous: a stalled host must not fail a rebuild


def lesson_sources(selected: list[str] | None = None) -> list[Path]:
    """The lesson sources ``notebooks/sources/NN_*.py`` in order, optionally only lessons whose number is in
    ``selected``."""
    paths = sorted(p for p in SOURCES.glob("[0-9][0-9]_*.py"))
    if selected:
        unknown = set(selected) - {p.name[:2] for p in paths}
        if unknown:
            raise SystemExit(f"no lesson source for {sorted(unknown)} in {SOURCES}")
        paths = [p for p in paths if p.name[:2] in selected]
    return paths


def executed_path(src: Path) -> Path:
    """Where the executed notebook of the lesson source ``src`` lives: ``notebooks/NN_name.ipynb``."""
    return NOTEBOOKS / f"{Path(src).stem}.ipynb"


def read_source(path: Path) -> nbformat.NotebookNode:
    """Read a jupytext percent script as a notebook (no outputs)."""
    import jupytext

    return jupytext.read(path)


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
