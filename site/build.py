"""Build the course website: ``python site/build.py [OUTDIR]`` (``make site``; default ``build/site``).

The pages are generated at build time into ``build/site-src/`` (never committed), so they cannot drift from what
they are made of:

* ``index.md``     the README's introduction, its "Two commands" and its lesson table (an overview table, then each
                   lesson's row as a block), each lesson linked to its page
* ``NN_*.ipynb``   the committed, executed lessons, outputs as committed (never re-executed), each with a box after
                   its opening cell naming the lecture section it follows (the README table's column) and quoting the
                   lesson's row of the course outline (``COURSE.md``'s lesson map, when it is beside the checkout)
* ``homework.md``  the README's sections on doing the homework and on grading, and the table of every exercise
                   the grader knows (from the course's registry of checks)
* ``api/``         the ``mmutils`` API reference, one page per module, from the docstrings (autodoc)

then Sphinx (``site/conf.py``) renders them with warnings fatal. Nothing is downloaded: see conf.py.
"""

from __future__ import annotations

import os
import pkgutil
import re
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "site"
NOTEBOOKS = REPO / "notebooks"
# The English course outline (its lesson map quotes each lesson's lecture section). It lives in the course's shared
# folder beside the checkout, not in the repository; COURSE_MD=path points elsewhere. Without it the lesson pages
# name the lecture section from the README table only.
COURSE_MD = Path(os.environ.get("COURSE_MD", REPO.parent / "shared" / "COURSE.md"))


class SiteError(Exception):
    """What stops the build: a README part or page the site is made of is missing, or Sphinx warned."""


HOME_SECTIONS = ["Two commands", "Lessons"]
HOMEWORK_SECTIONS = ["Doing the homework", "Grading (instructors)"]
FURTHER_SECTIONS = ["Taking it further"]  # the appendix page: the blocks on real datasets
# Modules left out of the API reference: the per-lesson exercise checks (their API is mmutils.checks').
API_SKIP = re.compile(r"^mmutils\.checks\.(_core|lesson\d\d)$")


def readme_sections(text: str) -> tuple[str, dict[str, str]]:
    """README -> (title and introduction, {"## heading": body})."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    intro, sections = parts[0], {}
    for heading, body in zip(parts[1::2], parts[2::2]):
        sections[heading.strip()] = body.strip("\n")
    return intro.strip("\n"), sections


def lesson_rows(lessons_section: str) -> list[dict]:
    """The README's lesson table -> one dict per lesson: number, lecture section, notebook stem, the row's cells."""
    rows = []
    for line in lessons_section.splitlines():
        if not re.match(r"^\| \d\d \|", line):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        m = re.fullmatch(r"\[([^\]]+)\]\(notebooks/([^)]+)\.ipynb\)", cells[2])
        if not m:
            raise SiteError(f"site: the README's lesson row {cells[0]} has no notebooks/NN_name.ipynb link: {cells[2]}")
        rows.append({"number": cells[0], "section": cells[1], "stem": m.group(2), "cells": cells})
    if not rows:
        raise SiteError("site: found no lesson rows in the README's ## Lessons table")
    return rows


def lesson_title(stem: str) -> str:
    """A lesson's title: the first heading of its notebook ("00 · Start here")."""
    import nbformat

    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    for cell in nb.cells:
        m = re.search(r"^# (.+)$", cell.source, flags=re.M) if cell.cell_type == "markdown" else None
        if m:
            return m.group(1).strip()
    raise SiteError(f"site: notebooks/{stem}.ipynb has no '# title' heading")


def lessons_page_part(lessons_section: str, rows: list[dict]) -> str:
    """The README's lesson table, laid out for a page: an overview table (number, lecture section, lesson) and one
    block per lesson with the table's other columns under the table's own column headings (the README's six columns
    of paragraphs side by side do not fit a page). The text around the table is kept."""
    lines = lessons_section.splitlines()
    header = next(ln for ln in lines if re.match(r"^\| # \|", ln))
    labels = [c.strip() for c in re.split(r"(?<!\\)\|", header.strip())[1:-1]]
    table = [i for i, ln in enumerate(lines) if ln.startswith("|")]
    before, after = "\n".join(lines[:table[0]]).strip(), "\n".join(lines[table[-1] + 1:]).strip()
    out = [before, ""] if before else []
    out += [f"| # | {labels[1]} | lesson |", "|---|---|---|"]
    titles = {r["stem"]: lesson_title(r["stem"]) for r in rows}
    for r in rows:
        title = titles[r["stem"]].split("·", 1)[-1].strip()
        out.append(f"| {r['number']} | {r['section']} | [{title}]({r['stem']}.ipynb) |")
    out += ["", after, ""] if after else [""]
    for r in rows:
        out += [f"### {titles[r['stem']]}", ""]
        for label, cell in zip(labels, r["cells"]):
            if label in ("#", "notebook"):
                continue
            out += [f"**{label[0].upper() + label[1:]}**: {cell}", ""]
        out += [f"[Open the lesson]({r['stem']}.ipynb)", ""]
    return "\n".join(out)


def exercise_table(rows: list[dict]) -> list[str]:
    """Every exercise the grader knows (the course's registry, not the notebooks): lesson, id, title, points."""
    from mmutils.checks import exercises_for_lesson

    out = ["## The exercises", "", "What `make grade` scores, lesson by lesson (from the course's registry of checks, "
           "`mmutils/checks/`).", "", "| lesson | exercise | what you write | points |", "|---|---|---|---|"]
    total = 0
    for r in rows:
        for e in exercises_for_lesson(r["number"]):
            title = e.title.replace("|", "\\|")
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", title):  # a function's name
                title = f"`{title}`"
            out.append(f"| [{r['number']}]({r['stem']}.ipynb) | {e.id} | {title} | {e.points} |")
            total += e.points
    if total == 0:
        raise SiteError("site: the course's exercise registry is empty")
    return out + ["", f"{total} points in all.", ""]


def link_lessons(markdown: str) -> str:
    """README links to notebooks/NN.ipynb -> the lesson pages. A link to another file of the repository (not part of
    the site) becomes its text and the file's path, so it cannot break."""
    markdown = re.sub(r"\]\(notebooks/(\d\d_[A-Za-z0-9_]+\.ipynb)\)", r"](\1)", markdown)

    def keep_or_unlink(m: re.Match) -> str:
        text, target = m.group(1), m.group(2)
        if re.match(r"^(https?://|mailto:|#|\d\d_[A-Za-z0-9_]+\.ipynb$)", target):
            return m.group(0)
        return text if text.strip("`") == target else f"{text} (`{target}` in the repository)"

    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", keep_or_unlink, markdown)


def course_outline(path: Path) -> dict[str, dict[str, str]]:
    """COURSE.md's lesson map -> {"NN": {column heading: cell}}; {} when the file is absent."""
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^## 1\. Lesson map\n(.*?)(?=^## )", text, flags=re.M | re.S)
    if not m:
        raise SiteError(f"site: {path} has no '## 1. Lesson map' section")
    lines = [ln for ln in m.group(1).splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip().strip("|").split("|")]
    outline = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        number = cells[0][:2]
        if number.isdigit():
            outline[number] = dict(zip(header, cells))
    return outline


def lecture_box(row: dict, outline: dict[str, dict[str, str]]) -> str:
    """The markdown cell added after a lesson's title: its lecture section, its row of the course outline, and a
    link that opens the lesson in Colab (``mmutils.setup_cell``)."""
    from mmutils.setup_cell import colab_url

    lines = [f"```{{admonition}} Lecture section: {row['section']}", ":class: tip", ""]
    if row["section"] in ("–", "-", ""):
        lines[0] = "```{admonition} Lecture section: none (the course's start)"
    entry = outline.get(row["number"])
    if entry:
        lines.append("From the course outline (`COURSE.md`, its lesson map):")
        lines.append("")
        for heading, cell in entry.items():
            if heading != "notebook" and cell not in ("", "–", "-"):
                lines.append(f"- **{heading}**: {cell}")
    else:
        lines.append("The lecture note's section this lesson follows, as the course's lesson table names it.")
    lines += ["", f"Run it yourself: [open this lesson in Colab]({colab_url(row['stem'])}) (its first code cell "
              "installs the course there), or clone the course and run `make lab`.", "```"]
    return "\n".join(lines)


def lesson_notebook(row: dict, outline: dict, dest: Path) -> None:
    import nbformat

    src = NOTEBOOKS / f"{row['stem']}.ipynb"
    if not src.is_file():
        raise SiteError(f"site: the README's lesson table links to {src.relative_to(REPO)}, which does not exist")
    nb = nbformat.read(src, as_version=4)
    box = nbformat.v4.new_markdown_cell(lecture_box(row, outline))
    box.metadata["tags"] = ["site-lecture-section"]
    box.pop("id", None)
    title = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown")
    nb.cells.insert(title + 1, box)
    for i, cell in enumerate(nb.cells):  # ids unique and stable (the box has none of its own)
        cell["id"] = f"cell-{i}"
    nbformat.write(nb, dest / src.name)


def modules() -> list[str]:
    import mmutils

    names = ["mmutils"]
    for info in pkgutil.walk_packages(mmutils.__path__, "mmutils."):
        if not API_SKIP.match(info.name):
            names.append(info.name)
    return sorted(names)


def api_pages(dest: Path) -> None:
    import importlib

    api = dest / "api"
    api.mkdir()
    names = modules()
    for name in names:
        module = importlib.import_module(name)
        is_package = hasattr(module, "__path__")
        title = f"``{name}``"
        body = [title, "=" * len(title), "", f".. automodule:: {name}"]
        # A package's page shows its docstring and its modules; its re-exports are documented where they live
        # (documenting them twice would be a duplicate-object warning). mmutils.checks is the exception: its
        # API lives in a private module that is not documented on its own.
        if not is_package or name == "mmutils.checks":
            body += ["   :members:", "   :show-inheritance:"]
        children = [n for n in names if n != name and n.rsplit(".", 1)[0] == name]
        if children:
            body += ["", ".. toctree::", "   :maxdepth: 1", ""] + [f"   {n}" for n in children]
        (api / f"{name}.rst").write_text("\n".join(body) + "\n", encoding="utf-8")
    (api / "index.rst").write_text(
        "API reference\n=============\n\nThe course package ``mmutils``, from its docstrings. Every lesson imports "
        "its building blocks from here.\n\n.. toctree::\n   :maxdepth: 2\n\n   mmutils\n", encoding="utf-8")


def generate(src: Path) -> list[dict]:
    """Write every page of the site into ``src`` (emptied first)."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    intro, sections = readme_sections(readme)
    for heading in HOME_SECTIONS + HOMEWORK_SECTIONS + FURTHER_SECTIONS:
        if heading not in sections:
            raise SiteError(f"site: README.md has no '## {heading}' section")
    rows = lesson_rows(sections["Lessons"])
    outline = course_outline(COURSE_MD)
    if not outline:
        print(f"site: {COURSE_MD} not found: lesson pages name the README's lecture section only", file=sys.stderr)

    home = [link_lessons(intro)]
    for heading in HOME_SECTIONS:
        body = sections[heading]
        if heading == "Lessons":
            body = lessons_page_part(body, rows)
        home += ["", f"## {heading}", "", link_lessons(body)]
    home += ["", "```{toctree}", ":hidden:", ":caption: Lessons", ""] + [r["stem"] for r in rows] + ["```", "",
             "```{toctree}", ":hidden:", ":caption: Course", "", "homework", "further", "api/index", "```", ""]
    (src / "index.md").write_text("\n".join(home), encoding="utf-8")

    homework = ["# Homework and grading", ""]
    for heading in HOMEWORK_SECTIONS:
        homework += [f"## {heading}", "", link_lessons(sections[heading]), ""]
    homework += exercise_table(rows)
    (src / "homework.md").write_text("\n".join(homework), encoding="utf-8")
    further = ["# Taking it further: real datasets, GPUs, torchrun", ""]
    for heading in FURTHER_SECTIONS:
        further += [link_lessons(sections[heading]), ""]
    (src / "further.md").write_text("\n".join(further), encoding="utf-8")

    for row in rows:
        lesson_notebook(row, outline, src)
    api_pages(src)
    return rows


def build(out: Path, src: Path | None = None) -> float:
    """Generate the pages and run Sphinx into ``out`` (warnings are errors). Returns the seconds it took."""
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    src = src or out.parent / f"{out.name}-src"
    if (out / ".buildinfo").is_file():  # an earlier build: start afresh, so no page of a removed lesson lingers
        shutil.rmtree(out)
    generate(src)
    args = ["-b", "html", "-W", "--keep-going", "-q", "-c", str(SITE), "-d", str(src / ".doctrees"),
            str(src), str(out)]
    if build_main(args) != 0:
        raise SiteError("site: the Sphinx build failed (warnings are errors; see above)")
    return time.perf_counter() - start


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "build" / "site"
    try:
        seconds = build(out.resolve())
    except SiteError as e:
        sys.exit(str(e))
    print(f"site: built {out} in {seconds:.0f} s")
