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
# # 01 · What is multi-modal learning
#
# > **1. Multi-modal learning이란** — `multi-modal learning` : 서로 다른 데이터 타입을 같이 학습하는 것을 말한다.
# > (예를 들어, text, vision, audio 등을 같이 학습하는 것)
#
# *Multi-modal learning is learning from different types of data together — text, vision, audio.* The lecture then
# names three difficulties (**1-1. Multi modal learning의 어려움**) and three families of methods (**1-2. Multi modal
# learning 방법**). This lesson puts each difficulty on the table with the course world, and measures the third one —
# **bias toward one modality** — by experiment, then repairs it.
#
# You will:
# 1. meet the course world: scenes with exact ground truth, captions, sounds and speech;
# 2. see the three representations side by side, with their shapes (audio 1-D, image 3-D, text tokens → vectors);
# 3. see the imbalance between feature spaces: one caption fits many images, one image many captions;
# 4. train a late-fusion classifier where sound is an easy shortcut, measure what the shortcut does to the image
#    encoder, and apply two remedies: **OGM-GE** gradient modulation and **modality dropout**;
# 5. map the three method families — matching, translating, referencing — onto the lessons ahead.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import mmutils
from mmutils import world
from mmutils.audio import log_mel
from mmutils.balance import modality_keep_mask, modulate_gradients, ogm_coefficients, unimodal_logits
from mmutils.encoders import AudioCNN, ImageCNN
from mmutils.exercises import check
from mmutils.models import LateFusionClassifier
from mmutils.text import Vocabulary, tokenize

gen = mmutils.seed_everything(0)
device = mmutils.get_device()

# %% [markdown]
# ## 1. The course world
# Every lesson draws its data from one seeded world: 10 object classes (icons from Noto Color Emoji, recoloured in 6
# colours, two sizes), 6 backgrounds, 1–3 objects per scene, one per horizontal slot. Because the world is generated,
# the ground truth is exact: boxes and masks, captions, question–answer pairs, which object makes the sound, and when
# each spoken word starts and ends. A scene is a pure function of its seed.

# %%
scenes = [world.make_scene(seed, size=48, n_objects=(1, 3)) for seed in range(12)]
mmutils.image_grid(torch.stack([s.image for s in scenes]), titles=[s.captions[0] for s in scenes], ncols=4,
                   size=2.6)
plt.show()

# %%
scene = scenes[2]
print("objects:")
for o in scene.objects:
    print(f"  {o.cls:6s} {o.colour:7s} {o.size:6s} slot={o.slot:7s} box={o.box}")
print("captions:", *scene.captions, sep="\n  ")
print("tags:", scene.tags)
print("questions:", *[f"{qa.question}? -> {qa.answer}  ({qa.qtype})" for qa in scene.qa], sep="\n  ")

# %% [markdown]
# Each class has a characteristic sound, varied from clip to clip (pitch, timing, number of calls), and every word of
# the world is spoken by 24 voices. Here is the sounding object of the scene above, and its first caption spoken:

# %%
print("sounding object:", scene.objects[scene.sounding[0]].cls, "-", world.SOUND_DESCRIPTIONS[
    scene.objects[scene.sounding[0]].cls])
mmutils.audio_player(scene.sound(), world.SAMPLE_RATE)

# %%
speech, timing = scene.spoken_caption(0, voice="f3-p65-s140")
print(" ".join(f"{w}[{a:.2f}-{b:.2f}s]" for w, a, b in timing))
mmutils.audio_player(speech, world.SPEECH_RATE)

# %% [markdown]
# ## 2. Different representations (1-1)
# > 서로 다른 데이터 타입인 만큼 서로의 표현 방법이 다르다. audio : 1d, image : 2d or 3d, text : embedding vector
#
# The same scene in three modalities. The **sound** is a 1-D sequence of 16,000 samples per second; the **image** a
# 3-D tensor (colour channels × height × width); the **caption** a sequence of discrete tokens, which a model turns
# into vectors through an embedding table. Nothing about their shapes lines up: a multi-modal model must first bring
# each to a form it can combine.

# %%
# NBVAL_CHECK_OUTPUT
waveform = scene.sound()  # (16000,) one second at 16 kHz
spectrogram = log_mel(waveform)  # (32, 51) log-mel: 32 bands x 51 frames
tokens = tokenize(scene.captions[0])
vocab = Vocabulary([tokenize(c) for s in scenes for c in s.captions])
ids = torch.tensor(vocab.encode(tokens))  # (n_tokens,)
embedding = nn.Embedding(len(vocab), 16)  # a learnable table: one 16-d vector per token
vectors = embedding(ids).detach()  # (n_tokens, 16)
print("audio waveform:   ", tuple(waveform.shape), "-> log-mel", tuple(spectrogram.shape))
print("image:            ", tuple(scene.image.shape))
print("caption tokens:   ", tokens)
print("token ids:        ", ids.tolist(), "-> vectors", tuple(vectors.shape))

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 2.8), gridspec_kw={"width_ratios": [1.6, 1, 1.6]})
axes[0].plot(torch.arange(len(waveform)) / world.SAMPLE_RATE, waveform, lw=0.5)
axes[0].set(title="audio: 1-D waveform (16000,)", xlabel="time (s)")
axes[1].imshow(mmutils.viz.to_display(scene.image))
axes[1].set(title="image: 3-D tensor (3, 48, 48)")
axes[1].axis("off")
axes[2].imshow(vectors.T, aspect="auto", cmap="coolwarm")
axes[2].set(title=f"text: {len(tokens)} tokens -> vectors {tuple(vectors.shape)}", ylabel="embedding dim")
axes[2].set_xticks(range(len(tokens)), tokens, rotation=45, fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Imbalance between heterogeneous feature spaces (1-1)
# > 하나의 문장이 주어진 경우, 그 문장을 표현하는 이미지는 여러개일 수 있다. '초원을 달리는 말'이라는 문장이 주어졌을 때,
# > 말의 이미지와 초원의 이미지는 여러가지가 나올 수 있다.
#
# One sentence fits many images: "a horse running on the grassland" can be drawn in countless ways. In the world, a
# caption leaves size, position, orientation and texture open, so one caption matches many different images — and one
# image is described by several captions. Matching the two spaces is therefore not a one-to-one lookup.

# %%
pool = [world.make_scene(seed, size=48, n_objects=1) for seed in range(1000, 9000)]
query = "a green horse on the grass"
matches = [s for s in pool if query in s.captions]
print(f"{len(matches)} of {len(pool)} scenes fit the caption {query!r}")
mmutils.image_grid(torch.stack([s.image for s in matches[:8]]), ncols=8, size=1.6, suptitle=f"'{query}'")
plt.show()

# %%
captions_per_image = sum(len(s.captions) for s in pool) / len(pool)
images_per_caption = {}
for s in pool:
    for c in s.captions:
        images_per_caption[c] = images_per_caption.get(c, 0) + 1
print(f"captions per image: {captions_per_image:.1f};  distinct captions: {len(images_per_caption)};  "
      f"images per caption: mean {len(pool) * captions_per_image / len(images_per_caption):.1f}, "
      f"max {max(images_per_caption.values())}")
print("one image, several captions:", *pool[0].captions, sep="\n  ")

# %% [markdown]
# ## 4. Bias toward one modality, by experiment (1-1)
# > 특정한 modality에 bias될 수 있다. 딥러닝 모델은 쉬운 길을 택하는 경향이 있다.
#
# *A model can be biased toward one modality: deep networks take the easy road.* We build a case where one modality is
# an easy shortcut and watch what happens to the other.
#
# **Task**: name the object (10 classes) from its image (32×32 scene) and its sound clip.
# **The shortcut**: in the training set the object makes its sound in 80% of the clips; in the other 20% the clip is
# background noise only (no false cue, just silence). The sound is easy to learn — class sounds are distinct.
# **The test**: a shortcut-free set where every clip is silent, so only what the model learned from images counts.
#
# The model is a **late-fusion** classifier: an image encoder and an audio encoder, their features concatenated, one
# linear head (`encoders → fusion → head`). To see inside it, we measure each encoder with a **linear probe**: freeze the
# encoder, train a linear classifier on its features, and compare with the same encoder trained alone.

# %%
# NBVAL_CHECK_OUTPUT
N_TRAIN, N_TEST, SOUND_FRACTION = 3000, 1000, 0.8
train_set = world.WorldScenes(N_TRAIN, "all", seed=1, size=32).tensors()
test_set = world.WorldScenes(N_TEST, "all", seed=2, size=32).tensors()


def clips(labels: torch.Tensor, sounding: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Log-mel clips (n, 32, 51): the class's sound where `sounding`, else background noise only."""
    waves = torch.stack([
        (world.class_sound(world.CLASS_NAMES[y], generator, noise=0.0) if s else torch.zeros(world.SAMPLE_RATE))
        + 0.02 * torch.randn(world.SAMPLE_RATE, generator=generator)
        for y, s in zip(labels.tolist(), sounding.tolist())
    ])  # (n, 16000)
    return log_mel(waves)  # (n, 32, 51)


sounding_train = torch.rand(N_TRAIN, generator=gen) < SOUND_FRACTION  # (3000,) bool
audio_train = clips(train_set["cls"], sounding_train, gen)  # (3000, 32, 51)
audio_test_silent = clips(test_set["cls"], torch.zeros(N_TEST, dtype=torch.bool), gen)  # (1000, 32, 51)
audio_test_sounding = clips(test_set["cls"], torch.ones(N_TEST, dtype=torch.bool), gen)  # (1000, 32, 51)
mean, std = audio_train.mean(), audio_train.std()
audio_train, audio_test_silent, audio_test_sounding = [(a - mean) / std for a in
                                                       (audio_train, audio_test_silent, audio_test_sounding)]
images_train, labels_train = train_set["image"], train_set["cls"]  # (3000, 3, 32, 32), (3000,)
images_test, labels_test = test_set["image"], test_set["cls"]  # (1000, 3, 32, 32), (1000,)
print("train:", tuple(images_train.shape), tuple(audio_train.shape), f"sounding clips {sounding_train.float().mean():.0%}")
print("test: ", tuple(images_test.shape), tuple(audio_test_silent.shape), "all clips silent")

# %%
fig, axes = plt.subplots(1, 4, figsize=(12, 2.2))
for ax, k in zip(axes, [0, 1, 2, 3]):
    mmutils.show_spectrogram(audio_train[k] - audio_train[k].min(), world.SAMPLE_RATE, 320, ax=ax, db=False, mel=True,
                             title=f"{world.CLASS_NAMES[labels_train[k]]}, {'sound' if sounding_train[k] else 'silent'}")
fig.tight_layout()
plt.show()

# %% [markdown]
# Training, all with SGD (momentum 0.9, learning rate 0.01, batch 64, 8 epochs), as in the OGM-GE paper. One function
# trains any of our models; `mode` picks plain late fusion, OGM-GE, or modality dropout of the audio.

# %%
EPOCHS, LR, OGM_ALPHA, P_DROP_AUDIO = 8, 0.01, 3.0, 0.5


def batches(*tensors):
    return DataLoader(TensorDataset(*tensors), batch_size=64, shuffle=True, generator=mmutils.rng(3))


def train_single(encoder: nn.Module, inputs: torch.Tensor, name: str) -> nn.Module:
    """Encoder + linear head trained alone on one modality."""
    mmutils.seed_everything(1)
    model = nn.Sequential(encoder, nn.Linear(encoder.dim, 10)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    mmutils.fit(model, batches(inputs, labels_train), lambda m, b: F.cross_entropy(m(b[0]), b[1]), epochs=EPOCHS,
                optimizer=opt, desc=name, device=device)
    return model


def train_fused(mode: str) -> LateFusionClassifier:
    """Late fusion (image + audio) trained plainly ('naive'), with OGM-GE ('ogm-ge') or dropping audio ('dropout')."""
    mmutils.seed_everything(1)
    model = LateFusionClassifier({"image": ImageCNN(), "audio": AudioCNN()}, n_classes=10).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    noise_gen = mmutils.rng(4)
    coefficients = {}

    def loss_fn(m, batch):
        images, audio, y = batch  # (B, 3, 32, 32), (B, 32, 51), (B,)
        keep = None
        if mode == "dropout":
            keep = {"audio": modality_keep_mask(len(y), P_DROP_AUDIO, noise_gen).to(y.device)}  # (B,)
        logits, feats = m({"image": images, "audio": audio}, keep)  # (B, 10), {m: (B, 64)}
        if mode == "ogm-ge":
            logit_img, logit_aud = unimodal_logits(m.head, [feats["image"], feats["audio"]])  # (B, 10) each
            coefficients["image"], coefficients["audio"] = ogm_coefficients(logit_img, logit_aud, y, OGM_ALPHA)
        return F.cross_entropy(logits, y)

    def after_backward(m):
        if mode == "ogm-ge":
            for name in ("image", "audio"):
                modulate_gradients(m.encoders[name], coefficients[name], noise=True, generator=noise_gen)

    mmutils.fit(model, batches(images_train, audio_train, labels_train), loss_fn, epochs=EPOCHS, optimizer=opt,
                after_backward=after_backward, desc=f"fused, {mode}", device=device)
    return model


@torch.no_grad()
def fused_accuracy(model, audio_test) -> float:
    logits, _ = model({"image": images_test.to(device), "audio": audio_test.to(device)})
    return mmutils.accuracy(logits.cpu(), labels_test)


@torch.no_grad()
def probe(encoder: nn.Module, train_inputs, test_inputs) -> float:
    """Linear-probe accuracy of a frozen encoder's features (trained on the training set, scored on the test set)."""
    encoder.eval()
    return mmutils.metrics.linear_probe(encoder(train_inputs.to(device)).cpu(), labels_train,
                                        encoder(test_inputs.to(device)).cpu(), labels_test)

# %%
image_alone = train_single(ImageCNN(), images_train, "image alone")
audio_alone = train_single(AudioCNN(), audio_train, "audio alone")
models = {mode: train_fused(mode) for mode in ("naive", "ogm-ge", "dropout")}

# %%
with torch.no_grad():
    image_alone.eval()
    acc_image_alone = mmutils.accuracy(image_alone(images_test.to(device)).cpu(), labels_test)
probe_image_alone = probe(image_alone[0], images_train, images_test)
probe_audio_alone = probe(audio_alone[0], audio_train, audio_test_sounding)
table = {}
for mode, model in models.items():
    table[mode] = {
        "test acc, silent clips": fused_accuracy(model, audio_test_silent),
        "test acc, with sounds": fused_accuracy(model, audio_test_sounding),
        "image probe": probe(model.encoders["image"], images_train, images_test),
        "audio probe": probe(model.encoders["audio"], audio_train, audio_test_sounding),
    }
print(f"image encoder alone: test acc {acc_image_alone:.3f}, probe {probe_image_alone:.3f}")
print(f"audio encoder alone: probe (clips with sound) {probe_audio_alone:.3f}")
print(f"{'fused model':12s}" + "".join(f"{k:>24s}" for k in table["naive"]))
for mode, row in table.items():
    print(f"{mode:12s}" + "".join(f"{v:24.3f}" for v in row.values()))

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
names = ["image alone"] + [f"fused, {m}" for m in table]
probes = [probe_image_alone] + [row["image probe"] for row in table.values()]
axes[0].bar(names, probes, color=["grey", "tab:red", "tab:blue", "tab:green"])
axes[0].set(ylim=(0, 1), title="image encoder: linear-probe accuracy", ylabel="accuracy")
silent = [acc_image_alone] + [row["test acc, silent clips"] for row in table.values()]
axes[1].bar(names, silent, color=["grey", "tab:red", "tab:blue", "tab:green"])
axes[1].axhline(0.1, color="black", ls=":", label="chance (10 classes)")
axes[1].set(ylim=(0, 1), title="test accuracy, shortcut-free (silent clips)")
axes[1].legend()
for ax in axes:
    ax.tick_params(axis="x", labelsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Reading the result.** Trained inside the naive fusion, the image encoder ends up far weaker than the same encoder
# trained alone: the sound explained most training clips, so the loss — and the image encoder's gradient — nearly
# vanished on them. On the silent test set the naive model is lost. Both remedies push the image encoder back to work:
#
# - **OGM-GE** compares, batch by batch, how much of the correct answer each modality's share of the head explains, and
#   scales down the gradient of the encoder that is ahead by `1 − tanh(α (ratio − 1))`, adding gradient noise (GE).
#   It slows the audio encoder, and the image encoder wins back part of its gap. It cannot stop the *head* from
#   leaning on the audio features, which even a slowed audio encoder provides.
# - **Modality dropout** hides the audio from the head on half of the samples, so those samples can only be explained
#   by the image. Here it wins back the most, and the fused model does not lose the sound: with sounds at test it is as
#   good as the others.
#
# The same lesson holds for real systems (Wang et al. 2020 showed multi-modal video models losing to their best single
# modality): a fused model's accuracy alone does not tell you whether every modality pulled its weight. Probe the
# encoders.

# %% [markdown]
# ## 5. Three ways to use several modalities (1-2)
# > **Matching**: 서로 다른 modality를 공통의 영역으로 엮는 것 · **Translating**: 하나의 modality를 다른 modality로 전환하는 것 ·
# > **Referencing**: 동일한 modality를 입력과 출력으로 할 때, 다른 modality를 참고하는 것

# %%
families = {
    "matching\n(one shared space)": ["02 word embeddings", "03 joint embedding,\n     image tagging", "08 SoundNet"],
    "translating\n(one modality -> another)": ["04 image captioning", "05 text-to-image",
                                               "09 Speech2Face,\n     image-to-speech"],
    "referencing\n(output consults another modality)": ["06 visual question\n     answering",
                                                        "10 sound source\n     localization", "11 lip movements"],
}
fig, ax = plt.subplots(figsize=(11, 3.6))
ax.axis("off")
colours = ["tab:blue", "tab:orange", "tab:green"]
for col, ((family, lessons), colour) in enumerate(zip(families.items(), colours)):
    x = 0.04 + col * 0.33
    ax.text(x + 0.13, 0.9, family, ha="center", va="center", fontsize=11, weight="bold",
            bbox=dict(boxstyle="round", fc=colour, alpha=0.25))
    for row, lesson in enumerate(lessons):
        ax.text(x + 0.02, 0.6 - row * 0.25, lesson, va="center", fontsize=10,
                bbox=dict(boxstyle="round", fc="white", ec=colour))
ax.set_title("the lecture's three method families and the lessons that build them")
plt.show()

# %% [markdown]
# ## 6. Exercises
# Three pieces of the remedies above. Each check compares your function with the course's on inputs it chooses.
#
# ### Exercise 01.1 — a modality-dropout mask
# Write `keep_mask(batch, p_drop, generator)`: a float tensor `(batch,)` of 0s and 1s, each 0 with probability
# `p_drop`, drawn with `torch.rand(..., generator=generator)`.

# %%
def keep_mask(batch: int, p_drop: float, generator: torch.Generator) -> torch.Tensor:
    """(batch,) float: 0 = drop the modality for that sample, 1 = keep it."""
    ### BEGIN SOLUTION
    return (torch.rand(batch, generator=generator) >= p_drop).float()
    ### END SOLUTION


check("01.1", keep_mask)

# %% [markdown]
# ### Exercise 01.2 — OGM's coefficients
# Given each modality's logits `(B, C)` and the targets `(B,)`: score each modality by `s = Σ_i softmax(logits)_i[y_i]`;
# with `ratio = s_a / s_b`, the modality that is ahead gets the coefficient `1 − tanh(α (ratio − 1))` (for b, use
# `1 / ratio`) and the other gets 1. Return `(k_a, k_b)` as floats.

# %%
def ogm_coeffs(logits_a: torch.Tensor, logits_b: torch.Tensor, targets: torch.Tensor,
               alpha: float) -> tuple[float, float]:
    ### BEGIN SOLUTION
    import math
    s_a = F.softmax(logits_a, 1).gather(1, targets[:, None]).sum().item()
    s_b = F.softmax(logits_b, 1).gather(1, targets[:, None]).sum().item()
    ratio = s_a / s_b
    if ratio > 1:
        return 1 - math.tanh(alpha * (ratio - 1)), 1.0
    return 1.0, 1 - math.tanh(alpha * (1 / ratio - 1))
    ### END SOLUTION


check("01.2", ogm_coeffs)

# %% [markdown]
# ### Exercise 01.3 — each modality's share of a late-fusion head
# A concatenation head computes `W [f_a; f_b] + b`. Write `split_logits(head, f_a, f_b)` returning
# `(W_a f_a + b/2, W_b f_b + b/2)`, where `W_a` are the weight's first `d_a` columns. The two shares add up to the
# fused logits; OGM-GE scores each modality by its share.

# %%
def split_logits(head: nn.Linear, f_a: torch.Tensor, f_b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    ### BEGIN SOLUTION
    d_a = f_a.shape[1]
    return f_a @ head.weight[:, :d_a].T + head.bias / 2, f_b @ head.weight[:, d_a:].T + head.bias / 2
    ### END SOLUTION


check("01.3", split_logits)

# %% [markdown]
# ## Results
# The bars: naive fusion leaves the image encoder ≥ 15 points below the same encoder trained alone (the bias is real);
# at least one remedy halves that gap **and** raises accuracy on the shortcut-free test by ≥ 10 points. Both remedies
# are reported. The control for "the image encoder learned" is chance (10%).

# %% tags=["results"]
gap = {mode: probe_image_alone - row["image probe"] for mode, row in table.items()}
gain = {mode: row["test acc, silent clips"] - table["naive"]["test acc, silent clips"] for mode, row in table.items()}
remedies_meeting_bar = sum(gap[m] <= gap["naive"] / 2 and gain[m] >= 0.10 for m in ("ogm-ge", "dropout"))
chance = mmutils.majority_baseline(labels_train, labels_test)
results = mmutils.report_results({
    "image alone probe": probe_image_alone,
    "image alone test accuracy minus chance": (acc_image_alone - chance, ">=", 0.5),
    "naive image probe gap": (gap["naive"], ">=", 0.15),
    "naive silent test accuracy": table["naive"]["test acc, silent clips"],
    "ogm-ge image probe gap": gap["ogm-ge"],
    "ogm-ge silent accuracy gain": gain["ogm-ge"],
    "dropout image probe gap": gap["dropout"],
    "dropout silent accuracy gain": gain["dropout"],
    "remedies halving the gap and gaining 10 points": (remedies_meeting_bar, ">=", 1),
})

# %% [markdown]
# ## Summary
# - Multi-modal learning learns from different data types together. Their **representations differ** (a 1-D waveform,
#   a 3-D image tensor, token ids turned into vectors), so each modality needs its own encoder.
# - The **feature spaces are imbalanced**: one caption fits many images and one image many captions, so matching them
#   is many-to-many.
# - A fused model can be **biased toward one modality**: with an easy sound shortcut, the image encoder inside a
#   late-fusion model learned far less than alone, and the model failed once the shortcut was gone. Linear probes
#   expose it; modality dropout (and, less here, OGM-GE) repairs much of it.
# - Three method families organise the rest of the course: **matching**, **translating**, **referencing**.
#
# ## Exercises
# 1. **01.1–01.3** above (checked).
# 2. Lower `SOUND_FRACTION` to 0.5 and to 0.2. How does the naive image probe gap change? Why?
# 3. Give the silent 20% a *false cue* — another class's sound — instead of silence. The gap shrinks; explain why, and
#    why a real shortcut rarely comes with such helpful counter-examples.
# 4. Try `OGM_ALPHA` in 0.1, 1, 3, 10. What does α trade off? Why can OGM-GE not stop the head from using the audio?
#
# ## Papers
# - T. Baltrušaitis, C. Ahuja, L.-P. Morency. *Multimodal Machine Learning: A Survey and Taxonomy.* TPAMI 2019.
# - W. Wang, D. Tran, M. Feiszli. *What Makes Training Multi-modal Classification Networks Hard?* CVPR 2020 (G-Blend).
# - X. Peng, Y. Wei, A. Deng, D. Wang, D. Hu. *Balanced Multimodal Learning via On-the-fly Gradient Modulation.*
#   CVPR 2022 (OGM-GE).
# - N. Neverova, C. Wolf, G. Taylor, F. Nebout. *ModDrop: Adaptive Multi-modal Gesture Recognition.* TPAMI 2016
#   (modality dropout).
