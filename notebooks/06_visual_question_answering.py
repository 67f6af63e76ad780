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
# # 06 · Referencing: visual question answering with two streams
#
# > **2-3. Referencing 방식 소개** — `Multiple Stream`을 예시로 들 수 있는데, 말 그대로 stream이 여러개 있다는
# > 의미이다. 이미지가 주어지고, 그에 대해 질문을 입력하면 이미지를 토대로 질문에 대한 답을 출력한다. 아래 그림처럼,
# > Image Stream과 Question Stream이 존재한다.
#
# *Multiple streams: given an image and a question about it, answer from the image. There is an image stream and a
# question stream.* The output is text, like the input question — the image is **referenced** to produce it.
#
# You will:
# 1. build VQA data from the world: five question types (what, where, how many, is there, which colour) with exact
#    answers, and a **biased** training split in which "is there a …?" is answered "yes" 90% of the time;
# 2. pretrain the image stream once on the world's labels and freeze it — as real VQA systems feed frozen pretrained
#    CNN grids (Antol et al. used VGG) to the fusion;
# 3. compare **fusions** on the same data: concatenation, element-wise product, low-rank bilinear (MLB) and
#    question-guided **attention** over the grid, and look at where the attention goes;
# 4. measure **language bias**: a question-only and an image-only baseline, on the biased and on a balanced test split
#    (the motivation of VQA v2).

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import mmutils
from mmutils import vqa, world
from mmutils.encoders import ImageCNN
from mmutils.exercises import check
from mmutils.fusion import AttentionFusion, BilinearFusion, ConcatFusion, ProductFusion
from mmutils.text import Vocabulary, tokenize

gen = mmutils.seed_everything(6)
device = mmutils.get_device()

# %% [markdown]
# ## 1. Questions about the world
# Scenes of 32×32 pixels with one to three objects, each in its own third of the image (left, middle, right). Training
# scenes use only the (class, colour) pairs of the training part of the combination split; the held-out pairs (one
# colour per class) appear only in a separate test set.

# %%
# NBVAL_CHECK_OUTPUT
split = world.combination_split(0)


def make_scenes(n: int, part: str, seed: int) -> list[world.Scene]:
    return [world.make_scene(seed * 100_003 + i, 32, (1, 3), split.pairs(part)) for i in range(n)]


train_scenes, test_scenes, held_out_scenes = make_scenes(4000, "train", 1), make_scenes(1000, "train", 2), \
    make_scenes(500, "test", 3)
print("held-out (class, colour) pairs:", split.test_pairs)
scene = train_scenes[0]
fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(mmutils.viz.to_display(scene.image))
ax.axis("off")
plt.show()
for qa in scene.qa:
    print(f"[{qa.qtype:12s}] {qa.question:30s} -> {qa.answer}")

# %% [markdown]
# Every scene has one "is there" question answered yes and one answered no. The **biased** splits keep the "no"
# question only one time in nine, so 90% of "is there" answers are "yes" — a prior that a model can learn from the
# question alone. The **balanced** test split keeps both.

# %%
# NBVAL_CHECK_OUTPUT
vocab = Vocabulary([tokenize(qa.question) for s in train_scenes for qa in s.qa])
ANSWERS = vqa.answer_vocabulary()
train = vqa.vqa_examples(train_scenes, vocab, yes_share=0.9, seed=0)
test_biased = vqa.vqa_examples(test_scenes, vocab, yes_share=0.9, seed=2)
test_balanced = vqa.vqa_examples(test_scenes, vocab, yes_share=None)
held_out = vqa.vqa_examples(held_out_scenes, vocab, yes_share=None)
print(f"question words {len(vocab)}, answers {len(ANSWERS)}")
for name, ex in [("train (biased)", train), ("test, biased", test_biased), ("test, balanced", test_balanced),
                 ("held-out pairs", held_out)]:
    is_there = ex["qtype"] == world.QUESTION_TYPES.index("is there")
    yes = (ex["answer"][is_there] == ANSWERS.index("yes")).float().mean().item()
    print(f"{name:15s} {len(ex['answer']):6d} questions; 'is there' answered yes: {yes:.2f}")

# %% [markdown]
# ## 2. The image stream: pretrained once, then frozen
# Trained end to end from scratch in a few seconds, every fusion stays at the language prior (we tried). So, as in real
# VQA systems, the image stream is pretrained on labels first: `ImageCNN` keeps an 8×8 grid of 64-d features, and two
# linear heads read the class and the colour of the object in each third of the image (or "empty") from the maximum
# over that third. Then it is frozen, and each grid cell also gets its row and column (one-hot), so that a fusion
# knows *where* a feature is.

# %%
images = {name: torch.stack([s.image for s in ss]) for name, ss in
          [("train", train_scenes), ("test", test_scenes), ("held_out", held_out_scenes)]}  # (n, 3, 32, 32) each
slot_cls, slot_colour = vqa.slot_targets(train_scenes)  # (4000, 3) each
mmutils.seed_everything(1)
image_stream = nn.ModuleDict({"cnn": ImageCNN(), "heads": vqa.SlotHeads(64)}).to(device)


def slot_loss(m: nn.Module, batch) -> torch.Tensor:
    cls_logits, colour_logits = m["heads"](m["cnn"].grid(batch[0]))  # (B, 3, 11), (B, 3, 7)
    return F.cross_entropy(cls_logits.flatten(0, 1), batch[1].flatten()) + \
        F.cross_entropy(colour_logits.flatten(0, 1), batch[2].flatten())


mmutils.fit(image_stream, DataLoader(TensorDataset(images["train"], slot_cls, slot_colour), batch_size=64,
                                     shuffle=True, generator=mmutils.rng(0)),
            slot_loss, epochs=6, lr=3e-3, desc="pretrain image stream", device=device)
image_stream.eval().requires_grad_(False)
with torch.no_grad():
    cls_logits, colour_logits = image_stream["heads"](image_stream["cnn"].grid(images["test"].to(device)))
test_cls, test_colour = vqa.slot_targets(test_scenes)
slot_accuracy = {"class": (cls_logits.argmax(-1).cpu() == test_cls).float().mean().item(),
                 "colour": (colour_logits.argmax(-1).cpu() == test_colour).float().mean().item()}
print("per-slot accuracy on test scenes:", {k: round(v, 3) for k, v in slot_accuracy.items()})


@torch.no_grad()
def grid_cells(x: torch.Tensor) -> torch.Tensor:
    """Frozen grid features with positions: (n, 3, 32, 32) -> (n, 64 cells, 64 + 8 + 8)."""
    return torch.cat([vqa.with_positions(image_stream["cnn"].grid(part.to(device))).cpu() for part in x.split(500)])


cells = {name: grid_cells(x) for name, x in images.items()}
print("cells:", tuple(cells["train"].shape))

# %% [markdown]
# ## 3. The question stream and the fusions
# The question stream is a GRU over the question's tokens; its last state is the question vector `q`. A fusion joins
# it with the image stream, and an MLP head picks one of the answers. The vector fusions see the image as one vector
# (the maximum over the grid): **concatenation** `[x, q]`; **product** `tanh(W x) ⊙ tanh(W' q)` (Antol et al.);
# **MLB** `Pᵀ(tanh(Uᵀx) ⊙ tanh(Vᵀq))`, a bilinear map `xᵀ W_k q` per output of rank 256. **Attention** instead scores
# every cell against the question, `a = softmax(wᵀ tanh(W x_i + W' q))`, and passes the weighted sum of the cells.

# %%
mmutils.show_source(BilinearFusion.forward)
mmutils.show_source(AttentionFusion.forward)
mmutils.show_source(vqa.VQAModel.forward)

# %%
CELL_DIM = cells["train"].shape[2]


def make_model(kind: str) -> vqa.VQAModel:
    mmutils.seed_everything(3)
    question_encoder = vqa.QuestionEncoder(len(vocab))
    if kind in ("question", "image"):
        return vqa.VQAModel(question_encoder, CELL_DIM, len(ANSWERS), uses=kind)
    d_q = question_encoder.dim
    fusion = {"concat": lambda: ConcatFusion((CELL_DIM, d_q)), "product": lambda: ProductFusion(CELL_DIM, d_q),
              "MLB": lambda: BilinearFusion(CELL_DIM, d_q), "attention": lambda: AttentionFusion(CELL_DIM, d_q)}[kind]()
    return vqa.VQAModel(question_encoder, CELL_DIM, len(ANSWERS), fusion=fusion)


def train_model(kind: str, examples: dict) -> vqa.VQAModel:
    model = make_model(kind).to(device)
    data = TensorDataset(examples["scene"], examples["tokens"], examples["lengths"], examples["answer"])
    batches = DataLoader(data, batch_size=128, shuffle=True, generator=mmutils.rng(0))

    def loss(m: nn.Module, b) -> torch.Tensor:
        return F.cross_entropy(m(cells["train"][b[0].cpu()].to(device), b[1], b[2]), b[3])

    mmutils.fit(model, batches, loss, epochs=5, lr=3e-3, desc=kind, device=device)
    return model.eval()


@torch.no_grad()
def predict(model: vqa.VQAModel, examples: dict, part: str) -> torch.Tensor:
    out = [model(cells[part][examples["scene"][i:i + 1000]].to(device), examples["tokens"][i:i + 1000].to(device),
                 examples["lengths"][i:i + 1000].to(device)).argmax(1).cpu()
           for i in range(0, len(examples["answer"]), 1000)]
    return torch.cat(out)  # (n,)


def scores(model: vqa.VQAModel) -> dict[str, dict[str, float]]:
    return {"balanced": vqa.accuracy_by_type(predict(model, test_balanced, "test"), test_balanced["answer"],
                                             test_balanced["qtype"]),
            "biased": vqa.accuracy_by_type(predict(model, test_biased, "test"), test_biased["answer"],
                                           test_biased["qtype"]),
            "held-out pairs": vqa.accuracy_by_type(predict(model, held_out, "held_out"), held_out["answer"],
                                                   held_out["qtype"])}


KINDS = ["question", "image", "concat", "product", "MLB", "attention"]
models = {kind: train_model(kind, train) for kind in KINDS}
results_by_model = {kind: scores(m) for kind, m in models.items()}

# %% [markdown]
# ## 4. Results by fusion and question type
# The **per-type majority baseline** answers every question with its type's most common training answer ("yes" for
# "is there", "one" for "how many", …).

# %%
majority = {name: vqa.accuracy_by_type(vqa.majority_by_type(train["answer"], train["qtype"], ex["qtype"]),
                                       ex["answer"], ex["qtype"])
            for name, ex in [("balanced", test_balanced), ("biased", test_biased), ("held-out pairs", held_out)]}
columns = world.QUESTION_TYPES + ["overall"]
print(f"{'balanced test':22s}" + "".join(f"{c:>13s}" for c in columns))
for name, acc in [("majority by type", majority["balanced"])] + \
        [(k, results_by_model[k]["balanced"]) for k in KINDS]:
    print(f"{name:22s}" + "".join(f"{acc[c]:13.3f}" for c in columns))

# %%
fig, ax = plt.subplots(figsize=(9, 3.2))
width = 0.13
for k, kind in enumerate(["majority by type"] + KINDS):
    acc = majority["balanced"] if k == 0 else results_by_model[kind]["balanced"]
    ax.bar(torch.arange(len(columns)) + (k - 3) * width, [acc[c] for c in columns], width, label=kind)
ax.set_xticks(range(len(columns)), columns)
ax.set(ylabel="accuracy", ylim=(0, 1), title="balanced test split: accuracy by question type")
ax.legend(fontsize=7, ncol=4)
plt.show()

# %% [markdown]
# Pooling the grid to one vector throws away *where* things are: the vector fusions cannot answer "where is the
# dog?" or "what is on the left?" much better than the prior. Attention keeps every cell, with its position, and picks
# the ones the question asks about. Let us look at what it attends to.

# %%
attention_model = models["attention"]
examples = [(0, "what is on the left"), (0, "what is on the right"), (1, "where is the " + test_scenes[1].objects[0].cls),
            (2, "what colour is the " + test_scenes[2].objects[-1].cls), (3, "how many objects are there")]
fig, axes = plt.subplots(1, len(examples), figsize=(2.6 * len(examples), 3))
for ax, (i, question) in zip(axes, examples):
    tokens = torch.tensor([vocab.encode(tokenize(question))])  # (1, L)
    with torch.no_grad():
        logits = attention_model(cells["test"][i:i + 1].to(device), tokens.to(device),
                                 torch.tensor([tokens.shape[1]]).to(device))  # (1, answers)
    weights = attention_model.fusion.weights[0].reshape(8, 8).cpu()  # (8, 8)
    mmutils.viz.heatmap_overlay(test_scenes[i].image, weights, ax=ax)
    ax.set_title(f"{question}?\n→ {ANSWERS[logits.argmax().item()]}", fontsize=8)
    ax.axis("off")
fig.suptitle("question-guided attention over the 8×8 grid", y=1.02)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Language bias
# On the **biased** test split the question-only model does well on "is there" — it says "yes", as in training. On
# the **balanced** split that prior is worth nothing (50%), and the question-only model falls to the per-type majority
# baseline. Even the attention model, which can see, answers "is there … ?" worse than its other questions: it
# learned part of the prior too. Balancing the *training* data (VQA v2's remedy) removes the shortcut; here is the
# same attention model trained on balanced questions.

# %%
for kind in ["question", "image", "attention"]:
    r = results_by_model[kind]
    print(f"{kind:10s} 'is there': biased {r['biased']['is there']:.3f}, balanced {r['balanced']['is there']:.3f};"
          f" overall: biased {r['biased']['overall']:.3f}, balanced {r['balanced']['overall']:.3f}")
train_balanced = vqa.vqa_examples(train_scenes, vocab, yes_share=None)
attention_balanced = scores(train_model("attention", train_balanced))
print(f"attention trained on balanced questions: 'is there' {attention_balanced['balanced']['is there']:.3f}, "
      f"overall {attention_balanced['balanced']['overall']:.3f} (balanced test)")

# %% [markdown]
# **Held-out combinations.** The held-out test scenes contain only (class, colour) pairs never seen in training.

# %%
for kind in ["question", "attention"]:
    print(kind, {k: round(v, 3) for k, v in results_by_model[kind]["held-out pairs"].items()})

# %% [markdown]
# ## 6. Exercises
# ### Exercise 06.1 — attention pooling
# Write `my_attention_pool(cells, scores)`: cells `(B, N, D)` and one score per cell `(B, N)` → the softmax of the
# scores over the cells, used to average the cells: `(B, D)`.

# %%
def my_attention_pool(cells: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    ### BEGIN SOLUTION
    weights = torch.softmax(scores, dim=1)  # (B, N)
    return (weights[:, :, None] * cells).sum(1)  # (B, D)
    ### END SOLUTION


check("06.1", my_attention_pool)

# %% [markdown]
# ### Exercise 06.2 — low-rank bilinear pooling
# Write `my_low_rank_bilinear(x, q, U, V, P)`: `x (B, d_x)`, `q (B, d_q)`, `U (d_x, r)`, `V (d_q, r)`, `P (r, o)` →
# `(tanh(x U) ⊙ tanh(q V)) P`, shape `(B, o)` (MLB without biases).

# %%
def my_low_rank_bilinear(x: torch.Tensor, q: torch.Tensor, U: torch.Tensor, V: torch.Tensor,
                         P: torch.Tensor) -> torch.Tensor:
    ### BEGIN SOLUTION
    return (torch.tanh(x @ U) * torch.tanh(q @ V)) @ P
    ### END SOLUTION


check("06.2", my_low_rank_bilinear)

# %% [markdown]
# ### Exercise 06.3 — the per-type majority baseline
# Write `my_majority_by_type(train_answer, train_qtype, qtype)`: for each question type, the most common answer among
# the training questions of that type; return that answer for each question of type `qtype` `(n,)`. (Types are
# `0 … len(world.QUESTION_TYPES) − 1`; ties go to the smallest answer id, as `torch.mode` does.)

# %%
def my_majority_by_type(train_answer: torch.Tensor, train_qtype: torch.Tensor, qtype: torch.Tensor) -> torch.Tensor:
    ### BEGIN SOLUTION
    best = torch.zeros(len(world.QUESTION_TYPES), dtype=torch.long)
    for k in range(len(world.QUESTION_TYPES)):
        if (train_qtype == k).any():
            best[k] = train_answer[train_qtype == k].mode().values
    return best[qtype]
    ### END SOLUTION


check("06.3", my_majority_by_type)

# %% [markdown]
# ## Results
# The bars: the best fusion ≥ 0.80 overall on the balanced test split, with "where" ≥ 0.9; the question-only model
# ≥ 0.85 on "is there" in the biased split and within 3 points of the per-type majority baseline on the balanced one;
# the best model ≥ 30 points above the question-only model on the balanced split. Every fusion is reported, and the
# held-out pairs beside them.

# %% tags=["results"]
best = max(["concat", "product", "MLB", "attention"], key=lambda k: results_by_model[k]["balanced"]["overall"])
question_only = results_by_model["question"]
results = mmutils.report_results({
    "pretrained slot class accuracy": slot_accuracy["class"],
    "pretrained slot colour accuracy": slot_accuracy["colour"],
    **{f"{k} balanced accuracy": results_by_model[k]["balanced"]["overall"]
       for k in ["concat", "product", "MLB", "image"]},
    "best fusion balanced accuracy": (results_by_model[best]["balanced"]["overall"], ">=", 0.80),
    "best fusion where accuracy": (results_by_model[best]["balanced"]["where"], ">=", 0.9),
    "best fusion held-out pairs accuracy": results_by_model[best]["held-out pairs"]["overall"],
    "question-only is-there accuracy, biased split": (question_only["biased"]["is there"], ">=", 0.85),
    "question-only minus majority, balanced split": (
        abs(question_only["balanced"]["overall"] - majority["balanced"]["overall"]), "<=", 0.03),
    "best minus question-only, balanced split": (
        results_by_model[best]["balanced"]["overall"] - question_only["balanced"]["overall"], ">=", 0.30),
    "attention trained balanced, is-there accuracy": attention_balanced["balanced"]["is there"],
})
print("best fusion:", best)

# %% [markdown]
# ## Summary
# - VQA is **referencing**: the answer is text, like the question, produced by consulting the image. Two streams —
#   a CNN grid for the image, a recurrent encoder for the question — meet in a **fusion**.
# - Concatenation, product and low-rank bilinear fusions of *pooled* features all lose where things are; question-
#   guided **attention** over the grid keeps it and answers "what is on the left?" and "where is the dog?".
# - A frozen, pretrained image stream is what makes this learnable in seconds — and what real systems do.
# - **Language bias**: a question-only model reaches its training prior on a biased split and falls to the majority
#   baseline on a balanced one; a model that sees must beat it there. Balancing the training questions (VQA v2)
#   weakens the shortcut.
# - On (class, colour) pairs never seen in training, accuracy drops — compositional generalisation is not free.
#
# ## Exercises
# 1. **06.1–06.3** above (checked).
# 2. Remove the position one-hots (`scale=0` in `with_positions`). Which question type collapses, and why does
#    attention alone not rescue it?
# 3. Stack two attention hops (Yang et al.'s stacked attention): use `[x_att, q]` as the query of a second hop.
# 4. Train the image stream end to end instead of frozen. How many epochs until it matches?
#
# ## Papers
# - S. Antol, A. Agrawal, J. Lu, M. Mitchell, D. Batra, C. L. Zitnick, D. Parikh. *VQA: Visual Question Answering.*
#   ICCV 2015.
# - J.-H. Kim, K.-W. On, W. Lim, J. Kim, J.-W. Ha, B.-T. Zhang. *Hadamard Product for Low-rank Bilinear Pooling.*
#   ICLR 2017.
# - Z. Yang, X. He, J. Gao, L. Deng, A. Smola. *Stacked Attention Networks for Image Question Answering.* CVPR 2016.
# - Y. Goyal, T. Khot, D. Summers-Stay, D. Batra, D. Parikh. *Making the V in VQA Matter.* CVPR 2017.
# - A. Agrawal, D. Batra, D. Parikh, A. Kembhavi. *Don't Just Assume; Look and Answer.* CVPR 2018.
