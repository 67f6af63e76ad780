"""The robustness report: does every lesson's asserted bar hold on a student's machine, for other seeds and threads?

Each lesson is executed from a fresh kernel over a matrix of runs -- by default training seeds shifted by 0, 1, 2
(``MMUTILS_SEED``, see ``mmutils.core``) at 2 torch threads, and the unshifted seed at 1 and at 4 threads -- and every
bar its ``results`` cell asserts is summarised over the runs: min / median / max, how many runs pass, and the worst
run's margin (how far it is from failing; negative when it fails). A benchmark, not a test: it takes about an hour on
two cores, so run it in the background::

    python -m mmutils.robustness                      # every lesson, default matrix -> reports/robustness.{md,json}
    python -m mmutils.robustness 03 04 --runs 0@2 1@2  # some lessons, some runs (seed shift @ threads)

``make robustness`` wraps the first line. Each run is a separate process with ``OMP_NUM_THREADS``,
``MKL_NUM_THREADS`` and ``MKL_DYNAMIC=FALSE`` set (without the last, torch caps the count at the number of cores) and
the thread count is read back inside the kernel, so a 4-thread row can never silently repeat a 2-thread one. Runs
are cached under ``build/robustness/`` by code fingerprint: an interrupted report resumes where it stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .lessons import NOTEBOOKS, REPO, execute, lesson_sources, read_source

__all__ = ["DEFAULT_RUNS", "parse_run", "fingerprint", "run_one", "run_matrix", "committed_metrics", "summarise",
           "markdown", "main"]

DEFAULT_RUNS = ["0@2", "1@2", "2@2", "0@1", "0@4"]
CACHE = REPO / "build" / "robustness"
REPORT = REPO / "reports" / "robustness"
CORES = os.cpu_count() or 1


def parse_run(text: str) -> tuple[int, int]:
    """``"1@2"`` -> (seed shift 1, 2 threads)."""
    try:
        seed, threads = (int(x) for x in text.split("@"))
    except ValueError:
        raise SystemExit(f"robustness: a run is SEED@THREADS, e.g. 1@2; got {text!r}") from None
    if seed < 0 or threads < 1:
        raise SystemExit(f"robustness: seed must be >= 0 and threads >= 1; got {text!r}")
    return seed, threads


def fingerprint(src: Path) -> str:
    """A hash of the lesson source, the package and the data manifest: a cached run is reused only when it matches."""
    h = hashlib.sha256(src.read_bytes())
    for p in sorted((REPO / "mmutils").rglob("*.py")):
        h.update(p.read_bytes())
    h.update((REPO / "data" / "MANIFEST.sha256").read_bytes())
    return h.hexdigest()[:16]


def run_one(src: Path, seed: int, threads: int, out: Path) -> dict:
    """Execute one lesson in a fresh kernel with the seed shift and thread count set; write and return its record."""
    env = {"MMUTILS_SEED": str(seed), "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
           "MKL_DYNAMIC": "FALSE", "MPLBACKEND": "agg"}
    nb = read_source(src)
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env["MMUTILS_RESULTS_FILE"] = str(results)
        start = time.perf_counter()
        execute(nb, NOTEBOOKS, env=env, allow_errors=True)
        seconds = time.perf_counter() - start
        lines = results.read_text().splitlines() if results.exists() else []
    errors = [f"{o['ename']}: {o['evalue'][:300]}" for c in nb.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    record = {"lesson": src.stem, "seed": seed, "threads": threads, "fingerprint": fingerprint(src),
              "seconds": round(seconds, 1), "errors": errors}
    if lines:
        record.update(json.loads(lines[-1]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1))
    return record


def _cache_path(src: Path, seed: int, threads: int) -> Path:
    return CACHE / f"{src.stem}__s{seed}_t{threads}.json"


def _cached(src: Path, seed: int, threads: int) -> dict | None:
    path = _cache_path(src, seed, threads)
    if path.exists():
        record = json.loads(path.read_text())
        if record.get("fingerprint") == fingerprint(src):
            return record
    return None


def run_matrix(sources: list[Path], runs: list[tuple[int, int]]) -> list[dict]:
    """Every (lesson, run) not cached, as child processes packed onto the cores (a 1-thread run beside another)."""
    todo = [(src, s, t) for src in sources for s, t in runs if _cached(src, s, t) is None]
    # longest lessons first (by their last measured time) packs the cores better
    todo.sort(key=lambda job: -(job[2] * 1000 + len(job[0].read_text())))
    running: list[tuple[subprocess.Popen, tuple, float]] = []
    total, done = len(todo), 0
    while todo or running:
        used = sum(min(job[2], CORES) for _, job, _ in running)
        launchable = [j for j in todo if used + min(j[2], CORES) <= CORES]
        if launchable and (not running or used < CORES):
            job = launchable[0]
            todo.remove(job)
            src, s, t = job
            cmd = [sys.executable, "-m", "mmutils.robustness", "_one", str(src), str(s), str(t),
                   str(_cache_path(src, s, t))]
            running.append((subprocess.Popen(cmd, cwd=REPO), job, time.perf_counter()))
            print(f"[robustness] start {src.stem} seed {s} threads {t}", flush=True)
            continue
        time.sleep(1.0)
        for proc, job, started in list(running):
            if proc.poll() is not None:
                running.remove((proc, job, started))
                done += 1
                src, s, t = job
                print(f"[robustness] done {done}/{total}: {src.stem} seed {s} threads {t} "
                      f"({time.perf_counter() - started:.0f} s, exit {proc.returncode})", flush=True)
    return [r for src in sources for s, t in runs if (r := _cached(src, s, t)) is not None]


def _margin(value: float, op: str, bar: float) -> float:
    return value - bar if op in (">=", ">") else bar - value


def _passes(value: float, op: str, bar: float) -> bool:
    return {">=": value >= bar, ">": value > bar, "<=": value <= bar, "<": value < bar}[op]


def committed_metrics(stem: str) -> dict[str, str]:
    """The ``name: value`` lines printed by the committed notebook's results cell."""
    import nbformat

    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        if "results" in cell.metadata.get("tags", []):
            for o in cell.get("outputs", []):
                for line in o.get("text", "").splitlines():
                    name, sep, value = line.rpartition(": ")
                    try:
                        float(value)
                    except ValueError:
                        continue  # a line such as "best loss: InfoNCE" is not a metric
                    if sep:
                        out[name] = value
    return out


def summarise(records: list[dict]) -> dict:
    """Per lesson and bar: the runs' values, min / median / max, passes N of M and the worst margin."""
    lessons: dict[str, dict] = {}
    for r in records:
        lesson = lessons.setdefault(r["lesson"], {"runs": [], "bars": {}})
        threads_ok = r.get("torch_threads") == r["threads"]
        lesson["runs"].append({"seed": r["seed"], "threads": r["threads"], "kernel threads": r.get("torch_threads"),
                               "threads as asked": threads_ok, "seconds": r["seconds"], "errors": r["errors"],
                               "missed": r.get("missed", []), "metrics": r.get("metrics", {})})
        for name, (op, bar) in r.get("bars", {}).items():
            b = lesson["bars"].setdefault(name, {"op": op, "bar": bar, "values": {}})
            b["values"][f"{r['seed']}@{r['threads']}"] = r["metrics"][name]
    for stem, lesson in lessons.items():
        n_runs = len(lesson["runs"])
        for name, b in lesson["bars"].items():
            vals = list(b["values"].values())
            margins = {k: _margin(v, b["op"], b["bar"]) for k, v in b["values"].items()}
            worst = min(margins, key=margins.get)
            b.update(min=min(vals), median=statistics.median(vals), max=max(vals),
                     passes=sum(_passes(v, b["op"], b["bar"]) for v in vals), of=n_runs,
                     worst_run=worst, worst_margin=margins[worst])
        committed = committed_metrics(stem)
        base = next((r for r in lesson["runs"] if r["seed"] == 0 and r["threads"] == 2), None)
        if base is not None and committed:
            shown = {k: f"{v:.4g}" for k, v in base["metrics"].items()}
            differ = {k: [v, shown.get(k)] for k, v in committed.items() if shown.get(k) != v}
            lesson["seed 0 at 2 threads reproduces the committed outputs"] = not differ
            lesson["differs from the committed outputs (committed, this run)"] = differ
    return lessons


def markdown(summary: dict, meta: dict) -> str:
    runs = ", ".join(f"seed shift {r.split('@')[0]} at {r.split('@')[1]} thread(s)" for r in meta["runs"])
    lines = [
        "# Robustness report", "",
        f"Every lesson executed from a fresh kernel ({runs}) on {meta['machine']}, at the commit its row names "
        f"(this report was last written at `{meta['commit']}`; lessons not rerun then keep their earlier rows). "
        "A seed shift moves every training seed (`MMUTILS_SEED`: initialisation, batch order, augmentation, noise, "
        "sampling, the shuffling of controls); the data and test sets stay fixed. Margin: how far the worst run is "
        "from failing the bar (negative: it fails). Generated by `make robustness`; do not edit by hand.", "",
    ]
    total = sum(len(les["bars"]) for les in summary.values())
    steady = sum(1 for les in summary.values() for b in les["bars"].values() if b["passes"] == b["of"])
    runs_total = sum(b["of"] for les in summary.values() for b in les["bars"].values())
    runs_pass = sum(b["passes"] for les in summary.values() for b in les["bars"].values())
    lines += [f"**{steady} of {total} asserted bars hold in every run; {runs_pass} of {runs_total} bar × run checks "
              f"pass.**", "",
              "| lesson | commit | runs | bars holding in every run | bar × run checks passed | wall s (min–max) | "
              "seed 0 at 2 threads = committed |", "|---|---|---:|---:|---:|---:|---|"]
    for stem, les in summary.items():
        bars = les["bars"].values()
        secs = [r["seconds"] for r in les["runs"]]
        same = les.get("seed 0 at 2 threads reproduces the committed outputs")
        holding = sum(b['passes'] == b['of'] for b in bars)
        checks = f"{sum(b['passes'] for b in bars)}/{sum(b['of'] for b in bars)}"
        commit = les.get('commit', meta['commit'])
        lines.append(f"| {stem} | `{commit}` | {len(les['runs'])} | {holding}/{len(les['bars'])}"
                     f" | {checks} | {min(secs):.0f}–{max(secs):.0f}"
                     f" | {'yes' if same else 'no' if same is not None else '–'} |")
    for stem, les in summary.items():
        lines += ["", f"## {stem}", ""]
        for name, (was, now) in les.get("differs from the committed outputs (committed, this run)", {}).items():
            lines.append(f"- seed 0 at 2 threads prints {name} {now}, the committed notebook {was}")
        bad_threads = [r for r in les["runs"] if not r["threads as asked"]]
        for r in bad_threads:
            lines.append(f"- run seed {r['seed']} at {r['threads']} threads: the kernel ran "
                         f"{r['kernel threads']} threads")
        for r in les["runs"]:
            for e in r["errors"]:
                lines.append(f"- run seed {r['seed']} at {r['threads']} threads raised {e.splitlines()[0][:200]}")
        keys = [f"{r['seed']}@{r['threads']}" for r in les["runs"]]
        lines += ["| bar | " + " | ".join(f"s{k.split('@')[0]} t{k.split('@')[1]}" for k in keys)
                  + " | min | median | max | passes | worst margin |",
                  "|---|" + "---:|" * (len(keys) + 5)]
        for name, b in les["bars"].items():
            vals = " | ".join(f"{b['values'][k]:.4g}" if k in b["values"] else "–" for k in keys)
            flag = "" if b["passes"] == b["of"] else " ✗"
            lines.append(f"| {name} {b['op']} {b['bar']:.4g} | {vals} | {b['min']:.4g} | {b['median']:.4g} | "
                         f"{b['max']:.4g} | {b['passes']}/{b['of']}{flag} | {b['worst_margin']:+.4g} "
                         f"(s{b['worst_run'].split('@')[0]} t{b['worst_run'].split('@')[1]}) |")
    return "\n".join(lines) + "\n"


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "mmutils", "notebooks", "data"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        return sha + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_one":  # a child process: one lesson, one run
        src, seed, threads, out = Path(argv[1]), int(argv[2]), int(argv[3]), Path(argv[4])
        run_one(src, seed, threads, out)
        return 0
    parser = argparse.ArgumentParser(prog="python -m mmutils.robustness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 03 04 (default: all)")
    parser.add_argument("--runs", nargs="+", default=DEFAULT_RUNS, help="SEED@THREADS runs (default: %(default)s)")
    parser.add_argument("--out", default=str(REPORT), help="report path without suffix (default: reports/robustness)")
    args = parser.parse_args(argv)
    runs = [parse_run(r) for r in args.runs]
    sources = lesson_sources(args.lessons or None)
    start = time.perf_counter()
    records = run_matrix(sources, runs)
    summary = summarise(records)
    meta = {"commit": _commit(), "runs": args.runs, "machine": f"{CORES} CPU cores, {sys.platform}",
            "seconds": round(time.perf_counter() - start)}
    for les in summary.values():
        les["commit"] = meta["commit"]
    out = Path(args.out)
    if args.lessons and out.with_suffix(".json").exists():  # some lessons rerun: keep the others' rows
        earlier = json.loads(out.with_suffix(".json").read_text())
        for stem, les in earlier.get("lessons", {}).items():
            if stem not in summary:
                les.setdefault("commit", earlier.get("meta", {}).get("commit", "unknown"))
                summary[stem] = les
        summary = dict(sorted(summary.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "lessons": summary}, indent=1))
    out.with_suffix(".md").write_text(markdown(summary, meta))
    print(markdown(summary, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
