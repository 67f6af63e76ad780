# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Audio as data: Fourier transform and STFT
#
# > **3. Multi-modal learning tasks (Audio&Image)** — 먼저 audio 데이터가 embedding되는 방식을 알아보자. audio는 time
# > serial로 주어지고, 주어진 데이터를 Fourier transform을 거쳐 주파수 domain으로 바꾼다. 이 때, 모든 시간대에 걸쳐서 FT를
# > 거칠 경우, 시간대에 따른 분석이 어려워진다. 따라서, **Short-time Fourier transform (STFT)** 를 이용한다. window를 정해
# > shift시키면서 FT를 하는 방식이다.
#
# *Audio arrives as a time series; the Fourier transform moves it to the frequency domain. Transformed over the whole
# clip, it loses time: we cannot tell when anything happened. So we use the short-time Fourier transform: slide a
# window along the signal and transform each piece.*
#
# Before the audio lessons (SoundNet, Speech2Face, sound localization, lip sync) feed sound to networks, this lesson
# builds the representation they use. You will:
# 1. listen to and look at waveforms from the course world (class sounds, synthetic speech, a real human voice);
# 2. compare the Fourier transform of a whole clip with the STFT;
# 3. see how the window length trades time resolution against frequency resolution, and what hop and overlap do;
# 4. go from magnitude to power, decibels and the log-mel spectrogram (torchaudio);
# 5. go back to sound: the inverse STFT (exact) and Griffin-Lim (from magnitude alone);
# 6. write the STFT yourself and check it against `torch.stft`.

# %%
import matplotlib.pyplot as plt
import torch
import torchaudio

import mmutils
from mmutils import world
from mmutils.data import load_digit_speech
from mmutils.exercises import check
from mmutils.stft import frame_signal, istft, spectral_convergence, stft

gen = mmutils.seed_everything(7)
RATE = world.SAMPLE_RATE  # 16 kHz

# %% [markdown]
# ## 1. Waveforms
# A waveform is air pressure sampled 16,000 times a second: a 1-D tensor. Here are three sounds of the world, a sentence
# spoken by a synthetic voice, and a real human saying "seven" (recorded at 8 kHz).

# %%
# NBVAL_CHECK_OUTPUT
sounds = {name: world.class_sound(name, gen) for name in ("dog", "cow", "bird")}  # each (16000,)
sentence, timing = world.speak("a blue cow on the grass", "m3-p35-s140", generator=gen)  # (T,), word timings
human, human_rate = load_digit_speech(7)  # (T,), 8000
fig, axes = plt.subplots(1, 5, figsize=(15, 2.2), sharey=True)
for ax, (name, wave) in zip(axes, list(sounds.items()) + [("speech", sentence)]):
    ax.plot(torch.arange(len(wave)) / RATE, wave, lw=0.4)
    ax.set(title=name, xlabel="time (s)")
axes[4].plot(torch.arange(len(human)) / human_rate, human, lw=0.4)
axes[4].set(title='human: "seven"', xlabel="time (s)")
fig.tight_layout()
plt.show()
for name, wave in sounds.items():
    print(name, tuple(wave.shape))

# %%
mmutils.audio_player(sounds["dog"], RATE)

# %%
mmutils.audio_player(sentence, RATE)

# %%
mmutils.audio_player(human, human_rate)

# %% [markdown]
# ## 2. The Fourier transform of a whole clip, and the STFT
# The discrete Fourier transform writes a signal as a sum of sinusoids; `torch.fft.rfft` gives one complex number per
# frequency from 0 Hz to half the sampling rate. On a whole clip it says *which* frequencies occur, not *when*. Take a
# bird's chirps followed by a cow's moo: the spectrum of the whole clip shows both, but not their order. The STFT cuts
# the clip into short overlapping windows and transforms each: frequency over time.

# %%
# NBVAL_CHECK_OUTPUT
clip = torch.cat([sounds["bird"], sounds["cow"]])  # (32000,) two seconds: chirps, then a moo
spectrum = torch.fft.rfft(clip)  # (16001,) complex
freqs = torch.fft.rfftfreq(len(clip), d=1 / RATE)  # (16001,) Hz
N_FFT, HOP = 512, 128
window = torch.hann_window(N_FFT)  # (512,)
spec = torch.stft(clip, N_FFT, HOP, window=window, return_complex=True)  # (257, 251) complex
print("whole-clip spectrum:", tuple(spectrum.shape), " STFT (freq, frames):", tuple(spec.shape))
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
axes[0].plot(freqs, 20 * torch.log10(spectrum.abs() + 1e-6), lw=0.5)
axes[0].set(title="Fourier transform of the whole clip: which frequencies, not when", xlabel="frequency (Hz)",
            ylabel="dB")
mmutils.show_spectrogram(spec.abs() ** 2, RATE, HOP, ax=axes[1], title="STFT: frequency over time")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Window length: time against frequency resolution
# A window of N samples sees N / rate seconds and separates frequencies about rate / N Hz apart. You cannot have both:
# a short window places events sharply in time but blurs frequency; a long one separates close tones but smears events.
# The test signal: two steady tones 60 Hz apart (1000 and 1060 Hz) plus a click every 0.1 s.

# %%
t = torch.arange(RATE) / RATE  # (16000,) one second
test = 0.3 * torch.sin(2 * torch.pi * 1000 * t) + 0.3 * torch.sin(2 * torch.pi * 1060 * t)  # (16000,)
test[::1600] += 4.0  # clicks every 0.1 s
fig, axes = plt.subplots(1, 3, figsize=(15, 3))
for ax, n_fft in zip(axes, (64, 512, 4096)):
    s = torch.stft(test, n_fft, n_fft // 4, window=torch.hann_window(n_fft), return_complex=True)  # (n_fft/2+1, T)
    mmutils.show_spectrogram(s.abs() ** 2, RATE, n_fft // 4, ax=ax,
                             title=f"window {n_fft} = {1000 * n_fft / RATE:.0f} ms, bins {RATE / n_fft:.0f} Hz apart")
    ax.set_ylim(0, 3000)
fig.tight_layout()
plt.show()

# %% [markdown]
# At 4 ms the clicks are sharp lines but the two tones are one blur; at 256 ms the tones are two lines but the clicks
# have vanished into the smear. 32 ms (512 samples at 16 kHz) is the usual compromise for speech and everyday sounds.
#
# **Hop and overlap.** The hop is how far the window moves between frames. With `center=True` (padding by half a
# window at both ends) a signal of T samples gives `1 + T // hop` frames; overlapping windows (hop < window) make sure
# every sample is seen fully by some frame, which is also what makes the STFT invertible below.

# %%
for n_fft, hop in [(512, 512), (512, 256), (512, 128)]:
    frames = frame_signal(t, n_fft, hop)  # (n_frames, n_fft)
    print(f"window {n_fft}, hop {hop} (overlap {1 - hop / n_fft:.0%}): {frames.shape[0]} frames for 16000 samples")

# %% [markdown]
# ## 4. Magnitude, power, decibels, log-mel
# The STFT is complex: magnitude (how much) and phase (where in its cycle). Models mostly use the **power** (magnitude
# squared) on a **log** scale, because loudness is perceived logarithmically (decibels). The **mel** scale spaces
# frequency bands as hearing does — dense at low frequencies, sparse at high ones — and pools the STFT bins into them.
# All of these come from torchaudio.

# %%
# NBVAL_CHECK_OUTPUT
dog = sounds["dog"]
power = torchaudio.transforms.Spectrogram(n_fft=N_FFT, hop_length=HOP, power=2.0)(dog)  # (257, 126)
magnitude = power.sqrt()  # (257, 126)
decibels = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=80)(power)  # (257, 126)
mel = torchaudio.transforms.MelSpectrogram(RATE, n_fft=N_FFT, hop_length=HOP, n_mels=40)(dog)  # (40, 126)
log_mel = torch.log(mel + 1e-6)  # (40, 126)
print("power", tuple(power.shape), " mel", tuple(mel.shape))
fig, axes = plt.subplots(1, 4, figsize=(16, 2.8))
mmutils.show_spectrogram(magnitude, RATE, HOP, ax=axes[0], db=False, title="magnitude (linear)")
mmutils.show_spectrogram(power, RATE, HOP, ax=axes[1], db=False, title="power (linear)")
mmutils.show_spectrogram(decibels - decibels.min() + 1e-3, RATE, HOP, ax=axes[2], db=False, title="power in dB")
mmutils.show_spectrogram(log_mel - log_mel.min() + 1e-3, RATE, HOP, ax=axes[3], db=False, mel=True,
                         title="log-mel (40 bands)")
fig.tight_layout()
plt.show()

# %% [markdown]
# On a linear scale only the loudest bins are visible; in dB the whole structure appears. The log-mel spectrogram —
# 40 numbers per 8 ms instead of 257 — is what lessons 08–11 feed to their audio encoders.

# %% [markdown]
# ## 5. Back to sound
# **Inverse STFT.** Inverse-transform each frame, multiply by the window again, add the frames at their places
# (overlap-add) and divide by the summed squared window. Wherever that sum is non-zero the reconstruction is exact — for
# a Hann window any hop up to half the window works. Here is `mmutils.stft.istft`, written out:

# %%
mmutils.show_source(istft)

# %%
speech_spec = stft(sentence, N_FFT, HOP, window)  # (257, frames) complex, hand-written STFT
rebuilt = istft(speech_spec, N_FFT, HOP, window, length=len(sentence))  # (T,)
rebuilt_torch = torch.istft(torch.stft(sentence, N_FFT, HOP, window=window, return_complex=True), N_FFT, HOP,
                            window=window, length=len(sentence))  # (T,)
istft_error = ((rebuilt - sentence).norm() / sentence.norm()).item()
print(f"relative reconstruction error: ours {istft_error:.1e}, torch.istft "
      f"{((rebuilt_torch - sentence).norm() / sentence.norm()).item():.1e}")
mmutils.audio_player(rebuilt, RATE)

# %% [markdown]
# **Griffin-Lim.** Models that *generate* audio (lesson 09's image-to-speech) often predict only the magnitude. The
# phase is lost, and a random phase sounds rough. Griffin-Lim (1984) recovers a consistent phase by alternating: take
# the inverse STFT, transform again, keep the new phase but put back the known magnitude; repeat. We measure how close
# the result's magnitude comes to the target with the **spectral convergence** `‖S − Ŝ‖ / ‖S‖`, against the control of
# simply using a random phase.

# %%
target = speech_spec.abs()  # (257, frames)
random_phase = torch.exp(2j * torch.pi * torch.rand(target.shape, generator=gen))  # (257, frames)
from_random_phase = istft(target * random_phase, N_FFT, HOP, window, length=len(sentence))  # (T,)
griffin_lim = torchaudio.transforms.GriffinLim(n_fft=N_FFT, hop_length=HOP, power=1.0, n_iter=64,
                                               rand_init=True)
mmutils.seed_everything(0)  # Griffin-Lim starts from a random phase
from_griffin_lim = griffin_lim(target)  # (T',)
sc = {}
for name, wave in [("random phase", from_random_phase), ("Griffin-Lim", from_griffin_lim)]:
    sc[name] = spectral_convergence(target, stft(wave, N_FFT, HOP, window)[:, :target.shape[1]].abs())
    print(f"{name:13s} spectral convergence {sc[name]:.3f}")
mmutils.audio_player(from_random_phase, RATE)

# %%
mmutils.audio_player(from_griffin_lim, RATE)

# %% [markdown]
# ## 6. Exercises
# ### Exercise 07.1 — framing
# Write `my_frames(x, n_fft, hop)`: pad `n_fft // 2` samples on both sides by reflection, then cut frames of `n_fft`
# samples every `hop` samples, as a `(n_frames, n_fft)` tensor.

# %%
import torch.nn.functional as F


def my_frames(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    ### BEGIN SOLUTION
    padded = F.pad(x[None, None], (n_fft // 2, n_fft // 2), mode="reflect")[0, 0]
    return padded.unfold(0, n_fft, hop)
    ### END SOLUTION


check("07.1", my_frames)

# %% [markdown]
# ### Exercise 07.2 — the STFT by hand
# Write `my_stft(x, n_fft, hop, window)`: frames, times the window, real FFT of each frame, as a complex
# `(n_fft // 2 + 1, n_frames)` tensor. The check compares it with `torch.stft(..., center=True, pad_mode="reflect")`
# to 1e-5.

# %%
def my_stft(x: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    ### BEGIN SOLUTION
    padded = F.pad(x[None, None], (n_fft // 2, n_fft // 2), mode="reflect")[0, 0]
    frames = padded.unfold(0, n_fft, hop) * window
    return torch.fft.rfft(frames, dim=1).T
    ### END SOLUTION


check("07.2", my_stft)

# %% [markdown]
# ### Exercise 07.3 — spectral convergence
# Write `my_spectral_convergence(target, estimate)` for two magnitude spectrograms of the same shape:
# `‖target − estimate‖_F / ‖target‖_F`, as a Python float.

# %%
def my_spectral_convergence(target: torch.Tensor, estimate: torch.Tensor) -> float:
    ### BEGIN SOLUTION
    return (torch.linalg.norm(target - estimate) / torch.linalg.norm(target)).item()
    ### END SOLUTION


check("07.3", my_spectral_convergence)

# %% [markdown]
# ## Results
# The bars: the inverse STFT reconstructs the signal to a relative error below 1e-5; the hand-written STFT
# (`mmutils.stft.stft`) matches `torch.stft` to 1e-5 (relative to the largest magnitude) on random signals; Griffin-Lim's
# spectral convergence is reported against the random-phase control, and must beat it.

# %% tags=["results"]
from mmutils import stft as hand  # the course's implementation (the exercises above may be unfinished)

stft_errors = []
for n_fft, hop, length in [(512, 128, 16000), (400, 160, 8001), (64, 16, 1000)]:
    x = torch.randn(length, generator=gen)  # (length,)
    w = torch.hann_window(n_fft)  # (n_fft,)
    ref = torch.stft(x, n_fft, hop, window=w, center=True, pad_mode="reflect", return_complex=True)
    stft_errors.append(((hand.stft(x, n_fft, hop, w) - ref).abs().max() / ref.abs().max()).item())
results = mmutils.report_results({
    "inverse STFT relative error": (istft_error, "<", 1e-5),
    "hand STFT vs torch.stft, max relative difference": (max(stft_errors), "<", 1e-5),
    "Griffin-Lim spectral convergence": sc["Griffin-Lim"],
    "random-phase spectral convergence (control)": sc["random phase"],
    "random phase minus Griffin-Lim": (sc["random phase"] - sc["Griffin-Lim"], ">", 0.0),
})

# %% [markdown]
# ## Summary
# - Audio is a 1-D waveform. The Fourier transform of a whole clip tells which frequencies occur but not when; the
#   **STFT** (window, shift, transform) gives frequency over time.
# - The window length trades time resolution for frequency resolution; the hop sets the frame rate, and overlap makes
#   the transform invertible.
# - Models use power on a log scale, usually pooled into mel bands: the **log-mel spectrogram**.
# - The STFT is exactly invertible by weighted overlap-add; from magnitude alone, **Griffin-Lim** recovers a usable
#   phase, far closer to the target than a random phase.
#
# ## Exercises
# 1. **07.1–07.3** above (checked).
# 2. Set the hop equal to the window (no overlap) with a Hann window and invert. Where does the reconstruction fail, and
#    why does `istft` refuse some hops outright?
# 3. Run Griffin-Lim for 4, 16, 64 and 256 iterations and plot the spectral convergence. Listen to each.
# 4. Compute a log-mel spectrogram of the human "seven" at its 8 kHz rate. Which mel bands are empty, and why?
#
# ## Papers
# - D. Griffin, J. Lim. *Signal Estimation from Modified Short-Time Fourier Transform.* IEEE TASSP, 1984.
# - J. B. Allen. *Short Time Spectral Analysis, Synthesis, and Modification by Discrete Fourier Transform.* IEEE TASSP,
#   1977.
# - S. S. Stevens, J. Volkmann, E. B. Newman. *A Scale for the Measurement of the Psychological Magnitude Pitch.* JASA,
#   1937 (the mel scale).
