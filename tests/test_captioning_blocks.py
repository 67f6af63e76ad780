"""Translating blocks: corpus BLEU by hand against NLTK's, and greedy / batched beam decoding against brute force."""

import itertools
import math
import random

import pytest
import torch

from mmutils.blocks.decoding import beam_search, greedy_decode
from mmutils.metrics import corpus_bleu


def _random_corpus(seed, items=30, vocab=6):
    rng = random.Random(seed)
    sentence = lambda: [rng.randrange(vocab) for _ in range(rng.randint(3, 12))]  # noqa: E731
    refs = [[sentence() for _ in range(rng.randint(1, 4))] for _ in range(items)]
    # hypotheses of >= 4 tokens: NLTK counts a hypothesis shorter than n as one n-gram (max(1, count)), the paper
    # and sacreBLEU as none; everywhere else the definitions agree
    hyps = [rng.choice(r)[: rng.randint(4, 12)] if rng.random() < 0.5 else sentence() for r in refs]
    hyps = [h if len(h) >= 4 else h + sentence() for h in hyps]
    return refs, hyps


@pytest.mark.parametrize("seed", range(5))
def test_corpus_bleu_matches_nltk(seed):
    from nltk.translate.bleu_score import corpus_bleu as nltk_bleu

    refs, hyps = _random_corpus(seed)
    ours = corpus_bleu(refs, hyps)
    for n in range(1, 5):
        theirs = nltk_bleu(refs, hyps, weights=tuple([1 / n] * n))
        assert abs(ours[n - 1] - theirs) < 1e-9, (n, ours[n - 1], theirs)


def test_corpus_bleu_edge_cases():
    assert corpus_bleu([[["a", "b", "c", "d"]]], [["a", "b", "c", "d"]]) == [1.0, 1.0, 1.0, 1.0]
    short = corpus_bleu([[["a", "b", "c", "d"]]], [["a", "b"]])
    assert abs(short[0] - math.exp(1 - 4 / 2)) < 1e-12 and short[2] == 0.0  # brevity penalty; no trigram
    with pytest.raises(ValueError, match="as many"):
        corpus_bleu([[["a"]]], [["a"], ["b"]])


def _markov_step(table):
    """A decoder whose next-token log-probabilities depend on the last token only: ``table`` (V, V)."""
    def step(tokens, state):
        return table[tokens], state + 1  # state: steps taken, one row per sequence
    return step


def _score(table, bos, eos, seq):
    score, prev = 0.0, bos
    for t in seq:
        score += table[prev, t].item()
        prev = t
        if t == eos:
            break
    return score


def _best_by_brute_force(table, bos, eos, max_len):
    best, best_seq = -float("inf"), None
    for seq in itertools.product(range(table.shape[0]), repeat=max_len):
        score = _score(table, bos, eos, seq)
        if score > best:
            best, best_seq = score, seq
    return best, best_seq


@pytest.mark.parametrize("seed", range(4))
def test_beam_search_finds_the_best_sequence_and_beam_one_is_greedy(seed):
    g = torch.Generator().manual_seed(seed)
    vocab, bos, eos, max_len, batch = 5, 0, 1, 4, 3
    tables = [torch.log_softmax(torch.randn(vocab, vocab, generator=g) * 2, 1) for _ in range(batch)]

    def step(tokens, state):  # each item of the batch has its own table; state = item index per row
        return torch.stack([tables[i][t] for i, t in zip(state.tolist(), tokens.tolist())]), state

    items = torch.arange(batch)
    seqs, scores = beam_search(step, items, batch, bos, eos, max_len, beam=vocab ** 2)
    for i in range(batch):
        want_score, _ = _best_by_brute_force(tables[i], bos, eos, max_len)
        assert abs(scores[i].item() - want_score) < 1e-5
    greedy = greedy_decode(step, items, batch, bos, eos, max_len)
    one, _ = beam_search(step, items, batch, bos, eos, max_len, beam=1)
    assert torch.equal(greedy, one)
    three, three_scores = beam_search(step, items, batch, bos, eos, max_len, beam=3)
    assert (three_scores <= scores + 1e-5).all()  # never better than the exhaustive beam
    greedy_scores = torch.tensor([_score(tables[i], bos, eos, greedy[i].tolist()) for i in range(batch)])
    assert (three_scores >= greedy_scores - 1e-5).all()  # never worse than greedy


def test_decoders_keep_finished_sequences_finished():
    vocab, eos = 4, 3
    table = torch.full((vocab, vocab), -10.0)
    table[0, 2] = 0.0  # bos -> 2
    table[2, eos] = 0.0  # 2 -> eos
    table[eos, 2] = 0.0  # after eos the model would say 2 again: must be ignored
    step = _markov_step(table)
    out = greedy_decode(step, torch.zeros(2), 2, 0, eos, 5)
    assert out.tolist() == [[2, eos, eos, eos, eos]] * 2
    seqs, _ = beam_search(step, torch.zeros(2), 2, 0, eos, 5, beam=2)
    assert seqs.tolist() == [[2, eos, eos, eos, eos]] * 2
    with pytest.raises(ValueError, match="state"):
        beam_search(step, "not a tensor", 2, 0, eos, 5)


@pytest.mark.parametrize("seed", range(4))
def test_word_error_rate_matches_torchmetrics(seed):
    from torchmetrics.text import WordErrorRate

    from mmutils.metrics import word_error_rate

    rng = random.Random(seed)
    words = ["a", "red", "dog", "on", "the", "grass", "cat"]
    refs = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(20)]
    hyps = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 9))) for _ in range(20)]
    assert abs(word_error_rate(hyps, refs) - WordErrorRate()(hyps, refs).item()) < 1e-6


def test_edit_distance_by_hand():
    from mmutils.metrics import edit_distance, word_error_rate

    assert edit_distance("kitten".split(), "kitten".split()) == 0
    assert edit_distance(list("kitten"), list("sitting")) == 3
    assert edit_distance([], ["a", "b"]) == 2 and edit_distance(["a"], []) == 1
    assert word_error_rate(["a dog"], ["a red dog"]) == 1 / 3
    with pytest.raises(ValueError, match="as many"):
        word_error_rate(["a"], [])


# ---------------------------------------------------------------- decoders (lesson 04)
from mmutils import metrics  # noqa: E402
from mmutils.blocks import attention  # noqa: E402
from mmutils.blocks.encoders import permute_colour_channels  # noqa: E402
from mmutils.translating import captioning  # noqa: E402


def test_additive_attention_matches_its_formula():
    torch.manual_seed(0)
    att = attention.AdditiveAttention(5, 7, 4)
    f, h = torch.randn(3, 6, 5), torch.randn(3, 7)
    context, alpha = att(f, att.project(f), h)
    e = torch.stack([torch.stack([att.score(torch.tanh(att.from_features(f[b, i]) + att.from_hidden(h[b])))[0]
                                  for i in range(6)]) for b in range(3)])
    want = torch.softmax(e, 1)
    assert torch.allclose(alpha, want, atol=1e-6)
    assert torch.allclose(context, torch.einsum("bp,bpd->bd", want, f), atol=1e-6)


@pytest.mark.parametrize("attention", [False, True])
def test_caption_decoder_teacher_forcing_equals_stepping(attention):
    torch.manual_seed(1)
    dec = captioning.CaptionDecoder(11, feature_dim=8, embed_dim=4, hidden_dim=6, attention=attention)
    feats, caps = torch.randn(2, 9, 8), torch.randint(0, 11, (2, 5))
    log_probs, alphas = dec(feats, caps)
    assert log_probs.shape == (2, 4, 11) and torch.allclose(log_probs.exp().sum(-1), torch.ones(2, 4), atol=1e-5)
    assert (alphas is None) == (not attention)
    state = dec.init_state(feats)
    for t in range(4):
        lp, state = dec.step(caps[:, t], state)
        assert torch.allclose(lp, log_probs[:, t], atol=1e-6)
    with pytest.raises(ValueError, match="captions"):
        dec(feats, torch.randint(0, 11, (3, 5)))


def test_doubly_stochastic_penalty_and_caption_loss_by_loops():
    g = torch.Generator().manual_seed(2)
    alphas = torch.softmax(torch.randn(2, 4, 3, generator=g), -1)
    targets = torch.tensor([[5, 6, 0, 0], [5, 6, 7, 8]])
    want = sum((1 - sum(alphas[b, t, i] for t in range(4) if targets[b, t] != 0)) ** 2
               for b in range(2) for i in range(3)) / 6
    assert torch.allclose(captioning.doubly_stochastic_penalty(alphas, targets), want, atol=1e-6)
    lp = torch.log_softmax(torch.randn(2, 4, 9, generator=g), -1)
    nll = -sum(lp[b, t, targets[b, t]] for b in range(2) for t in range(4) if targets[b, t] != 0) / 6
    assert torch.allclose(captioning.caption_loss(lp, targets), nll, atol=1e-6)


def test_slotted_decoder_fills_visual_words_from_the_attended_cell():
    torch.manual_seed(3)
    class_ids = torch.tensor([4, 5, 6])

    def attributes(features):  # cell 1 holds class 2 (id 6) for sure; the others are empty
        b, p, _ = features.shape
        probs = torch.full((b, p, 3), 1 / 3)
        probs[:, 1] = torch.tensor([0.0, 0.0, 1.0])
        presence = torch.zeros(b, p)
        presence[:, 1] = 1
        return [(probs, presence)]

    dec = captioning.SlottedCaptionDecoder(9, [class_ids], attributes, feature_dim=8, embed_dim=4, hidden_dim=6)
    base = captioning.CaptionDecoder(9, feature_dim=8, embed_dim=4, hidden_dim=6, attention=True)
    base.load_state_dict(dec.state_dict())
    feats, tokens = torch.randn(2, 5, 8), torch.tensor([1, 2])
    lp, _ = dec.step(tokens, dec.init_state(feats))
    lp_base, _ = base.step(tokens, base.init_state(feats))
    assert torch.allclose(lp.exp().sum(1), torch.ones(2), atol=1e-5)  # still a distribution
    others = torch.tensor([0, 1, 2, 3, 7, 8])
    assert torch.allclose(lp[:, others], lp_base[:, others], atol=1e-6)  # non-visual words untouched
    kind = lp_base[:, class_ids].exp().sum(1)
    assert torch.allclose(lp[:, 6].exp(), kind, atol=1e-5)  # all of "some class word" goes to the cell's class
    log_probs, _ = dec(feats, torch.randint(0, 9, (2, 4)))  # teacher forcing runs through the same step
    assert log_probs.shape == (2, 3, 9)


def test_attention_hits_and_channel_permutation():
    alphas = torch.zeros(2, 16)
    alphas[0, 5] = 1  # row 1, col 1 of a 4x4 grid on 16 px: centre (6, 6)
    alphas[1, 15] = 1  # centre (14, 14)
    boxes = torch.tensor([[4, 4, 8, 8], [0, 0, 8, 8]])
    assert metrics.attention_hits(alphas, 4, 16, boxes).tolist() == [True, False]
    x = torch.rand(6, 3, 5, 5)
    y = permute_colour_channels(x, torch.Generator().manual_seed(0))
    for a, b in zip(x, y):
        assert any(torch.equal(b, a[list(p)]) for p in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1),
                                                        (2, 1, 0)])
    with pytest.raises(ValueError, match="images"):
        permute_colour_channels(torch.rand(2, 1, 5, 5))


def test_show_and_tell_from_the_whole_grid_keeps_the_layout():
    """From the mean feature, shuffling the cells changes nothing; from the whole grid, it changes the start state."""
    torch.manual_seed(0)
    features = torch.randn(2, 9, 16)  # (B, P, D)
    shuffled = features[:, torch.randperm(9)]
    mean_init = captioning.CaptionDecoder(12, feature_dim=16, attention=False)
    grid_init = captioning.CaptionDecoder(12, feature_dim=16, attention=False, n_cells=9)
    h_mean = mean_init.init_state(features)[2]
    assert torch.allclose(h_mean, mean_init.init_state(shuffled)[2], atol=1e-6)
    h_grid = grid_init.init_state(features)[2]  # (B, hidden)
    assert h_grid.shape == (2, 128)
    assert not torch.allclose(h_grid, grid_init.init_state(shuffled)[2], atol=1e-4)
    log_probs, alphas = grid_init(features, torch.randint(1, 12, (2, 5)))
    assert log_probs.shape == (2, 4, 12) and alphas is None
    with pytest.raises(ValueError, match="features"):
        grid_init.init_state(torch.randn(2, 8, 16))  # a grid of another size
