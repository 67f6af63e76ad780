"""Decoding a sequence from a step function, for translating models (the caption decoders of lesson 04).

A decoder is seen through one function ``step(tokens (N,), state) -> (log_probs (N, V), state)``, where ``state`` is a
tensor or a (nested) tuple of tensors whose first dimension is N. ``greedy_decode`` takes the most probable token at
each step; ``beam_search`` keeps the ``beam`` best partial sequences of every item, all items in one batch.
Finished sequences (after ``eos``) stay finished: they only extend with ``eos`` at no cost. The tokens given to
``step`` are on the device of ``state``'s first tensor.
"""

from __future__ import annotations

from typing import Callable

import torch

from ..validate import check_positive

__all__ = ["greedy_decode", "beam_search"]

Step = Callable[[torch.Tensor, object], tuple[torch.Tensor, object]]


def _select(state, index: torch.Tensor):
    """Rows ``index`` of every tensor in ``state`` (a tensor or nested tuples/lists of tensors)."""
    if isinstance(state, torch.Tensor):
        return state.index_select(0, index.to(state.device))  # states may live on several devices
    if isinstance(state, (tuple, list)):
        return type(state)(_select(s, index) for s in state)
    raise ValueError(f"decoding: state must be a tensor or tuples of tensors; got {type(state).__name__}.")


def _device_of(state) -> torch.device:
    """The device of the first tensor in ``state``."""
    if isinstance(state, torch.Tensor):
        return state.device
    if isinstance(state, (tuple, list)) and state:
        return _device_of(state[0])
    raise ValueError(f"decoding: state must be a tensor or tuples of tensors; got {type(state).__name__}.")


def _finished_log_probs(log_probs: torch.Tensor, finished: torch.Tensor, eos: int) -> torch.Tensor:
    """Rows of finished sequences may only emit ``eos``, at log-probability 0."""
    frozen = torch.full_like(log_probs, -float("inf"))
    frozen[:, eos] = 0.0
    return torch.where(finished[:, None], frozen, log_probs)


def greedy_decode(step: Step, state, batch: int, bos: int, eos: int, max_len: int) -> torch.Tensor:
    """The most probable token at each step. Returns ``(batch, max_len)`` token ids (``eos`` repeated after the end)."""
    check_positive(max_len, "greedy_decode", "max_len", integer=True)
    device = _device_of(state)
    tokens = torch.full((batch,), bos, dtype=torch.long, device=device)
    finished = torch.zeros(batch, dtype=torch.bool, device=device)
    out = []
    for _ in range(max_len):
        log_probs, state = step(tokens, state)  # (batch, V)
        log_probs = _finished_log_probs(log_probs.float(), finished, eos)
        tokens = log_probs.argmax(1)  # (batch,)
        out.append(tokens)
        finished |= tokens == eos
        if finished.all():
            break
    seq = torch.stack(out, 1)  # (batch, t)
    return torch.cat([seq, torch.full((batch, max_len - seq.shape[1]), eos, dtype=torch.long, device=device)], 1)


def beam_search(step: Step, state, batch: int, bos: int, eos: int, max_len: int,
                beam: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """Batched beam search: every item keeps its ``beam`` best partial sequences by summed log-probability.

    ``state`` holds one row per item; it is repeated ``beam`` times. Returns the best sequence of each item
    ``(batch, max_len)`` (``eos`` repeated after the end) and its log-probability ``(batch,)``.
    """
    check_positive(max_len, "beam_search", "max_len", integer=True)
    check_positive(beam, "beam_search", "beam", integer=True)
    device = _device_of(state)
    state = _select(state, torch.arange(batch, device=device).repeat_interleave(beam))  # (batch * beam, ...)
    tokens = torch.full((batch * beam,), bos, dtype=torch.long, device=device)
    scores = torch.full((batch, beam), -float("inf"), device=device)
    scores[:, 0] = 0.0  # all beams start identical: keep one, or the top-k would pick k copies
    finished = torch.zeros(batch * beam, dtype=torch.bool, device=device)
    seqs = torch.zeros(batch, beam, 0, dtype=torch.long, device=device)
    for _ in range(max_len):
        log_probs, state = step(tokens, state)  # (batch * beam, V)
        log_probs = _finished_log_probs(log_probs.float(), finished, eos)
        vocab = log_probs.shape[1]
        total = scores[:, :, None] + log_probs.view(batch, beam, vocab)  # (batch, beam, V)
        scores, flat = total.view(batch, -1).topk(beam, dim=1)  # (batch, beam) each
        origin, tokens = flat // vocab, flat % vocab  # which beam it extends, with which token
        rows = (torch.arange(batch, device=device)[:, None] * beam + origin).reshape(-1)  # (batch * beam,)
        state = _select(state, rows)
        seqs = torch.cat([seqs.view(batch * beam, -1)[rows].view(batch, beam, -1), tokens[:, :, None]], 2)
        tokens = tokens.reshape(-1)
        finished = finished[rows] | (tokens == eos)
        if finished.all():
            break
    best = seqs[:, 0]  # topk sorts: beam 0 is the best
    pad = torch.full((batch, max_len - best.shape[1]), eos, dtype=torch.long, device=device)
    return torch.cat([best, pad], 1), scores[:, 0]

