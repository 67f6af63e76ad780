"""Word2vec's skip-gram with negative sampling (SGNS), written out in torch for teaching (Mikolov et al. 2013a, b).

Pieces, in the order the lesson builds them:

* ``Corpus``: token ids, counts and the word list (words seen at least ``min_count`` times), and optionally the
  sentence of each token (``from_sentences``), so that context windows stop at sentence ends.
* ``keep_probability``: subsampling of frequent words, ``p_keep(w) = (sqrt(f/t) + 1) * t/f`` (word2vec's C code),
  with ``f`` the word's share of the corpus.
* ``skipgram_pairs``: (centre, context) pairs inside a dynamic window (each centre draws a radius 1..window).
* ``NegativeSampler``: negatives drawn from the unigram distribution raised to 0.75 (word2vec's unigram table).
* ``SkipGram``: two embedding tables; ``sgns_loss``: ``-log s(u_c.v_o) - sum_k log s(-u_c.v_k)``.
* ``sgns_sgd_step``: one SGD step with the gradient written out by hand (checked against autograd in the tests).
* ``train_skipgram``: plain SGD with a learning rate decaying linearly to zero.
* ``analogy`` / ``analogy_accuracy`` (3CosAdd; ``read_analogies`` reads the question file) and ``nearest``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from ..core import random_device, rng
from ..validate import check_positive, check_tensor

__all__ = ["Corpus", "keep_probability", "skipgram_pairs", "NegativeSampler", "SkipGram", "sgns_loss",
           "sgns_sgd_step", "train_skipgram", "analogy", "analogy_accuracy", "nearest", "read_analogies"]


@dataclass
class Corpus:
    """A tokenised corpus: ``ids`` ``(n_tokens,)`` int64 of the kept words, ``counts`` ``(vocab,)`` and ``itos``;
    optionally ``sentences`` ``(n_tokens,)``, the sentence each token belongs to (context windows then stop at sentence
    ends, as word2vec's do), or ``None``: one unbroken stream."""

    ids: torch.Tensor
    counts: torch.Tensor
    itos: list[str]
    sentences: torch.Tensor | None = None

    @classmethod
    def from_tokens(cls, tokens: list[str], min_count: int = 5) -> "Corpus":
        """Keep words seen at least ``min_count`` times (most frequent first); drop the rest from the stream."""
        check_positive(min_count, "Corpus.from_tokens", "min_count", integer=True)
        counts = Counter(tokens)
        itos = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        stoi = {w: i for i, w in enumerate(itos)}
        ids = torch.tensor([stoi[t] for t in tokens if t in stoi], dtype=torch.long)
        return cls(ids, torch.tensor([counts[w] for w in itos], dtype=torch.long), itos)

    @classmethod
    def from_sentences(cls, sentences: list[list[str]], min_count: int = 5) -> "Corpus":
        """``from_tokens`` on the concatenated sentences, remembering which sentence each kept token came from."""
        corpus = cls.from_tokens([t for s in sentences for t in s], min_count)
        known = set(corpus.itos)
        corpus.sentences = torch.tensor([i for i, s in enumerate(sentences) for t in s if t in known],
                                        dtype=torch.long)
        return corpus

    @property
    def stoi(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.itos)}

    def shuffled(self, generator: torch.Generator) -> "Corpus":
        """The same tokens in random order: word counts kept, every co-occurrence destroyed (the control). Sentence
        boundaries, if any, stay where they were: the shuffled tokens fill sentences of the same lengths."""
        return Corpus(self.ids[torch.randperm(len(self.ids), generator=generator)], self.counts, self.itos,
                      self.sentences)


def keep_probability(counts: torch.Tensor, t: float = 1e-3) -> torch.Tensor:
    """Probability of keeping each occurrence of a word with ``counts`` ``(vocab,)``:
    ``(sqrt(f / t) + 1) * t / f`` with ``f = count / total``, clipped to 1."""
    c = check_tensor(counts, "keep_probability", "counts", shape=("V",), dtype="int").double()
    f = c / c.sum()
    return ((torch.sqrt(f / t) + 1) * t / f).clamp(max=1.0).float()


def skipgram_pairs(ids: torch.Tensor, window: int, generator: torch.Generator,
                   sentences: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All (centre, context) pairs of the stream ``ids`` ``(n,)``: each centre draws a radius r in 1..``window`` and
    pairs with the words up to r positions before and after it. With ``sentences`` ``(n,)`` (the sentence of each
    token), a window never reaches into another sentence. Returns ``(centres, contexts)``, each ``(pairs,)``."""
    ids = check_tensor(ids, "skipgram_pairs", "ids", shape=("n",), dtype="int")
    check_positive(window, "skipgram_pairs", "window", integer=True)
    if sentences is not None:
        check_tensor(sentences, "skipgram_pairs", "sentences", shape=(len(ids),), dtype="int")
    radius = torch.randint(1, window + 1, (len(ids),), generator=generator,
                           device=random_device(generator, ids.device)).to(ids.device)  # (n,)
    # reach[2(d-1), i]: centre i pairs with i - d; reach[2(d-1) + 1, i]: with i + d. One nonzero() lists the pairs
    # offset by offset, each offset's centres in stream order.
    reach = torch.zeros(2 * window, len(ids), dtype=torch.bool, device=ids.device)  # (2 window, n)
    for d in range(1, min(window, len(ids) - 1) + 1):
        same = True if sentences is None else sentences[d:] == sentences[:-d]  # (n - d,) i and i + d share a sentence
        reach[2 * d - 2, d:] = (radius[d:] >= d) & same  # centre at i (i >= d) reaches back to i - d
        reach[2 * d - 1, :-d] = (radius[:-d] >= d) & same  # centre at i reaches forward to i + d
    row, centres = reach.nonzero(as_tuple=True)  # (pairs,) each
    d = row // 2 + 1
    contexts = torch.where(row % 2 == 0, centres - d, centres + d)  # (pairs,) positions
    return ids.index_select(0, centres), ids.index_select(0, contexts)


class NegativeSampler:
    """Draws negatives from ``count^power`` (power 0.75: rare words a little more often than their frequency),
    through a table of ``table_size`` word ids, as word2vec does."""

    def __init__(self, counts: torch.Tensor, power: float = 0.75, table_size: int = 1_000_000):
        c = check_tensor(counts, "NegativeSampler", "counts", shape=("V",), dtype="int").double()
        probs = c.pow(power) / c.pow(power).sum()
        self.probs = probs.float()
        self.table = torch.repeat_interleave(torch.arange(len(c)), torch.round(probs * table_size).long())

    def __call__(self, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
        draws = torch.randint(len(self.table), shape, generator=generator)
        return self.table.index_select(0, draws.reshape(-1)).view(draws.shape)  # = table[draws], a faster gather


def sgns_loss(centre: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """Skip-gram negative-sampling loss per pair: ``-log s(u.v) - sum_k log s(-u.n_k)``.

    ``centre`` ``(B, d)`` input vectors u, ``context`` ``(B, d)`` output vectors v, ``negatives`` ``(B, k, d)``;
    returns ``(B,)``.
    """
    check_tensor(centre, "sgns_loss", "centre", shape=("B", "d"), dtype="float")
    check_tensor(context, "sgns_loss", "context", shape=("B", "d"), dtype="float")
    check_tensor(negatives, "sgns_loss", "negatives", shape=("B", None, "d"), dtype="float")
    if centre.shape != context.shape or negatives.shape[0] != centre.shape[0] or negatives.shape[2] != centre.shape[1]:
        raise ValueError(f"sgns_loss: shapes disagree: centre {tuple(centre.shape)}, context {tuple(context.shape)}, "
                         f"negatives {tuple(negatives.shape)}; expected (B, d), (B, d), (B, k, d).")
    positive = F.logsigmoid((centre * context).sum(-1))  # (B,)
    negative = F.logsigmoid(-torch.einsum("bd,bkd->bk", centre, negatives)).sum(-1)  # (B,)
    return -(positive + negative)


class SkipGram(nn.Module):
    """Input vectors (the word embeddings we keep) and output vectors (used only by the loss), both ``(V, dim)``.

    As in word2vec, input vectors start uniform in ``[-0.5/dim, 0.5/dim]`` and output vectors at zero. Gradients are
    dense by default: with a vocabulary of a few thousand words that is faster on a CPU than sparse ones.
    """

    def __init__(self, vocab_size: int, dim: int = 100, generator: torch.Generator | None = None,
                 sparse: bool = False):
        super().__init__()
        self.inputs = nn.Embedding(vocab_size, dim, sparse=sparse)
        self.outputs = nn.Embedding(vocab_size, dim, sparse=sparse)
        with torch.no_grad():
            self.inputs.weight.copy_((torch.rand(vocab_size, dim, generator=generator) - 0.5) / dim)
            self.outputs.weight.zero_()

    def forward(self, centres: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """Ids ``(B,)``, ``(B,)``, ``(B, k)`` -> loss per pair ``(B,)``."""
        return sgns_loss(self.inputs(centres), self.outputs(contexts), self.outputs(negatives))

    @property
    def vectors(self) -> torch.Tensor:
        return self.inputs.weight.detach()


@torch.no_grad()
def sgns_sgd_step(model: SkipGram, centres: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor,
                  lr: float) -> torch.Tensor:
    """One SGD step on the summed SGNS loss of a batch, with the gradient written out by hand (as word2vec's C code
    does) instead of autograd: the same update, about twice as fast on a CPU.

    With ``s = u_c . v_t`` for the true context (label 1) and each negative (label 0), ``dL/ds = sigmoid(s) - label``;
    then ``dL/du_c = sum_t dL/ds_t v_t`` and ``dL/dv_t = dL/ds_t u_c``. Rows hit several times in the batch get the sum
    of their gradients (``index_add_``), exactly what autograd's dense gradient would hold.
    Ids ``(B,)``, ``(B,)``, ``(B, k)``; returns the loss per pair before the step ``(B,)``.
    """
    check_tensor(centres, "sgns_sgd_step", "centres", shape=("B",), dtype="int")
    check_tensor(contexts, "sgns_sgd_step", "contexts", shape=("B",), dtype="int")
    check_tensor(negatives, "sgns_sgd_step", "negatives", shape=("B", None), dtype="int")
    inputs, outputs = model.inputs.weight, model.outputs.weight  # (V, d) each
    batch, dim = len(centres), inputs.shape[1]
    targets = torch.cat([contexts[:, None], negatives], 1)  # (B, 1 + k): true context first
    u = inputs.index_select(0, centres)  # (B, d): = inputs[centres], a faster gather on a CPU
    v = outputs.index_select(0, targets.reshape(-1)).view(batch, -1, dim)  # (B, 1 + k, d)
    scores = torch.einsum("bd,btd->bt", u, v)  # (B, 1 + k)
    labels = torch.zeros_like(scores)
    labels[:, 0] = 1.0
    loss = F.binary_cross_entropy_with_logits(scores, labels, reduction="none").sum(1)  # (B,)
    grad_scores = torch.sigmoid(scores) - labels  # (B, 1 + k)
    grad_u = torch.einsum("bt,btd->bd", grad_scores, v)  # (B, d)
    grad_v = grad_scores[:, :, None] * u[:, None, :]  # (B, 1 + k, d)
    inputs.index_add_(0, centres, grad_u, alpha=-lr)
    outputs.index_add_(0, targets.reshape(-1), grad_v.reshape(-1, dim), alpha=-lr)
    return loss


def train_skipgram(corpus: Corpus, dim: int = 100, window: int = 5, negatives: int = 5, epochs: int = 5,
                   lr: float = 0.025, batch_size: int = 1024, subsample: float = 1e-3, seed: int = 0,
                   desc: str = "skip-gram", progress: bool = True) -> tuple[SkipGram, list[float]]:
    """Train SGNS on ``corpus``: each epoch subsamples the stream afresh, makes its pairs (within sentences, if the
    corpus has them) and shuffles them; each step is plain SGD (``sgns_sgd_step``) on the summed loss of
    ``batch_size`` pairs, so each pair moves with rate ``lr`` as in word2vec, the rate decaying linearly to 0 over
    training. Returns the model and the mean loss per pair of every 100 steps."""
    check_positive(epochs, "train_skipgram", "epochs", integer=True)
    check_positive(batch_size, "train_skipgram", "batch_size", integer=True)
    g = rng(seed)
    model = SkipGram(len(corpus.itos), dim, generator=g)
    sampler = NegativeSampler(corpus.counts)
    keep = keep_probability(corpus.counts, subsample)  # (V,)
    epoch_pairs = []
    for _ in range(epochs):
        mask = torch.rand(len(corpus.ids), generator=g) < keep[corpus.ids]  # (n_tokens,) this epoch's survivors
        sentences = None if corpus.sentences is None else corpus.sentences[mask]
        centres, contexts = skipgram_pairs(corpus.ids[mask], window, g, sentences)
        order = torch.randperm(len(centres), generator=g)
        epoch_pairs.append((centres.index_select(0, order), contexts.index_select(0, order)))  # shuffled
    total_steps = sum(math.ceil(len(c) / batch_size) for c, _ in epoch_pairs)
    losses, running, step = [], [], 0
    bar = tqdm(total=total_steps, desc=desc, ncols=90, mininterval=1.0, disable=not progress)
    for centres, contexts in epoch_pairs:
        for start in range(0, len(centres), batch_size):
            c, o = centres[start:start + batch_size], contexts[start:start + batch_size]
            rate = lr * max(1e-4, 1 - step / total_steps)
            loss = sgns_sgd_step(model, c, o, sampler((len(c), negatives), g), rate)  # (B,)
            running.append(loss.mean().item())
            step += 1
            if len(running) == 100:
                losses.append(sum(running) / 100)
                running = []
            bar.update()
    bar.close()
    return model, losses


def _unit(vectors: torch.Tensor) -> torch.Tensor:
    return F.normalize(vectors.float(), dim=1)


def analogy(vectors: torch.Tensor, a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """3CosAdd: for each question "a is to b as c is to ?", the word d maximising ``cos(d, b) - cos(d, a) + cos(d, c)``
    (= cos with ``b - a + c`` on unit vectors), excluding a, b and c. Ids ``(Q,)`` each -> answers ``(Q,)``."""
    unit = _unit(check_tensor(vectors, "analogy", "vectors", shape=("V", "d"), dtype="float"))
    for name, ids in (("a", a), ("b", b), ("c", c)):
        check_tensor(ids, "analogy", name, shape=("Q",), dtype="int")
    scores = (unit[b] - unit[a] + unit[c]) @ unit.T  # (Q, V)
    rows = torch.arange(len(a))
    for ids in (a, b, c):
        scores[rows, ids] = -float("inf")
    return scores.argmax(1)


def read_analogies(lines: list[str], stoi: dict[str, int]) -> tuple[dict[str, torch.Tensor], int]:
    """Parse questions-words format (``: category`` headers, then ``a b c d`` lines, any case). Returns
    ``{category: ids (Q, 4)}`` for the questions whose four words are all in ``stoi``, and how many were skipped."""
    out, category, skipped = {}, "all", 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line.startswith(":"):
            category = line[1:].strip()
            continue
        words = line.lower().split()
        if len(words) != 4:
            raise ValueError(f"read_analogies: expected 4 words per question; got {line!r}.")
        if all(w in stoi for w in words):
            out.setdefault(category, []).append([stoi[w] for w in words])
        else:
            skipped += 1
    return {k: torch.tensor(v, dtype=torch.long) for k, v in out.items()}, skipped


def analogy_accuracy(vectors: torch.Tensor, questions: torch.Tensor, chunk: int = 2048) -> float:
    """Top-1 3CosAdd accuracy on ``questions`` ``(Q, 4)`` of ids (a, b, c, expected d)."""
    q = check_tensor(questions, "analogy_accuracy", "questions", shape=("Q", 4), dtype="int")
    if len(q) == 0:
        raise ValueError("analogy_accuracy: no questions.")
    hits = 0
    for part in q.split(chunk):
        hits += (analogy(vectors, part[:, 0], part[:, 1], part[:, 2]) == part[:, 3]).sum().item()
    return hits / len(q)


def nearest(vectors: torch.Tensor, word_id: int, k: int = 8) -> list[tuple[int, float]]:
    """The ``k`` words with the highest cosine similarity to ``word_id`` (itself excluded): ``[(id, cos), ...]``."""
    unit = _unit(check_tensor(vectors, "nearest", "vectors", shape=("V", "d"), dtype="float"))
    sims = unit @ unit[word_id]  # (V,)
    sims[word_id] = -float("inf")
    top = sims.topk(k)
    return list(zip(top.indices.tolist(), top.values.tolist()))
