"""The training engine of the real-data entry points: one loop for a CPU, one GPU, or ``torchrun --nproc_per_node=N``.

* ``Runtime`` / ``setup``: the process's rank, the number of processes and its device. Under ``torchrun`` (which sets
  ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``) it joins the process group: ``nccl`` on CUDA, ``gloo`` on the CPU.
* ``train_loader``: every process reads its own shard of each epoch's shuffled order (``DistributedSampler``), so the
  processes' batches together are the single-process run's batch of the same global size.
* ``fit_distributed``: the loop. The model is wrapped in ``DistributedDataParallel`` when there are several processes
  (gradients averaged across them after every backward); mixed precision on CUDA (``torch.autocast`` and a gradient
  scaler); a tqdm bar on rank 0 only; a checkpoint of state_dicts written by rank 0 (``--out``), from which a run
  resumes.
* A loss is given as ``(sum, count)`` (e.g. summed token losses and the number of tokens): the engine divides by the
  count over *all* processes, so the gradient is that of the global batch's mean even when processes hold different
  numbers of tokens — and for a loss that is a sum over examples the loss equals the single-process run's. A loss
  that compares examples with each other (InfoNCE) equals it only when the task gathers the processes' embeddings
  (matching does; localisation does not: its negatives are the process's own batch).
* ``gather``: the evaluation's per-process results, collected on every process (``all_gather_object``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from tqdm import tqdm

__all__ = ["Runtime", "setup", "teardown", "train_loader", "eval_indices", "fit_distributed", "gather",
           "save_checkpoint", "load_checkpoint"]


@dataclass
class Runtime:
    """Where this process stands: ``rank`` of ``world`` processes, on ``device``; ``main`` is rank 0."""

    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1


def setup(device: str | None = None) -> Runtime:
    """The runtime of this process; joins the process group when started by ``torchrun`` with several processes.
    ``device``: ``"cpu"``, ``"cuda"`` or None (CUDA when available)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available() if device is None else device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        raise ValueError("setup: `--device cuda` asked for, but torch sees no GPU.")
    where = torch.device("cuda", local) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(where)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=world)
    return Runtime(rank, world, where)


def teardown(rt: Runtime) -> None:
    if rt.distributed and dist.is_initialized():
        dist.destroy_process_group()


def train_loader(dataset: Dataset, batch_size: int, rt: Runtime, seed: int, collate: Callable,
                 workers: int = 0) -> DataLoader:
    """Per-process batches of ``batch_size`` (the global batch is ``batch_size * world``) from this process's shard
    of a seeded shuffle; the last incomplete global batch is dropped, so every process takes the same steps."""
    sampler = DistributedSampler(dataset, num_replicas=rt.world, rank=rt.rank, shuffle=True, seed=seed,
                                 drop_last=True)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, collate_fn=collate, drop_last=True,
                      num_workers=workers, pin_memory=rt.device.type == "cuda")


def eval_indices(n: int, rt: Runtime) -> list[int]:
    """This process's share of an evaluation set of ``n`` items: every ``world``-th one, none repeated."""
    return list(range(rt.rank, n, rt.world))


def gather(part: list, rt: Runtime) -> list:
    """Every process's list of results, concatenated in rank order (on every process)."""
    if not rt.distributed:
        return list(part)
    parts = [None] * rt.world
    dist.all_gather_object(parts, part)
    return [x for p in parts for x in p]


def _all_sum(x: torch.Tensor, rt: Runtime) -> torch.Tensor:
    if rt.distributed:
        x = x.clone()
        dist.all_reduce(x)
    return x


def _plain(model: torch.nn.Module) -> torch.nn.Module:
    return model.module if isinstance(model, DistributedDataParallel) else model


def save_checkpoint(path: Path, model: torch.nn.Module, optimizer, scaler, epoch: int, batch: int, step: int,
                    extra: dict, rt: Runtime) -> None:
    """Rank 0 writes state_dicts only (model, optimiser, gradient scaler), the position in training (``epoch``, the
    ``batch`` of that epoch to continue from, ``step``) and ``extra`` (plain values: the vocabulary, the arguments).
    Written to a temporary file first, then moved over the old one, so a crash never leaves half a checkpoint."""
    if rt.main:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save({"model": _plain(model).state_dict(), "optimizer": optimizer.state_dict(),
                    "scaler": scaler.state_dict(), "epoch": epoch, "batch": batch, "step": step, "extra": extra}, tmp)
        os.replace(tmp, path)
    if rt.distributed:
        dist.barrier()


def load_checkpoint(path: Path, model: torch.nn.Module, optimizer=None, scaler=None) -> dict:
    """Load a checkpoint written by ``save_checkpoint`` (``weights_only=True``: tensors and plain values only)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_checkpoint: no checkpoint at {path}; expected the file `--out` wrote "
                                f"(checkpoint.pt).")
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("model", "optimizer", "scaler", "epoch", "batch", "step"):
        if key not in state:
            raise ValueError(f"load_checkpoint: {path} has no {key!r}: it was not written by this engine.")
    _plain(model).load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scaler is not None and scaler.is_enabled() and state["scaler"]:  # a run without mixed precision saved none
        scaler.load_state_dict(state["scaler"])
    return state


def fit_distributed(model: torch.nn.Module, loader: DataLoader, loss_fn: Callable, rt: Runtime, *, epochs: int,
                    lr: float, max_steps: int | None = None, amp: bool = True, out: Path | None = None,
                    resume: bool = False, desc: str = "train", extra: dict | None = None,
                    optimizer_name: str = "adam") -> dict:
    """Train ``model`` (already on ``rt.device``); ``loss_fn(model, batch) -> (loss_sum, count)``.

    Returns ``{"losses": [global mean loss per step of this run], "steps": total steps, "new steps": this run's}``.
    With ``out``, a checkpoint ``out/checkpoint.pt`` is written after every epoch and when ``max_steps`` cuts one;
    ``resume`` continues from it: the model, optimiser and scaler, at the epoch and batch where it stopped (the epoch's
    shuffle is re-drawn from the seed and its first batches are skipped, so a resumed run sees what an uncut run
    would have seen). ``optimizer_name``: ``adam`` or ``sgd``."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr) if optimizer_name == "adam" else torch.optim.SGD(params, lr=lr)
    use_amp = amp and rt.device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    start_epoch, start_batch, step = 0, 0, 0
    ckpt = Path(out) / "checkpoint.pt" if out else None
    if resume:
        if ckpt is None:
            raise ValueError("fit_distributed: `resume` needs `out`, the folder of the checkpoint to continue.")
        state = load_checkpoint(ckpt, model, optimizer, scaler)
        start_epoch, start_batch, step = int(state["epoch"]), int(state["batch"]), int(state["step"])
    first = step
    net = DistributedDataParallel(model, device_ids=[rt.device.index] if rt.device.type == "cuda" else None) \
        if rt.distributed else model
    losses = []
    bar = tqdm(total=(max_steps or epochs * len(loader)), initial=step, desc=desc, disable=not rt.main, ncols=90,
               mininterval=1.0, unit="step")
    for epoch in range(start_epoch, epochs):
        loader.sampler.set_epoch(epoch)
        net.train()
        done = 0  # batches of this epoch behind us
        for batch in loader:
            if epoch == start_epoch and done < start_batch:  # seen before the run was cut
                done += 1
                continue
            if max_steps is not None and step >= max_steps:
                break
            with torch.autocast("cuda", dtype=torch.float16, enabled=use_amp):
                total, count = loss_fn(net, batch)
            count = _all_sum(count.detach().float().reshape(()), rt)  # over every process
            # each process's share of the global mean; DDP averages gradients over processes, hence `* world`
            loss = total.float() * rt.world / count.clamp_min(1)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            losses.append((_all_sum(total.detach().float().reshape(()), rt) / count.clamp_min(1)).item())
            step, done = step + 1, done + 1
            bar.update()
            bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
        finished = done == len(loader)
        if ckpt is not None:  # where a resumed run starts: the next epoch, or the first batch this one did not take
            save_checkpoint(ckpt, model, optimizer, scaler, epoch + 1 if finished else epoch, 0 if finished else done,
                            step, extra or {}, rt)
        if not finished:
            break
    bar.close()
    model.eval()
    return {"losses": losses, "steps": step, "new steps": step - first}
