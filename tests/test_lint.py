"""The code is lint-clean: ruff with the settings in pyproject.toml (pycodestyle E/W at line length 120, pyflakes F)
over the package, the tests, the site builder, the scripts and the lesson sources."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHECKED = ["mmutils", "tests", "site", "scripts", "notebooks"]


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    if shutil.which("ruff"):
        return [shutil.which("ruff")]
    pytest.fail("ruff is not installed: it is pinned in requirements.txt (`make setup` installs it).")


def test_ruff_is_clean():
    result = subprocess.run([*_ruff(), "check", "--no-cache", "--output-format", "concise", *CHECKED],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, "ruff found problems:\n" + result.stdout + result.stderr


def test_ruff_finds_a_planted_problem(tmp_path):
    """The check can fail: the same settings flag an unused import and an over-long line."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = '" + "a" * 130 + "'\n")
    result = subprocess.run([*_ruff(), "check", "--no-cache", "--output-format", "concise",
                             "--config", str(REPO / "pyproject.toml"), str(bad)],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1
    assert "F401" in result.stdout and "E501" in result.stdout
