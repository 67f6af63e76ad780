"""Audio features used across lessons (lesson 07 builds the STFT underneath by hand)."""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F
import torchaudio

from .validate import check_positive, check_tensor

__all__ = ["log_mel", "fit_frames", "read_audio", "write_audio"]


@lru_cache(maxsize=8)
def _mel(sample_rate: int, n_fft: int, hop_length: int, n_mels: int) -> torchaudio.transforms.MelSpectrogram:
    return torchaudio.transforms.MelSpectrogram(sample_rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels)


def log_mel(waveforms: torch.Tensor, sample_rate: int = 16_000, n_fft: int = 512, hop_length: int = 320,
            n_mels: int = 32) -> torch.Tensor:
    """Log-mel spectrograms (natural log of mel power + 1e-6) of waveforms ``(T,)`` or ``(B, T)`` ->
    ``(n_mels, frames)`` or ``(B, n_mels, frames)``, frames = T // hop_length + 1. torchaudio's MelSpectrogram."""
    w = check_tensor(waveforms, "log_mel", "waveforms", shape=[("T",), ("B", "T")], dtype="float")
    for name, v in (("sample_rate", sample_rate), ("n_fft", n_fft), ("hop_length", hop_length), ("n_mels", n_mels)):
        check_positive(v, "log_mel", name, integer=True)
    return torch.log(_mel(sample_rate, n_fft, hop_length, n_mels)(w) + 1e-6)


def fit_frames(spectrograms: torch.Tensor, frames: int, fill: float) -> torch.Tensor:
    """Crop or pad (with ``fill``, e.g. the log of silence) the last axis of ``(..., n_mels, T)`` to ``frames``."""
    check_tensor(spectrograms, "fit_frames", "spectrograms", dtype="float")
    check_positive(frames, "fit_frames", "frames", integer=True)
    t = spectrograms.shape[-1]
    if t >= frames:
        return spectrograms[..., :frames]
    return F.pad(spectrograms, (0, frames - t), value=fill)


def write_audio(path, waveform: torch.Tensor, sample_rate: int) -> None:
    """Write a mono float waveform ``(T,)`` in [-1, 1] to ``path`` (WAV/FLAC by extension) with soundfile."""
    import soundfile as sf

    w = check_tensor(waveform, "write_audio", "waveform", shape=("T",), dtype="float")
    check_positive(sample_rate, "write_audio", "sample_rate", integer=True)
    sf.write(str(path), w.detach().cpu().numpy(), sample_rate)


def read_audio(path) -> tuple[torch.Tensor, int]:
    """Read an audio file with soundfile: mono float32 ``(T,)`` (channels averaged) and its sample rate."""
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32", always_2d=True)  # (T, channels)
    return torch.from_numpy(data.mean(axis=1)), rate
