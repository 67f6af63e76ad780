"""Lessons 01-04, 06-08, 09.4 and 10: each check passes the reference and fails plausible wrong answers (a student's
real mistakes: a wrong axis, a missing normalisation or mask, the wrong temperature handling, ...)."""

import collections
import math

import pytest
import torch
import torch.nn.functional as F

from mmutils import world
from mmutils.blocks.balance import ogm_coefficients, unimodal_logits
from mmutils.checks import REGISTRY, evaluate
from mmutils.matching import joint_embedding as matching
from mmutils.matching.distillation import distillation_loss, soft_targets
from mmutils.matching.joint_embedding import info_nce_loss, zero_shot_through_words
from mmutils.matching.word2vec import analogy, keep_probability, sgns_loss
from mmutils.metrics import majority_by_type, map_iou, precision_at_k, recall_at_k
from mmutils.referencing.localization import localization_map
from mmutils.stft import frame_signal, spectral_convergence
from mmutils.translating.captioning import doubly_stochastic_penalty
from mmutils.translating.image_to_speech import slots_to_captions


# ---- lesson 01 ----

def _ogm(a, b, y, alpha, axis=1, shift=0.0, swap=False):  # the notebook's solution, with knobs for the mistakes
    s_a = F.softmax(a, axis).gather(1, y[:, None]).sum().item()
    s_b = F.softmax(b, axis).gather(1, y[:, None]).sum().item()
    if s_a == s_b:
        return 1.0, 1.0
    k = 1 - math.tanh(alpha * (max(s_a, s_b) / min(s_a, s_b) - shift))
    return (k, 1.0) if (s_a > s_b) != swap else (1.0, k)


# ---- lesson 02 ----

def _keep_probability(counts, t, plus_one=1.0, frequencies=True):
    f = counts.double() / counts.sum() if frequencies else counts.double()
    return ((torch.sqrt(f / t) + plus_one) * t / f).clamp(max=1.0).float()


def _sgns(u, v, n, log_sigmoid=F.logsigmoid, sign=-1, reduce="sum", negatives_against=None):
    positive = log_sigmoid((u * v).sum(-1))
    negative = log_sigmoid(sign * (n @ (u if negatives_against is None else negatives_against)[:, :, None])[..., 0])
    return -(positive + getattr(negative, reduce)(-1))


def _analogy(vectors, a, b, c, unit=True, exclude=True, signs=(1, -1)):
    u = F.normalize(vectors, dim=1) if unit else vectors
    scores = (signs[0] * u[b] + signs[1] * u[a] + u[c]) @ u.T
    if exclude:
        for ids in (a, b, c):
            scores[torch.arange(len(a)), ids] = -float("inf")
    return scores.argmax(1)


# ---- lesson 03 ----

def _info_nce(sim, same, scale, mask=True, rows_only=False, divide=False):
    logits = sim / scale if divide else sim * scale
    if mask:
        logits = logits.masked_fill(same & ~torch.eye(len(sim), dtype=torch.bool), -math.inf)
    target = torch.arange(len(sim))
    if rows_only:
        return F.cross_entropy(logits, target)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def _recall_at_k(scores, relevant, k):
    return recall_at_k(scores, relevant, ks=(k,))[k]


def _zero_shot(probs, seen, unseen, unit_seen=True, unit_unseen=True, pick="argmax"):
    placed = probs @ (F.normalize(seen, dim=1) if unit_seen else seen)
    return getattr(placed @ (F.normalize(unseen, dim=1) if unit_unseen else unseen).T, pick)(1)


# ---- lesson 04 ----

def _attention(f, h, W_f, W_h, w, squash=torch.tanh, dim=1, pool="sum"):
    alpha = torch.softmax(squash(f @ W_f + (h @ W_h)[:, None]) @ w, dim=dim)
    return getattr(alpha[:, :, None] * f, pool)(1), alpha


def _clipped_matches(hyp, refs, n, clip="max", last=1):
    def grams(tokens):
        return collections.Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + last))

    counts, most = grams(hyp), collections.Counter()
    for r in refs:
        if clip == "max":
            most |= grams(r)
        else:
            most += grams(r)  # the counts of all references added up
    if clip == "none":
        return sum(c for g, c in counts.items() if most[g]), sum(counts.values())
    return sum(min(c, most[g]) for g, c in counts.items()), sum(counts.values())


# ---- lesson 06 ----

def _majority_by_type(answer, train_qtype, qtype, pick=lambda a: a.mode().values):
    best = torch.zeros(len(world.QUESTION_TYPES), dtype=torch.long)
    for k in range(len(world.QUESTION_TYPES)):
        if (train_qtype == k).any():
            best[k] = pick(answer[train_qtype == k])
    return best[qtype]


# ---- lesson 07 ----

def _frames(x, n_fft, hop, mode="reflect", pad=None):
    p = n_fft // 2 if pad is None else pad
    return F.pad(x[None, None], (p, p), mode=mode)[0, 0].unfold(0, n_fft, hop)


def _stft(x, n_fft, hop, window, windowed=True):
    frames = _frames(x, n_fft, hop)
    return torch.fft.rfft(frames * window if windowed else frames, dim=1).T


# ---- lesson 08 ----

def _kd(s, t, temperature, t_squared=True, soften_student=True, reverse=False, over_classes=False):
    p = F.softmax(t / temperature, 1)
    log_q = F.log_softmax(s / (temperature if soften_student else 1.0), 1)
    kl = log_q.exp() * (log_q - torch.log(p)) if reverse else p * (torch.log(p.clamp_min(1e-12)) - log_q)
    return (temperature ** 2 if t_squared else 1.0) * (kl.mean() if over_classes else kl.sum(1).mean())


# ---- lesson 09 ----

def _captions(colour, cls, background, article=None, preposition=None, pick="argmax"):
    out = []
    for k, c, b in zip(getattr(colour, pick)(1).tolist(), getattr(cls, pick)(1).tolist(),
                       getattr(background, pick)(1).tolist()):
        name, where = world.COLOUR_NAMES[k], world.BACKGROUND_NAMES[b]
        out.append(f"{article or world.vocab.article(name)} {name} {world.CLASS_NAMES[c]} "
                   f"{preposition or world.BACKGROUNDS[where]} the {where}")
    return out


# ---- lesson 10 ----

def _localization_map(maps, size, clamp=True, per_map=True, safe=True, align_corners=False):
    up = F.interpolate((maps.clamp_min(0) if clamp else maps)[:, None], size=(size, size), mode="bilinear",
                       align_corners=align_corners)[:, 0]
    lo = up.flatten(1).amin(1)[:, None, None] if per_map else up.min()
    hi = up.flatten(1).amax(1)[:, None, None] if per_map else up.max()
    return (up - lo) / ((hi - lo).clamp_min(1e-12) if safe else (hi - lo))


def _map_iou(maps, boxes, t, swap_xy=False, inclusive=False, at_least=False, over="union", safe=True):
    s = maps.shape[1]
    ys, xs = torch.arange(s)[None, :, None], torch.arange(s)[None, None, :]
    if swap_xy:
        xs, ys = ys, xs
    b = boxes[:, :, None, None]
    end_x, end_y = (xs <= b[:, 2], ys <= b[:, 3]) if inclusive else (xs < b[:, 2], ys < b[:, 3])
    box = (xs >= b[:, 0]) & end_x & (ys >= b[:, 1]) & end_y
    region = maps >= t if at_least else maps > t
    inter = (region & box).flatten(1).sum(1).float()
    denominator = {"union": region | box, "box": box}[over].flatten(1).sum(1).float()
    return inter / (denominator.clamp_min(1) if safe else denominator)


def _loc_loss(cells, sound, present, sounding, k, scale, pool="topk", transpose_mask=False, detach=False):
    maps = torch.einsum("bdhw,cd->bchw", cells.detach() if detach else cells, sound)
    scores = maps.flatten(2).topk(k, dim=2).values.mean(2) if pool == "topk" else maps.flatten(2).mean(2)
    same = present[:, sounding]
    return matching.info_nce_loss(scores, same.T if transpose_mask else same, scale)


@pytest.mark.parametrize("exercise_id, right, wrongs", [
    ("01.1", lambda n, p, g: (torch.rand(n, generator=g) >= p).float(), [
        lambda n, p, g: (torch.rand(n, generator=g) < p).float(),  # keeps with probability p_drop: inverted
        lambda n, p, g: (torch.rand(n) >= p).float(),  # the generator is ignored: not reproducible
        lambda n, p, g: torch.bernoulli(torch.full((n,), p), generator=g),  # draws 1 = "drop", not 1 = "keep"
    ]),
    ("01.2", ogm_coefficients, [
        lambda a, b, y, alpha: _ogm(a, b, y, alpha, swap=True),  # slows the modality that is behind
        lambda a, b, y, alpha: _ogm(a, b, y, alpha, axis=0),  # softmax over the batch, not the classes
        lambda a, b, y, alpha: _ogm(a, b, y, alpha, shift=1.0),  # tanh(alpha * (rho - 1))
    ]),
    ("01.3", lambda head, fa, fb: tuple(unimodal_logits(head, [fa, fb])), [
        lambda head, fa, fb: (fa @ head.weight[:, :fa.shape[1]].T + head.bias,
                              fb @ head.weight[:, fa.shape[1]:].T + head.bias),  # the whole bias in both shares
        lambda head, fa, fb: (fa @ head.weight[:, fb.shape[1]:].T + head.bias / 2,
                              fb @ head.weight[:, :fb.shape[1]].T + head.bias / 2),  # columns split the wrong way
        lambda head, fa, fb: (fa @ head.weight[:, :fa.shape[1]].T,
                              fb @ head.weight[:, fa.shape[1]:].T),  # the bias forgotten
    ]),
    ("02.1", keep_probability, [
        lambda c, t: _keep_probability(c, t, plus_one=0.0),  # sqrt(t / f): the original paper's formula, no "+ 1"
        lambda c, t: _keep_probability(c, t, frequencies=False),  # raw counts, not frequencies
        lambda c, t: ((torch.sqrt(c / c.sum() / t) + 1) * t / (c / c.sum())).float(),  # not clipped at 1
    ]),
    ("02.2", sgns_loss, [
        lambda u, v, n: _sgns(u, v, n, sign=1),  # the negatives' scores not negated
        lambda u, v, n: _sgns(u, v, n, reduce="mean"),  # mean, not sum, over the k negatives
        lambda u, v, n: _sgns(u, v, n, log_sigmoid=lambda x: torch.log(torch.sigmoid(x))),  # log(sigmoid): -inf
        lambda u, v, n: _sgns(u, v, n, negatives_against=v),  # negatives scored against the context vector
    ]),
    ("02.3", analogy, [
        lambda v, a, b, c: _analogy(v, a, b, c, unit=False),  # lengths not normalised
        lambda v, a, b, c: _analogy(v, a, b, c, exclude=False),  # a, b and c may answer themselves
        lambda v, a, b, c: _analogy(v, a, b, c, signs=(-1, 1)),  # a - b + c: the offset the wrong way round
    ]),
    ("03.1", info_nce_loss, [
        lambda s, m, k: _info_nce(s, m, k, mask=False),  # equally true pairs counted as negatives
        lambda s, m, k: _info_nce(s, m, k, rows_only=True),  # image->text only, not symmetric
        lambda s, m, k: _info_nce(s, m, k, divide=True),  # divides by the scale (a temperature) instead
    ]),
    ("03.2", _recall_at_k, [
        lambda s, r, k: r.gather(1, s.topk(k, dim=1).indices).any(1).float().mean().item(),  # topk: ties by chance
        lambda s, r, k: r.gather(1, s.topk(k, dim=1).indices).float().mean().item(),  # precision@K
        lambda s, r, k: r.gather(1, s.argsort(1)[:, :k]).any(1).float().mean().item(),  # argsort: the k lowest
    ]),
    ("03.3", zero_shot_through_words, [
        lambda p, s, u: _zero_shot(p, s, u, unit_seen=False),  # seen vectors mixed before normalising
        lambda p, s, u: _zero_shot(p, s, u, unit_unseen=False),  # dot product with the unseen names, not cosine
        lambda p, s, u: _zero_shot(p, s, u, pick="argmin"),  # the least similar name
    ]),
    ("04.1", _attention, [
        lambda *a: _attention(*a, dim=0),  # softmax over the batch, not the cells
        lambda *a: _attention(*a, squash=lambda x: x),  # no tanh
        lambda *a: _attention(*a, pool="mean"),  # context the mean, not the weighted sum
    ]),
    ("04.2", doubly_stochastic_penalty, [
        lambda al, tg: ((1 - al.sum(1)) ** 2).mean(),  # padding steps not masked
        lambda al, tg: ((1 - (al * (tg != 0).float()[:, :, None]).sum(1)) ** 2).sum(1).mean(),  # summed over cells
        lambda al, tg: ((1 - (al * (tg != 0).float()[:, :, None]).sum(2)) ** 2).mean(),  # summed over cells, not steps
        lambda al, tg: ((1 - (al * (tg == 0).float()[:, :, None]).sum(1)) ** 2).mean(),  # mask inverted
    ]),
    ("04.3", _clipped_matches, [
        lambda h, r, n: _clipped_matches(h, r, n, clip="none"),  # not clipped
        lambda h, r, n: _clipped_matches(h, r, n, clip="sum"),  # clipped by the sum over the references, not max
        lambda h, r, n: _clipped_matches(h, r, n, last=0),  # off by one: the last n-gram is missed
    ]),
    ("06.1", lambda c, s: (torch.softmax(s, 1).transpose(1, 2) @ c).flatten(1), [
        lambda c, s: (torch.softmax(s, 2).transpose(1, 2) @ c).flatten(1),  # softmax over the glimpses, not the cells
        lambda c, s: (torch.softmax(s, 1).transpose(1, 2) @ c).transpose(1, 2).flatten(1),  # glimpses interleaved
        lambda c, s: (s.transpose(1, 2) @ c).flatten(1),  # raw scores, no softmax
        lambda c, s: (torch.softmax(s, 1).transpose(1, 2) @ c).sum(1),  # glimpses summed, not side by side
    ]),
    ("06.2", lambda x, q, U, V, P: (torch.tanh(x @ U) * torch.tanh(q @ V)) @ P, [
        lambda x, q, U, V, P: ((x @ U) * (q @ V)) @ P,  # no tanh
        lambda x, q, U, V, P: torch.tanh((x @ U) * (q @ V)) @ P,  # tanh after the product
        lambda x, q, U, V, P: (torch.tanh(x @ U) + torch.tanh(q @ V)) @ P,  # sum, not the Hadamard product
    ]),
    ("06.3", majority_by_type, [
        lambda a, tq, q: a.mode().values.expand(len(q)).clone(),  # one global majority, types ignored
        lambda a, tq, q: _majority_by_type(a, tq, q, pick=lambda x: x.median()),  # median, not the mode
        lambda a, tq, q: _majority_by_type(a, tq, q, pick=lambda x: x.max()),  # largest answer id, not the mode
    ]),
    ("07.1", frame_signal, [
        lambda x, n, h: _frames(x, n, h, mode="constant"),  # zero padding, not reflection
        lambda x, n, h: x.unfold(0, n, h),  # not padded
        lambda x, n, h: _frames(x, n, h, pad=n),  # padded by n_fft, not n_fft // 2
    ]),
    ("07.2", _stft, [
        lambda x, n, h, w: _stft(x, n, h, w, windowed=False),  # the window forgotten
        lambda x, n, h, w: _stft(x, n, h, w).T,  # (frames, bins): not transposed
        lambda x, n, h, w: _stft(x, n, h, w).abs(),  # the magnitude: phase lost
    ]),
    ("07.3", spectral_convergence, [
        lambda t, e: (torch.linalg.norm(t - e) / torch.linalg.norm(e)).item(),  # divided by the estimate's norm
        lambda t, e: ((t - e).pow(2).sum() / t.pow(2).sum()).item(),  # squared norms
        lambda t, e: ((t - e).abs().mean() / t.abs().mean()).item(),  # mean absolute error, not Frobenius
    ]),
    ("08.1", soft_targets, [
        lambda lg, t: F.softmax(lg * t, 1),  # multiplied by the temperature
        lambda lg, t: F.softmax(lg / t, 0),  # softmax over the batch
        lambda lg, t: F.softmax(lg, 1),  # temperature ignored
    ]),
    ("08.2", distillation_loss, [
        lambda s, t, T: _kd(s, t, T, t_squared=False),  # no T ** 2
        lambda s, t, T: _kd(s, t, T, soften_student=False),  # only the teacher softened
        lambda s, t, T: _kd(s, t, T, reverse=True),  # KL(student || teacher)
        lambda s, t, T: _kd(s, t, T, over_classes=True),  # mean over the classes too (kl_div's reduction="mean")
    ]),
    ("08.3", precision_at_k, [
        lambda s, r, k: r.gather(1, s.topk(k, dim=1).indices).float().mean().item(),  # topk: ties broken by chance
        lambda s, r, k: r.gather(1, s.topk(k, dim=1).indices).any(1).float().mean().item(),  # recall@K
        lambda s, r, k: r.gather(1, s.topk(k, dim=1, largest=False).indices).float().mean().item(),  # k lowest
        lambda s, r, k: (r.gather(1, s.topk(k, dim=1).indices).sum(1) / r.sum(1).clamp_min(1)).mean().item(),  # /rel
    ]),
    ("09.4", slots_to_captions, [
        lambda k, c, b: _captions(k, c, b, article="a"),  # always "a": "a orange"
        lambda k, c, b: _captions(k, c, b, preposition="on"),  # always "on": "on the water"
        lambda k, c, b: _captions(k, c, b, pick="argmin"),  # the least likely word
    ]),
    ("10.1", localization_map, [
        lambda m, s: _localization_map(m, s, clamp=False),  # negative responses not clamped
        lambda m, s: _localization_map(m, s, per_map=False),  # one min and max over all maps
        lambda m, s: _localization_map(m, s, safe=False),  # a constant map divides by 0
        lambda m, s: _localization_map(m, s, align_corners=True),  # align_corners=True
    ]),
    ("10.2", map_iou, [
        lambda m, b, t: _map_iou(m, b, t, swap_xy=True),  # x along rows, y along columns
        lambda m, b, t: _map_iou(m, b, t, inclusive=True),  # x1, y1 inclusive
        lambda m, b, t: _map_iou(m, b, t, at_least=True),  # >= threshold, not >
        lambda m, b, t: _map_iou(m, b, t, over="box"),  # intersection over the box, not the union
        lambda m, b, t: _map_iou(m, b, t, safe=False),  # union not clamped: 0 / 0
    ]),
    ("10.3", lambda m, k: m.flatten(2).topk(k, dim=2).values.mean(2), [
        lambda m, k: m.flatten(2).amax(2),  # the single highest cell, k ignored
        lambda m, k: m.flatten(2).topk(k, dim=2).values.sum(2),  # sum, not mean
        lambda m, k: m.flatten(2).mean(2),  # the mean of all cells
    ]),
    ("10.4", _loc_loss, [
        lambda *a: _loc_loss(*a, pool="mean"),  # every map pooled by its mean, not its k highest cells
        lambda *a: _loc_loss(*a, transpose_mask=True),  # present[:, sounding] transposed
        lambda *a: _loc_loss(*a, detach=True),  # no gradient reaches the image cells
        lambda c, s, p, i, k, scale: _loc_loss(c, s, p, i, k, 1.0),  # the scale forgotten
    ]),
])
def test_checks_pass_reference_and_fail_wrong_answers(exercise_id, right, wrongs):
    assert evaluate(exercise_id, right).status == "passed"
    for i, wrong in enumerate(wrongs):
        assert evaluate(exercise_id, wrong).status == "failed", f"wrong answer {i} of {exercise_id} passes"


def _covered(test) -> set[str]:
    """The exercise ids of a ``test_checks_pass_reference_and_fail_wrong_answers`` parametrization."""
    marks = [m for m in test.pytestmark if m.name == "parametrize"]
    return {case[0] for m in marks for case in m.args[1]}


def test_every_registered_exercise_has_plausible_wrong_answers():
    import test_exercises
    import test_exercises_generation_and_audio

    covered = (_covered(test_checks_pass_reference_and_fail_wrong_answers)
               | _covered(test_exercises.test_checks_pass_reference_and_fail_wrong_answers)
               | _covered(test_exercises_generation_and_audio.test_checks_pass_reference_and_fail_wrong_answers))
    assert covered == set(REGISTRY), f"exercises without plausible wrong answers: {sorted(set(REGISTRY) - covered)}"
