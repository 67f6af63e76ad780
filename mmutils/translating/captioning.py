"""Translating an image into a sentence: an LSTM decoder over a CNN's feature grid, with or without attention.

The attention is ``blocks.attention.AdditiveAttention`` (Bahdanau-style, ``e_i = wᵀ tanh(W_f f_i + W_h h)``,
``α = softmax(e)``); whether it looks at the right object is ``metrics.localization.attention_hits``.

* ``CaptionDecoder``: the LSTM decoder of Show and Tell (``attention=False``: the image only sets the initial state)
  and of Show, Attend and Tell (``attention=True``: at every step the input also holds the attended context, scaled
  by a gate ``β = σ(W_β h)``, one value per feature channel; the paper's β is a scalar). One ``step`` serves training
  (teacher forcing) and decoding (``blocks.decoding``).
* ``SlottedCaptionDecoder``: Show, Attend and Tell whose *visual* words (class names, colours) are filled from the
  image, after Neural Baby Talk: the language model says that a class word comes next, the attended cells say which.
* ``caption_loss``: the mean negative log-likelihood of the next words (padding left out).
* ``doubly_stochastic_penalty``: Show, Attend and Tell's regulariser ``(1/P) Σ_i (1 − Σ_t α_ti)²`` (the paper sums
  over the P cells; here the mean). Read as "every cell looked at about once"; with fewer words than cells it
  pushes the cells' attention totals over the sentence towards equal.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..blocks.attention import AdditiveAttention
from ..validate import check_tensor

__all__ = ["CaptionDecoder", "SlottedCaptionDecoder", "doubly_stochastic_penalty", "caption_loss"]


class CaptionDecoder(nn.Module):
    """LSTM decoder of a caption from image features ``(B, P, feature_dim)`` (a grid flattened to P cells).

    The initial ``(h, c)`` come from the image: by default from the mean feature (``n_cells=None``); with
    ``n_cells=P`` from all P cells kept apart (a whole grid, or a few pooled regions), which keeps where each feature
    is: every cell is first mapped to ``cell_dim`` numbers by one shared linear map, then the ``P · cell_dim``
    numbers by another. Without attention the image enters only there (Show and Tell); with attention each step
    also reads
    ``β ⊙ context`` (Show, Attend and Tell). ``step`` keeps the last step's attention weights in ``self.alpha``
    ``(B, P)`` (``None`` without attention).
    """

    def __init__(self, vocab_size: int, feature_dim: int = 64, embed_dim: int = 32, hidden_dim: int = 128,
                 attention: bool = True, attention_dim: int = 64, n_cells: int | None = None, cell_dim: int = 8):
        super().__init__()
        self.attention = (AdditiveAttention(feature_dim, query_dim=hidden_dim, attention_dim=attention_dim)
                          if attention else None)
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.n_cells = n_cells
        self.cell_map = nn.Linear(feature_dim, cell_dim) if n_cells is not None else None
        init_dim = cell_dim * n_cells if n_cells is not None else feature_dim
        self.init_h, self.init_c = nn.Linear(init_dim, hidden_dim), nn.Linear(init_dim, hidden_dim)
        self.gate = nn.Linear(hidden_dim, feature_dim) if attention else None
        self.lstm = nn.LSTMCell(embed_dim + (feature_dim if attention else 0), hidden_dim)
        self.out = nn.Linear(hidden_dim, vocab_size)
        self.alpha = None

    def init_state(self, features: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """``(features, projected features, h, c)``: everything a step needs, one row per image."""
        check_tensor(features, "CaptionDecoder", "features", shape=("B", self.n_cells or "P", None), dtype="float")
        if self.n_cells is None:
            image = features.mean(1)  # (B, feature_dim): what is there, not where
        else:
            image = self.cell_map(features).flatten(1)  # (B, P * cell_dim): every cell apart, layout kept
        projected = self.attention.project(features) if self.attention is not None else features[:, :, :0]
        return features, projected, torch.tanh(self.init_h(image)), torch.tanh(self.init_c(image))

    def step(self, tokens: torch.Tensor, state: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, tuple]:
        """One word: ``tokens`` ``(B,)`` (the previous word) -> log-probabilities of the next ``(B, V)``, new state."""
        features, projected, h, c = state
        x = self.embed(tokens.to(h.device))  # (B, embed_dim)
        if self.attention is not None:
            context, self.alpha = self.attention(features, projected, h)  # (B, feature_dim), (B, P)
            x = torch.cat([x, torch.sigmoid(self.gate(h)) * context], 1)  # (B, embed_dim + feature_dim)
        h, c = self.lstm(x, (h, c))  # (B, hidden_dim) each
        return F.log_softmax(self.out(h), dim=-1), (features, projected, h, c)

    def forward(self, features: torch.Tensor, captions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Teacher forcing: ``captions`` ``(B, T)`` start with ``<bos>``; returns the log-probabilities of
        ``captions[:, 1:]`` ``(B, T-1, V)`` and the attention weights ``(B, T-1, P)`` (``None`` without attention)."""
        check_tensor(captions, "CaptionDecoder", "captions", shape=(features.shape[0], "T"), dtype="int")
        state = self.init_state(features)
        log_probs, alphas = [], []
        for t in range(captions.shape[1] - 1):
            lp, state = self.step(captions[:, t], state)  # (B, V)
            log_probs.append(lp)
            alphas.append(self.alpha)
        return torch.stack(log_probs, 1), (torch.stack(alphas, 1) if self.attention is not None else None)


class SlottedCaptionDecoder(CaptionDecoder):
    """Attention decoder whose visual words are read from the image (after Lu et al.'s Neural Baby Talk, 2018).

    ``slot_words``: one int64 tensor of vocabulary ids per kind of visual word (e.g. the class names, the colours).
    ``cell_attributes(features (B, P, D))`` returns, per kind, ``(probs (B, P, K), presence (B, P))``: each cell's
    probabilities over that kind's K words (in ``slot_words`` order) and how likely the cell holds an object at all;
    it is computed once per image (e.g. by a frozen pretrained head) and is not trained here.

    At each step the language model's probability of the kind (the sum over its words) is kept, and shared out by
    the attended cells' probabilities, weighted by attention × presence:
    ``p(w) = P_lm(kind) · Σ_i α_i presence_i probs_i(w) / Σ_i α_i presence_i``. Other words keep ``P_lm(w)``.
    """

    def __init__(self, vocab_size: int, slot_words: list[torch.Tensor], cell_attributes, **kwargs):
        super().__init__(vocab_size, attention=True, **kwargs)
        self.slot_words = [check_tensor(ids, "SlottedCaptionDecoder", "slot_words[k]", shape=("K",), dtype="int")
                           for ids in slot_words]
        self.cell_attributes = cell_attributes

    def init_state(self, features: torch.Tensor) -> tuple:
        with torch.no_grad():
            kinds = self.cell_attributes(features)
        if len(kinds) != len(self.slot_words):
            raise ValueError(f"SlottedCaptionDecoder: `cell_attributes` returned {len(kinds)} kinds of visual word;"
                             f" expected {len(self.slot_words)} (one per `slot_words`).")
        probs = tuple(p for p, _ in kinds)  # (B, P, K) each
        presence = tuple(q for _, q in kinds)  # (B, P) each
        return super().init_state(features) + (probs, presence)

    def step(self, tokens: torch.Tensor, state: tuple) -> tuple[torch.Tensor, tuple]:
        log_probs, base = super().step(tokens, state[:4])  # (B, V); self.alpha: (B, P)
        log_probs = log_probs.clone()
        for ids, probs, presence in zip(self.slot_words, state[4], state[5]):
            ids = ids.to(log_probs.device)
            w = self.alpha * presence  # (B, P)
            p = (w[:, :, None] * probs).sum(1) / w.sum(1, keepdim=True).clamp_min(1e-8)  # (B, K)
            kind = torch.logsumexp(log_probs[:, ids], dim=1, keepdim=True)  # (B, 1) log P_lm(kind)
            log_probs[:, ids] = kind + torch.log(p.clamp_min(1e-8))  # (B, K)
        return log_probs, base + state[4:]


def caption_loss(log_probs: torch.Tensor, targets: torch.Tensor, pad: int = 0) -> torch.Tensor:
    """Mean negative log-likelihood of the non-padding targets: ``(B, T, V)`` and ``(B, T)``."""
    check_tensor(log_probs, "caption_loss", "log_probs", shape=("B", "T", None), dtype="float")
    check_tensor(targets, "caption_loss", "targets", shape=(log_probs.shape[0], log_probs.shape[1]), dtype="int")
    mask = targets != pad  # (B, T)
    return F.nll_loss(log_probs[mask], targets[mask])


def doubly_stochastic_penalty(alphas: torch.Tensor, targets: torch.Tensor, pad: int = 0) -> torch.Tensor:
    """``(1 / BP) Σ_b Σ_i (1 − Σ_t α_bti)²``: the mean over images b and cells i, with Σ_t over the steps that
    predict a real word: ``alphas`` ``(B, T, P)``, ``targets`` ``(B, T)``. (Xu et al. sum over the cells; the mean
    is that sum divided by P, which keeps the weight λ independent of the grid size.)"""
    check_tensor(alphas, "doubly_stochastic_penalty", "alphas", shape=("B", "T", "P"), dtype="float")
    mask = (targets != pad).float()[:, :, None]  # (B, T, 1)
    return ((1 - (alphas * mask).sum(1)) ** 2).mean()
