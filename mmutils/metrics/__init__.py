"""Metrics and controls, written out for teaching; each is tested against a library's version where one exists.
The metrics that score models' outputs live here, by what they measure (a few measures of one lesson's own
representation stay with it: ``matching.word2vec.analogy_accuracy``, ``stft.spectral_convergence``, and
``referencing.lipsync``'s ``estimate_offset``, ``articulation`` and ``aligned_l1``):

* ``classification``  accuracy, the majority baseline, a linear probe; per question type accuracy and majority;
  the VQA accuracy min(#humans / 3, 1)
* ``retrieval``       Recall@K, median rank, precision@K, R-precision, retrieval@1 — one tie rule: a tie counts
  against the query
* ``text``            corpus BLEU, edit distance, word error rate
* ``localization``    attention hits, map IoU, cIoU success rate and AUC, peak in box, random-object chance,
  the annotators' consensus map and its cIoU
* ``sync``            LSE-D and LSE-C
* ``generation``      pairwise diversity, nearest-neighbour distance

Every name is importable from ``mmutils.metrics`` itself.
"""

from .classification import (accuracy, accuracy_by_type, linear_probe, majority_baseline, majority_by_type,
                             vqa_accuracy)
from .generation import nearest_distance, pairwise_diversity
from .localization import (attention_hits, box_masks, consensus_iou, map_iou, peak_in_box, random_object_chance,
                           success_auc, success_rate, truth_map)
from .retrieval import first_hit_rank, median_rank, precision_at_k, r_precision, recall_at_k, retrieval_at_1
from .sync import lse
from .text import corpus_bleu, edit_distance, word_error_rate

__all__ = ["accuracy", "accuracy_by_type", "linear_probe", "majority_baseline", "majority_by_type", "vqa_accuracy",
           "nearest_distance", "pairwise_diversity",
           "attention_hits", "box_masks", "map_iou", "peak_in_box", "random_object_chance", "success_auc",
           "success_rate", "truth_map", "consensus_iou",
           "first_hit_rank", "median_rank", "precision_at_k", "r_precision", "recall_at_k", "retrieval_at_1",
           "lse",
           "corpus_bleu", "edit_distance", "word_error_rate"]
