"""The short-time Fourier transform, written out for teaching (lesson 07): framing, window, FFT, and back again by
overlap-add. Conventions follow ``torch.stft`` / ``torch.istft`` with ``center=True`` and reflect padding, so the
results can be compared number for number (tests/test_stft.py)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .validate import check_positive, check_tensor

__all__ = ["frame_signal", "stft", "istft", "spectral_convergence"]


def _window(window: torch.Tensor | None, n_fft: int, where: str, like: torch.Tensor) -> torch.Tensor:
    if window is None:
        return torch.ones(n_fft, device=like.device)
    w = check_tensor(window, where, "window", shape=(n_fft,), dtype="float")
    return w


def frame_signal(signal: torch.Tensor, n_fft: int, hop_length: int, center: bool = True) -> torch.Tensor:
    """Cut ``signal`` ``(T,)`` into overlapping frames ``(n_frames, n_fft)``, one every ``hop_length`` samples.

    With ``center`` the signal is first padded by ``n_fft // 2`` on both sides by reflection, so frame t is centred
    on sample ``t * hop_length``; then ``n_frames = 1 + T // hop_length``.
    """
    x = check_tensor(signal, "frame_signal", "signal", shape=("T",), dtype="float")
    check_positive(n_fft, "frame_signal", "n_fft", integer=True)
    check_positive(hop_length, "frame_signal", "hop_length", integer=True)
    if center:
        if len(x) <= n_fft // 2:
            raise ValueError(f"frame_signal: reflect padding needs a signal longer than n_fft // 2 = {n_fft // 2} "
                             f"samples; got {len(x)}.")
        x = F.pad(x[None, None], (n_fft // 2, n_fft // 2), mode="reflect")[0, 0]  # (T + 2 * (n_fft // 2),)
    if len(x) < n_fft:
        raise ValueError(f"frame_signal: the signal ({len(x)} samples) is shorter than one frame ({n_fft}).")
    return x.unfold(0, n_fft, hop_length)  # (n_frames, n_fft)


def stft(signal: torch.Tensor, n_fft: int, hop_length: int, window: torch.Tensor | None = None) -> torch.Tensor:
    """Complex STFT ``(n_fft // 2 + 1, n_frames)`` of ``signal`` ``(T,)``: frame, multiply by ``window``
    ``(n_fft,)`` (rectangular when None), real FFT of each frame. Matches ``torch.stft(..., center=True,
    pad_mode='reflect', onesided=True, return_complex=True)``."""
    frames = frame_signal(signal, n_fft, hop_length)  # (n_frames, n_fft)
    w = _window(window, n_fft, "stft", frames).to(frames)
    return torch.fft.rfft(frames * w, dim=1).T  # (n_fft // 2 + 1, n_frames)


def istft(spec: torch.Tensor, n_fft: int, hop_length: int, window: torch.Tensor | None = None,
          length: int | None = None) -> torch.Tensor:
    """Inverse of ``stft`` by weighted overlap-add: each frame's inverse FFT times the window, summed at its place,
    divided by the summed squared window. Exact wherever that sum is non-zero (e.g. Hann with hop <= n_fft / 2).
    ``spec`` ``(n_fft // 2 + 1, n_frames)`` complex -> ``(length,)`` (default ``hop_length * (n_frames - 1)``)."""
    s = check_tensor(spec, "istft", "spec", shape=(n_fft // 2 + 1, "frames"))
    if not s.is_complex():
        raise ValueError(f"istft: `spec` must be complex (an STFT); got {s.dtype}.")
    check_positive(hop_length, "istft", "hop_length", integer=True)
    w = _window(window, n_fft, "istft", s).to(s.real.dtype)
    n_frames = s.shape[1]
    frames = torch.fft.irfft(s.T, n=n_fft, dim=1) * w  # (n_frames, n_fft)
    total = n_fft + hop_length * (n_frames - 1)
    fold = dict(output_size=(1, total), kernel_size=(1, n_fft), stride=(1, hop_length))
    summed = F.fold(frames.T[None], **fold).reshape(total)  # overlap-add of the frames
    norm = F.fold((w ** 2)[:, None].expand(n_fft, n_frames)[None], **fold).reshape(total)
    length = hop_length * (n_frames - 1) if length is None else length
    start = n_fft // 2
    out = summed[start:start + length]
    norm = norm[start:start + length]
    if (norm < 1e-11).any():
        raise ValueError("istft: the window's overlap-add is zero somewhere (window/hop do not cover the signal).")
    return out / norm


def spectral_convergence(target: torch.Tensor, estimate: torch.Tensor) -> float:
    """``||S - S_hat||_F / ||S||_F`` between two magnitude spectrograms of the same shape (0 is perfect)."""
    t = check_tensor(target, "spectral_convergence", "target", shape=("F", "T"), dtype="float")
    e = check_tensor(estimate, "spectral_convergence", "estimate", shape=tuple(t.shape), dtype="float")
    return (torch.linalg.norm(t - e) / torch.linalg.norm(t)).item()
