# ---
# jupyter:
#   jupytext:
#     formats: ipynb,sources//py:percent
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
# > serial로 주어지고, 주어진 데이터를 Fourier transform을 거쳐 주파수 domain으로 바꾼다. 이 때, 모든 시간대에 걸쳐서
# > FT를 거칠 경우, 시간대에 따른 분석이 어려워진다. 따라서, **Short-time Fourier transform (STFT)** 를 이용한다.
# > window를 정해 shift시키면서 FT를 하는 방식이다.
#
# *Audio arrives as a time series; the Fourier transform moves it to the frequency domain. Transformed over the whole
# clip, it loses time: we cannot tell when anything happened. So we use the short-time Fourier transform: slide a
# window along the signal and transform each piece.*
#
# Before the audio lessons (SoundNet, Speech2Face, sound localization, lip sync) feed sound to networks, this lesson
# builds the representation most of them use (SoundNet's network hears the raw waveform). You will:
# 1. listen to and look at waveforms from the course world (class sounds, synthetic speech, a real human voice);
# 2. compare the Fourier transform of a whole clip with the STFT, and see what sampling keeps (Nyquist, aliasing);
# 3. see how the window length trades time resolution against frequency resolution, and what hop and overlap do;
# 4. go from magnitude to power, decibels and the log-mel spectrogram (the mel filterbank by hand, then torchaudio);
# 5. go back to sound: the inverse STFT (exact) and Griffin-Lim (from magnitude alone);
# 6. write the STFT yourself and check it against `torch.stft`.

# %%
# Outside the course's folder (Colab, or this notebook downloaded on its own), this cell fetches the course — its
# package `mmutils` and its data — and installs what it needs (Python 3.11 or newer). Inside it, it does nothing.
try:
    import mmutils  # noqa: F401
except ModuleNotFoundError:
    import os
    import subprocess
    import sys
    import tomllib

    course = os.path.abspath("mmcourse")  # the clone, next to this notebook
    if not os.path.isdir(course):
        url = os.environ.get("MMCOURSE_REPOSITORY", "https://github.com/multimodal-course/hands-on.git")
        subprocess.run(["git", "clone", "--quiet", "--branch", "main", url, course], check=True)
    with open(os.path.join(course, "pyproject.toml"), "rb") as f:
        needs = tomllib.load(f)["project"]["dependencies"]
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *needs], check=True)
    sys.path.insert(0, course)

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
import torchaudio

import mmutils
from mmutils import world
from mmutils.checks import check
from mmutils.data import load_digit_speech
from mmutils.stft import frame_signal, hz_to_mel, istft, mel_filterbank, spectral_convergence, stft

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
# **Nyquist.** A signal sampled `rate` times a second can only represent frequencies up to `rate / 2` (the Nyquist
# frequency): that is why `rfft` stops there (8 kHz here, 4 kHz for the human "seven"). A frequency above it does not
# disappear, it **aliases**: sampled at 8 kHz, a 5 kHz tone gives exactly the samples of a 3 kHz tone (8 − 5 = 3,
# with its sign flipped), and nothing after sampling can tell them apart — recorders filter out everything above
# Nyquist *before* sampling. So the "seven", recorded at 8 kHz, holds nothing above 4 kHz, and resampling it to 16 kHz
# cannot add any: the upper half of its new spectrum holds only a faint leak of the resampling filter (the hump just
# above 4 kHz mirrors the band just below it, 30 dB and more under the voice; the printed share of the power).

# %%
# NBVAL_CHECK_OUTPUT
n = torch.arange(human_rate, dtype=torch.float64) / human_rate  # (8000,) one second at 8 kHz
above, folded = torch.sin(2 * torch.pi * 5000 * n), -torch.sin(2 * torch.pi * 3000 * n)  # (8000,) each
print(f"5 kHz and (minus) 3 kHz sampled at 8 kHz: largest difference {(above - folded).abs().max().item():.0e}")
human_16k = torchaudio.functional.resample(human, human_rate, RATE)  # (2T,) the "seven" at 16 kHz
human_power = torch.fft.rfft(human_16k).abs() ** 2  # (T + 1,)
human_freqs = torch.fft.rfftfreq(len(human_16k), d=1 / RATE)  # (T + 1,) Hz
print(f'"seven" at 16 kHz: share of its power above 4 kHz '
      f'{human_power[human_freqs > 4000].sum() / human_power.sum():.1e}')
fig, ax = plt.subplots(figsize=(8, 2.5))
ax.plot(human_freqs, 10 * torch.log10(human_power + 1e-6), lw=0.4)
ax.axvline(4000, color="k", ls="--", lw=0.8)
ax.set(title='human "seven", resampled from 8 to 16 kHz: above its old Nyquist (4 kHz) only the resampler\'s leak',
       xlabel="frequency (Hz)", ylabel="dB")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Window length: time against frequency resolution
# A window of N samples sees N / rate seconds, and its rfft has bins rate / N Hz apart. Bins are not resolution,
# though: a pure tone seen through a Hann window is not one bin but a **main lobe** 4 · rate / N Hz wide (from null to
# null, ±2 bins around the tone). Two tones of equal strength come apart as two peaks only when they are more than about
# two bins apart, so that their lobes no longer overlap much. You cannot have both: a short window places events
# sharply in time but blurs frequency; a long one separates close tones but smears events.
# The test signal: two steady tones 60 Hz apart (1000 and 1060 Hz) plus a click every 0.1 s. Each window uses a hop of
# a quarter window. The bottom row is the STFT of the two tones alone (no clicks), one frame at a time: magnitude
# against frequency, each bin a dot, at the two frames where the bin between the tones is largest and smallest. The
# printed range is that middle bin's smallest and largest magnitude over all frames (a single tone's peak is
# 0.3 · N / 4: 4.8, 38.4 and 307.2 for the three windows).

# %%
# NBVAL_CHECK_OUTPUT
t = torch.arange(RATE) / RATE  # (16000,) one second
tones = 0.3 * torch.sin(2 * torch.pi * 1000 * t) + 0.3 * torch.sin(2 * torch.pi * 1060 * t)  # (16000,)
test = tones.clone()  # (16000,)
test[::1600] += 4.0  # clicks every 0.1 s
fig, axes = plt.subplots(2, 3, figsize=(15, 6), height_ratios=(3, 2))
for k, n_fft in enumerate((64, 512, 4096)):
    s = torch.stft(test, n_fft, n_fft // 4, window=torch.hann_window(n_fft), return_complex=True)  # (n_fft/2+1, T)
    bin_hz = RATE / n_fft
    mmutils.show_spectrogram(s.abs() ** 2, RATE, n_fft // 4, ax=axes[0, k],
                             title=f"window {n_fft} = {1000 * n_fft / RATE:.0f} ms, bins {bin_hz:.1f} Hz apart")
    axes[0, k].set_ylim(0, 3000)
    s_tones = torch.stft(tones, n_fft, n_fft // 4, window=torch.hann_window(n_fft), return_complex=True).abs()
    middle = s_tones[round(1030 / bin_hz)][2:-2]  # (T - 4,) the bin between the tones, away from the ends
    freqs_k = torch.arange(s.shape[0]) * bin_hz  # (n_fft/2+1,) Hz
    for frame, label in [(middle.argmax() + 2, "middle bin largest"), (middle.argmin() + 2, "middle bin smallest")]:
        axes[1, k].plot(freqs_k, s_tones[:, frame], "o-", ms=3, lw=0.8, label=f"{label} (frame {frame})")
    for f in (1000, 1060):
        axes[1, k].axvline(f, color="k", ls=":", lw=0.8)
    axes[1, k].set(xlim=(600, 1460), xlabel="frequency (Hz)", ylabel="|STFT|",
                   title="the tones alone, one frame: magnitude per bin")
    axes[1, k].legend(fontsize=7)
    print(f"window {n_fft:4d}: bins {bin_hz:6.1f} Hz apart, Hann main lobe {4 * bin_hz:6.1f} Hz wide, "
          f"the tones {60 / bin_hz:4.2f} bins apart; middle bin ranges {middle.min():.1f} to {middle.max():.1f}")
fig.tight_layout()
plt.show()

# %% [markdown]
# Panel by panel, with the printed numbers:
# - **64 samples (4 ms).** Each click is a sharp vertical line. Both tones fall in one 250 Hz bin and one 1000 Hz wide
#   main lobe: a single band from about 500 to 1500 Hz. That band pulses: two tones 60 Hz apart drift in and out of
#   phase 60 times a second (a **beat**), and a 4 ms window is short enough to follow it, so the bin at 1000 Hz swings
#   between the two printed extremes (the frame where they cancel is nearly flat). The beat is time structure, not a
#   second frequency.
# - **512 samples (32 ms).** The clicks are still separate lines, now 32 ms wide. The tones are 1.92 bins apart, inside
#   each other's main lobe (125 Hz): the display shows **one band about 120 Hz wide, not two lines**. The bins at
#   1000 and 1062.5 Hz stay near a single tone's peak, while the bin between them holds both tones and rises and falls
#   with the beat (the printed range): in some frames the column has one flat top three bins wide, in others two peaks
#   with a deep dip between. Frame by frame the picture flips between one peak and two, so the tones are not cleanly
#   resolved at this window; 60 Hz is just under the two bins (62.5 Hz) a Hann window needs.
# - **4096 samples (256 ms).** Bins 3.9 Hz apart, main lobe 16 Hz: two sharp separate lines, nothing between them. But
#   with a click every 100 ms, every 256 ms window holds two or three clicks, so the clicks are no longer events in
#   time: they turn into a broadband floor, the almost even background over all frequencies and frames (its faint
#   vertical stripes change with where the clicks fall under each window). The bright patches at 0 s and 1 s are the
#   ends of the signal, where the window reaches into the reflected padding.
#
# Speech is usually analysed with windows of 20–32 ms (25 ms is the common choice in speech recognition; lessons 09–11
# use 512 samples = 32 ms): short enough to follow syllables, long enough to resolve the harmonics of a voice (spaced
# by its pitch, roughly 100–250 Hz: more than the two bins = 62.5 Hz a 512-sample Hann window needs).
#
# **Hop and overlap.** The hop is how far the window moves between frames. With `center=True` (padding by half a
# window at both ends) a signal of T samples gives `1 + T // hop` frames, one centred on every hop-th sample. A Hann
# window falls to zero at its edges, so with hop = window the samples at the frame boundaries get (almost) no weight in
# any frame; overlapping windows (hop < window) give every sample a large weight in some frame, which is also what
# makes the STFT invertible below.

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
# On a linear scale only the loudest bins are visible; in dB the whole structure appears. Here the log-mel spectrogram
# has 40 numbers per 8 ms frame (hop 128) instead of 257.
#
# **The mel filterbank.** The mel scale used here is `mel(f) = 2595 · log10(1 + f / 700)` (the HTK formula, after
# O'Shaughnessy; nearly linear below 1 kHz, logarithmic above, with 1000 Hz ≈ 1000 mel). The filterbank takes
# `n_mels + 2` points evenly spaced in mel from 0 Hz to Nyquist; filter m is a triangle that rises from point m to 1 at
# point m + 1 and falls to 0 at point m + 2. Each mel band is the triangle-weighted sum of the power bins under it, so
# `mel = fb.T @ power`. `torchaudio.transforms.MelSpectrogram` uses exactly this by default (`mel_scale="htk"`,
# `norm=None`: every triangle peaks at 1, so the wide high bands sum more bins). The other common variant, Slaney's
# (librosa's default, `mel_scale="slaney", norm="slaney"`), is exactly linear below 1 kHz and divides each triangle by
# its width so every band has the same area. `mmutils.stft.mel_filterbank` writes the HTK version out; it is tested
# against `torchaudio.functional.melscale_fbanks`.

# %%
mmutils.show_source(mel_filterbank)

# %%
# NBVAL_CHECK_OUTPUT
fb = mel_filterbank(N_FFT // 2 + 1, RATE, 40)  # (257, 40) one triangle per column
print("hand filterbank vs torchaudio MelSpectrogram on the dog: max difference",
      f"{((fb.T @ power - mel).abs().max() / mel.abs().max()).item():.1e} (relative)")
hz = torch.linspace(0, RATE / 2, 200)  # (200,)
fig, axes = plt.subplots(1, 2, figsize=(14, 2.8), width_ratios=(1, 2))
axes[0].plot(hz, hz_to_mel(hz))
axes[0].set(title="mel(f) = 2595 log10(1 + f / 700)", xlabel="frequency (Hz)", ylabel="mel")
axes[1].plot(torch.arange(N_FFT // 2 + 1) * RATE / N_FFT, fb, lw=0.8)
axes[1].set(title="40 triangular mel filters (HTK, peak 1): narrow at low frequencies, wide at high",
            xlabel="frequency (Hz)", ylabel="weight")
fig.tight_layout()
plt.show()

# %% [markdown]
# The lowest triangles span only 2–4 bins (the first rises from 0 Hz to its peak at 44 Hz and is back to 0 at 92 Hz,
# with bins every 31.25 Hz), so no bin sits on their peak: that is why their plotted heights stay below 1. The highest
# span about 30 bins. With more mel bands or a shorter window some low filters would catch no bin at all (torchaudio
# warns when that happens).
#
# What the later lessons use: lesson 08's SoundNet student hears the **raw waveform** (no spectrogram). Lessons 09, 10
# and 11 use `mmutils.audio.log_mel`: 16 kHz audio, 512-sample (32 ms) Hann windows, a hop of 320 samples (20 ms, 50
# frames a second) and 32 mel bands — 48 for lesson 09's image-to-speech model, which has to produce speech you can
# recognise.

# %% [markdown]
# ## 5. Back to sound
# **Inverse STFT.** Inverse-transform each frame, multiply by the window again, add the frames at their places
# (overlap-add) and divide by the summed squared window `Σ_t w²(n − t · hop)`. Wherever that sum is non-zero the
# reconstruction is exact: this is the **NOLA** condition (nonzero overlap-add), and it is what `torch.istft` checks
# (it refuses a window and hop whose summed squared window is below 1e-11 somewhere). Its stricter cousin **COLA**
# (constant overlap-add: the summed window is the same at every sample) is what plain overlap-add *without* the
# division needs. `torch.hann_window` is the *periodic* Hann (one period over N samples, so `w[0] = 0` and
# `w[N/2] = 1`): its copies at hop N/2 sum to exactly 1 and its squares at hop N/4 to exactly 1.5. The *symmetric*
# Hann (`periodic=False`, zero at both ends) misses these constants by a fraction of a percent. Here is
# `mmutils.stft.istft`, written out:

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
# How far can the hop go? Below, for the 512-sample periodic Hann window, the smallest summed squared window over the
# sentence and the reconstruction error. In exact arithmetic every hop below 512 satisfies NOLA inside the signal, but
# as the hop grows the smallest sum shrinks towards zero, and the float rounding errors get divided by it. The
# smallest sums sit at the ends of the signal, where fewer frames overlap (inside, hop 128 gives the constant 1.5 and
# hop 256 at least 0.5), and between frames once the hop is well past half the window. With centring, the last frame
# is centred on sample `hop · (T // hop)` and reaches only `n_fft / 2` past it, so when `T % hop` is larger than that,
# the end of the signal lies in no frame at all: `istft` refuses (hop 500 here; `torch.istft` pads those samples with
# zeros and warns). At hop = 512 the sum is exactly zero at every frame start, and both refuse. Hops of a quarter
# window (as here) or half a window are the usual choices.

# %%
# NBVAL_CHECK_OUTPUT
for hop in (128, 256, 384, 448, 500, 511, 512):
    n_frames = 1 + len(sentence) // hop
    total = N_FFT + hop * (n_frames - 1)
    envelope = F.fold((window ** 2)[:, None].expand(N_FFT, n_frames)[None], output_size=(1, total),
                      kernel_size=(1, N_FFT), stride=(1, hop)).reshape(total)[N_FFT // 2:][:len(sentence)]  # (T,)
    try:
        back = istft(stft(sentence, N_FFT, hop, window), N_FFT, hop, window, length=len(sentence))  # (T,)
        result = f"relative error {((back - sentence).norm() / sentence.norm()).item():.0e}"
    except ValueError as err:
        result = "refused: " + ("the last frame ends before the signal" if "cover only" in str(err)
                                else "the summed squared window is zero somewhere")
    print(f"hop {hop:3d}: smallest summed squared window {envelope.min().item():.1e}, {result}")

# %% [markdown]
# **Griffin-Lim.** Models that *generate* audio (lesson 09's image-to-speech) often predict only the magnitude. The
# phase is lost, and a random phase sounds rough: most magnitude-and-phase arrays are not the STFT of any signal, so
# inverting and re-analysing one changes its magnitude. Griffin and Lim (1984) look for a signal whose STFT magnitude
# is as close as possible to the target by alternating: start from a random phase, take the inverse STFT (the
# least-squares overlap-add above), transform again, keep the new phase but put back the known magnitude; repeat. Each
# round can only lower the squared distance between the two magnitudes. torchaudio's `GriffinLim` runs by default the
# *fast* Griffin-Lim of Perraudin, Balazs and Søndergaard (2013), which adds a momentum term (0.99) to the phase
# update; `momentum=0` is the original algorithm. Lesson 09's vocoder uses the fast default. We run both for 64
# rounds and measure how close the result's magnitude comes to the target with the **spectral convergence**
# `‖S − Ŝ‖ / ‖S‖` (Ŝ the magnitude of the STFT of the produced waveform), against the control of simply using a
# random phase.

# %%
target = speech_spec.abs()  # (257, frames)
random_phase = torch.exp(2j * torch.pi * torch.rand(target.shape, generator=gen))  # (257, frames)
from_random_phase = istft(target * random_phase, N_FFT, HOP, window, length=len(sentence))  # (T,)
waves = {"random phase": from_random_phase}
for name, momentum in [("Griffin-Lim", 0.0), ("fast Griffin-Lim", 0.99)]:
    griffin_lim = torchaudio.transforms.GriffinLim(n_fft=N_FFT, hop_length=HOP, power=1.0, n_iter=64,
                                                   momentum=momentum, rand_init=True)
    mmutils.seed_everything(0)  # Griffin-Lim starts from a random phase
    waves[name] = griffin_lim(target)  # (T',)
sc = {}
for name, wave in waves.items():
    sc[name] = spectral_convergence(target, stft(wave, N_FFT, HOP, window)[:, :target.shape[1]].abs())
    print(f"{name:16s} spectral convergence {sc[name]:.3f}")
from_griffin_lim = waves["Griffin-Lim"]  # (T',)
mmutils.audio_player(from_random_phase, RATE)

# %%
mmutils.audio_player(from_griffin_lim, RATE)

# %%
mmutils.audio_player(waves["fast Griffin-Lim"], RATE)

# %% [markdown]
# After 64 rounds the original Griffin-Lim's spectral convergence (0.148) is about a quarter of the random phase's
# (0.614), and the fast variant gets to 0.056 in the same number of rounds. Neither reaches 0: the original never
# raises the error from one round to the next, but it can settle in a local minimum; and even a perfect magnitude
# match would not give back the original waveform exactly (its sign, for one, cannot be recovered from magnitudes).
# Listen to the three versions above.

# %% [markdown]
# **Play with it.** Pick a window length and a hop (a fraction of the window) for the sentence of section 1: the
# spectrogram is redrawn, and you hear what fast Griffin-Lim (32 rounds) rebuilds from that magnitude alone, with its
# spectral convergence. Short windows blur the harmonics of the voice into bands; long ones smear the starts of the
# words; a larger hop gives fewer frames and fewer overlaps for Griffin-Lim to make agree, so its spectral
# convergence usually drops — a lower number at a larger hop need not mean a better sound: listen. (In JupyterLab the
# controls redraw the figure; on a static page you see the default, the settings used above.)

# %%
from IPython.display import display
from mmutils.widgets import play_with  # noqa: E402


def window_and_hop(n_fft: int, hop: str) -> None:
    step = n_fft * {"1/8": 1, "1/4": 2, "1/2": 4}[hop] // 8
    w = torch.hann_window(n_fft)  # (n_fft,)
    magnitude = torch.stft(sentence, n_fft, step, window=w, return_complex=True).abs()  # (n_fft/2+1, frames)
    mmutils.seed_everything(0)  # Griffin-Lim starts from a random phase (each redraw resets the seed)
    rebuilt = torchaudio.transforms.GriffinLim(n_fft=n_fft, hop_length=step, power=1.0, n_iter=32)(magnitude)  # (T',)
    again = torch.stft(rebuilt, n_fft, step, window=w, return_complex=True).abs()[:, :magnitude.shape[1]]
    fig, ax = plt.subplots(figsize=(10, 2.8))
    mmutils.show_spectrogram(magnitude ** 2, RATE, step, ax=ax, title=f"window {n_fft} samples "
                             f"({1000 * n_fft / RATE:.0f} ms), hop {step}: {magnitude.shape[1]} frames")
    plt.show()
    print(f"fast Griffin-Lim from this magnitude, 32 rounds: spectral convergence "
          f"{spectral_convergence(magnitude, again):.3f}")
    display(mmutils.audio_player(rebuilt, RATE))


play_with(window_and_hop, labels={"n_fft": "window (samples)", "hop": "hop (of the window)"},
          n_fft=([64, 128, 256, 512, 1024, 2048, 4096], N_FFT), hop=(["1/8", "1/4", "1/2"], "1/4"))

# %% [markdown]
# ## 6. Exercises
# ### Exercise 07.1 — framing
# Write `my_frames(x, n_fft, hop)`: pad `n_fft // 2` samples on both sides by reflection, then cut frames of `n_fft`
# samples every `hop` samples, as a `(n_frames, n_fft)` tensor.

# %%
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
# What must hold: the inverse STFT reconstructs the signal to a relative error below 1e-5; the hand-written STFT
# (`mmutils.stft.stft`) matches `torch.stft` to 1e-5 (relative to the largest magnitude) on random signals;
# Griffin-Lim's spectral convergence (the original algorithm, momentum 0) is reported against the random-phase control,
# and must beat it. The fast variant's is reported beside it.

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
    "fast Griffin-Lim spectral convergence (momentum 0.99)": sc["fast Griffin-Lim"],
})

# %% [markdown]
# ## Summary
# - Audio is a 1-D waveform. The Fourier transform of a whole clip tells which frequencies occur but not when; the
#   **STFT** (window, shift, transform) gives frequency over time.
# - Sampling at `rate` keeps frequencies up to `rate / 2` (Nyquist); anything above aliases onto a lower frequency.
# - The window length trades time resolution for frequency resolution. Bins are `rate / N` apart, but a Hann window
#   turns a tone into a main lobe `4 · rate / N` wide, so two tones separate only when more than about two bins apart;
#   the hop sets the frame rate.
# - Models use power on a log scale, usually pooled by triangular mel filters: the **log-mel spectrogram**.
# - The STFT is exactly invertible by weighted overlap-add wherever the summed squared window is non-zero (NOLA);
#   from magnitude alone, **Griffin-Lim** recovers a consistent phase, much closer to the target magnitude than a
#   random phase (spectral convergence in the results above).
#
# ## Exercises
# 1. **07.1–07.3** above (checked).
# 2. Add a little noise (1e-3 of the largest magnitude) to the STFT of the sentence and invert it with hops 128, 256,
#    384, 500 and 511. How does the error grow, and where in the signal is it largest? Relate it to the smallest summed
#    squared window printed in section 5.
# 3. Run Griffin-Lim for 4, 16, 64 and 256 iterations and plot the spectral convergence. Listen to each.
# 4. Compute a 40-band log-mel spectrogram of the human "seven" resampled to 16 kHz, with the settings of section 4.
#    Which mel bands are empty, and why? What goes wrong if you pass its 8 kHz samples with `sample_rate=16000`?
# 5. Redo the window panels with the tones 120 Hz apart (1000 and 1120 Hz). Which windows separate them now?
#
# ## Papers
# - C. E. Shannon. *Communication in the Presence of Noise.* Proc. IRE, 1949 (the sampling theorem; Nyquist).
# - F. J. Harris. *On the Use of Windows for Harmonic Analysis with the Discrete Fourier Transform.* Proc. IEEE, 1978
#   (main lobes and resolution of the Hann and other windows).
# - D. Griffin, J. Lim. *Signal Estimation from Modified Short-Time Fourier Transform.* IEEE TASSP, 1984.
# - N. Perraudin, P. Balazs, P. L. Søndergaard. *A Fast Griffin-Lim Algorithm.* IEEE WASPAA, 2013 (the momentum
#   variant torchaudio runs by default).
# - J. B. Allen. *Short Time Spectral Analysis, Synthesis, and Modification by Discrete Fourier Transform.* IEEE TASSP,
#   1977.
# - S. S. Stevens, J. Volkmann, E. B. Newman. *A Scale for the Measurement of the Psychological Magnitude Pitch.* JASA,
#   1937 (the mel scale).
# - D. O'Shaughnessy. *Speech Communication: Human and Machine.* Addison-Wesley, 1987 (the formula
#   2595 · log10(1 + f / 700)).
# - M. Slaney. *Auditory Toolbox, Version 2.* Technical Report 1998-010, Interval Research Corporation, 1998 (the
#   Slaney mel variant).
