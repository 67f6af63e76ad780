"""A lesson runs outside the checkout: every lesson starts with the setup cell generated from the one configured
address, and a lesson copied alone into an empty folder, run by a fresh virtual environment without ``mmutils``,
fetches the course (a local clone stands in for the public repository) and runs to its results cell."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from mmutils import lessons
from mmutils import setup_cell

REPO = Path(__file__).resolve().parents[1]


def test_the_address_is_configured_once_and_makes_colab_links(tmp_path):
    url, branch = setup_cell.repository()
    assert url.startswith("https://github.com/") and branch == "main"
    assert url in setup_cell.setup_cell_source()
    owner_name = url.removeprefix("https://github.com/").removesuffix(".git")
    assert setup_cell.colab_url("03_joint_embedding") == (
        f"https://colab.research.google.com/github/{owner_name}/blob/main/notebooks/03_joint_embedding.ipynb")
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[project]\nname = "x"\n')
    with pytest.raises(ValueError, match=r"\[project.urls\] Repository"):
        setup_cell.repository(bad)


@pytest.mark.parametrize("src", lessons.lesson_sources(), ids=lambda p: p.stem[:2])
def test_every_lesson_starts_with_the_setup_cell(src):
    want = setup_cell.setup_cell_source()
    copies = [lessons.read_source(src), nbformat.read(lessons.executed_path(src), as_version=4)]
    student = lessons.EXERCISES / f"{src.stem}.ipynb"
    if student.exists():
        copies.append(nbformat.read(student, as_version=4))
    for nb in copies:
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].source == want, f"{src.stem}: run `python -m mmutils.course setup-cells`"
        assert not code[0].get("outputs"), f"{src.stem}: inside the course the setup cell prints nothing"


def test_writing_the_cell_twice_changes_nothing_and_renumbers_once():
    text = "# ---\n# header\n# ---\n\n# %% [markdown]\n# # Title\n\n# %%\nx = 1\n\n# %%\ny = 2\n"
    once = setup_cell._source_with_cell(text, "# Outside the course's folder\npass")
    assert once.count("# Outside the course's folder") == 1 and once.index("pass") < once.index("x = 1")
    assert setup_cell._source_with_cell(once, "# Outside the course's folder\npass") == once
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                         nbformat.v4.new_code_cell("x = 1", execution_count=1),
                                         nbformat.v4.new_code_cell("y = 2", execution_count=2)])
    assert setup_cell._executed_with_cell(nb, "# Outside the course's folder\npass")
    assert [c.execution_count for c in nb.cells[1:]] == [1, 2, 3] and setup_cell._is_setup(nb.cells[1])
    assert not setup_cell._executed_with_cell(nb, "# Outside the course's folder\npass")


def test_a_lesson_copied_out_of_the_checkout_installs_the_course_and_runs(tmp_path, monkeypatch):
    """Lesson 00 alone in an empty folder; a fresh venv that sees the pinned stack (through a path entry to the
    course environment's site-packages, whose own ``.pth`` files, the editable ``mmutils`` among them, are not
    processed) but not ``mmutils``; pip with no index, so nothing is downloaded; the repository address pointed at a
    local clone of this checkout's committed ``main``."""
    from nbclient import NotebookClient

    if subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", "main"], capture_output=True).returncode:
        pytest.skip("no local branch 'main' to clone")
    clone = tmp_path / "repository"
    subprocess.run(["git", "clone", "--quiet", "--branch", "main", str(REPO), str(clone)], check=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "course-stack.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    probe = subprocess.run([str(python), "-c", "import mmutils"], capture_output=True, cwd=tmp_path)
    assert probe.returncode != 0, "the fresh environment must not see mmutils"

    kernels = tmp_path / "jupyter" / "kernels" / "outside"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "outside the checkout", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MMCOURSE_REPOSITORY", str(clone))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    monkeypatch.setenv("MPLBACKEND", "agg")

    folder = tmp_path / "alone"
    folder.mkdir()
    lesson = shutil.copy(REPO / "notebooks" / "00_start_here.ipynb", folder)
    nb = nbformat.read(lesson, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import mmutils; print('mmutils from', mmutils.__file__)"))
    NotebookClient(nb, timeout=600, kernel_name="outside", resources={"metadata": {"path": str(folder)}}).execute()

    where = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert str(folder / "mmcourse" / "mmutils") in where, where
    results = next(c for c in nb.cells if "results" in c.metadata.get("tags", []))
    text = "".join(o.get("text", "") for o in results.outputs)
    assert "checks passed" in text and "BarNotMet" not in text, text
    met, total = text.rsplit("checks passed: ", 1)[1].split()[0].split("/")
    assert met == total, text
    assert os.path.isfile(folder / "mmcourse" / "data" / "MANIFEST.sha256")
