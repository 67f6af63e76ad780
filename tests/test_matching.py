"""Joint-embedding building blocks (lesson 03's matching): hand-written retrieval metrics against torchmetrics on
random scores, and the three losses against direct loops."""

import pytest
import torch
import torch.nn.functional as F

from mmutils import world
from mmutils.matching import joint_embedding as mt
from mmutils.blocks import encoders
from mmutils import metrics


def _random_retrieval(seed, q=12, g=30):
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randn(q, g, generator=gen)
    relevant = torch.rand(q, g, generator=gen) < 0.15
    relevant[torch.arange(q), torch.randint(0, g, (q,), generator=gen)] = True  # at least one per query
    return scores, relevant


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recall_at_k_and_r_precision_match_torchmetrics(seed):
    from torchmetrics.retrieval import RetrievalHitRate, RetrievalRPrecision

    scores, relevant = _random_retrieval(seed)
    indexes = torch.arange(len(scores))[:, None].expand_as(scores)
    ours = metrics.recall_at_k(scores, relevant, ks=(1, 5, 10))
    for k in (1, 5, 10):
        theirs = RetrievalHitRate(top_k=k)(scores.flatten(), relevant.flatten(), indexes=indexes.flatten())
        assert abs(ours[k] - theirs.item()) < 1e-6, k
    theirs = RetrievalRPrecision()(scores.flatten(), relevant.flatten(), indexes=indexes.flatten())
    assert abs(metrics.r_precision(scores, relevant) - theirs.item()) < 1e-6


def test_first_hit_rank_and_median_rank_by_hand():
    scores = torch.tensor([[0.9, 0.1, 0.5], [0.2, 0.3, 0.1]])
    relevant = torch.tensor([[False, False, True], [True, False, False]])
    assert metrics.first_hit_rank(scores, relevant).tolist() == [2, 2]
    assert metrics.median_rank(scores, relevant) == 2.0
    with pytest.raises(ValueError, match="at least one relevant"):
        metrics.first_hit_rank(scores, torch.zeros(2, 3, dtype=torch.bool))


def _sim_and_same(seed, b=6):
    g = torch.Generator().manual_seed(seed)
    sim = torch.rand(b, b, generator=g) * 2 - 1
    combo = torch.randint(0, 4, (b,), generator=g)
    return sim, combo[:, None] == combo[None, :]


def _hinge_by_loops(sim, same, m):
    """Both hinge losses written as loops over queries: image i against texts j that are not true of it, and text i
    against images j it is not true of (``same[j, i]``: text i is true of image j)."""
    b = len(sim)
    total_sum, total_max = 0.0, 0.0
    for i in range(b):
        vi = [max(0.0, m - sim[i, i].item() + sim[i, j].item()) for j in range(b) if j != i and not same[i, j]]
        vt = [max(0.0, m - sim[i, i].item() + sim[j, i].item()) for j in range(b) if j != i and not same[j, i]]
        total_sum += sum(vi) + sum(vt)
        total_max += (max(vi) if vi else 0.0) + (max(vt) if vt else 0.0)
    return total_sum / b, total_max / b


def test_hinge_losses_match_direct_loops():
    sim, same = _sim_and_same(0)
    want_sum, want_max = _hinge_by_loops(sim, same, 0.2)
    assert abs(mt.hinge_sum_loss(sim, same, 0.2).item() - want_sum) < 1e-5
    assert abs(mt.hinge_max_loss(sim, same, 0.2).item() - want_max) < 1e-5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hinge_losses_transpose_an_asymmetric_mask(seed):
    """Texts of different lengths: a one-word tag such as "dog" is true of every dog image, a full caption of few, so
    ``same`` is not symmetric. In the text->image direction the mask must transpose with the scores; a true pair must
    never be pushed apart."""
    g = torch.Generator().manual_seed(seed)
    b = 8
    sim = torch.rand(b, b, generator=g) * 2 - 1
    same = torch.rand(b, b, generator=g) < 0.35
    same.fill_diagonal_(False)
    assert not torch.equal(same, same.T)
    want_sum, want_max = _hinge_by_loops(sim, same, 0.2)
    assert abs(mt.hinge_sum_loss(sim, same, 0.2).item() - want_sum) < 1e-5
    assert abs(mt.hinge_max_loss(sim, same, 0.2).item() - want_max) < 1e-5
    # The gradient never pulls a true (image, text) pair apart: it can only raise sim where same is True or on the
    # diagonal, never lower it there.
    for loss in (mt.hinge_sum_loss, mt.hinge_max_loss, mt.info_nce_loss):
        s = sim.clone().requires_grad_(True)
        loss(s, same).backward()
        assert (s.grad[same] == 0).all(), loss.__name__


def test_info_nce_is_symmetric_cross_entropy_without_equally_true_pairs():
    sim, same = _sim_and_same(1)
    scale = 10.0
    logits = sim * scale
    want = 0.0
    for i in range(len(sim)):
        keep_row = ~same[i] | (torch.arange(len(sim)) == i)
        keep_col = ~same[:, i] | (torch.arange(len(sim)) == i)
        want += -F.log_softmax(logits[i][keep_row], 0)[keep_row[:i].sum()].item()
        want += -F.log_softmax(logits[:, i][keep_col], 0)[keep_col[:i].sum()].item()
    got = mt.info_nce_loss(sim, same, torch.tensor(scale).log())
    assert abs(got.item() - want / (2 * len(sim))) < 1e-4
    with pytest.raises(ValueError, match="same"):
        mt.info_nce_loss(sim, same[:3])


def test_joint_embedding_gives_unit_vectors_and_cosines():
    from mmutils.blocks.encoders import ImageCNN

    model = mt.JointEmbedding(ImageCNN(dim=16), encoders.BagOfWordsEncoder(20, dim=8), dim=12)
    images, tokens = torch.rand(3, 3, 32, 32), torch.tensor([[4, 5, 0], [6, 0, 0], [7, 8, 9]])
    sim = model(images, tokens)
    assert sim.shape == (3, 3) and sim.abs().max() <= 1 + 1e-5
    assert torch.allclose(model.embed_texts(tokens).norm(dim=1), torch.ones(3), atol=1e-5)
    # padding does not change a text's embedding
    assert torch.allclose(model.embed_texts(torch.tensor([[6, 0, 0]])), model.embed_texts(torch.tensor([[6]])),
                          atol=1e-6)
    frozen = encoders.BagOfWordsEncoder(20, vectors=torch.randn(20, 5), freeze_vectors=True)
    assert not frozen.words.weight.requires_grad and frozen.words.weight.shape == (20, 5)


def test_tagging_texts_state_what_they_say_and_true_of_follows():

    scene = world.make_scene(5, 32, 1)
    texts = world.texts.tagging_texts(scene)
    attrs = world.texts.scene_attributes(scene)
    assert len(texts) == len(scene.captions) + 4
    assert [stated for _, stated in texts[-3:]] == [(attrs[0], -1, -1), (-1, attrs[1], -1), (-1, -1, attrs[2])]
    assert all(stated == attrs for _, stated in texts[:-3])
    other = (attrs[0], (attrs[1] + 1) % 6, attrs[2])  # same class, another colour
    truth = world.texts.true_of(torch.tensor([attrs, other]), torch.tensor([s for _, s in texts]))
    assert truth[0].all()  # every text is true of its own image
    assert truth[1].tolist() == [False] * (len(texts) - 3) + [True, False, True]
    with pytest.raises(ValueError, match="one-object"):
        world.texts.scene_attributes(world.make_scene(5, 32, 3))
    with pytest.raises(ValueError, match="stated"):
        world.texts.true_of(torch.tensor([attrs]), torch.tensor([1, 2, 3]))


def test_zero_shot_through_words_against_a_direct_loop():
    g = torch.Generator().manual_seed(3)
    probs = torch.softmax(torch.randn(30, 5, generator=g) * 2, 1)
    seen, unseen = torch.randn(5, 8, generator=g) * 4, torch.randn(3, 8, generator=g)
    for top in (None, 1, 2):
        got = mt.zero_shot_through_words(probs, seen, unseen, top=top)
        for i in range(30):
            keep = probs[i].topk(top or 5).indices
            placed = sum(probs[i, j] * seen[j] / seen[j].norm() for j in keep)
            cos = torch.stack([placed @ u / (placed.norm() * u.norm()) for u in unseen])
            assert got[i].item() == cos.argmax().item()
    # a pure dog image lands on the unseen name whose vector is nearest "dog"
    seen_v = torch.eye(3)
    unseen_v = torch.tensor([[0.1, 1.0, 0.0], [1.0, 0.2, 0.0]])
    assert mt.zero_shot_through_words(torch.tensor([[1.0, 0.0, 0.0]]), seen_v, unseen_v).tolist() == [1]
    with pytest.raises(ValueError, match="top"):
        mt.zero_shot_through_words(probs, seen, unseen, top=9)
    with pytest.raises(ValueError, match="unseen_vectors"):
        mt.zero_shot_through_words(probs, seen, torch.randn(3, 7))


def _pessimistic_ranking(s, r):
    """Brute force of the tie rule: best score first; within a tie, irrelevant items first."""
    return sorted(range(len(s)), key=lambda i: (-float(s[i]), bool(r[i])))


@pytest.mark.parametrize("seed", [0, 1])
def test_every_ranking_metric_counts_a_tie_against_the_query(seed):
    """Scores with many ties (a few discrete values): every metric follows one rule, checked by brute force, and
    does not depend on the gallery's order. A constant scorer retrieves nothing."""
    g = torch.Generator().manual_seed(seed)
    scores = torch.randint(0, 3, (12, 9), generator=g).float()
    relevant = torch.rand(12, 9, generator=g) < 0.3
    relevant[torch.arange(12), torch.randint(0, 9, (12,), generator=g)] = True
    ranks, p3, rp = [], [], []
    for s, r in zip(scores, relevant):
        order = _pessimistic_ranking(s, r)
        ranks.append(next(i for i, j in enumerate(order, 1) if r[j]))
        p3.append(sum(bool(r[j]) for j in order[:3]) / 3)
        rp.append(sum(bool(r[j]) for j in order[:int(r.sum())]) / int(r.sum()))
    assert metrics.first_hit_rank(scores, relevant).tolist() == ranks
    assert metrics.recall_at_k(scores, relevant, ks=(1, 3))[1] == pytest.approx(sum(x <= 1 for x in ranks) / 12)
    assert metrics.precision_at_k(scores, relevant, 3) == pytest.approx(sum(p3) / 12)
    assert metrics.r_precision(scores, relevant) == pytest.approx(sum(rp) / 12)
    perm = torch.randperm(9, generator=g)  # the gallery in another order: the same numbers
    for name, args in [("recall_at_k", ()), ("median_rank", ()), ("precision_at_k", (3,)), ("r_precision", ())]:
        assert getattr(metrics, name)(scores[:, perm], relevant[:, perm], *args) == \
            getattr(metrics, name)(scores, relevant, *args), name
    constant = torch.zeros(12, 9)
    assert metrics.recall_at_k(constant, relevant, ks=(1,))[1] == (relevant.all(1)).float().mean().item()
    assert metrics.first_hit_rank(constant, relevant).tolist() == (~relevant).sum(1).add(1).tolist()
    assert not metrics.retrieval_at_1(torch.zeros(2, 3), torch.zeros(4, 3), torch.tensor([[0, 1], [2, 3]])).any()
