"""VQA building blocks: fusions, positions, the two-stream model and its baselines, the biased/balanced question
splits and the majority baseline."""

import pytest
import torch

from mmutils import vqa, world
from mmutils.fusion import AttentionFusion, BilinearFusion, ConcatFusion, ProductFusion
from mmutils.text import Vocabulary, tokenize


def test_vector_fusions_shapes_and_errors():
    x, q = torch.randn(4, 10), torch.randn(4, 6)
    assert ConcatFusion((10, 6))([x, q]).shape == (4, 16)
    assert ProductFusion(10, 6, dim=8)([x, q]).shape == (4, 8)
    mlb = BilinearFusion(10, 6, rank=12, out=5)
    assert mlb([x, q]).shape == (4, 5) and mlb.out_dim == 5
    with pytest.raises(ValueError, match="question"):
        mlb([x, torch.randn(3, 6)])
    with pytest.raises(ValueError, match="expected \\[image"):
        mlb([x])


def test_bilinear_fusion_is_the_low_rank_formula():
    torch.manual_seed(0)
    f = BilinearFusion(5, 4, rank=7, out=3)
    x, q = torch.randn(2, 5), torch.randn(2, 4)
    want = (torch.tanh(x @ f.U.weight.T + f.U.bias) * torch.tanh(q @ f.V.weight.T + f.V.bias)) @ f.P.weight.T + f.P.bias
    assert torch.allclose(f([x, q]), want, atol=1e-6)


def test_attention_fusion_weights_are_a_distribution_and_select_cells():
    torch.manual_seed(0)
    f = AttentionFusion(3, 2, hidden=4)
    grid, q = torch.randn(5, 7, 3), torch.randn(5, 2)
    out = f(grid, q)
    assert out.shape == (5, 5) and torch.allclose(f.weights.sum(1), torch.ones(5))
    assert torch.allclose(out[:, :3], (f.weights[:, :, None] * grid).sum(1), atol=1e-6)
    with pytest.raises(ValueError, match="grid"):
        f(torch.randn(5, 3), q)


def test_with_positions_appends_row_and_column_one_hots():
    grid = torch.randn(2, 4, 3, 5)  # (B, D, H, W)
    cells = vqa.with_positions(grid, scale=1.0)
    assert cells.shape == (2, 15, 4 + 3 + 5)
    k = 1 * 5 + 3  # row 1, column 3
    assert torch.equal(cells[0, k, :4], grid[0, :, 1, 3])
    assert cells[0, k, 4:7].tolist() == [0, 1, 0] and cells[0, k, 7:].tolist() == [0, 0, 0, 1, 0]


def test_slot_heads_read_each_third():
    heads = vqa.SlotHeads(4)
    cls, colour = heads(torch.randn(3, 4, 8, 8))
    assert cls.shape == (3, 3, len(world.CLASS_NAMES) + 1) and colour.shape == (3, 3, len(world.COLOUR_NAMES) + 1)
    scenes = [world.make_scene(s, 32, (1, 3)) for s in range(20)]
    c, k = vqa.slot_targets(scenes)
    for s, row in zip(scenes, c):
        assert (row != len(world.CLASS_NAMES)).sum() == len(s.objects)


def _examples(yes_share, n=300):
    scenes = [world.make_scene(s, 32, (1, 3)) for s in range(n)]
    vocab = Vocabulary([tokenize(qa.question) for s in scenes for qa in s.qa])
    return scenes, vocab, vqa.vqa_examples(scenes, vocab, yes_share=yes_share)


def test_vqa_examples_bias_and_balance():
    answers = vqa.answer_vocabulary()
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
        model = vqa.VQAModel(vqa.QuestionEncoder(len(vocab)), 6, 24, fusion=fusion, uses=uses)
        assert model(cells[ex["scene"]], ex["tokens"], ex["lengths"]).shape == (len(ex["answer"]), 24)
    with pytest.raises(ValueError, match="fusion"):
        vqa.VQAModel(vqa.QuestionEncoder(5), 6, 24, uses="both")
    pred = vqa.majority_by_type(ex["answer"], ex["qtype"], ex["qtype"])
    acc = vqa.accuracy_by_type(pred, ex["answer"], ex["qtype"])
    assert acc["is there"] == 0.5 and 0 < acc["overall"] < 1
