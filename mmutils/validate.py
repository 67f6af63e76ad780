"""Input checks shared by every public ``mmutils`` function.

Each check raises ``ValueError`` with a message that names the function, the argument, what was expected and what
arrived, so a student sees at once which tensor is wrong::

    image_grid: `images` must be a tensor of shape (N, C, H, W) with C in (1, 3); got shape (3, 32).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import torch

__all__ = ["check_tensor", "check_choice", "check_positive", "as_tensor"]

_FLOAT = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
_INT = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
_DTYPE_GROUPS = {"float": _FLOAT, "int": _INT, "bool": (torch.bool,)}
_GROUP_WORDS = {"float": "a floating-point dtype", "int": "an integer dtype", "bool": "dtype torch.bool"}


def _fmt_shape(spec: Sequence) -> str:
    return "(" + ", ".join(str(s) for s in spec) + ("," if len(spec) == 1 else "") + ")"


def as_tensor(x, where: str, name: str) -> torch.Tensor:
    """Return ``x`` as a tensor (numpy arrays are converted without copying); anything else is a ValueError."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        return torch.from_numpy(x)
    raise ValueError(f"{where}: `{name}` must be a torch.Tensor or numpy array; got {type(x).__name__}.")


def check_tensor(
    x,
    where: str,
    name: str,
    *,
    shape: Sequence | Iterable[Sequence] | None = None,
    dtype: str | torch.dtype | Sequence[torch.dtype] | None = None,
    allowed: dict[str, Iterable[int]] | None = None,
) -> torch.Tensor:
    """Check a tensor's shape and dtype, and return it (numpy arrays are converted to tensors).

    ``shape`` is a tuple of dimension specs, or a list of such tuples when several ranks are accepted. A spec is an int
    (that exact size), a string (a named size: the same name must have the same size everywhere in the tuple) or
    ``None`` (any size). ``allowed`` restricts named sizes, e.g. ``{"C": (1, 3)}``. ``dtype`` is a torch dtype, a
    sequence of them, or one of the groups ``"float"``, ``"int"``, ``"bool"``.

    Raises:
        ValueError: naming ``where`` (the public function), ``name`` (the argument), the expected and the actual.
    """
    t = as_tensor(x, where, name)
    if shape is not None:
        specs = list(shape) if shape and isinstance(next(iter(shape)), (tuple, list)) else [tuple(shape)]
        if not any(_shape_matches(t.shape, s, allowed or {}) for s in specs):
            want = " or ".join(_fmt_shape(s) for s in specs)
            extra = "".join(f" with {k} in {tuple(v)}" for k, v in (allowed or {}).items())
            raise ValueError(
                f"{where}: `{name}` must have shape {want}{extra}; got shape {tuple(t.shape)}."
            )
    if dtype is not None:
        if isinstance(dtype, str):
            if dtype not in _DTYPE_GROUPS:
                raise ValueError(f"check_tensor: unknown dtype group {dtype!r}; use one of {list(_DTYPE_GROUPS)}.")
            ok, want = _DTYPE_GROUPS[dtype], _GROUP_WORDS[dtype]
        elif isinstance(dtype, torch.dtype):
            ok, want = (dtype,), str(dtype)
        else:
            ok, want = tuple(dtype), " or ".join(str(d) for d in dtype)
        if t.dtype not in ok:
            raise ValueError(f"{where}: `{name}` must have {want}; got {t.dtype}.")
    return t


def _shape_matches(actual: torch.Size, spec: Sequence, allowed: dict) -> bool:
    if len(actual) != len(spec):
        return False
    bound: dict[str, int] = {}
    for size, want in zip(actual, spec):
        if want is None:
            continue
        if isinstance(want, int):
            if size != want:
                return False
        else:
            if bound.setdefault(want, size) != size:
                return False
            if want in allowed and size not in tuple(allowed[want]):
                return False
    return True


def check_choice(value, where: str, name: str, choices: Iterable) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{where}: `{name}` must be one of {choices}; got {value!r}.")


def check_positive(value, where: str, name: str, *, integer: bool = False) -> None:
    """Raise ValueError unless ``value`` is a positive number (a positive int when ``integer``)."""
    kind = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        what = "a positive int" if integer else "a positive number"
        raise ValueError(f"{where}: `{name}` must be {what}; got {value!r}.")
