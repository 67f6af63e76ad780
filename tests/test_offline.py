"""No network at run time and nothing remote in any output: a lesson runs with networking cut, and no committed
notebook output (a player's icons, a font, a script) refers to a remote URL."""

import re
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest
import torch
from mmutils import lessons
from mmutils import viz

URL = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[/\w.%?=&#:-]*", re.I)
NOTEBOOKS = sorted(lessons.NOTEBOOKS.glob("*.ipynb")) + sorted(lessons.EXERCISES.glob("*.ipynb"))


def _remote_refs(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            blobs = [out.get("text", "")] + [v for k, v in out.get("data", {}).items() if not k.startswith("image/")]
            for blob in blobs:
                text = blob if isinstance(blob, str) else "".join(blob)
                found += [f"cell {i + 1}: {u}" for u in URL.findall(text)]
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_committed_output_refers_to_a_remote_url(path):
    refs = _remote_refs(nbformat.read(path, as_version=4))
    assert not refs, f"{path.name}: outputs load from the network: {refs[:3]}"


def test_the_scan_finds_a_remote_reference():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": '<link rel="stylesheet" href="https://cdn.example.org/icons.css">'})]
    assert _remote_refs(nb)


def test_animation_player_keeps_its_controls_without_the_network():
    html = viz.animation_html(torch.rand(3, 3, 8, 8), fps=4).data
    assert not URL.findall(html), "the player refers to a remote resource"
    for title in ("Play", "Pause", "Next frame", "Previous frame"):
        assert f'title="{title}"' in html
    assert "\u25b6" in html and "<img" in html  # the play button shows a character; the frames are embedded


def _can_cut_network() -> str | None:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None or shutil.which("ip") is None:
        return "needs Linux with `unshare` and `ip` (util-linux, iproute2)"
    probe = subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot make a network namespace here (needs root or user namespaces): {probe.stderr.strip()[:200]}"
    return None


def test_a_lesson_runs_top_to_bottom_with_the_network_cut(tmp_path):
    reason = _can_cut_network()
    if reason:
        pytest.skip(reason)
    script = tmp_path / "offline_run.py"
    script.write_text(textwrap.dedent("""
        import subprocess, sys
        from mmutils import lessons
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout.split("\\n")
        names = sorted(line.split(":")[1].strip() for line in links if line.strip())
        assert names == ["lo"], f"network not cut: interfaces {names}"
        src = lessons.lesson_sources(["00"])[0]
        nb = lessons.execute(lessons.read_source(src), lessons.NOTEBOOKS, env={"MPLBACKEND": "agg"})
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, errors
        print("lesson", src.stem, "ran offline:", len(nb.cells), "cells")
    """))
    # a new network namespace holds only a loopback device (brought up for the kernel's local sockets)
    run = subprocess.run(["unshare", "-n", "sh", "-c", f'ip link set lo up && "{sys.executable}" "{script}"'],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert "ran offline" in run.stdout
