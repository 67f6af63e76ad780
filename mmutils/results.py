"""The ``results`` cell: print one headline metric per line as ``name: value`` and assert each against its bar.

Every learning bar is stated against a control (chance, a shuffled-pairs or single-modality baseline), so a model
that learned nothing fails. Example::

    report_results({
        "accuracy": (acc, ">=", 0.9),
        "accuracy - chance": (acc - chance, ">=", 0.5),
        "chance": chance,                       # reported, no bar
    })

When the environment variable ``MMUTILS_RESULTS_FILE`` is set (the benchmark and the robustness report set it) the
metrics, their bars, the bars missed, torch's thread count and the seed shift are also appended to that file as a
JSON line.
"""

from __future__ import annotations

import json
import math
import numbers
import operator
import os

__all__ = ["report_results", "BarNotMet"]

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


class BarNotMet(AssertionError):
    """A headline metric missed its bar."""


def _number(value, name: str) -> float:
    if hasattr(value, "item"):  # 0-d tensors and numpy scalars
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"report_results: metric {name!r} must be a real number; got {type(value).__name__}.")
    return float(value)


def report_results(metrics: dict) -> dict[str, float]:
    """Print ``name: value`` per metric, then assert each bar; return the metrics as floats.

    ``metrics`` maps a name to a value (reported only) or to ``(value, op, bar)`` with ``op`` one of ``>=``, ``<=``,
    ``>``, ``<``. All lines are printed before any bar is checked, so a miss still shows every number.

    Raises:
        ValueError: a malformed entry.
        BarNotMet: one or more bars missed; the message lists each.
    """
    if not isinstance(metrics, dict) or not metrics:
        raise ValueError("report_results: `metrics` must be a non-empty dict of name -> value or (value, op, bar).")
    values, bars = {}, []
    for name, spec in metrics.items():
        if not isinstance(name, str) or ":" in name:
            raise ValueError(f"report_results: metric names must be strings without ':'; got {name!r}.")
        if isinstance(spec, tuple):
            if len(spec) != 3 or spec[1] not in _OPS:
                raise ValueError(
                    f"report_results: metric {name!r} must be a value or (value, op, bar) with op in {list(_OPS)};"
                    f" got {spec!r}."
                )
            value, op, bar = _number(spec[0], name), spec[1], _number(spec[2], name)
            bars.append((name, value, op, bar))
        else:
            value = _number(spec, name)
        if math.isnan(value):
            raise BarNotMet(f"metric {name!r} is NaN")
        values[name] = value
    for name, value in values.items():
        print(f"{name}: {value:.4g}")
    missed = [f"{n} = {v:.4g} is not {op} {b:.4g}" for n, v, op, b in bars if not _OPS[op](v, b)]
    print(f"checks passed: {len(bars) - len(missed)}/{len(bars)}")
    path = os.environ.get("MMUTILS_RESULTS_FILE")
    if path:
        import torch

        from .core import seed_shift

        record = {"metrics": values, "bars": {n: [op, b] for n, _, op, b in bars}, "missed": missed,
                  "torch_threads": torch.get_num_threads(), "seed_shift": seed_shift()}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
    if missed:
        raise BarNotMet("checks failed: " + "; ".join(missed))
    return values
