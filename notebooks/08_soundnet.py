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
# # 08 · SoundNet: learning sound from a visual teacher
#
# > **3-1. Matching (SoundNet)** — `SoundNet` : 소리에 따라 이미지를 추천하는 모델
#
# *SoundNet: a model that recommends images for a sound.* Aytar, Vondrick and Torralba (2016) had millions of unlabelled
# videos. A vision network, already good at recognising objects, looked at each video's frames; a sound network
# listened to the same video's audio and was trained to **predict what the vision network saw** — a KL divergence
# between the two networks' class distributions, no human labels at all. The sound network learned to recognise sound,
# and its predictions live in the same space as the images': matching.
#
# You will:
# 1. make "videos" of the course world: a scene and the (noisy) sound of its object;
# 2. train a visual **teacher** on labelled images;
# 3. train a raw-waveform **student** only to match the teacher's soft predictions on paired clips;
# 4. measure what the student learned with a **linear probe**, against two controls: an untrained student, and a
#    student trained on *shuffled* image–sound pairs;
# 5. use it: **sound → image recommendation**, with Precision@5.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import mmutils
from mmutils import world
from mmutils.distill import distillation_loss, soft_targets
from mmutils.encoders import ImageCNN, WaveformCNN
from mmutils.exercises import check
from mmutils.metrics import linear_probe, precision_at_k

gen = mmutils.seed_everything(8)
device = mmutils.get_device()

# %% [markdown]
# ## 1. Videos of the world
# A "video" here is one frame (a 32×32 scene with one object) and one second of its sound. The sounds are recorded in
# a noisy place: white noise at a level close to the calls themselves, so that the task takes learning (without it,
# even an untrained network's random features tell the classes apart). Three sets, all disjoint: labelled images for
# the teacher, unlabelled videos for the student, and test videos.

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

# %%
fig, axes = plt.subplots(2, 5, figsize=(13, 4))
for k in range(5):
    axes[0, k].imshow(mmutils.viz.to_display(videos["image"][k]))
    axes[0, k].set_title(world.CLASS_NAMES[videos["cls"][k]], fontsize=9)
    axes[0, k].axis("off")
    axes[1, k].plot(torch.arange(world.SAMPLE_RATE) / world.SAMPLE_RATE, video_sounds[k], lw=0.3)
    axes[1, k].set(ylim=(-2, 2), xlabel="time (s)")
fig.suptitle("frames and their sounds (noisy)")
fig.tight_layout()
plt.show()
mmutils.audio_player(video_sounds[0], world.SAMPLE_RATE)

# %% [markdown]
# ## 2. The visual teacher
# An image classifier trained on the labelled images — standing in for the ImageNet and Places networks SoundNet used.

# %%
mmutils.seed_everything(1)
teacher = nn.Sequential(ImageCNN(), nn.Linear(64, 10)).to(device)
history = mmutils.fit(teacher, DataLoader(TensorDataset(images["image"], images["cls"]), batch_size=64, shuffle=True,
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
# temperature T = 4 so that the teacher's second guesses count too; the loss is `T² · KL(p_teacher ‖ p_student)`.
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
    batches = DataLoader(TensorDataset(video_sounds, targets), batch_size=64, shuffle=True,
                         generator=mmutils.rng(0))
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
# ## 4. What did the student learn? A linear probe
# Freeze the student, take its 64-d features, and train a linear classifier on the video labels (used here, for
# measurement only). Random convolutional features already carry some information, so the controls are not chance but
# an **untrained** student and a student trained on **shuffled pairs** (same data, same loss, no true correspondence).

# %%
@torch.no_grad()
def features(model: nn.Module, sounds: torch.Tensor) -> torch.Tensor:
    return model[0](sounds.to(device)).cpu()  # (n, 64)


probes = {name: linear_probe(features(m, video_sounds), videos["cls"], features(m, test_sounds), test["cls"])
          for name, m in [("student", student), ("untrained", untrained_student), ("shuffled pairs", shuffled_student)]}
for name, value in probes.items():
    print(f"linear probe, {name:14s}: {value:.3f}")

# %% [markdown]
# ## 5. Sound → image recommendation
# The student's output is a distribution over the teacher's classes, so a sound and an image can be compared directly:
# rank the test images by the cosine between the student's distribution for the sound and the teacher's for the image.
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
# ## 6. Exercises
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
# highest-scored gallery items that are `relevant` `(Q, G)`; the mean over queries, as a Python float.

# %%
def my_precision_at_k(scores: torch.Tensor, relevant: torch.Tensor, k: int) -> float:
    ### BEGIN SOLUTION
    top = scores.topk(k, dim=1).indices
    return relevant.gather(1, top).float().mean().item()
    ### END SOLUTION


check("08.3", my_precision_at_k)

# %% [markdown]
# ## Results
# The bars: the student's linear probe ≥ 0.90, and ≥ 0.25 above both the untrained and the shuffled-pairs student;
# sound → image Precision@5 ≥ 0.8 (chance 0.1), while the shuffled-pairs student stays ≤ 0.25.

# %% tags=["results"]
results = mmutils.report_results({
    "teacher accuracy": teacher_accuracy,
    "student probe": (probes["student"], ">=", 0.90),
    "untrained student probe": probes["untrained"],
    "shuffled-pairs student probe": probes["shuffled pairs"],
    "student probe minus untrained": (probes["student"] - probes["untrained"], ">=", 0.25),
    "student probe minus shuffled pairs": (probes["student"] - probes["shuffled pairs"], ">=", 0.25),
    "sound to image precision at 5": (p_at_5["student"], ">=", 0.8),
    "shuffled-pairs precision at 5": (p_at_5["shuffled pairs"], "<=", 0.25),
    "precision at 5 chance": chance,
})

# %% [markdown]
# ## Summary
# - **Matching across modalities without labels**: a visual teacher's class distribution on a video's frame is the
#   target of a sound network on the same video's audio (KL divergence, softened by a temperature).
# - The student learned to recognise sounds from raw waveforms — its linear probe is far above both an untrained network
#   and the same training on shuffled pairs, so it is the **correspondence** of sight and sound that taught it.
# - Because the student predicts in the teacher's class space, sounds and images can be compared directly: **sound →
#   image recommendation**, the lecture's use of SoundNet.
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
