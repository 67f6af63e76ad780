"""Checks for lesson 09 (Speech2Face, image-to-speech): retrieval among candidates, the mel pseudo-inverse, WER, the
cascade's caption from its slot logits, the distance weighted by the voice encoder's errors."""

from __future__ import annotations

import torch
import torchaudio

from ..metrics.retrieval import retrieval_at_1
from ..translating.image_to_speech import slots_to_captions
from ..translating.speech2face import error_whitening
from ..metrics import word_error_rate
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("09.1", title="my_retrieval_at_1",
          hint="d = (gallery[candidates] - predicted[:, None]).pow(2).sum(2)  # (N, K); "
               "return d[:, 0] < d[:, 1:].amin(1)",
          nudge="Compare each prediction with its own K candidates only, not the whole gallery. The true face (column "
                "0) wins only if it is strictly nearer than every other candidate: a tie is a miss.")
def _check_retrieval(fn):
    g = torch.Generator().manual_seed(0)
    for n, m, d, k in [(4, 6, 3, 2), (20, 30, 16, 10)]:
        predicted, gallery = torch.randn(n, d, generator=g), torch.randn(m, d, generator=g)
        candidates = torch.stack([torch.randperm(m, generator=g)[:k] for _ in range(n)])
        got = fn(predicted.clone(), gallery.clone(), candidates.clone())
        expect_tensor(got, (n,), "one answer per query")
        if got.dtype != torch.bool:
            raise ExerciseFailed(f"return a bool tensor (is the true face the nearest?); got {got.dtype}")
        want = retrieval_at_1(predicted, gallery, candidates)
        if not torch.equal(got, want):
            raise ExerciseFailed(f"{int((got != want).sum())} of {n} answers differ from the reference "
                                 f"({n} queries, {k} candidates each, the true face in column 0)")
    tie = fn(torch.zeros(1, 2), torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.tensor([[0, 1]]))
    if bool(tie[0]):
        raise ExerciseFailed("a tie between the true face and another candidate must count as a miss (strictly "
                             "nearer)")


@register("09.2", title="my_mel_to_linear",
          hint="torch.linalg.pinv(fb.T) @ mel  (or torch.linalg.lstsq(fb.T, mel, driver='gelsd').solution), "
               "then .clamp_min(0)",
          nudge="Which matrix maps a linear spectrum to mels, fb or its transpose? Check the shapes. With fewer mels "
                "than frequencies many solutions fit; you want the one of smallest norm, and power is never negative.")
def _check_mel_to_linear(fn):
    g = torch.Generator().manual_seed(1)
    for n_fft, n_mels, t in [(64, 8, 5), (512, 48, 20)]:
        inverse = torchaudio.transforms.InverseMelScale(n_stft=n_fft // 2 + 1, n_mels=n_mels, sample_rate=16_000,
                                                        driver="gelsd")
        linear = torch.rand(n_fft // 2 + 1, t, generator=g)
        mel = inverse.fb.T @ linear  # (n_mels, T) a mel spectrogram of a true linear one
        got = fn(mel.clone(), inverse.fb.clone())
        expect_tensor(got, (n_fft // 2 + 1, t), "one linear spectrum of n_fft // 2 + 1 bins per frame")
        if (got < 0).any():
            raise ExerciseFailed("power is never negative: clamp the solution at 0")
        expect_close(got, inverse(mel[None])[0], 1e-3, f"for n_fft={n_fft}, {n_mels} mels, torchaudio's "
                                                       "InverseMelScale")


@register("09.3", title="my_word_error_rate",
          hint="per pair, the Levenshtein distance between the word lists (dynamic programming, each edit costs 1); "
               "sum them and divide by the total number of reference words",
          nudge="The edit distance counts words, not characters. WER pools the whole list: total edits over total "
                "reference words, not the mean of each sentence's rate. An empty hypothesis is all deletions.")
def _check_wer(fn):
    cases = [
        (["a red dog"], ["a red dog"]),
        (["a red cat"], ["a red dog"]),
        (["red dog"], ["a red dog on the grass"]),
        (["a big red dog on on the grass"], ["a red dog on the grass"]),
        ([""], ["a dog"]),
    ]
    g = torch.Generator().manual_seed(2)
    words = ["a", "red", "dog", "on", "the", "grass", "cat"]
    for _ in range(20):
        pick = lambda n: " ".join(words[int(i)] for i in torch.randint(7, (n,), generator=g))  # noqa: E731
        cases.append(([pick(int(torch.randint(0, 8, (), generator=g))) for _ in range(3)],
                      [pick(int(torch.randint(1, 8, (), generator=g))) for _ in range(3)]))
    for hyps, refs in cases:
        got = fn(list(hyps), list(refs))
        want = word_error_rate(hyps, refs)
        if not isinstance(got, (float, int)) or abs(float(got) - want) > 1e-9:
            raise ExerciseFailed(f"for hypotheses {hyps} and references {refs}: expected WER {want:.4f}, got {got}")


@register("09.4", title="my_slots_to_captions",
          hint="per row: k, c, b = the argmax of each slot's logits; colour = world.COLOUR_NAMES[k], background = "
               "world.BACKGROUND_NAMES[b]; f\"{world.vocab.article(colour)} {colour} {world.CLASS_NAMES[c]} "
               "{world.BACKGROUNDS[background]} the {background}\"",
          nudge="Each slot picks its most likely word on its own. The article agrees with the colour word after it "
                "(\"an orange\"), and the preposition depends on the background (\"in the water\", \"on the grass\").")
def _check_slots_to_captions(fn):
    g = torch.Generator().manual_seed(3)
    colour = torch.tensor([[0.0, 5, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 2]])  # orange, red, purple
    cls = torch.zeros(3, 10)
    cls[0, 1], cls[1, 0], cls[2, 8] = 1, 1, 1  # cat, dog, car
    background = torch.zeros(3, 6)
    background[0, 3], background[1, 0], background[2, 2] = 1, 1, 1  # water, grass, sky
    want = ["an orange cat in the water", "a red dog on the grass", "a purple car in the sky"]
    got = fn(colour.clone(), cls.clone(), background.clone())
    if not isinstance(got, list) or len(got) != 3:
        raise ExerciseFailed(f"return a list with one caption per row of logits; got {type(got).__name__}"
                             + (f" of {len(got)}" if isinstance(got, list) else ""))
    for w, h in zip(want, got):
        if h != w:
            raise ExerciseFailed(f"expected {w!r}, got {h!r} (the article follows the colour, the preposition the "
                                 "background)")
    logits = [torch.randn(40, n, generator=g) for n in (6, 10, 6)]
    got = fn(*[x.clone() for x in logits])
    want = slots_to_captions(*logits)
    wrong = [(h, w) for h, w in zip(got, want) if h != w] if isinstance(got, list) and len(got) == 40 else None
    if wrong is None or wrong:
        raise ExerciseFailed(f"for 40 rows of random logits: {len(wrong) if wrong else 'the answer'} differ(s) from "
                             f"the reference" + (f", e.g. {wrong[0][0]!r} instead of {wrong[0][1]!r}" if wrong else ""))


@register("09.5", title="my_error_whitening",
          hint="sigma = errors.T @ errors / len(errors)  # (D, D); "
               "return torch.linalg.cholesky(torch.linalg.inv(sigma))",
          nudge="The distance must count a difference less where the encoder errs more: you need a square root of the "
                "*inverse* of the errors' second moment, L with L @ L.T = inv(sigma), so that ((a - b) @ L)² summed "
                "is (a - b) inv(sigma) (a - b)ᵀ. Do not centre the errors: a bias is an error too.")
def _check_error_whitening(fn):
    g = torch.Generator().manual_seed(5)
    for n, d in [(50, 3), (400, 16)]:
        mix = torch.randn(d, d, generator=g) * torch.linspace(0.2, 2.0, d)  # correlated, of unequal size
        errors = torch.randn(n, d, generator=g) @ mix + 0.5  # (n, D), with a bias
        got = fn(errors.clone())
        expect_tensor(got, (d, d), "one (D, D) matrix L")
        x = torch.randn(200, d, generator=g)  # differences between latents
        want_sq = (x @ error_whitening(errors)).pow(2).sum(1)  # (200,) Mahalanobis distances, squared
        got_sq = (x @ got.float()).pow(2).sum(1)
        if not torch.allclose(got_sq, want_sq, rtol=1e-2, atol=1e-4):  # float32 answers of any square root pass
            worst = ((got_sq - want_sq).abs() / want_sq).max().item()
            raise ExerciseFailed(f"for errors ({n}, {d}): ‖x L‖² differs from x Σ⁻¹ xᵀ (Σ = errorsᵀ errors / n) by up "
                                 f"to {worst:.2%} of its value")
