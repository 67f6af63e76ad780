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
# # 08 · SoundNet: learning sound from a visual teacher
#
# > **3-1. Matching (SoundNet)** — `SoundNet` : 소리에 따라 이미지를 추천하는 모델
#
# *SoundNet: a model that recommends images for a sound.* Aytar, Vondrick and Torralba (2016) had two million unlabelled
# videos. Two vision networks, already trained on labelled images to recognise objects (ImageNet) and scenes (Places),
# looked at each video's frames; a sound network listened to the same video's audio and was trained to **predict what
# the vision networks saw** — a KL divergence from each teacher's class distribution to the student's. No human labelled
# the videos or their sounds. The sound network learned to recognise sound, and its predictions live in the same space
# as the images': matching. The paper's main test was **transfer**: features from the sound network's inner layers, with
# a linear SVM on top, classified the sound classes of other datasets (ESC-50, DCASE), labels the sound network was
# never trained on, many of them (rain, footsteps, a sneeze) named by no teacher class. (Arandjelović and Zisserman's
# L³-Net, in the Papers, learns from the same correspondence with no teacher at all: two networks, told only whether a
# frame and a sound come from the same video.)
#
# You will:
# 1. make "videos" of the course world: a scene and the (noisy) sound of its object;
# 2. train a visual **teacher** on labelled images;
# 3. train a raw-waveform **student** only to match the teacher's soft predictions on paired clips;
# 4. measure what the student learned: its own predictions with no labels, and a **linear probe**, against two
#    controls: an untrained student, and a student trained on *shuffled* image–sound pairs;
# 5. test **transfer** to sounds the teacher never named: spoken words and real recorded digits;
# 6. use it: **sound → image recommendation**, with Precision@5.
#
# **This is a small variant of SoundNet**, with these differences: one teacher, trained here on this world's labelled
# images (10 classes), instead of the ImageNet and Places networks; one frame and one one-second clip per video;
# targets softened by a temperature T = 4 with the T² factor of Hinton et al.'s distillation (SoundNet matched the
# teachers' plain distributions); a three-layer student ending in a global max over time, instead of SoundNet's
# eight-layer network; the probes are logistic regressions on the student's last 64-d features, where the paper
# trained linear SVMs on its inner layers (pool5, conv5–conv7); the sounds are synthesised calls in loud white noise,
# and the transfer sets are spoken words and digits, not ESC-50 or DCASE.

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
import torch.nn as nn
import torch.nn.functional as F

import mmutils
from mmutils import world
from mmutils.audio import log_mel
from mmutils.blocks.encoders import ImageCNN, WaveformCNN
from mmutils.checks import check
from mmutils.data import load_digit_speech
from mmutils.matching.distillation import distillation_loss, soft_targets
from mmutils.metrics import linear_probe, precision_at_k

gen = mmutils.seed_everything(8)
device = mmutils.get_device()

# %% [markdown]
# ## 1. Videos of the world
# A "video" here is one frame (a 32×32 scene with one object) and one second of its sound. The sounds are recorded in
# a noisy place: white noise louder than the calls themselves (the printed RMS levels below), so that recognising
# them takes learning. Three sets, generated from different seeds: labelled images for the teacher, unlabelled videos
# for the student, and test videos.

# %%
# NBVAL_CHECK_OUTPUT
NOISE = 0.4
N_IMAGES, N_VIDEOS, N_TEST = 3000, 3000, 1000
images = world.WorldScenes(N_IMAGES, "all", seed=10, size=32).tensors()  # labelled images, for the teacher
videos = world.WorldScenes(N_VIDEOS, "all", seed=11, size=32).tensors()  # frames of unlabelled videos
test = world.WorldScenes(N_TEST, "all", seed=12, size=32).tensors()  # test videos


def sounds_of(labels: torch.Tensor) -> torch.Tensor:
    """One noisy clip (n, 16000) per object class in `labels` (n,)."""
    return torch.stack([world.class_sound(world.CLASS_NAMES[y], gen, noise=NOISE) for y in labels.tolist()])


video_sounds, test_sounds = sounds_of(videos["cls"]), sounds_of(test["cls"])  # (3000, 16000), (1000, 16000)
print("videos:", tuple(videos["image"].shape), tuple(video_sounds.shape))
print("test:  ", tuple(test["image"].shape), tuple(test_sounds.shape))
calls = torch.stack([world.class_sound(c, torch.Generator().manual_seed(s), noise=0.0)
                     for c in world.CLASS_NAMES for s in range(10)]).view(10, 10, -1)  # (class, call, 16000) clean
call_rms = calls.pow(2).mean((1, 2)).sqrt()  # (10,) each class's RMS over the second
print(f"noise RMS {NOISE}; the calls' RMS {call_rms.min():.2f} ({world.CLASS_NAMES[call_rms.argmin()]}) "
      f"to {call_rms.max():.2f} ({world.CLASS_NAMES[call_rms.argmax()]})")

# %%
HOP = 320  # 20 ms frames of the log-mel spectrogram (display only: the student reads the raw waveform)
fig, axes = plt.subplots(3, 5, figsize=(15, 7.5), gridspec_kw={"height_ratios": [1.4, 0.8, 1.2]})
for k in range(5):
    axes[0, k].imshow(mmutils.viz.to_display(videos["image"][k]))
    axes[0, k].set_title(world.CLASS_NAMES[videos["cls"][k]], fontsize=9)
    axes[0, k].axis("off")
    axes[1, k].plot(torch.arange(world.SAMPLE_RATE) / world.SAMPLE_RATE, video_sounds[k], lw=0.3)
    axes[1, k].set(ylim=(-2, 2), xlabel="time (s)")
    mel_power = log_mel(video_sounds[k], world.SAMPLE_RATE, hop_length=HOP, n_mels=48).exp()  # (48, 51)
    mmutils.show_spectrogram(mel_power, world.SAMPLE_RATE, HOP, ax=axes[2, k], mel=True)
fig.suptitle("frames, their noisy waveforms, and the same sounds as log-mel spectrograms")
fig.tight_layout()
plt.show()
mmutils.audio_player(video_sounds[0], world.SAMPLE_RATE)

# %% [markdown]
# ## 2. The visual teacher
# An image classifier trained on the labelled images — standing in for the ImageNet and Places networks SoundNet used.

# %%
mmutils.seed_everything(1)
teacher = nn.Sequential(ImageCNN(), nn.Linear(64, 10)).to(device)
history = mmutils.fit(teacher, mmutils.ShuffledBatches(images["image"], images["cls"], batch_size=64,
                                                       generator=mmutils.rng(0)),
                      lambda m, b: F.cross_entropy(m(b[0]), b[1]), epochs=8, lr=3e-3, desc="teacher", device=device)
teacher.eval()
with torch.no_grad():
    teacher_videos = teacher(videos["image"].to(device)).cpu()  # (3000, 10) logits on the video frames
    teacher_test = teacher(test["image"].to(device)).cpu()  # (1000, 10)
teacher_accuracy = mmutils.accuracy(teacher_test, test["cls"])
print(f"teacher accuracy on test frames: {teacher_accuracy:.3f}")

# %% [markdown]
# ## 3. The student hears; the teacher's eyes are its only supervision
# The student is a 1-D convolutional network on the **raw waveform** (SoundNet's design: strided convolutions straight
# on the samples). Its target for each video is the teacher's class distribution on that video's frame, softened by a
# temperature T = 4 so that the teacher's second guesses count too; the loss is `T² · KL(p_teacher ‖ p_student)`
# (the temperature and the T² are Hinton et al.'s distillation; SoundNet used the plain KL, T = 1).
# The labels of the videos are never used.

# %%
mmutils.show_source(distillation_loss)

# %%
fig, ax = plt.subplots(figsize=(7, 2.4))
for temperature in (1.0, 4.0):
    ax.bar(torch.arange(10) + (0.2 if temperature > 1 else -0.2), soft_targets(teacher_videos[:1], temperature)[0],
           width=0.4, label=f"T = {temperature:g}")
ax.set_xticks(range(10), world.CLASS_NAMES, fontsize=8)
ax.set(title=f"teacher's distribution on one frame (a {world.CLASS_NAMES[videos['cls'][0]]})", ylabel="probability")
ax.legend()
plt.show()

# %%
TEMPERATURE, EPOCHS = 4.0, 6


def train_student(targets: torch.Tensor, name: str) -> nn.Module:
    """Raw-waveform student trained only to match `targets` (n, 10), the teacher's logits per video."""
    mmutils.seed_everything(2)
    student = nn.Sequential(WaveformCNN(), nn.Linear(64, 10)).to(device)
    batches = mmutils.ShuffledBatches(video_sounds, targets, batch_size=64, generator=mmutils.rng(0))
    mmutils.fit(student, batches, lambda m, b: distillation_loss(m(b[0]), b[1], TEMPERATURE), epochs=EPOCHS, lr=3e-3,
                desc=name, device=device)
    return student.eval()


student = train_student(teacher_videos, "student")
# the control: the same training, but each sound is paired with another video's frame
shuffled_pairs = torch.randperm(N_VIDEOS, generator=mmutils.rng(5))
shuffled_student = train_student(teacher_videos[shuffled_pairs], "shuffled pairs")
mmutils.seed_everything(2)
untrained_student = nn.Sequential(WaveformCNN(), nn.Linear(64, 10)).to(device).eval()

# %% [markdown]
# ## 4. What did the student learn?
# ### Its own predictions, with no labels
# The student's output is a distribution over the teacher's classes, so its argmax is a class: how often is it the
# true class of the test clip? No label was used to train the student, so this is its **label-free accuracy**.

# %%
@torch.no_grad()
def own_classes(model: nn.Module) -> torch.Tensor:
    return model(test_sounds.to(device)).cpu().argmax(1)  # (1000,) the class each clip's sound is predicted to be


students = [("student", student), ("untrained", untrained_student), ("shuffled pairs", shuffled_student)]
label_free = {name: mmutils.accuracy(own_classes(m), test["cls"]) for name, m in students}
for name, value in label_free.items():
    print(f"label-free accuracy, {name:14s}: {value:.3f}")
teacher_wrong = teacher_test.argmax(1) != test["cls"]  # (1000,) frames the teacher gets wrong
student_right = own_classes(student) == test["cls"]  # (1000,)
agreement = (own_classes(student) == teacher_test.argmax(1)).float().mean().item()
print(f"the student agrees with the teacher's class for the same video on {agreement:.3f} of the test clips")
print(f"on the {int(teacher_wrong.sum())} test frames the teacher gets wrong, the student is right "
      f"{student_right[teacher_wrong].float().mean():.3f} of the time")

# %% [markdown]
# Without ever seeing a label, the student is about as accurate as its teacher — in this run a little more (0.92 against
# 0.90). Of the 1000 test clips, the teacher is right on 901 and the student on 921; the student is right on 83 of the
# 99 clips whose frame fools the teacher (0.838 of them), so it is wrong on 901 − (921 − 83) = 63 clips that the teacher
# gets right. A run with other seeds could even out or reverse that split of 83 against 63. In this world a clip's sound
# is drawn from its class alone, whatever the frame looks like, so the teacher's mistakes cannot be heard in the sound;
# matching the teacher over thousands of videos, the student learns what the teacher says *on average* about each kind
# of sound, and that average points to the right class even where one frame misleads: that is how a student can match,
# or even beat, its teacher. (In real video, what is heard and what the frame shows can disagree — an object off screen,
# a silent one in view — so the teacher's mistakes can depend on the sound, and this advantage would shrink.) On those
# 99 clips it is right less often (0.84) than on all clips, but not because it hears the teacher's mistakes: given its
# class, a sound says nothing about its frame, so the gap can only come from which classes those 99 frames show, and
# from chance in so few clips. Student and teacher agree on fewer clips than either gets right: they are wrong on
# different clips, which is why the teacher's accuracy is no ceiling for the student's. The untrained and shuffled-pairs
# students are at chance (0.1).
#
# ### A linear probe
# Freeze the student, take its 64-d features, and train a linear classifier on the video labels (used here, for
# measurement only). Random convolutional features already carry some information, so the controls are not chance but
# an **untrained** student (this very network at its initialisation, before any training) and a student trained on
# **shuffled pairs** (same data, same loss, no true correspondence).

# %%
@torch.no_grad()
def features(model: nn.Module, sounds: torch.Tensor) -> torch.Tensor:
    return model[0](sounds.to(device)).cpu()  # (n, 64)


probes = {name: linear_probe(features(m, video_sounds), videos["cls"], features(m, test_sounds), test["cls"])
          for name, m in students}
for name, value in probes.items():
    print(f"linear probe, {name:14s}: {value:.3f}")

# %% [markdown]
# The probe is higher still, above both the teacher's accuracy and the student's own, but it answers another
# question: the teacher's number is its own argmax on a frame, with nothing added, while the probe is a new classifier
# fitted **with the 3000 video labels** on top of the student's features. It measures how much of the class the
# features carry, given labels to read it out, not what the student predicts by itself (that is the label-free
# accuracy above).
#
# ## 5. Transfer: sounds the teacher never named
# SoundNet's claim is that the features are useful beyond the teacher's classes. Two sets of sounds that no teacher
# ever named, each placed at a random time in a one-second clip at the calls' loudness, in the same noise:
# - **spoken words**: 12 words (six colours, six backgrounds) said by the 24 synthetic espeak-ng voices; the probe is
#   trained on 16 voices and tested on the 8 it never heard (the variants `m7` and `f4`, at the same two pitches and
#   two speeds as the others);
# - **real human speech**: the digits 0–9 recorded by one speaker (`data/digits_speech`: Asterisk's core sounds,
#   voice of Allison Smith, CC BY-SA 3.0), each played 60 times at a
#   random speed (0.85–1.15, which moves pitch and tempo together); the probe is tested on renditions it did not see.
#   With one speaker and one recording per digit, this measures how well the features survive changes of speed,
#   timing, loudness and noise, not generalisation to new speakers (the words test that).
#
# The same linear probe reads each set out of the frozen 64-d features of the three students.

# %%
TRANSFER_WORDS = world.COLOUR_NAMES + world.BACKGROUND_NAMES  # 12 words; none is a class the teacher knows
HELD_OUT_VOICES = ("m7", "f4")  # espeak-ng variants whose 8 voices only the test side hears
transfer_gen = mmutils.rng(80)


def in_the_noisy_place(sound: torch.Tensor) -> torch.Tensor:
    """A recording (T,) at 16 kHz, at a random time in a one-second clip, scaled like the calls, plus the noise."""
    n = min(len(sound), world.SAMPLE_RATE)
    start = int(torch.randint(0, world.SAMPLE_RATE - n + 1, (), generator=transfer_gen))
    loudness = 0.8 * (0.6 + 0.4 * torch.rand((), generator=transfer_gen).item())
    clip = torch.zeros(world.SAMPLE_RATE)
    clip[start:start + n] = sound[:n] / sound.abs().max() * loudness
    return clip + NOISE * torch.randn(world.SAMPLE_RATE, generator=transfer_gen)  # (16000,)


word_clips, word_labels, word_test = [], [], []
for voice in world.voices():
    for w, word in enumerate(TRANSFER_WORDS):
        spoken, _ = world.speak([word], voice)  # (T,) at 16 kHz
        for _ in range(4):
            word_clips.append(in_the_noisy_place(spoken))
            word_labels.append(w)
            word_test.append(voice.startswith(HELD_OUT_VOICES))
word_clips, word_labels, word_test = torch.stack(word_clips), torch.tensor(word_labels), torch.tensor(word_test)

digit_clips, digit_labels = [], []
for digit in range(10):
    recording, rate = load_digit_speech(digit)  # (T,) at 8 kHz
    for _ in range(60):
        speed = 0.85 + 0.3 * torch.rand((), generator=transfer_gen).item()
        length = int(len(recording) * world.SAMPLE_RATE / rate / speed)  # resampled to 16 kHz, then played faster
        played = F.interpolate(recording[None, None], size=length, mode="linear", align_corners=False)[0, 0]
        digit_clips.append(in_the_noisy_place(played))
        digit_labels.append(digit)
digit_clips, digit_labels = torch.stack(digit_clips), torch.tensor(digit_labels)
digit_test = torch.arange(len(digit_labels)) % 3 == 0  # a third of each digit's renditions for testing
print("spoken words:", tuple(word_clips.shape), f"{int(word_test.sum())} from held-out voices")
print("human digits:", tuple(digit_clips.shape), f"{int(digit_test.sum())} renditions for testing")


def transfer_probe(model: nn.Module, clips: torch.Tensor, labels: torch.Tensor, is_test: torch.Tensor) -> float:
    f = features(model, clips)  # (n, 64)
    return linear_probe(f[~is_test], labels[~is_test], f[is_test], labels[is_test])


transfer = {name: {"spoken words": transfer_probe(m, word_clips, word_labels, word_test),
                   "human digits": transfer_probe(m, digit_clips, digit_labels, digit_test)} for name, m in students}
for name, values in transfer.items():
    print(f"{name:14s}: spoken words {values['spoken words']:.3f} (chance {1 / len(TRANSFER_WORDS):.3f}), "
          f"human digits {values['human digits']:.3f} (chance 0.100)")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 2.8))
example_word = int(word_test.nonzero()[0])
for ax, clip, title in [(axes[0], word_clips[example_word],
                         f"'{TRANSFER_WORDS[word_labels[example_word]]}', a held-out voice, in the noise"),
                        (axes[1], digit_clips[7 * 60], "a human '7', in the noise")]:
    mel_power = log_mel(clip, world.SAMPLE_RATE, hop_length=HOP, n_mels=48).exp()  # (48, 51)
    mmutils.show_spectrogram(mel_power, world.SAMPLE_RATE, HOP, ax=ax, mel=True, title=title)
fig.tight_layout()
plt.show()
mmutils.audio_player(digit_clips[7 * 60], world.SAMPLE_RATE)

# %% [markdown]
# The student's features carry the words and the digits far better than either control, which stay close to chance
# (about 0.10 on the words, chance 0.08; 0.14–0.16 on the digits, chance 0.10): what the student learned from the
# teacher on animal calls and a car separates sounds it never heard named, even though it was never trained to
# tell them apart. The untrained network's random features, which carry some of the world's ten classes (the probe
# above), carry little of these sounds in this noise. The transfer is partial,
# and the two sets differ in several ways at once (12 classes against 10, synthetic against recorded, new voices
# against new renditions of the same recordings), so the gap between them is not only "new speaker". On these new
# sounds the two controls are about level (equal on the words; 0.16 and 0.14 on the digits, four clips in 200); on
# the teacher's classes the shuffled-pairs student's features are even a little worse than the untrained ones (0.40
# against 0.46). A likely reason, not tested here: fitting the teacher's answers for the wrong videos, the network
# fits details of individual clips, such as their noise, rather than the calls.

# %% [markdown]
# ## 6. Sound → image recommendation
# The student's output is a distribution over the teacher's classes, so a sound and an image can be compared directly:
# rank the test images by the cosine between the student's distribution for the sound and the teacher's for the image.
# Both sides are just 10 class probabilities, so this is **class retrieval**: a sound brings up images the teacher
# puts in the same class (the most confidently so first, because the cosine with a nearly one-hot distribution is
# largest for another nearly one-hot one), and nothing about *this* video — the object's colour, its
# background — can be matched. Matching finer than the class takes a joint embedding trained on pairs, as in lesson 03.
# Precision@5: the share of the 5 recommended images that show the sounding class (chance: one class in ten).

# %%
@torch.no_grad()
def recommend_scores(model: nn.Module) -> torch.Tensor:
    sound_dist = F.softmax(model(test_sounds.to(device)).cpu(), dim=1)  # (1000, 10)
    image_dist = F.softmax(teacher_test, dim=1)  # (1000, 10)
    scores = F.normalize(sound_dist, dim=1) @ F.normalize(image_dist, dim=1).T  # (1000 sounds, 1000 images)
    return scores.fill_diagonal_(-1.0)  # a sound's own frame is not recommended


relevant = test["cls"][:, None] == test["cls"][None, :]  # (1000, 1000) same class
p_at_5 = {name: precision_at_k(recommend_scores(m), relevant, 5)
          for name, m in [("student", student), ("shuffled pairs", shuffled_student)]}
chance = (relevant.float().sum(1) - 1).mean().item() / (N_TEST - 1)
print({k: round(v, 3) for k, v in p_at_5.items()}, f"chance {chance:.3f}")

# %%
scores = recommend_scores(student)
queries = [int((test["cls"] == c).nonzero()[0]) for c in range(0, 10, 2)]  # one sound of five classes
fig, axes = plt.subplots(len(queries), 6, figsize=(9, 1.7 * len(queries)))
for row, q in zip(axes, queries):
    row[0].text(0.5, 0.5, f"sound of a\n{world.CLASS_NAMES[test['cls'][q]]}", ha="center", va="center", fontsize=10)
    row[0].axis("off")
    for ax, idx in zip(row[1:], scores[q].topk(5).indices):
        ax.imshow(mmutils.viz.to_display(test["image"][idx]))
        hit = test["cls"][idx] == test["cls"][q]
        ax.set_title(world.CLASS_NAMES[test["cls"][idx]], fontsize=8, color="green" if hit else "red")
        ax.axis("off")
fig.suptitle("sound → the 5 best-matching test images")
fig.tight_layout()
plt.show()
mmutils.audio_player(test_sounds[queries[0]], world.SAMPLE_RATE)

# %% [markdown]
# ## 7. Exercises
# ### Exercise 08.1 — soft targets
# Write `soften(logits, temperature)`: the softmax of `logits / temperature` over the classes, `(B, C)`.

# %%
def soften(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    ### BEGIN SOLUTION
    return F.softmax(logits / temperature, dim=1)
    ### END SOLUTION


check("08.1", soften)

# %% [markdown]
# ### Exercise 08.2 — the distillation loss
# Write `kd_loss(student_logits, teacher_logits, temperature)`: with `p = softmax(teacher / T)` and
# `log q = log_softmax(student / T)`, return `T² · mean over the batch of Σ_c p (log p − log q)` as a 0-d tensor.

# %%
def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    ### BEGIN SOLUTION
    p = F.softmax(teacher_logits / temperature, dim=1)
    log_q = F.log_softmax(student_logits / temperature, dim=1)
    return temperature**2 * (p * (torch.log(p.clamp_min(1e-12)) - log_q)).sum(1).mean()
    ### END SOLUTION


check("08.2", kd_loss)

# %% [markdown]
# ### Exercise 08.3 — Precision@K
# Write `my_precision_at_k(scores, relevant, k)`: for each query row of `scores` `(Q, G)`, the fraction of its `k`
# best-ranked gallery items that are `relevant` `(Q, G)`; the mean over queries, as a Python float. A tie counts
# against the query, as in `mmutils.metrics`: among items with equal scores, the irrelevant ones rank first.

# %%
def my_precision_at_k(scores: torch.Tensor, relevant: torch.Tensor, k: int) -> float:
    ### BEGIN SOLUTION
    order = torch.argsort(relevant.to(torch.uint8), dim=1, stable=True)  # (Q, G) irrelevant items first
    by_score = torch.argsort(scores.gather(1, order), dim=1, descending=True, stable=True)  # a tie keeps that order
    top = order.gather(1, by_score[:, :k])  # (Q, k) the k best-ranked items
    return relevant.gather(1, top).float().mean().item()
    ### END SOLUTION


check("08.3", my_precision_at_k)

# %% [markdown]
# ## Results
# What must hold: the student's label-free accuracy ≥ 0.5 above the shuffled-pairs student's; its linear probe ≥ 0.90,
# and ≥ 0.25 above both the untrained and the shuffled-pairs student; on the sounds the teacher never named, its probe ≥
# 0.15 above the better of the two controls on the spoken words and ≥ 0.3 above it on the human digits; sound → image
# Precision@5 ≥ 0.8 (chance 0.1), while the shuffled-pairs student stays ≤ 0.25.

# %% tags=["results"]
results = mmutils.report_results({
    "teacher accuracy": teacher_accuracy,
    "student label-free accuracy": label_free["student"],
    "shuffled-pairs label-free accuracy": label_free["shuffled pairs"],
    "student label-free minus shuffled pairs": (label_free["student"] - label_free["shuffled pairs"], ">=", 0.5),
    "student probe": (probes["student"], ">=", 0.90),
    "untrained student probe": probes["untrained"],
    "shuffled-pairs student probe": probes["shuffled pairs"],
    "student probe minus untrained": (probes["student"] - probes["untrained"], ">=", 0.25),
    "student probe minus shuffled pairs": (probes["student"] - probes["shuffled pairs"], ">=", 0.25),
    "spoken-word probe, held-out voices": transfer["student"]["spoken words"],
    "spoken-word probe, untrained": transfer["untrained"]["spoken words"],
    "spoken-word probe, shuffled pairs": transfer["shuffled pairs"]["spoken words"],
    "spoken-word probe minus the better control": (
        transfer["student"]["spoken words"] - max(transfer[c]["spoken words"] for c in ("untrained", "shuffled pairs")),
        ">=", 0.15),
    "human-digit probe": transfer["student"]["human digits"],
    "human-digit probe, untrained": transfer["untrained"]["human digits"],
    "human-digit probe, shuffled pairs": transfer["shuffled pairs"]["human digits"],
    "human-digit probe minus the better control": (
        transfer["student"]["human digits"] - max(transfer[c]["human digits"] for c in ("untrained", "shuffled pairs")),
        ">=", 0.3),
    "sound to image precision at 5": (p_at_5["student"], ">=", 0.8),
    "shuffled-pairs precision at 5": (p_at_5["shuffled pairs"], "<=", 0.25),
    "precision at 5 chance": chance,
})

# %% [markdown]
# ## Summary
# - **Matching across modalities without labels**: a visual teacher's class distribution on a video's frame is the
#   target of a sound network on the same video's audio (KL divergence, softened by a temperature).
# - The student learned to recognise sounds from raw waveforms: by its own argmax, with no label, it is about as
#   accurate as its teacher (0.92 against 0.90 here), and its linear probe is far above both an untrained network and
#   the same training on shuffled pairs, so it is the **correspondence** of sight and sound that taught it. A probe is
#   fitted with labels; it is not the student's own accuracy.
# - Its features **transfer** to sounds the teacher never named (spoken words from unheard synthetic voices, a
#   human's digits), far above both controls, though well below its accuracy on the teacher's classes.
# - Because the student predicts in the teacher's class space, sounds and images can be compared directly: **sound →
#   image recommendation**, the lecture's use of SoundNet, here a retrieval by class.
# - This is a small variant of SoundNet: one teacher of 10 classes, a temperature, a three-layer student, logistic
#   probes on its last features (the differences are listed at the top).
#
# ## Exercises
# 1. **08.1–08.3** above (checked).
# 2. Train the student at T = 1 and T = 10. What does the temperature change in the targets, and in the probe?
# 3. Lower `NOISE` to 0.05. What happens to the untrained student's probe, and why is "better than chance" the wrong
#    control for a linear probe?
# 4. Give the teacher only 300 labelled images. How much of its error passes to the student?
#
# ## Papers
# - Y. Aytar, C. Vondrick, A. Torralba. *SoundNet: Learning Sound Representations from Unlabeled Video.* NeurIPS 2016.
# - G. Hinton, O. Vinyals, J. Dean. *Distilling the Knowledge in a Neural Network.* 2015.
# - R. Arandjelović, A. Zisserman. *Look, Listen and Learn.* ICCV 2017.
