"""Lessons 05, 09 and 11: each check passes a right answer and fails plausible wrong ones."""

import pytest
import torch
import torch.nn.functional as F

from mmutils.referencing import lipsync as ls
from mmutils import metrics
from mmutils.translating import text_to_image as t2i
from mmutils.translating.speech2face import error_whitening
from mmutils.metrics import retrieval_at_1
from mmutils.checks import evaluate
from mmutils.metrics import word_error_rate


def _mel_pinv(mel, fb):
    return (torch.linalg.pinv(fb.T) @ mel).clamp_min(0)


def _wer_per_sentence_mean(hyps, refs):  # averages sentence WERs instead of pooling the edits
    return sum(word_error_rate([h], [r]) for h, r in zip(hyps, refs)) / len(refs)


def _wer_position_only(hyps, refs):  # counts mismatched positions: misses insertions and deletions
    wrong = sum(sum(a != b for a, b in zip(h.split(), r.split())) for h, r in zip(hyps, refs))
    return wrong / sum(len(r.split()) for r in refs)


def _sync_loss(expert, track, audio_w):  # Wav2Lip's sync loss through the frozen expert
    return -torch.log(expert(ls.mouth_windows(track).flatten(0, 1), audio_w.flatten(0, 1))).mean()


@pytest.mark.parametrize("exercise_id, right, wrongs", [
    ("05.1", t2i.gaussian_kl, [
        lambda mu, lv: 0.5 * (mu.pow(2) + lv.exp() - 1 - lv).mean(1),  # mean, not sum, over dimensions
        lambda mu, lv: 0.5 * (mu.pow(2) + lv - 1 - lv.exp()).sum(1),  # log and exp swapped
    ]),
    ("05.2", t2i.gan_cls_d_loss, [
        lambda rr, rw, fr: t2i.gan_cls_d_loss(rr, -rw, fr),  # the mismatched pair labelled real
        lambda rr, rw, fr: t2i.gan_cls_d_loss(rr, rw, fr) * 0 + F.binary_cross_entropy_with_logits(
            rr, torch.ones_like(rr)) + F.binary_cross_entropy_with_logits(fr, torch.zeros_like(fr)),  # no wrong text
    ]),
    ("05.3", metrics.nearest_distance, [
        lambda q, r: torch.cdist(q.flatten(1), r.flatten(1)).amin(1),  # not root-mean-square
        lambda q, r: torch.cdist(q.flatten(1), r.flatten(1)).mean(1) / q[0].numel() ** 0.5,  # mean, not nearest
    ]),
    ("09.1", retrieval_at_1, [
        lambda p, g, c: (g[c] - p[:, None]).pow(2).sum(2).argmin(1) == 0,  # a tie wins
        lambda p, g, c: (g[c] * p[:, None]).sum(2).argmax(1) == 0,  # dot product, not distance
    ]),
    ("09.2", _mel_pinv, [
        lambda mel, fb: torch.linalg.pinv(fb.T) @ mel,  # not clamped
        lambda mel, fb: fb @ mel,  # the transpose is not the inverse
    ]),
    ("09.3", word_error_rate, [_wer_per_sentence_mean, _wer_position_only]),
    ("09.5", error_whitening, [
        lambda e: torch.linalg.cholesky(e.T @ e / len(e)),  # the square root of sigma, not of its inverse
        lambda e: torch.linalg.inv(e.T @ e / len(e)),  # the inverse itself, not a square root of it
        lambda e: torch.diag((e.T @ e / len(e)).diagonal().rsqrt()),  # each dimension alone: correlations ignored
        lambda e: torch.linalg.cholesky(torch.linalg.inv(torch.cov(e.T))),  # centred: the bias forgiven
    ]),
    ("11.1", lambda d: (metrics.lse(d)["LSE-D"], metrics.lse(d)["LSE-C"]), [
        lambda d: (d.min(1).values.mean(1), d.median(1).values.mean(1) - d.min(1).values.mean(1)),  # min per window
        lambda d: (d.mean(2).min(1).values, d.mean(2).mean(1) - d.mean(2).min(1).values),  # mean, not median
    ]),
    ("11.2", ls.shift_track, [
        lambda t, s: ls.shift_track(t, -s),  # the wrong direction
        lambda t, s: torch.stack([torch.roll(x, int(k), 0) for x, k in zip(t, s)]),  # wraps around, no rest
    ]),
    ("11.3", _sync_loss, [
        lambda e, t, a: -torch.log(1 - e(ls.mouth_windows(t).flatten(0, 1), a.flatten(0, 1))).mean(),  # "out of sync"
        lambda e, t, a: _sync_loss(e, t, torch.roll(a, 1, 1)),  # each mouth window scored against the next audio
        lambda e, t, a: -torch.log(e(t.unfold(1, ls.WINDOW, 1).transpose(2, 3).flatten(2).flatten(0, 1),
                                     a.flatten(0, 1))).mean(),  # open and width interleaved: not the expert's layout
        lambda e, t, a: _sync_loss(e, t.detach(), a),  # no gradient reaches the generator
    ]),
])
def test_checks_pass_reference_and_fail_wrong_answers(exercise_id, right, wrongs):
    assert evaluate(exercise_id, right).status == "passed"
    for wrong in wrongs:
        assert evaluate(exercise_id, wrong).status == "failed"
