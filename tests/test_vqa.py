"""VQA building blocks: fusions, positions, the two-stream model and its baselines, the biased/balanced question
splits and the majority baseline."""

import pytest
import torch

from mmutils import world
from mmutils.blocks import encoders
from mmutils import metrics
from mmutils.blocks import models
from mmutils.referencing import vqa
from mmutils.blocks.fusion import AttentionFusion, BilinearFusion, ConcatFusion, MLBAttentionFusion, ProductFusion
from mmutils.text import Vocabulary, tokenize


def test_vector_fusions_shapes_and_errors():
    x, q = torch.randn(4, 10), torch.randn(4, 6)
    assert ConcatFusion((10, 6))([x, q]).shape == (4, 16)
    assert ProductFusion(10, 6, dim=8)([x, q]).shape == (4, 8)
    mlb = BilinearFusion(10, 6, rank=12, out=5)
    assert mlb([x, q]).shape == (4, 5) and mlb.out_dim == 5
    with pytest.raises(ValueError, match=r"features\[1\]` must have shape \(4, None\)"):
        mlb([x, torch.randn(3, 6)])
    with pytest.raises(ValueError, match=r"expected a list of two tensors \[x \(B, d_x\), y"):
        mlb([x])


def test_bilinear_fusion_is_the_low_rank_formula():
    torch.manual_seed(0)
    f = BilinearFusion(5, 4, rank=7, out=3)
    x, q = torch.randn(2, 5), torch.randn(2, 4)
    want = (torch.tanh(x @ f.U.weight.T + f.U.bias) * torch.tanh(q @ f.V.weight.T + f.V.bias)) @ f.P.weight.T + f.P.bias
    assert torch.allclose(f([x, q]), want, atol=1e-6)


def test_attention_fusion_weights_are_a_distribution_and_select_cells():
    torch.manual_seed(0)
    f = AttentionFusion(3, 2, attention_dim=4)
    grid, q = torch.randn(5, 7, 3), torch.randn(5, 2)
    out = f([grid, q])
    assert out.shape == (5, 5) and torch.allclose(f.weights.sum(1), torch.ones(5))
    assert torch.allclose(out[:, :3], (f.weights[:, :, None] * grid).sum(1), atol=1e-6)
    with pytest.raises(ValueError, match=r"features\[0\]` must have shape \(B, N, None\)"):
        f([torch.randn(5, 3), q])


def test_mlb_attention_is_kim_et_al_bilinear_scores_glimpses_and_second_mlb():
    torch.manual_seed(0)
    f = MLBAttentionFusion(3, 2, rank=6, out=4, glimpses=2)
    grid, q = torch.randn(5, 7, 3), torch.randn(5, 2)
    out = f([grid, q])
    assert out.shape == (5, 4) and f.out_dim == 4
    assert f.weights.shape == (5, 2, 7) and torch.allclose(f.weights.sum(2), torch.ones(5, 2))
    joint = (torch.tanh(grid @ f.grid_proj.weight.T + f.grid_proj.bias)
             * torch.tanh(q @ f.query_proj.weight.T + f.query_proj.bias)[:, None])
    scores = joint @ f.score.weight.T + f.score.bias  # (5, 7, 2)
    weights = torch.softmax(scores, dim=1)
    glimpses = torch.cat([(weights[:, :, g:g + 1] * grid).sum(1) for g in range(2)], dim=1)  # (5, 6)
    assert torch.allclose(out, f.fuse([glimpses, q]), atol=1e-6)
    with pytest.raises(ValueError, match=r"features\[1\]` must have shape \(5, None\)"):
        f([grid, torch.randn(4, 2)])


def test_flat_pooling_keeps_where_max_pooling_loses_it():
    enc = encoders.QuestionEncoder(5, embed=4, hidden=6)
    flat = models.VQAModel(enc, 9 * 3, 7, fusion=ConcatFusion((27, 6)), pool="flat").eval()  # fresh: mean 0, var 1
    cells = torch.zeros(2, 9, 3)
    cells[0, 0, 0], cells[1, 8, 0] = 1.0, 1.0  # the same feature in two different cells
    assert flat.pooled(cells).shape == (2, 27)
    assert torch.allclose(flat.pooled(cells)[0, :3], torch.tensor([1.0, 0, 0]), atol=1e-4)
    assert torch.allclose(flat.pooled(cells)[1, 24:], torch.tensor([1.0, 0, 0]), atol=1e-4)
    batch = models.VQAModel(enc, 27, 7, fusion=ConcatFusion((27, 6)),
                         pool="flat").train().pooled(torch.randn(50, 9, 3) * 5)
    assert torch.allclose(batch.mean(0), torch.zeros(27), atol=1e-4)  # standardised in training
    assert torch.allclose(batch.std(0, unbiased=False), torch.ones(27), atol=1e-2)
    maxed = models.VQAModel(enc, 3, 7, fusion=ConcatFusion((3, 6)))
    assert torch.equal(maxed.pooled(cells)[0], maxed.pooled(cells)[1])
    tokens, lengths = torch.ones(2, 3, dtype=torch.long), torch.tensor([3, 2])
    assert flat(cells, tokens, lengths).shape == (2, 7)
    with pytest.raises(ValueError, match="pool"):
        models.VQAModel(enc, 3, 7, fusion=ConcatFusion((3, 6)), pool="mean")


def test_balanced_split_at_the_size_of_the_biased_one():
    scenes = [world.make_scene(s, 32, (1, 3)) for s in range(900)]
    vocab = Vocabulary([tokenize(qa.question) for s in scenes for qa in s.qa])
    answers, is_there = world.questions.answer_vocabulary(), world.QUESTION_TYPES.index("is there")
    biased = world.questions.vqa_examples(scenes, vocab, yes_share=0.9, seed=0)
    even = world.questions.vqa_examples(scenes, vocab, yes_share=0.5, seed=0, is_there_per_scene=1 / 0.9)
    n_b, n_e = [(ex["qtype"] == is_there).sum().item() for ex in (biased, even)]
    assert abs(n_b - n_e) < 0.06 * n_b and abs(n_b - 900 / 0.9) < 0.06 * n_b
    yes = (even["answer"][even["qtype"] == is_there] == answers.index("yes")).float().mean().item()
    assert 0.45 < yes < 0.55
    assert len(biased["answer"]) - n_b == len(even["answer"]) - n_e  # the other questions are all kept
    with pytest.raises(ValueError, match="is_there_per_scene"):
        world.questions.vqa_examples(scenes[:2], vocab, yes_share=0.9, is_there_per_scene=1.5)


def test_with_positions_appends_row_and_column_one_hots():
    grid = torch.randn(2, 4, 3, 5)  # (B, D, H, W)
    cells = vqa.with_positions(grid, scale=1.0)
    assert cells.shape == (2, 15, 4 + 3 + 5)
    k = 1 * 5 + 3  # row 1, column 3
    assert torch.equal(cells[0, k, :4], grid[0, :, 1, 3])
    assert cells[0, k, 4:7].tolist() == [0, 1, 0] and cells[0, k, 7:].tolist() == [0, 0, 0, 1, 0]


def _examples(yes_share, n=300):
    scenes = [world.make_scene(s, 32, (1, 3)) for s in range(n)]
    vocab = Vocabulary([tokenize(qa.question) for s in scenes for qa in s.qa])
    return scenes, vocab, world.questions.vqa_examples(scenes, vocab, yes_share=yes_share)


def test_vqa_examples_bias_and_balance():
    answers = world.questions.answer_vocabulary()
    is_there = world.QUESTION_TYPES.index("is there")
    for share, lo, hi in [(None, 0.5, 0.5), (0.9, 0.85, 0.95)]:
        _, _, ex = _examples(share)
        yes = (ex["answer"][ex["qtype"] == is_there] == answers.index("yes")).float().mean().item()
        assert lo <= yes <= hi
        assert ex["tokens"].shape[0] == len(ex["answer"]) == len(ex["questions"])
    with pytest.raises(ValueError, match="yes_share"):
        _examples(0.3, n=2)


def test_model_modes_and_majority_baseline():
    scenes, vocab, ex = _examples(None, n=20)
    cells = torch.randn(20, 9, 6)
    for uses, fusion in [("question", None), ("image", None), ("both", AttentionFusion(6, 64)),
                         ("both", ConcatFusion((6, 64)))]:
        model = models.VQAModel(encoders.QuestionEncoder(len(vocab)), 6, 24, fusion=fusion, uses=uses)
        assert model(cells[ex["scene"]], ex["tokens"], ex["lengths"]).shape == (len(ex["answer"]), 24)
    with pytest.raises(ValueError, match="fusion"):
        models.VQAModel(encoders.QuestionEncoder(5), 6, 24, uses="both")
    pred = metrics.majority_by_type(ex["answer"], ex["qtype"], ex["qtype"])
    acc = metrics.accuracy_by_type(pred, ex["answer"], ex["qtype"])
    assert acc["is there"] == 0.5 and 0 < acc["overall"] < 1
