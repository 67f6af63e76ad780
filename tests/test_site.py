"""The course website (`make site`): it builds with warnings fatal, has a page per README lesson with its lecture
section, loads nothing from the network, and works in a real browser (headless Chromium, Debian's package): every
page answers 200 with no console error and no failed or remote request, figures and sounds load, lesson 11's
player shows other frames as its sound plays, and every internal link resolves.

The site is built once per test session (both xdist workers share it, under a lock) into pytest's temporary folder.
The browser test skips only when no Chromium is installed (`.ci/run` installs it)."""

from __future__ import annotations

import functools
import html.parser
import http.server
import importlib.util
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("site_build", REPO / "site" / "build.py")
site_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site_build)

# Sphinx and its extensions warn about their own coming API changes while building; not this course's concern.
pytestmark = pytest.mark.filterwarnings("ignore::sphinx.deprecation.RemovedInSphinx11Warning")

SCREENSHOTS = REPO / "build" / "site-screenshots"
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host (not data:, blob:, #, paths)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)
# in scripts: src= and href= of anything but a plain link (MathJax's About box links to its home page)
JS_ATTR = re.compile(r"""(?:\bsrc|(?<!<a )\bhref)\s*=\s*\\?["']((?:https?:)?//[^"'\\]+)""", re.I)
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required", "--mute-audio"]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The built site (built once for all workers; its build time is in ``build-seconds.json``)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this session's folder, shared by its xdist workers
    out = root / "site"
    with FileLock(str(root / "site.lock")):
        if not (out / "index.html").is_file():
            seconds = site_build.build(out, src=root / "site-src")
            (root / "build-seconds.json").write_text(json.dumps({"seconds": seconds}))
    return out


def _pages(site: Path) -> list[Path]:
    """The site's pages (not the theme's template fragments that Sphinx copies into _static/)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static")


class _Refs(html.parser.HTMLParser):
    """Every URL an HTML page loads by itself: ``src``/``srcset``/``poster``/``data`` of any tag, ``href`` of
    ``<link>`` (and of anything but ``<a>``), CSS ``url()``/``@import`` in ``<style>`` and ``style=``; and the
    ``<a href>`` links, kept apart (a link to a paper loads nothing until clicked)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads, self.links, self._style = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "poster", "data"):
            if attrs.get(name):
                self.loads.append(attrs[name])
        if attrs.get("srcset"):
            self.loads += [part.split()[0] for part in attrs["srcset"].split(",") if part.strip()]
        if attrs.get("href"):
            (self.links if tag == "a" else self.loads).append(attrs["href"])
        if attrs.get("style"):
            self.loads += _css_refs(attrs["style"])
        self._style = tag == "style"

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if self._style:
            self.loads += _css_refs(data)


def _css_refs(css: str) -> list[str]:
    return CSS_URL.findall(css) + CSS_IMPORT.findall(css)


def _remote_loads(site: Path) -> list[str]:
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            parser = _Refs()
            parser.feed(text)
            refs = parser.loads
        elif path.suffix == ".css":
            refs = _css_refs(text)
        else:  # scripts that write tags or styles with a remote address
            refs = JS_ATTR.findall(text) + [u for u in _css_refs(text) if REMOTE.match(u)]
        found += [f"{path.relative_to(site)}: {ref}" for ref in refs if REMOTE.match(ref)]
    return found


def test_site_has_the_readme_lessons_with_their_lecture_sections(site):
    from mmutils.setup_cell import colab_url

    _, sections = site_build.readme_sections((REPO / "README.md").read_text(encoding="utf-8"))
    rows = site_build.lesson_rows(sections["Lessons"])
    assert len(rows) == len(list((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))), "a lesson is not in the table"
    home = (site / "index.html").read_text(encoding="utf-8")
    for row in rows:
        page = site / f"{row['stem']}.html"
        assert page.is_file(), f"no page for lesson {row['number']}"
        assert f'href="{row["stem"]}.html"' in home, f"the home page's table does not link lesson {row['number']}"
        text = _text(page)
        assert "Lecture section:" in text, f"lesson {row['number']}'s page does not name its lecture section"
        if row["section"] not in ("–", "-"):
            assert row["section"] in text
        assert f'href="{colab_url(row["stem"])}"' in page.read_text(encoding="utf-8"), "no Colab link"
    assert "<audio" in (site / "07_audio_as_data.html").read_text(encoding="utf-8")
    assert "talking-video" in (site / "11_lip_movements.html").read_text(encoding="utf-8")
    homework = _text(site / "homework.html")
    assert "Doing the homework" in homework and "make grade NB=" in homework
    from mmutils.checks import REGISTRY

    missing = [e for e in REGISTRY if e not in homework]
    assert not missing, f"the homework page does not list exercises {missing}"
    api = (site / "api" / "mmutils.viz.html").read_text(encoding="utf-8")
    assert 'id="mmutils.viz.talking_video_html"' in api, "the API reference lacks mmutils.viz.talking_video_html"


def _text(page: Path) -> str:
    """A page's text, tags removed (code blocks are split into highlighted spans)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_site_loads_nothing_from_the_network(site):
    remote = _remote_loads(site)
    assert not remote, f"{len(remote)} remote loads, e.g. {remote[:5]}"


def test_the_remote_scan_finds_remote_loads(tmp_path):
    (tmp_path / "a.html").write_text('<link rel="stylesheet" href="https://cdn.example.org/x.css">'
                                     '<a href="https://arxiv.org/abs/1">a paper</a><img src="data:image/png;base64,AA">'
                                     '<style>@import "//fonts.example.org/f.css";</style>')
    (tmp_path / "b.css").write_text("body { background: url('https://example.org/bg.png') }")
    (tmp_path / "c.js").write_text('el.innerHTML = "<script src=\\"https://cdn.example.org/m.js\\">";'
                                   "about = '<a href=\"https://www.example.org\">home</a>';")
    found = _remote_loads(tmp_path)
    assert len(found) == 4 and not any("arxiv" in f for f in found), found


# --------------------------------------------------------------------------------------------------- the browser

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _local_target(site: Path, page: Path, href: str, origin: str) -> tuple[Path, str] | None:
    """An ``<a href>`` (absolute, as the browser resolved it) -> (file, fragment) when it points into the site."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = unquote(parts.path).lstrip("/")
    target = site / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment)


@pytest.mark.skipif(CHROMIUM is None or importlib.util.find_spec("playwright") is None,
                    reason="no Chromium on this machine (apt-get install chromium; .ci/run does) or no playwright")
def test_site_in_a_real_browser(site, server, tmp_path):
    from playwright.sync_api import sync_playwright

    pages = _pages(site)
    problems: list[str] = []
    remote: list[str] = []
    ids: dict[Path, set[str]] = {}
    links: dict[str, tuple[Path, str]] = {}
    counts = {"pages": 0, "images": 0, "audio": 0, "math pages": 0}
    start = time.perf_counter()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def route(r):
        url = r.request.url
        if url.startswith(server + "/"):
            r.continue_()
        else:  # nothing may leave the machine: record it and refuse it
            remote.append(url)
            r.abort()

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900})
        context.route("**/*", route)
        page = context.pages[0] if context.pages else context.new_page()
        current = {"url": ""}
        page.on("console", lambda m: m.type == "error" and problems.append(f"{current['url']}: console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"{current['url']}: script error: {e}"))
        page.on("requestfailed", lambda r: not r.url.startswith("data:") and r.url not in remote
                and problems.append(f"{current['url']}: request failed: {r.url[:120]} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{current['url']}: {r.status} {r.url}"))

        for path in pages:
            rel = path.relative_to(site).as_posix()
            current["url"] = rel
            response = page.goto(f"{server}/{rel}", wait_until="load")
            counts["pages"] += 1
            if response is None or response.status != 200:
                problems.append(f"{rel}: answered {response and response.status}")
                continue
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.currentSrc.slice(0, 80), e.complete, e.naturalWidth, e.naturalHeight])")
            counts["images"] += len(images)
            problems += [f"{rel}: image not shown: {src}" for src, done, w, h in images if not (done and w and h)]
            n_audio = page.eval_on_selector_all("audio", "els => els.length")
            if n_audio:
                try:
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('audio')].every(a => a.readyState >= 1 || a.error)",
                        timeout=15_000)
                except Exception:  # noqa: BLE001  (reported below, element by element)
                    pass
                states = page.eval_on_selector_all("audio", "els => els.map(a => [a.readyState, a.duration, "
                                                   "a.error && a.error.code])")
                counts["audio"] += len(states)
                problems += [f"{rel}: audio {i} did not load: {s}" for i, s in enumerate(states)
                             if not (s[0] >= 1 and s[1] > 0) or s[2]]
            if page.locator("script[src*='mathjax/']").count():  # math typeset by the site's own MathJax
                counts["math pages"] += 1
                try:
                    page.wait_for_selector("mjx-container", timeout=15_000)
                except Exception:  # noqa: BLE001
                    problems.append(f"{rel}: MathJax typeset nothing")
                if page.locator("mjx-merror").count():
                    problems.append(f"{rel}: MathJax could not typeset {page.locator('mjx-merror').count()} formulas")
            ids[path] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
            for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
                target = _local_target(site, path, href, server)
                if target:
                    links.setdefault(href, target + (rel,))
            if rel == "index.html":
                page.screenshot(path=str(SCREENSHOTS / "home.png"))
            if rel == "11_lip_movements.html":
                page.screenshot(path=str(SCREENSHOTS / "lesson11.png"))
                problems += _check_talking_video(page, SCREENSHOTS / "lesson11-player.png")
        context.close()

    for href, (target, fragment, source) in sorted(links.items()):
        if not target.is_file():
            problems.append(f"{source}: link to a missing page: {href}")
        elif fragment and target in ids and fragment not in ids[target]:
            problems.append(f"{source}: link to a missing anchor: {href}")
    seconds = time.perf_counter() - start
    print(f"browser: {counts['pages']} pages, {counts['images']} images, {counts['audio']} audio elements, "
          f"{counts['math pages']} pages with math, {len(links)} internal links, {seconds:.0f} s")
    assert counts["pages"] == len(pages) and counts["pages"] >= 16
    assert counts["audio"] > 0 and counts["images"] > 0 and counts["math pages"] > 0
    problems += [f"asked for a remote resource (refused): {url}" for url in remote]
    assert not problems, f"{len(problems)} problems, e.g.\n" + "\n".join(problems[:20])


def _check_talking_video(page, screenshot: Path) -> list[str]:
    """Lesson 11's player: its sound plays and the frames follow it (the image shown changes)."""
    player = page.locator(".talking-video").first
    if player.count() == 0:
        return ["11_lip_movements.html: no talking-video player"]
    player.scroll_into_view_if_needed()
    before = player.evaluate("el => [...el.querySelectorAll('img.frame')].map(i => i.src).join()")
    played = player.evaluate("""async el => {
        const a = el.querySelector('audio');
        await a.play();
        await new Promise(r => setTimeout(r, 700));
        return [a.currentTime, a.duration, a.paused, el.querySelector('.readout').textContent];
    }""")
    after = player.evaluate("el => [...el.querySelectorAll('img.frame')].map(i => i.src).join()")
    page.screenshot(path=str(screenshot))
    player.evaluate("el => el.querySelector('audio').pause()")
    problems = []
    current, duration, _, readout = played
    if not (duration > 0 and current > 0):
        problems.append(f"11_lip_movements.html: the player's sound did not play: {played}")
    if before == after or readout.startswith("frame 1 /"):
        problems.append(f"11_lip_movements.html: the player's frames did not change as it played ({readout!r})")
    return problems
