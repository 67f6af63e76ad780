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
# # 00 · Start here
#
# Welcome to a hands-on course on **multi-modal deep learning**: models that learn from more than one kind of data at
# once — images with text, sound with images. It follows a lecture note (Korean) whose table of contents is
#
# > - **Multi-modal learning이란** — what multi-modal learning is
# > - **Multi-modal learning tasks (Image&text)** — matching, translating, referencing with images and text
# > - **Multi-modal learning tasks (Audio&Image)** — the same three families with sound and images
#
# Every lesson runs, trains its models **from scratch** and visibly learns on an ordinary laptop with no GPU and no
# internet, in under two minutes. Every claim that a model learned something is checked against a *control*
# (chance, shuffled pairs, or one modality alone), so a model that learned nothing fails its lesson.
#
# In this notebook you will:
# 1. check your environment;
# 2. see how the course is organised and where its building blocks live (`mmutils`);
# 3. tour the figures the course uses (image grids, attention overlays, spectrograms, players, animations);
# 4. tour the course world that every later lesson draws its data from;
# 5. train a first tiny two-input model and compare it with single-input controls;
# 6. do two warm-up exercises and see how homework is checked.

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
import torchaudio

import mmutils
from mmutils.checks import check

gen = mmutils.seed_everything(0)
device = mmutils.get_device()

# %% [markdown]
# ## 1. Your environment
# The course pins its stack (`requirements.txt`). Include this table in any bug report. `device` is `cuda` when
# torch sees a GPU and `cpu` otherwise: every lesson runs on either.

# %%
for key, value in mmutils.environment_report().items():
    print(f"{key:>14}: {value}")

# %% [markdown]
# ## 2. How the course is organised
#
# The lecture names three **difficulties** of multi-modal learning — modalities have *different representations*
# (audio 1-D, images 2-D/3-D, text as embedding vectors), there is an *imbalance between feature spaces* (one sentence
# fits many images and one image many sentences), and a model can be *biased toward one modality* (it takes the easy
# road) — and three **method families**:
#
# | family | what it does | lessons |
# |---|---|---|
# | **matching** | map modalities into one shared space | 02 word embeddings · 03 joint embedding · 08 SoundNet |
# | **translating** | turn one modality into another | 04 captioning · 05 text-to-image · 09 Speech2Face, image→speech |
# | **referencing** | produce one modality while consulting another | 06 VQA · 10 sound localization · 11 lip sync |
#
# Lesson 01 puts the three difficulties on the table with experiments, and lesson 07 shows how audio becomes data
# (Fourier transform, STFT) before the audio lessons. Each lesson opens with the lecture section it follows, ends with a
# **results** cell that prints its headline numbers and asserts them against their bars, then a summary, exercises and
# the papers to read.
#
# **The toolbox.** Reusable code lives once in the package `mmutils`; lessons import it and show it. It is laid out
# like the lecture: `mmutils.blocks` holds the parts every model is built from (encoders, attention, fusions, the
# composed models), `mmutils.matching`, `mmutils.translating` and `mmutils.referencing` the methods of the three
# families, `mmutils.metrics` the measures, `mmutils.world` the course's data. For example the function that makes
# every lesson reproducible:

# %%
mmutils.show_source(mmutils.seed_everything)

# %% [markdown]
# ## 3. A tour of the figures
# Images are tensors `(channels, height, width)` with values in [0, 1]. Here are a few synthetic ones: a coloured disc
# on a dark background, drawn with nothing but tensor arithmetic.

# %%
def disc_images(n: int, size: int = 32, generator=None) -> tuple[torch.Tensor, torch.Tensor]:
    """n images (n, 3, size, size) of one coloured disc each, and the disc centres (n, 2) as (row, col)."""
    ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")  # (size, size) each
    centres = torch.randint(8, size - 8, (n, 2), generator=generator)  # (n, 2)
    colours = torch.rand(n, 3, 1, 1, generator=generator)  # (n, 3, 1, 1)
    dist2 = (ys - centres[:, 0, None, None]) ** 2 + (xs - centres[:, 1, None, None]) ** 2  # (n, size, size)
    inside = (dist2 <= 36).float()[:, None]  # (n, 1, size, size)
    images = 0.1 + inside * (colours * 0.8 + 0.1)  # (n, 3, size, size)
    return images, centres


images, centres = disc_images(8, generator=gen)  # (8, 3, 32, 32), (8, 2)
print("images:", tuple(images.shape), images.dtype, " centres:", tuple(centres.shape))
mmutils.image_grid(images, titles=[f"centre {tuple(c.tolist())}" for c in centres], ncols=8)
plt.show()

# %% [markdown]
# **Attention overlays** show where a model looks: a heatmap on a coarse grid (here 8×8), upsampled over the image.
# Lessons 04, 06 and 10 draw their models' attention this way; here the "attention" is just a bump at each disc.

# %%
grid = 8
gy, gx = torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")  # (8, 8) each
fig, axes = plt.subplots(1, 4, figsize=(8, 2.2))
for ax, image, centre in zip(axes, images, centres):
    cell = centre.float() / 32 * grid - 0.5  # (2,) centre in grid units
    heat = torch.exp(-((gy - cell[0]) ** 2 + (gx - cell[1]) ** 2) / 2.0)  # (8, 8)
    mmutils.heatmap_overlay(image, heat, ax=ax)
plt.show()

# %% [markdown]
# **Sound** is a 1-D waveform. A rising tone (a *chirp*) plus a steady hum, one second at 16 kHz — play it, then look at
# its spectrogram: time runs left to right, frequency bottom to top. Lesson 07 builds the spectrogram by hand.

# %%
sample_rate = 16_000
t = torch.arange(sample_rate) / sample_rate  # (16000,) seconds
chirp = torch.sin(2 * torch.pi * (300 * t + 1500 * t**2))  # (16000,) frequency rises 300 -> 3300 Hz
hum = 0.5 * torch.sin(2 * torch.pi * 440 * t)  # (16000,)
wave = 0.4 * (chirp + hum)  # (16000,)
spec = torchaudio.transforms.Spectrogram(n_fft=512, hop_length=128)(wave)  # (257, 126) power
print("waveform:", tuple(wave.shape), " spectrogram (freq, time):", tuple(spec.shape))
mmutils.audio_player(wave, sample_rate)

# %%
fig, ax = plt.subplots(figsize=(6, 2.6))
mmutils.show_spectrogram(spec, sample_rate, hop_length=128, ax=ax, title="chirp + 440 Hz hum")
plt.show()

# %% [markdown]
# **Animations** play a stack of frames `(time, channels, height, width)`; lesson 11 animates a talking face this way.

# %%
frames = []
for step in range(12):
    image, _ = disc_images(1, generator=torch.Generator().manual_seed(0))  # (1, 3, 32, 32)
    frames.append(torch.roll(image[0], shifts=2 * step, dims=2))  # (3, 32, 32) moved right
mmutils.animation_html(torch.stack(frames), fps=6)  # frames: (12, 3, 32, 32)

# %% [markdown]
# ## 4. A tour of the course world
# Every later lesson draws its data from one seeded world (`mmutils.world`): objects drawn from real icon art (Noto
# Color Emoji) in 6 colours and 2 sizes, on 6 backgrounds, 1–3 per scene; captions, tags and question–answer pairs
# that are true of each scene by construction; a characteristic sound per object class; and every word of the world
# spoken by 24 voices. The ground truth is exact, so lessons can check where a model looked or which word it heard.

# %%
# NBVAL_CHECK_OUTPUT
from mmutils import world

print("classes:    ", world.CLASS_NAMES)
print("colours:    ", world.COLOUR_NAMES)
print("backgrounds:", world.BACKGROUND_NAMES)
print("voices:     ", len(world.voices()), "e.g.", world.voices()[:3])

# %%
tour = [world.make_scene(seed, size=64, n_objects=(1, 3)) for seed in range(8)]
mmutils.image_grid(torch.stack([s.image for s in tour]), titles=[s.captions[0] for s in tour], ncols=4, size=2.8)
plt.show()

# %%
scene = tour[1]
print("objects:", [(o.cls, o.colour, o.size, o.slot, o.box) for o in scene.objects])
print("captions:", scene.captions)
print("tags:", scene.tags)
for qa in scene.qa:
    print(f"Q: {qa.question}?  A: {qa.answer}")

# %% [markdown]
# Where the objects are, exactly: each object's box and mask come with the scene.

# %%
fig, axes = plt.subplots(1, 1 + len(scene.objects), figsize=(2.4 * (1 + len(scene.objects)), 2.4))
axes[0].imshow(mmutils.viz.to_display(scene.image))
for o in scene.objects:
    x0, y0, x1, y1 = o.box
    axes[0].add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, ec="white", lw=1.5))
axes[0].set_title("boxes", fontsize=9)
for ax, o, mask in zip(axes[1:], scene.objects, scene.masks):
    ax.imshow(mask, cmap="gray")
    ax.set_title(f"mask: {o.colour} {o.cls}", fontsize=9)
for ax in axes:
    ax.axis("off")
plt.show()

# %% [markdown]
# The sound of the scene's sounding object, and its first caption spoken (with each word's start and end):

# %%
print("sounding:", scene.objects[scene.sounding[0]].cls)
mmutils.audio_player(scene.sound(), world.SAMPLE_RATE)

# %%
speech, timing = scene.spoken_caption(0)
print(" ".join(f"{w}[{a:.2f}-{b:.2f}s]" for w, a, b in timing))
mmutils.audio_player(speech, world.SPEECH_RATE)

# %% [markdown]
# Scenes are cheap: a lesson can make thousands in a second or two. Held-out splits use **unseen combinations**: each
# class has one colour that never appears in training, so a test score measures generalisation, not memory.

# %%
import time

start = time.perf_counter()
batch = world.WorldScenes(2000, "train", size=32).tensors()  # dict of (2000, ...) tensors
print(f"{2000 / (time.perf_counter() - start):.0f} scenes per second (32x32, rendered and labelled)")
split = world.combination_split(seed=0)
print("held-out (class, colour) pairs:", split.test_pairs)

# %% [markdown]
# ## 5. A first two-input model, against controls
#
# Two "modalities" `a` and `b`, each a 2-D vector. The label is 1 when exactly one of `a[0]` and `b[0]` is positive (an
# XOR). **Neither input alone says anything about the label**, yet together they decide it. We train the same small
# network three times: on `a` alone, on `b` alone, and on both (late fusion by concatenation). A claim that the fused
# model learned is only worth something next to those controls.

# %%
# NBVAL_CHECK_OUTPUT
def xor_pairs(n: int, generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Two inputs (n, 2) each and XOR labels (n,)."""
    a = torch.randn(n, 2, generator=generator)  # (n, 2)
    b = torch.randn(n, 2, generator=generator)  # (n, 2)
    y = ((a[:, 0] > 0) ^ (b[:, 0] > 0)).long()  # (n,)
    return a, b, y


a_train, b_train, y_train = xor_pairs(2000, gen)
a_test, b_test, y_test = xor_pairs(1000, gen)
print("train:", tuple(a_train.shape), tuple(b_train.shape), tuple(y_train.shape))
print("test:", tuple(a_test.shape), tuple(b_test.shape), tuple(y_test.shape))
print("label counts (train):", torch.bincount(y_train).tolist(), " (test):", torch.bincount(y_test).tolist())

# %% [markdown]
# `mmutils.fit` is a deliberately small loop: you give it `loss_fn(model, batch)`, so a batch can hold any mix of
# modalities. It shows a progress bar and returns the loss and metric history per epoch.

# %%
def mlp(inputs: int) -> nn.Module:
    return nn.Sequential(nn.Linear(inputs, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))


def train(inputs_train: torch.Tensor, inputs_test: torch.Tensor, name: str):
    """Train an MLP on inputs (n, d) and return (model, history)."""
    model = mlp(inputs_train.shape[1]).to(device)
    batches = list(zip(inputs_train.split(100), y_train.split(100)))  # 20 batches of (100, d), (100,)
    loss_fn = lambda m, batch: nn.functional.cross_entropy(m(batch[0]), batch[1])  # noqa: E731
    test_acc = lambda m: mmutils.accuracy(m(inputs_test.to(device)).cpu(), y_test)  # noqa: E731
    history = mmutils.fit(model, batches, loss_fn, epochs=40, lr=3e-3, metrics={"test accuracy": test_acc},
                          desc=name, device=device)
    return model, history


models, histories = {}, {}
for name, x_train, x_test in [
    ("a alone", a_train, a_test),
    ("b alone", b_train, b_test),
    ("a + b fused", torch.cat([a_train, b_train], 1), torch.cat([a_test, b_test], 1)),  # (n, 4)
]:
    models[name], histories[name] = train(x_train, x_test, name)

# %%
fig, ax = plt.subplots(figsize=(5, 3))
for name, history in histories.items():
    ax.plot(range(1, len(history["test accuracy"]) + 1), history["test accuracy"], label=name)
ax.axhline(mmutils.majority_baseline(y_train, y_test), color="grey", ls="--", label="majority class (control)")
ax.set(xlabel="epoch", ylabel="test accuracy", ylim=(0.3, 1.02), title="one input alone vs both")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)  # beside the axes: no curve hidden
plt.show()

# %% [markdown]
# What did the fused model learn inside? Its last hidden layer, projected to 2-D by PCA, for 300 test pairs: the two
# classes, mixed in either input alone, come apart.

# %%
fused = models["a + b fused"]
with torch.no_grad():
    hidden = fused[:-1](torch.cat([a_test, b_test], 1)[:300].to(device)).cpu()  # (300, 32)
fig, ax = plt.subplots(figsize=(4, 3.5))
mmutils.embedding_scatter(hidden, groups=[f"label {int(v)}" for v in y_test[:300]], ax=ax,
                          title="fused model's hidden features (PCA)")
plt.show()

# %% [markdown]
# ## 6. Warm-up exercises
#
# Homework works the same way in every lesson. Each exercise is a function whose body you write; the cell ends with a
# `check(...)` call that tests your function on inputs it chooses and prints **passed**, **failed** (with a hint), or
# **not implemented**. A check never stops the notebook: the lesson carries on with the course's own implementation.
# Your copy of each lesson is in `notebooks/exercises/`; `make grade NB=...` scores a whole notebook.
#
# ### Exercise 00.1 — image layout
# Image files and PIL give `(height, width, channels)` arrays of bytes (`uint8`, 0–255); torch models want
# `(channels, height, width)` floats in [0, 1]. Write `to_chw_float(image)` for a `(H, W, C)` uint8 tensor.

# %%
def to_chw_float(image: torch.Tensor) -> torch.Tensor:
    """(H, W, C) uint8 -> (C, H, W) float32 in [0, 1]."""
    ### BEGIN SOLUTION
    return image.permute(2, 0, 1).to(torch.float32) / 255.0
    ### END SOLUTION


check("00.1", to_chw_float)

# %% [markdown]
# ### Exercise 00.2 — the simplest control
# A classifier that always answers the most frequent training label needs no input at all. Its accuracy is the floor
# every model must clear (above, the grey line). Write `majority_baseline(train_labels, test_labels)`: the accuracy on
# `test_labels` of always answering the most frequent label in `train_labels` (ties go to the smallest label), as a
# Python float.

# %%
def majority_baseline(train_labels: torch.Tensor, test_labels: torch.Tensor) -> float:
    """Accuracy on test_labels (M,) of always predicting the most frequent label of train_labels (N,)."""
    ### BEGIN SOLUTION
    majority = torch.bincount(train_labels).argmax()
    return (test_labels == majority).float().mean().item()
    ### END SOLUTION


check("00.2", majority_baseline)

# %% [markdown]
# ## Results
# Every lesson ends with this cell: one headline number per line, and each bar asserted. Here the bars say the fused
# model learned the XOR and that it needed both inputs: each single-input control stays near the majority baseline.

# %% tags=["results"]
chance = mmutils.majority_baseline(y_train, y_test)
acc = {name: h.last("test accuracy") for name, h in histories.items()}
best_single = max(acc["a alone"], acc["b alone"])
results = mmutils.report_results({
    "fused test accuracy": (acc["a + b fused"], ">=", 0.9),
    "a-alone test accuracy": acc["a alone"],
    "b-alone test accuracy": acc["b alone"],
    "majority baseline": chance,
    "fused minus best single input": (acc["a + b fused"] - best_single, ">=", 0.3),
    "best single input minus majority": (best_single - chance, "<=", 0.1),
})

# %% [markdown]
# ## Summary
# - The course's stack is pinned; `mmutils.environment_report()` says what you run on, and every lesson works on CPU.
# - Building blocks live in `mmutils` and lessons show their source; figures come from `mmutils.viz`.
# - Learning is always measured against a control. Here two inputs that are useless alone decide the label together:
#   the simplest case of why one trains on several modalities at once.
# - Homework: write the function, run the cell, read the check's verdict; `make grade` scores a notebook.
#
# ## Exercises
# 1. **00.1** `to_chw_float` and **00.2** `majority_baseline` above (checked).
# 2. Change the label to depend on `a` alone (`y = a[:, 0] > 0`) and rerun section 5. Which control now matches the
#    fused model, and what does that say about reading a fused model's accuracy on its own?
# 3. Make `b` a noisy copy of the label (`b[:, 0] = y + noise`). The fused model now has an easy shortcut. Lesson 01
#    measures what such a shortcut does to the *other* input's encoder.
#
# ## Papers
# - T. Baltrušaitis, C. Ahuja, L.-P. Morency. *Multimodal Machine Learning: A Survey and Taxonomy.* IEEE TPAMI, 2019.
# - P. P. Liang, A. Zadeh, L.-P. Morency. *Foundations and Trends in Multimodal Machine Learning.* ACM Computing
#   Surveys, 2024.
