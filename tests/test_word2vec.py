"""The hand-written skip-gram: each piece against a direct formula or gensim, on random inputs; and the whole, trained
on the shipped KJV as lesson 02 trains it, against gensim's Word2Vec with the same corpus and settings."""

import math

import numpy as np
import pytest
import torch

from mmutils.matching import word2vec as w2v
from mmutils.core import rng
from mmutils.data import data_file, load_text
from mmutils.text import tokenize


def test_sgns_loss_matches_the_formula():
    g = torch.Generator().manual_seed(0)
    u, v, n = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g), torch.randn(4, 3, 6, generator=g)
    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    want = [-math.log(sig(float(u[i] @ v[i]))) - sum(math.log(sig(-float(u[i] @ n[i, k]))) for k in range(3))
            for i in range(4)]
    assert torch.allclose(w2v.sgns_loss(u, v, n), torch.tensor(want), atol=1e-5)
    with pytest.raises(ValueError, match="shapes disagree"):
        w2v.sgns_loss(u, v, torch.randn(4, 3, 5))


def test_hand_written_sgd_step_equals_autograd_sgd():
    """``sgns_sgd_step`` (gradient by hand, index_add_) = torch.optim.SGD on the summed ``SkipGram`` loss, repeated
    ids included."""
    g = torch.Generator().manual_seed(4)
    manual, auto = w2v.SkipGram(30, 8, generator=g), w2v.SkipGram(30, 8)
    with torch.no_grad():
        manual.outputs.weight.normal_(generator=g)
    auto.load_state_dict(manual.state_dict())
    optimizer = torch.optim.SGD(auto.parameters(), lr=0.1)
    for _ in range(3):
        c, o, n = (torch.randint(0, 30, shape, generator=g) for shape in [(16,), (16,), (16, 4)])
        loss_manual = w2v.sgns_sgd_step(manual, c, o, n, 0.1)
        loss_auto = auto(c, o, n)
        optimizer.zero_grad()
        loss_auto.sum().backward()
        optimizer.step()
        assert torch.allclose(loss_manual, loss_auto.detach(), atol=1e-5)
        for name, p in manual.named_parameters():
            assert torch.allclose(p, auto.state_dict()[name], atol=1e-5), name
    with pytest.raises(ValueError, match="negatives"):
        w2v.sgns_sgd_step(manual, c, o, n[:, 0].float(), 0.1)


def test_keep_probability_is_word2vecs_formula():
    counts = torch.tensor([5000, 500, 50, 5])
    f = counts.double() / counts.sum()
    want = ((torch.sqrt(f / 1e-3) + 1) * 1e-3 / f).clamp(max=1)
    out = w2v.keep_probability(counts, 1e-3)
    assert torch.allclose(out.double(), want, atol=1e-6) and out[-1] == 1.0 and out[0] < 0.1


def test_skipgram_pairs_match_a_direct_loop():
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 50, (40,), generator=g)
    centres, contexts = w2v.skipgram_pairs(ids, 3, torch.Generator().manual_seed(7))
    radius = torch.randint(1, 4, (40,), generator=torch.Generator().manual_seed(7))
    want = sorted((int(ids[i]), int(ids[j])) for i in range(40) for j in range(40)
                  if i != j and abs(i - j) <= radius[i])
    assert sorted(zip(centres.tolist(), contexts.tolist())) == want


def test_skipgram_pairs_stop_at_sentence_ends():
    """With ``sentences``, the pairs are the direct loop's pairs whose two words share a sentence; the radii drawn are
    the same as without (one draw per token), so a corpus without boundaries trains exactly as before."""
    g = torch.Generator().manual_seed(5)
    ids = torch.randint(0, 50, (60,), generator=g)
    sentences = torch.sort(torch.randint(0, 7, (60,), generator=g)).values  # (60,) non-decreasing sentence index
    centres, contexts = w2v.skipgram_pairs(ids, 3, torch.Generator().manual_seed(8), sentences)
    radius = torch.randint(1, 4, (60,), generator=torch.Generator().manual_seed(8))
    want = sorted((int(ids[i]), int(ids[j])) for i in range(60) for j in range(60)
                  if i != j and abs(i - j) <= radius[i] and sentences[i] == sentences[j])
    assert sorted(zip(centres.tolist(), contexts.tolist())) == want
    with pytest.raises(ValueError, match="sentences"):
        w2v.skipgram_pairs(ids, 3, g, sentences[:-1])


def test_corpus_from_sentences():
    sentences = [["a", "b", "a"], ["c"], ["a", "rare", "b", "b"]]
    flat = w2v.Corpus.from_tokens([t for s in sentences for t in s], min_count=2)
    corpus = w2v.Corpus.from_sentences(sentences, min_count=2)
    assert corpus.itos == flat.itos == ["a", "b"] and torch.equal(corpus.ids, flat.ids)
    assert torch.equal(corpus.counts, flat.counts) and flat.sentences is None
    assert corpus.sentences.tolist() == [0, 0, 0, 2, 2, 2]
    shuffled = corpus.shuffled(torch.Generator().manual_seed(0))
    assert torch.equal(shuffled.sentences, corpus.sentences)
    assert sorted(shuffled.ids.tolist()) == sorted(corpus.ids.tolist())


def test_training_loop_equals_a_direct_reference():
    """``train_skipgram`` on a stream without sentence boundaries = a direct loop over the same draws (advanced
    indexing, autograd-free textbook update): the vectorised gathers change no number."""
    g = torch.Generator().manual_seed(6)
    corpus = w2v.Corpus(torch.randint(0, 40, (3000,), generator=g), None, [f"w{i}" for i in range(40)])
    corpus.counts = torch.bincount(corpus.ids, minlength=40)
    model, losses = w2v.train_skipgram(corpus, dim=8, window=2, negatives=3, epochs=2, batch_size=256, seed=3,
                                       progress=False)
    r = rng(3)  # the generator train_skipgram(seed=3) makes
    ref = w2v.SkipGram(40, 8, generator=r)
    table = w2v.NegativeSampler(corpus.counts).table
    keep = w2v.keep_probability(corpus.counts, 1e-3)
    epochs = []
    for _ in range(2):
        kept = corpus.ids[torch.rand(len(corpus.ids), generator=r) < keep[corpus.ids]]
        c, o = w2v.skipgram_pairs(kept, 2, r)
        order = torch.randperm(len(c), generator=r)
        epochs.append((c[order], o[order]))
    total, step = sum(math.ceil(len(c) / 256) for c, _ in epochs), 0
    u_table, v_table = ref.inputs.weight.data, ref.outputs.weight.data
    for cs, os_ in epochs:
        for start in range(0, len(cs), 256):
            c, o = cs[start:start + 256], os_[start:start + 256]
            n = table[torch.randint(len(table), (len(c), 3), generator=r)]
            t = torch.cat([o[:, None], n], 1)
            u, v = u_table[c], v_table[t]
            s = torch.einsum("bd,btd->bt", u, v)
            labels = torch.zeros_like(s)
            labels[:, 0] = 1.0
            grad = torch.sigmoid(s) - labels
            rate = 0.025 * max(1e-4, 1 - step / total)
            u_table.index_add_(0, c, torch.einsum("bt,btd->bd", grad, v), alpha=-rate)
            v_table.index_add_(0, t.reshape(-1), (grad[:, :, None] * u[:, None, :]).reshape(-1, 8), alpha=-rate)
            step += 1
    assert step == total and torch.equal(model.inputs.weight, ref.inputs.weight)
    assert torch.equal(model.outputs.weight, ref.outputs.weight)


def test_negative_sampler_follows_unigram_to_the_three_quarters():
    counts = torch.tensor([1000, 100, 10, 1])
    sampler = w2v.NegativeSampler(counts)
    draws = sampler((200_000,), torch.Generator().manual_seed(0))
    freq = torch.bincount(draws, minlength=4).double() / len(draws)
    want = counts.double() ** 0.75 / (counts.double() ** 0.75).sum()
    assert torch.allclose(freq, want, atol=3e-3)


def test_analogy_3cosadd_matches_gensim():
    from gensim.models import KeyedVectors

    g = torch.Generator().manual_seed(0)
    vectors = torch.randn(300, 20, generator=g)
    kv = KeyedVectors(20)
    kv.add_vectors([f"w{i}" for i in range(300)], vectors.numpy())
    q = torch.randint(0, 300, (50, 3), generator=g)
    q = q[(q[:, 0] != q[:, 1]) & (q[:, 0] != q[:, 2]) & (q[:, 1] != q[:, 2])]
    ours = w2v.analogy(vectors, q[:, 0], q[:, 1], q[:, 2])
    for (a, b, c), d in zip(q.tolist(), ours.tolist()):
        best = kv.most_similar(positive=[f"w{b}", f"w{c}"], negative=[f"w{a}"], topn=1)[0][0]
        assert best == f"w{d}"


def test_read_analogies_and_accuracy():
    stoi = {w: i for i, w in enumerate(["a", "b", "c", "d"])}
    qs, skipped = w2v.read_analogies([": cat", "A B C D", "a b c zebra", ""], stoi)
    assert skipped == 1 and qs["cat"].tolist() == [[0, 1, 2, 3]]
    vectors = torch.tensor([[1.0, 0], [1.0, 1], [0, 1.0], [0.1, 2.0]])  # d = b - a + c exactly
    assert w2v.analogy_accuracy(vectors, qs["cat"]) == 1.0
    with pytest.raises(ValueError, match="expected 4 words"):
        w2v.read_analogies(["a b c"], stoi)


def test_shipped_analogy_set_fits_the_corpus():
    tokens = [t for line in load_text("kjv") for t in tokenize(line)]
    corpus = w2v.Corpus.from_tokens(tokens, min_count=5)
    qs, skipped = w2v.read_analogies(data_file("eval/kjv_analogies.txt").read_text().splitlines(), corpus.stoi)
    assert skipped == 0 and sum(len(v) for v in qs.values()) >= 500
    assert set(qs) == {"gender", "plural", "past-tense"}


# The lesson's training (notebooks/sources/02_word_embeddings.py): verses as sentences, these settings, the other
# arguments at train_skipgram's defaults.
LESSON_SETTINGS = dict(dim=100, window=3, negatives=5, epochs=6, batch_size=2048)


@pytest.fixture(scope="module")
def kjv():
    sentences = [tokenize(line) for line in load_text("kjv")]
    corpus = w2v.Corpus.from_sentences(sentences, min_count=5)
    qs, _ = w2v.read_analogies(data_file("eval/kjv_analogies.txt").read_text().splitlines(), corpus.stoi)
    return sentences, corpus, torch.cat(list(qs.values()))


def test_lesson_settings_match_the_lesson():
    from mmutils.lessons import SOURCES

    source = (SOURCES / "02_word_embeddings.py").read_text()
    assert f"SETTINGS = dict({', '.join(f'{k}={v}' for k, v in LESSON_SETTINGS.items())})" in source
    assert "Corpus.from_sentences(" in source


def test_torch_sgns_matches_gensim_on_the_kjv(kjv):
    """The peer bar of lesson 02: our analogy accuracy >= 0.8x gensim's, same corpus (verses as sentences), dimensions,
    window, negatives, epochs, subsampling, learning rate and min_count. Prints both accuracies and times
    (``pytest -s``) for the benchmark's ratios."""
    import inspect
    import time

    from gensim.models import Word2Vec

    sentences, corpus, questions = kjv
    settings = {k: p.default for k, p in inspect.signature(w2v.train_skipgram).parameters.items()
                if p.default is not inspect.Parameter.empty} | LESSON_SETTINGS
    start = time.perf_counter()
    peer = Word2Vec(sentences, sg=1, vector_size=settings["dim"], window=settings["window"],
                    negative=settings["negatives"], epochs=settings["epochs"], min_count=5,
                    sample=settings["subsample"], alpha=settings["lr"], workers=1, seed=0,
                    hashfxn=lambda s: sum(map(ord, s)))
    peer_seconds = time.perf_counter() - start
    peer_vectors = torch.from_numpy(np.stack([peer.wv[w] for w in corpus.itos]))
    start = time.perf_counter()
    ours, losses = w2v.train_skipgram(corpus, **LESSON_SETTINGS, progress=False)
    ours_seconds = time.perf_counter() - start
    ours_acc, peer_acc = w2v.analogy_accuracy(ours.vectors, questions), w2v.analogy_accuracy(peer_vectors, questions)
    print(f"\nanalogy accuracy: ours {ours_acc:.3f} in {ours_seconds:.1f} s, gensim {peer_acc:.3f} in "
          f"{peer_seconds:.1f} s; ratios {ours_acc / peer_acc:.2f} (accuracy), "
          f"{ours_seconds / peer_seconds:.2f} (time)")
    assert losses[-1] < losses[0]
    assert peer_acc > 0.1, f"gensim itself learned too little ({peer_acc:.3f}): the comparison would be empty"
    assert ours_acc >= 0.8 * peer_acc, f"ours {ours_acc:.3f} vs gensim {peer_acc:.3f}"
