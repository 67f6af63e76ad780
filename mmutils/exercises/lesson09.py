"""Checks for lesson 09 (Speech2Face, image-to-speech): retrieval among candidates, the mel pseudo-inverse, WER."""

from __future__ import annotations

import torch
import torchaudio

from ..audio_translation import retrieval_at_1
from ..metrics import word_error_rate
from ._core import ExerciseFailed, expect_close, expect_tensor, register


@register("09.1", title="my_retrieval_at_1",
          hint="d = (gallery[candidates] - predicted[:, None]).pow(2).sum(2)  # (N, K); "
               "return d[:, 0] < d[:, 1:].amin(1)")
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
               "then .clamp_min(0)")
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
               "sum them and divide by the total number of reference words")
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
