"""Running one lesson outside the course's checkout (Colab, or a notebook downloaded on its own).

Every lesson's first code cell is the **setup cell** written here: inside the course it imports ``mmutils`` and does
nothing else; where ``mmutils`` cannot be imported it clones the course (its package and its ``data/``) next to the
notebook, installs the package's dependencies with pip (those already installed, as on Colab, are kept) and puts the
clone on ``sys.path``. The course's address is configured once, as ``Repository`` under ``[project.urls]`` in
``pyproject.toml``; the setup cells and the "Open in Colab" links (the site's lesson pages) are generated from it, and
``MMCOURSE_REPOSITORY`` overrides it when the cell runs (a fork, or a local clone in the tests).

``python -m mmutils.course setup-cells`` writes the cell into every lesson source, into its executed copy (where
the cell produces no output, so nothing is re-executed: the cells after it are renumbered) and into the student copy.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .lessons import REPO, executed_path

__all__ = ["MARKER", "repository", "colab_url", "setup_cell_source", "write_setup_cells"]

MARKER = "# Outside the course's folder"  # the setup cell's first line starts so


def repository(pyproject: Path = REPO / "pyproject.toml") -> tuple[str, str]:
    """``(git URL, branch)`` of the course, from ``[project.urls] Repository`` (``…/OWNER/NAME``, branch ``main``)."""
    import tomllib  # Python >= 3.11 (only this module needs it)

    with open(pyproject, "rb") as f:
        urls = tomllib.load(f).get("project", {}).get("urls", {})
    url = urls.get("Repository", "")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"setup_cell: {pyproject} needs [project.urls] Repository = \"https://github.com/OWNER/NAME\""
                         f" (the course's public address); got {url!r}")
    return url + ".git", "main"


def colab_url(stem: str, pyproject: Path = REPO / "pyproject.toml") -> str:
    """The address that opens lesson ``stem`` (e.g. ``"03_joint_embedding"``) in Google Colab."""
    url, branch = repository(pyproject)
    owner_name = url.removeprefix("https://github.com/").removesuffix(".git")
    return f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/notebooks/{stem}.ipynb"


def setup_cell_source(pyproject: Path = REPO / "pyproject.toml") -> str:
    """The setup cell's code (see the module docstring)."""
    url, branch = repository(pyproject)
    return f'''{MARKER} (Colab, or this notebook downloaded on its own), this cell fetches the course — its
# package `mmutils` and its data — and installs what it needs (Python 3.11 or newer). Inside it, it does nothing.
try:
    import mmutils  # noqa: F401
except ModuleNotFoundError:
    import os
    import subprocess
    import sys
    import tomllib

    course = os.path.abspath("mmcourse")  # the clone, next to this notebook
    if not os.path.isdir(course):
        url = os.environ.get("MMCOURSE_REPOSITORY", "{url}")
        subprocess.run(["git", "clone", "--quiet", "--branch", "{branch}", url, course], check=True)
    with open(os.path.join(course, "pyproject.toml"), "rb") as f:
        needs = tomllib.load(f)["project"]["dependencies"]
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *needs], check=True)
    sys.path.insert(0, course)'''


def _is_setup(cell) -> bool:
    return cell.cell_type == "code" and cell.source.startswith(MARKER)


def _source_with_cell(text: str, cell: str) -> str:
    """A jupytext percent source with ``cell`` as its first code cell (replacing an older setup cell)."""
    blocks = re.split(r"(?m)^(?=# %%)", text)  # [header, cell, cell, ...], each cell starting with its marker
    code = [i for i, b in enumerate(blocks) if re.match(r"# %%\s*(\n|$)", b)]
    if not code:
        raise ValueError("setup_cell: the source has no code cell")
    new = f"# %%\n{cell}\n\n"
    if blocks[code[0]].removeprefix("# %%\n").startswith(MARKER):
        blocks[code[0]] = new
    else:
        blocks.insert(code[0], new)
    return "".join(blocks)


def _executed_with_cell(nb: nbformat.NotebookNode, cell: str) -> bool:
    """Put the setup cell first among an executed notebook's code cells (no output: inside the course it only
    imports), renumbering those after it. Returns whether anything changed."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and _is_setup(code[0]):
        if code[0].source == cell:
            return False
        code[0].source = cell
        return True
    new = nbformat.v4.new_code_cell(cell, execution_count=1)
    new["id"] = "setup-course"
    for c in code:
        c.execution_count = (c.execution_count or 0) + 1
    nb.cells.insert(nb.cells.index(code[0]) if code else len(nb.cells), new)
    return True


def write_setup_cells(sources: list[Path], pyproject: Path = REPO / "pyproject.toml") -> list[Path]:
    """Write the setup cell into each lesson source and its executed ``.ipynb``; returns the files changed (the
    caller regenerates the student copies)."""
    cell = setup_cell_source(pyproject)
    changed = []
    for src in sources:
        text = src.read_text(encoding="utf-8")
        new = _source_with_cell(text, cell)
        if new != text:
            src.write_text(new, encoding="utf-8")
            changed.append(src)
        target = executed_path(src)
        nb = nbformat.read(target, as_version=4)
        if _executed_with_cell(nb, cell):
            nbformat.write(nb, target)
            changed.append(target)
    return changed
