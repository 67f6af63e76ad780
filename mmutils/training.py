"""A small training loop: ``fit`` with a progress bar, a loss/metric ``History`` and its plot, and two batch sources.

The loop stays out of the way of multi-modal batches: you pass ``loss_fn(model, batch) -> scalar loss``, so a batch
can be ``(image, text)``, ``(audio, image, label)`` or anything else, and the model's call lives in your code.

* ``ShuffledBatches``: epochs — every row once per pass, in a new random order (as a shuffling DataLoader);
* ``RandomBatches``: steps — ``steps`` batches of rows drawn at random with replacement, the loop most lessons train
  their small models with (``fit(model, RandomBatches(..., steps=1200), loss_fn, epochs=1)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Callable, Iterable

import torch
from tqdm import tqdm

from .core import random_device
from .validate import check_positive

__all__ = ["History", "ShuffledBatches", "RandomBatches", "fit", "plot_history"]


class History(dict):
    """``{name: [value per epoch]}`` with ``'loss'`` (mean training loss) and one list per metric; ``steps`` holds
    the loss of every training step (a learning curve finer than the epochs)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps: list[float] = []

    def last(self, name: str) -> float:
        if name not in self or not self[name]:
            raise ValueError(f"History.last: no values recorded for {name!r}; have {sorted(self)}.")
        return self[name][-1]

    def plot(self, title: str | None = None):
        return plot_history(self, title=title)


def _check_rows(tensors: tuple, batch_size: int, who: str) -> None:
    """Tensors with one row per example, as many rows each (> 0), and a positive batch size."""
    if not tensors or not all(isinstance(t, torch.Tensor) for t in tensors):
        raise ValueError(f"{who}: give one or more tensors, each with one row per example.")
    sizes = [len(t) for t in tensors]
    if len(set(sizes)) != 1 or sizes[0] == 0:
        raise ValueError(f"{who}: every tensor needs the same number of rows (> 0); got {sizes}.")
    check_positive(batch_size, who, "batch_size", integer=True)


class ShuffledBatches:
    """Mini-batches of the rows of equal-length tensors, in a new random order on every pass.

    The same batches, in the same order, as ``DataLoader(TensorDataset(*tensors), batch_size, shuffle=True,
    generator=generator)``, made by indexing every tensor with a slice of one permutation instead of collating rows
    one by one (many times faster for small rows). Each pass draws from ``generator`` (a CPU ``torch.Generator``; the
    global one when ``None``) exactly what the DataLoader draws, so a loop moved from one to the other trains the same
    model. Iterating it once is one epoch; ``len()`` is the number of batches.
    """

    def __init__(self, *tensors: torch.Tensor, batch_size: int, generator: torch.Generator | None = None):
        _check_rows(tensors, batch_size, "ShuffledBatches")
        self.tensors, self.batch_size, self.generator = tensors, batch_size, generator

    def __len__(self) -> int:
        return -(-len(self.tensors[0]) // self.batch_size)

    def _order(self) -> torch.Tensor:
        """One pass's permutation ``(n,)`` on the CPU, with the DataLoader's draws: a worker seed (unused here), the
        permutation, and a second permutation that its sampler draws when it runs out."""
        n = len(self.tensors[0])
        torch.empty((), dtype=torch.int64, device="cpu").random_(generator=self.generator)
        sampler = self.generator
        if sampler is None:  # the DataLoader's sampler then seeds a generator of its own from the global one
            seed = int(torch.empty((), dtype=torch.int64, device="cpu").random_().item())
            sampler = torch.Generator().manual_seed(seed)
        order = torch.randperm(n, generator=sampler, device="cpu")
        torch.randperm(n, generator=sampler, device="cpu")
        return order

    def __iter__(self):
        order = self._order()  # (n,)
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            yield tuple(t[rows.to(t.device)] for t in self.tensors)


class RandomBatches:
    """``steps`` mini-batches of rows drawn at random, with replacement: each step draws
    ``torch.randint(n, (batch_size,), generator=generator)`` and yields every tensor's rows at those indices (one
    tensor: its rows; several: a tuple). A step's indices are drawn when its batch is taken, so whatever a ``loss_fn``
    draws from the same generator interleaves with them exactly as in the loop written out::

        for step in range(steps):
            idx = torch.randint(n, (batch_size,), generator=generator)
            ...

    Iterating it once gives ``steps`` batches (one "epoch" of ``fit``); ``len()`` is ``steps``.
    """

    def __init__(self, *tensors: torch.Tensor, batch_size: int, steps: int, generator: torch.Generator | None = None):
        _check_rows(tensors, batch_size, "RandomBatches")
        check_positive(steps, "RandomBatches", "steps", integer=True)
        self.tensors, self.batch_size, self.steps, self.generator = tensors, batch_size, steps, generator

    def __len__(self) -> int:
        return self.steps

    def __iter__(self):
        n = len(self.tensors[0])
        for _ in range(self.steps):
            idx = torch.randint(n, (self.batch_size,), generator=self.generator,  # (batch_size,)
                                device=random_device(self.generator, torch.device("cpu")))
            rows = tuple(t[idx.to(t.device)] for t in self.tensors)
            yield rows[0] if len(rows) == 1 else rows


def _to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    return batch


def fit(
    model: torch.nn.Module,
    batches: Iterable,
    loss_fn: Callable[[torch.nn.Module, object], torch.Tensor],
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer | None = None,
    lr: float = 1e-3,
    metrics: dict[str, Callable[[torch.nn.Module], float]] | None = None,
    scheduler=None,
    after_backward: Callable[[torch.nn.Module], None] | None = None,
    device: torch.device | str | None = None,
    desc: str = "train",
    progress: bool = True,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``batches`` and return the ``History`` (per epoch, and every
    step's loss in ``history.steps``). The progress bar counts steps when ``batches`` has a length.

    Args:
        batches: an iterable of batches (a DataLoader, ``ShuffledBatches``, ``RandomBatches``, or a list); tensors
            inside are moved to ``device``.
        loss_fn: ``loss_fn(model, batch) -> loss`` (0-d tensor).
        optimizer: defaults to Adam over ``model.parameters()`` with learning rate ``lr``.
        metrics: ``{name: fn(model) -> float}``, called after every epoch with the model in eval mode under
            ``torch.no_grad()``; their values join the history.
        scheduler: stepped once per batch when given.
        after_backward: ``fn(model)`` called between ``backward`` and the optimizer step (to modulate gradients).
        device: where the batches go; defaults to the model's device.
    """
    check_positive(epochs, "fit", "epochs", integer=True)
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"fit: `model` must be a torch.nn.Module; got {type(model).__name__}.")
    if device is None:
        first = next(model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    history = History(loss=[])
    for name in metrics or {}:
        history[name] = []
    if epochs > 1 and isinstance(batches, Iterator):  # checked without calling iter(), which may draw numbers
        raise ValueError("fit: `batches` is a one-shot iterator (a generator): it would be empty after the first "
                         "epoch. Pass a re-iterable source (a list, a DataLoader, ShuffledBatches, RandomBatches).")
    try:
        per_epoch = len(batches)  # the bar counts steps
    except TypeError:  # no length (an iterator, a DataLoader over an IterableDataset): the bar counts epochs
        per_epoch = None
    bar = tqdm(total=epochs * per_epoch if per_epoch else epochs, desc=desc, disable=not progress, ncols=90,
               mininterval=0.5, unit="step" if per_epoch else "epoch")
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for batch in batches:
            loss = loss_fn(model, _to_device(batch, device))
            if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
                raise ValueError("fit: `loss_fn` must return a 0-d tensor (a scalar loss).")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if after_backward is not None:
                after_backward(model)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            value = loss.item()
            history.steps.append(value)
            total, count = total + value, count + 1
            if per_epoch:
                bar.update()
        if count == 0:
            raise ValueError("fit: `batches` yielded no batch.")
        history["loss"].append(total / count)
        if metrics:
            model.eval()
            with torch.no_grad():
                for name, fn in metrics.items():
                    history[name].append(float(fn(model)))
        if not per_epoch:
            bar.update()
        bar.set_postfix({k: f"{v[-1]:.3f}" for k, v in history.items()}, refresh=False)
    bar.close()
    model.eval()
    return history


def plot_history(history: dict, title: str | None = None):
    """Plot the loss (left) and every other recorded metric (right) per epoch; returns the figure."""
    import matplotlib.pyplot as plt

    if not isinstance(history, dict) or "loss" not in history:
        raise ValueError("plot_history: `history` must be a dict with a 'loss' list (what `fit` returns).")
    others = [k for k in history if k != "loss"]
    fig, axes = plt.subplots(1, 2 if others else 1, figsize=(9 if others else 4.5, 3), squeeze=False)
    axes = axes[0]
    epochs = range(1, len(history["loss"]) + 1)
    axes[0].plot(epochs, history["loss"], marker="o")
    axes[0].set(xlabel="epoch", ylabel="training loss", title="loss")
    for name in others:
        axes[1].plot(range(1, len(history[name]) + 1), history[name], marker="o", label=name)
    if others:
        axes[1].set(xlabel="epoch", title="metrics")
        axes[1].legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
