"""Checks for lesson 07 (audio as data): framing, a hand-written STFT, spectral convergence."""

from __future__ import annotations

import torch

from ..stft import frame_signal, spectral_convergence
from ._core import ExerciseFailed, register

_CASES = [(16000, 512, 128), (8001, 400, 160), (1000, 64, 16)]


def _signal(n: int, seed: int) -> torch.Tensor:
    return torch.randn(n, generator=torch.Generator().manual_seed(seed))


def _compare(got, want, what: str, tol: float) -> None:
    if not isinstance(got, torch.Tensor):
        raise ExerciseFailed(f"{what}: expected a tensor, got {type(got).__name__}")
    if tuple(got.shape) != tuple(want.shape):
        raise ExerciseFailed(f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}")
    err = (got - want).abs().max().item() / max(want.abs().max().item(), 1e-12)
    if err > tol:
        raise ExerciseFailed(f"{what}: differs from the expected values by {err:.2e} (relative)")


@register("07.1", title="my_frames",
          hint="pad n_fft // 2 samples on both sides by reflection (F.pad(x[None, None], (p, p), mode='reflect')), "
               "then take windows of n_fft samples every hop samples: x.unfold(0, n_fft, hop).",
          nudge="The frames are centred: extend both ends by half a window with a mirror image of the signal (not "
                "zeros, and without repeating the edge sample). Each frame starts hop samples after the previous one.")
def _check_frames(fn):
    for i, (length, n_fft, hop) in enumerate(_CASES):
        x = _signal(length, i)
        _compare(fn(x.clone(), n_fft, hop), frame_signal(x, n_fft, hop),
                 f"signal of {length}, n_fft {n_fft}, hop {hop}", 1e-6)


@register("07.2", title="my_stft",
          hint="frames (n_frames, n_fft) times the window, then torch.fft.rfft along the frame axis, then transpose "
               "to (n_fft // 2 + 1, n_frames).",
          nudge="Window each frame before the transform, and transform each frame along its samples: a real signal "
                "needs only the non-negative frequencies. Keep the complex values; the reference puts frequency "
                "first, time second.")
def _check_stft(fn):
    for i, (length, n_fft, hop) in enumerate(_CASES):
        x, window = _signal(length, 10 + i), torch.hann_window(n_fft)
        want = torch.stft(x, n_fft, hop, window=window, center=True, pad_mode="reflect", return_complex=True)
        got = fn(x.clone(), n_fft, hop, window.clone())
        if isinstance(got, torch.Tensor) and not got.is_complex():
            raise ExerciseFailed("the STFT is complex: keep the phase (torch.fft.rfft returns complex numbers)")
        _compare(got, want, f"STFT (n_fft {n_fft}, hop {hop}) against torch.stft", 1e-5)


@register("07.3", title="my_spectral_convergence",
          hint="the Frobenius norm of the difference of the magnitudes, divided by the Frobenius norm of the target "
               "(torch.linalg.norm), returned as a float.",
          nudge="Both norms are taken over the whole spectrogram at once (every frequency and frame), and the "
                "denominator is the target's, not the estimate's.")
def _check_sc(fn):
    g = torch.Generator().manual_seed(3)
    for shape in [(257, 20), (33, 5)]:
        target, estimate = torch.rand(shape, generator=g), torch.rand(shape, generator=g)
        got, want = fn(target.clone(), estimate.clone()), spectral_convergence(target, estimate)
        if not isinstance(got, float):
            raise ExerciseFailed(f"expected a Python float, got {type(got).__name__}")
        if abs(got - want) > 1e-5:
            raise ExerciseFailed(f"expected {want:.5f}, got {got:.5f}")
        if fn(target, target) > 1e-6:
            raise ExerciseFailed("a spectrogram compared with itself must give 0")
