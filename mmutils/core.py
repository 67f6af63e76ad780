"""Seeding, device choice, the environment report and ``show_source`` (how notebooks show a building block).

The seed knob: the environment variable ``MMUTILS_SEED`` (a non-negative integer, default 0) shifts every training seed
a lesson sets -- ``seed_everything(k)`` and ``rng(k)`` both use ``k + 1000 * MMUTILS_SEED`` -- while the data (world
scenes, splits, speakers, utterances, test sets) keeps its fixed seeds. Unset or 0, every lesson reproduces its
committed outputs; ``make robustness`` runs the lessons at several values to show that their results are not luck.
"""

from __future__ import annotations

import functools
import inspect
import os
import platform
import random

import numpy as np
import torch

__all__ = ["seed_everything", "rng", "seed_shift", "random_device", "get_device", "environment_report", "show_source",
           "one_thread"]

SEED_VARIABLE = "MMUTILS_SEED"
SEED_STRIDE = 1000  # shifted seeds k + 1000 s stay apart from the unshifted ones a lesson uses (k < 1000)


def seed_shift() -> int:
    """The value of ``MMUTILS_SEED`` (0 when unset): how far training seeds are shifted."""
    raw = os.environ.get(SEED_VARIABLE, "").strip()
    if not raw:
        return 0
    if not raw.isdigit():
        raise ValueError(f"{SEED_VARIABLE} must be a non-negative integer (e.g. 1); got {raw!r}.")
    return int(raw)


def _shifted(seed: int, who: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"{who}: `seed` must be a non-negative int; got {seed!r}.")
    return seed + SEED_STRIDE * seed_shift()


def one_thread(fn):
    """Decorator: run ``fn`` with torch on one CPU thread (and restore the thread count after).

    For the course world's synthesis, many small operations on one clip at a time: split over threads, each op's
    start-up costs more than it saves (a 16,000-sample ``torch.sin`` is ~2x slower on two threads, and far slower on a
    busy machine). The results are the same bits: these element-wise ops and short sums do not depend on the thread
    count (tests/test_world.py checks the world's sounds, speech and images against the same functions run on two
    threads)."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        threads = torch.get_num_threads()
        if threads == 1:
            return fn(*args, **kwargs)
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    return wrapped


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and CUDA) and return a fresh ``torch.Generator`` seeded the same.

    Same seed and same thread count give the same numbers on the CPU; pass the returned generator to DataLoaders and
    samplers so data order is reproducible too. The seed used is ``seed + 1000 * MMUTILS_SEED`` (see the module).
    """
    seed = _shifted(seed, "seed_everything")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def rng(seed: int) -> torch.Generator:
    """A CPU ``torch.Generator`` for training randomness (batch order, augmentation, noise, sampling, a control's
    shuffling), seeded with ``seed + 1000 * MMUTILS_SEED``. Data that defines a lesson uses plain fixed seeds."""
    return torch.Generator().manual_seed(_shifted(seed, "rng"))


def random_device(generator: torch.Generator | None, device: torch.device) -> torch.device:
    """Where to draw random numbers: on ``generator``'s own device when one is given (a CPU generator draws on the
    CPU, and the result is then moved), else on ``device``. Keeps a seeded run identical on every device."""
    return generator.device if generator is not None else device


def get_device(prefer: str | None = None) -> torch.device:
    """``cuda`` when a GPU is present, else ``cpu``.

    ``prefer`` (or the environment variable ``MMUTILS_DEVICE``) forces a device, e.g. ``"cpu"`` on a GPU machine.
    """
    choice = prefer or os.environ.get("MMUTILS_DEVICE")
    if choice:
        if choice.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"get_device: {choice!r} asked for, but torch sees no CUDA device.")
        return torch.device(choice)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def environment_report() -> dict[str, str]:
    """Versions, threads and device: what lesson 00 prints and what a bug report should include."""
    import matplotlib
    import torchaudio
    import torchvision

    device = get_device()
    report = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "torchaudio": torchaudio.__version__,
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "cpu cores": str(os.cpu_count()),
        "torch threads": str(torch.get_num_threads()),
        "device": str(device),
    }
    if device.type == "cuda":
        report["gpu"] = torch.cuda.get_device_name(device)
    return report


def show_source(obj) -> None:
    """Display the source code of an ``mmutils`` function or class in the notebook, as highlighted code."""
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise ValueError(f"show_source: expected a function, method or class; got {type(obj).__name__}.")
    code = inspect.getsource(obj)
    try:
        from IPython.display import Markdown, display

        display(Markdown(f"```python\n{code}```"))
    except ImportError:  # plain Python: print it
        print(code)
