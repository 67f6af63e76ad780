"""The short-time Fourier transform, written out for teaching (lesson 07): framing, window, FFT, and back again by
overlap-add, and the mel filterbank. Conventions follow ``torch.stft`` / ``torch.istft`` with ``center=True`` and
reflect padding, so the results can be compared number for number (tests/test_stft.py)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .validate import check_positive, check_tensor

__all__ = ["frame_signal", "stft", "istft", "spectral_convergence", "hz_to_mel", "mel_to_hz", "mel_filterbank"]


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
    if start + length > total:
        raise ValueError(f"istft: the frames cover only {total - start} samples after the centre padding, not "
                         f"length={length} (the last frame ends before the signal does: hop too large for n_fft).")
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


def hz_to_mel(freq):
    """The HTK mel scale (O'Shaughnessy 1987), torchaudio's default: ``2595 * log10(1 + f / 700)``. Works on a float
    or a tensor of frequencies in Hz."""
    if isinstance(freq, torch.Tensor):
        return 2595.0 * torch.log10(1.0 + freq / 700.0)
    return 2595.0 * math.log10(1.0 + freq / 700.0)


def mel_to_hz(mel):
    """Inverse of ``hz_to_mel``: ``700 * (10 ** (m / 2595) - 1)``, on a float or a tensor."""
    if isinstance(mel, torch.Tensor):
        return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(n_freqs: int, sample_rate: int, n_mels: int, f_min: float = 0.0, f_max: float | None = None,
                   device=None) -> torch.Tensor:
    """Triangular mel filters ``(n_freqs, n_mels)`` for the ``n_freqs`` rfft bins from 0 to ``sample_rate / 2``:
    ``n_mels + 2`` points evenly spaced in mel between ``f_min`` and ``f_max`` (default Nyquist); filter m rises
    linearly from point m to 1 at point m + 1 and falls back to 0 at point m + 2 (peak 1, no area normalisation).
    Matches ``torchaudio.functional.melscale_fbanks(..., norm=None, mel_scale="htk")``; a power spectrogram
    ``(n_freqs, T)`` pools into mel bands as ``fb.T @ power``."""
    for name, v in (("n_freqs", n_freqs), ("sample_rate", sample_rate), ("n_mels", n_mels)):
        check_positive(v, "mel_filterbank", name, integer=True)
    f_max = sample_rate / 2 if f_max is None else f_max
    if not 0 <= f_min < f_max:
        raise ValueError(f"mel_filterbank: need 0 <= f_min < f_max; got f_min={f_min}, f_max={f_max}.")
    freqs = torch.linspace(0, sample_rate // 2, n_freqs, device=device)  # (n_freqs,) Hz of each rfft bin
    mels = torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, device=device)  # (n_mels + 2,)
    points = mel_to_hz(mels)  # (n_mels + 2,) Hz: left edge, centre, right edge of each triangle
    left, centre, right = points[:-2], points[1:-1], points[2:]  # each (n_mels,)
    rising = (freqs[:, None] - left) / (centre - left)  # (n_freqs, n_mels)
    falling = (right - freqs[:, None]) / (right - centre)  # (n_freqs, n_mels)
    return torch.minimum(rising, falling).clamp(min=0.0)  # (n_freqs, n_mels)
