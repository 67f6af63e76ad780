"""The hand-written STFT against torch.stft / torch.istft on random signals; audio files round-trip with soundfile."""

import pytest
import torch

from mmutils.audio import read_audio, write_audio
from mmutils.stft import frame_signal, hz_to_mel, istft, mel_filterbank, mel_to_hz, spectral_convergence, stft

CASES = [(512, 128, 16000, "hann"), (400, 160, 8001, "hamming"), (64, 16, 1000, "hann"), (256, 64, 3000, "none")]


def _window(kind, n):
    return {"hann": torch.hann_window, "hamming": torch.hamming_window}[kind](n) if kind != "none" else None


@pytest.mark.parametrize("n_fft, hop, length, kind", CASES)
def test_stft_matches_torch(n_fft, hop, length, kind):
    x = torch.randn(length, generator=torch.Generator().manual_seed(length))
    w = _window(kind, n_fft)
    rectangular = torch.ones(n_fft)  # what stft uses for window=None
    ref = torch.stft(x, n_fft, hop, window=rectangular if w is None else w, center=True, pad_mode="reflect",
                     return_complex=True)
    ours = stft(x, n_fft, hop, w)
    assert ours.shape == ref.shape == (n_fft // 2 + 1, 1 + length // hop)
    assert ((ours - ref).abs().max() / ref.abs().max()) < 1e-5


@pytest.mark.parametrize("n_fft, hop, length, kind", [c for c in CASES if c[3] != "none"])
def test_istft_inverts_and_matches_torch(n_fft, hop, length, kind):
    x = torch.randn(length, generator=torch.Generator().manual_seed(length + 1))
    w = _window(kind, n_fft)
    spec = stft(x, n_fft, hop, w)
    back = istft(spec, n_fft, hop, w, length=length)
    assert ((back - x).norm() / x.norm()) < 1e-5
    assert torch.allclose(back, torch.istft(spec, n_fft, hop, window=w, length=length), atol=1e-5)


def test_frames_are_centred_windows():
    x = torch.arange(20.0)
    frames = frame_signal(x, 8, 4)
    assert frames.shape == (1 + 20 // 4, 8)
    assert torch.equal(frames[1], x[0:8]) and torch.equal(frames[0][4:], x[0:4])  # frame 1 starts at 4 - 4 = 0
    assert torch.equal(frames[0][:4], torch.tensor([4.0, 3, 2, 1]))  # reflected padding
    assert torch.equal(frame_signal(x, 8, 4, center=False)[0], x[:8])


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"`signal` must have shape \(T,\)"):
        stft(torch.randn(2, 100), 16, 4)
    with pytest.raises(ValueError, match=r"`window` must have shape \(16,\)"):
        stft(torch.randn(100), 16, 4, torch.hann_window(8))
    with pytest.raises(ValueError, match="longer than n_fft // 2"):
        frame_signal(torch.randn(4), 16, 4)
    with pytest.raises(ValueError, match="must be complex"):
        istft(torch.randn(9, 5), 16, 4)
    with pytest.raises(ValueError, match="overlap-add is zero"):
        istft(stft(torch.randn(200), 16, 16, torch.hann_window(16)), 16, 16, torch.hann_window(16), length=200)
    # 1 + 100 // 15 frames: the last ends at 6 * 15 + 8 < 100
    with pytest.raises(ValueError, match="frames cover only"):
        istft(stft(torch.randn(100), 16, 15, torch.hann_window(16)), 16, 15, torch.hann_window(16), length=100)


def test_spectral_convergence():
    s = torch.rand(10, 5)
    assert spectral_convergence(s, s) == 0
    assert spectral_convergence(s, torch.zeros_like(s)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"`estimate` must have shape \(10, 5\)"):
        spectral_convergence(s, torch.rand(10, 4))


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_audio_files_round_trip_with_soundfile(tmp_path, suffix):
    wave = 0.5 * torch.sin(torch.linspace(0, 400, 8000))
    path = tmp_path / f"tone{suffix}"
    write_audio(path, wave, 8000)
    back, rate = read_audio(path)
    assert rate == 8000 and back.shape == wave.shape
    assert (back - wave).abs().max() < 1e-4  # 16-bit quantisation


@pytest.mark.parametrize("n_freqs, rate, n_mels, f_min, f_max", [(257, 16000, 40, 0.0, None),
                                                                  (201, 8000, 32, 0.0, None),
                                                                  (513, 22050, 80, 50.0, 8000.0)])
def test_mel_filterbank_matches_torchaudio(n_freqs, rate, n_mels, f_min, f_max):
    import torchaudio

    ours = mel_filterbank(n_freqs, rate, n_mels, f_min, f_max)
    ref = torchaudio.functional.melscale_fbanks(n_freqs, f_min, rate / 2 if f_max is None else f_max, n_mels, rate,
                                                norm=None, mel_scale="htk")
    assert ours.shape == ref.shape == (n_freqs, n_mels)
    assert torch.allclose(ours, ref, atol=1e-5)


def test_mel_scale():
    assert hz_to_mel(0.0) == 0.0 and abs(hz_to_mel(1000.0) - 1000.0) < 0.5  # 1000 Hz is about 1000 mel by design
    f = torch.tensor([0.0, 440.0, 4000.0, 8000.0])
    assert torch.allclose(mel_to_hz(hz_to_mel(f)), f, atol=1e-2)
    with pytest.raises(ValueError, match="f_min < f_max"):
        mel_filterbank(257, 16000, 40, f_min=9000.0)
