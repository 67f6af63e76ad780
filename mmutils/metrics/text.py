"""Text metrics: corpus BLEU (Papineni et al. 2002) and the word error rate of speech recognition, by hand (tested
against nltk and torchmetrics)."""

from __future__ import annotations

import math
from collections import Counter


__all__ = ["corpus_bleu", "edit_distance", "word_error_rate"]


def _ngrams(tokens: list, n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(references: list[list[list]], hypotheses: list[list], max_n: int = 4) -> list[float]:
    """Corpus BLEU (Papineni et al. 2002) as captioning papers report it: BLEU-1 .. BLEU-``max_n``.

    ``references[i]`` is the list of reference token lists of item i (all captions of an image); ``hypotheses[i]``
    its generated token list. For each n, the *clipped* n-gram matches (each n-gram counted at most as often as in
    the reference that has it most) are summed over the corpus and divided by the hypotheses' n-gram count; BLEU-N is
    the geometric mean of precisions 1..N times the brevity penalty ``exp(1 - r/c)`` when the total hypothesis length
    c is below r, the sum over items of the reference length closest to each hypothesis (ties: the shorter). A zero
    precision gives 0 (no smoothing). Returns ``[BLEU-1, ..., BLEU-max_n]``.
    """
    if len(references) != len(hypotheses) or not hypotheses:
        raise ValueError(f"corpus_bleu: need as many reference lists as hypotheses (> 0); got {len(references)} and "
                         f"{len(hypotheses)}.")
    if any(not refs for refs in references):
        raise ValueError("corpus_bleu: every item needs at least one reference.")
    matches, totals = [0] * max_n, [0] * max_n
    hyp_len = ref_len = 0
    for refs, hyp in zip(references, hypotheses):
        hyp_len += len(hyp)
        ref_len += min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
        for n in range(1, max_n + 1):
            counts = _ngrams(hyp, n)
            most = Counter()
            for r in refs:
                most |= _ngrams(r, n)  # element-wise max over the references
            matches[n - 1] += sum(min(c, most[g]) for g, c in counts.items())
            totals[n - 1] += max(len(hyp) - n + 1, 0)
    if hyp_len == 0:
        return [0.0] * max_n
    penalty = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    scores, log_sum = [], 0.0
    for n in range(max_n):
        if matches[n] == 0 or totals[n] == 0:
            scores.extend([0.0] * (max_n - n))
            break
        log_sum += math.log(matches[n] / totals[n])
        scores.append(penalty * math.exp(log_sum / (n + 1)))
    return scores


def edit_distance(hypothesis: list, reference: list) -> int:
    """Levenshtein distance between two token lists: the fewest substitutions, insertions and deletions that turn
    ``hypothesis`` into ``reference`` (dynamic programming, one row at a time)."""
    previous = list(range(len(reference) + 1))  # distance from an empty hypothesis prefix
    for i, h in enumerate(hypothesis, 1):
        current = [i]
        for j, r in enumerate(reference, 1):
            current.append(min(previous[j] + 1,  # delete h
                               current[j - 1] + 1,  # insert r
                               previous[j - 1] + (h != r)))  # substitute (or match)
        previous = current
    return previous[-1]


def word_error_rate(hypotheses: list[str], references: list[str]) -> float:
    """Corpus word error rate: total word-level edit distance over total reference words (whitespace tokens)."""
    if len(hypotheses) != len(references) or not references:
        raise ValueError(f"word_error_rate: need as many hypotheses as references (> 0); got {len(hypotheses)} and "
                         f"{len(references)}.")
    words = sum(len(r.split()) for r in references)
    if words == 0:
        raise ValueError("word_error_rate: the references have no words.")
    return sum(edit_distance(h.split(), r.split()) for h, r in zip(hypotheses, references)) / words
