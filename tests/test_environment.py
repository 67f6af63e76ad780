"""The install files agree: requirements.txt (exact pins), environment.yml (conda wrapper), pyproject.toml (ranges),
README (the two commands) and .ci/run (calls the README's test command)."""

import re
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)", line)
        assert m, f"not an exact pin: {line!r}"
        pins[m.group(1).lower()] = m.group(2)
    return pins


def requirements():
    return _pins((REPO / "requirements.txt").read_text().splitlines())


def conda_pip_section():
    text = (REPO / "environment.yml").read_text()
    block = text.split("- pip:", 1)[1]
    return _pins([ln for ln in block.splitlines() if ln.strip().startswith("- ")])


def test_environment_yml_pins_equal_requirements():
    assert conda_pip_section() == requirements()


def test_environment_yml_python_fits_pyproject():
    text = (REPO / "environment.yml").read_text()
    version = re.search(r"- python=(\d+)\.(\d+)", text)
    assert version, "environment.yml must pin python=X.Y"
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    lo = re.search(r">=(\d+)\.(\d+)", spec).groups()
    hi = re.search(r"<(\d+)\.(\d+)", spec).groups()
    v = tuple(map(int, version.groups()))
    assert tuple(map(int, lo)) <= v < tuple(map(int, hi))


def test_required_stack_is_pinned():
    pins = requirements()
    for name in ["torch", "torchvision", "torchaudio", "jupyterlab", "ipykernel", "matplotlib", "nbval", "pytest",
                 "pytest-xdist", "jupytext", "tqdm", "soundfile"]:
        assert name in pins, f"{name} missing from requirements.txt"
    assert (pins["torch"], pins["torchvision"], pins["torchaudio"]) == ("2.11.0", "0.26.0", "2.11.0")


def test_pyproject_declares_ranges_covering_every_runtime_pin():
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    by_name = {r.name.lower(): r for r in declared}
    pins = requirements()
    for r in declared:
        assert r.name.lower() in pins, f"{r.name} is declared in pyproject.toml but not pinned"
        assert r.specifier.contains(pins[r.name.lower()], prereleases=True), f"{r.name} pin outside its range"
    for name in pins:
        assert name in by_name, f"{name} is pinned but pyproject.toml does not declare it"


def test_installed_versions_match_pins():
    from importlib.metadata import version

    for name, pin in requirements().items():
        assert version(name).split("+")[0] == pin, f"{name}: installed {version(name)}, pinned {pin}"


def _readme_commands():
    text = (REPO / "README.md").read_text()
    return re.findall(r"^\s*(make \w+)\s*$", text, flags=re.M)


def test_readme_names_two_commands_and_ci_calls_the_test_one():
    cmds = _readme_commands()
    assert "make lab" in cmds and "make test" in cmds
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M), ".ci/run must call the README's test command"


@pytest.mark.skipif(sys.platform != "linux", reason="Makefile targets are checked on Linux")
def test_makefile_has_readme_targets():
    makefile = (REPO / "Makefile").read_text()
    for cmd in _readme_commands():
        target = cmd.split()[1]
        assert re.search(rf"^{target}:", makefile, flags=re.M), f"Makefile has no target {target}"
