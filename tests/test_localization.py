"""Sound-source localisation metrics against direct loops and hand-made cases."""

import pytest
import torch

from mmutils import metrics
from mmutils.referencing import localization


def test_box_masks_and_map_iou_by_hand():
    boxes = torch.tensor([[2, 1, 5, 4]])  # 3 x 3 pixels
    mask = metrics.box_masks(boxes, 8)[0]
    assert mask.sum() == 9 and mask[1, 2] and not mask[4, 5]
    region = torch.zeros(1, 8, 8)
    region[0, 1:4, 2:6] = 1.0  # 3 x 4: contains the box
    assert abs(metrics.map_iou(region, boxes).item() - 9 / 12) < 1e-6


def test_map_iou_matches_a_direct_loop_on_random_maps():
    g = torch.Generator().manual_seed(0)
    maps = localization.localization_map(torch.randn(6, 4, 4, generator=g), 16)
    assert maps.shape == (6, 16, 16) and maps.min() >= 0 and torch.allclose(maps.flatten(1).amax(1), torch.ones(6))
    x0 = torch.randint(0, 10, (6,), generator=g)
    y0 = torch.randint(0, 10, (6,), generator=g)
    boxes = torch.stack([x0, y0, x0 + 5, y0 + 4], 1)
    ious = metrics.map_iou(maps, boxes)
    for k in range(6):
        inside = {(y, x) for y in range(16) for x in range(16)
                  if boxes[k, 0] <= x < boxes[k, 2] and boxes[k, 1] <= y < boxes[k, 3]}
        hot = {(y, x) for y in range(16) for x in range(16) if maps[k, y, x] > 0.5}
        assert abs(ious[k].item() - len(inside & hot) / len(inside | hot)) < 1e-6


def test_success_rate_auc_and_peak():
    ious = torch.tensor([0.0, 0.3, 0.6, 1.0])
    assert metrics.success_rate(ious, 0.5) == 0.5
    # success curve: 1 at t=0, then the share >= t; the exact area is the mean IoU in the limit of fine steps
    assert abs(metrics.success_auc(ious, steps=1001) - ious.mean().item()) < 2e-3
    maps = torch.zeros(2, 8, 8)
    maps[0, 2, 3] = 1.0
    maps[1, 7, 7] = 1.0
    boxes = torch.tensor([[2, 1, 5, 4], [2, 1, 5, 4]])
    assert metrics.peak_in_box(maps, boxes).tolist() == [True, False]
    prior = localization.centre_prior(3, 9)
    assert prior.shape == (3, 9, 9) and prior[0, 4, 4] == prior.max()
    with pytest.raises(ValueError, match="boxes"):
        metrics.map_iou(maps, boxes[:, :3])


def test_localization_map_smoothing_is_a_neighbourhood_mean():
    maps = torch.zeros(1, 5, 5)
    maps[0, 2, 2] = 9.0
    maps[0, 0, 0] = -4.0  # clamped to 0 before smoothing
    smoothed = localization.localization_map(maps, 5, smooth=1)
    direct = torch.zeros(5, 5)
    clamped = maps[0].clamp_min(0)
    for y in range(5):
        for x in range(5):
            direct[y, x] = clamped[max(0, y - 1):y + 2, max(0, x - 1):x + 2].mean()
    direct = (direct - direct.min()) / (direct.max() - direct.min())
    assert torch.allclose(smoothed[0], direct, atol=1e-6)  # same size: the upsampling is the identity
    with pytest.raises(ValueError, match="smooth"):
        localization.localization_map(maps, 5, smooth=-1)


def test_sound_localizer_maps_are_per_pair_cosines():
    from mmutils.blocks.encoders import AudioCNN, ImageCNN

    torch.manual_seed(0)
    model = localization.SoundLocalizer(ImageCNN(dim=16, width=4), AudioCNN(n_mels=8, dim=16, width=4), top_k=3).eval()
    images, sounds = torch.rand(3, 3, 16, 16), torch.randn(2, 8, 20)
    pair = model.pair_maps(images, sounds)  # (3, 2, 4, 4)
    assert pair.shape == (3, 2, 4, 4) and pair.abs().max() <= 1 + 1e-6
    cells = torch.nn.functional.normalize(model.image_encoder.grid(images), dim=1)
    sound = torch.nn.functional.normalize(model.audio_encoder(sounds), dim=1)
    for i in range(3):
        for j in range(2):
            want = (cells[i] * sound[j][:, None, None]).sum(0)
            assert torch.allclose(pair[i, j], want, atol=1e-5)
    assert torch.allclose(model.maps(images[:2], sounds), torch.stack([pair[0, 0], pair[1, 1]]), atol=1e-6)
    scores = model.pair_scores(pair)
    assert torch.allclose(scores, pair.flatten(2).sort(2, descending=True).values[..., :3].mean(2), atol=1e-6)
    with pytest.raises(ValueError, match="pair_maps"):
        model.pair_scores(pair[0])


def test_random_object_chance_counts_each_object_of_a_scene_equally():
    objects = [torch.tensor([[0, 0, 4, 4], [10, 0, 14, 4]]), torch.tensor([[0, 0, 4, 4], [5, 5, 9, 9], [10, 0, 14, 4]])]
    boxes = torch.tensor([[0, 0, 4, 4], [4, 4, 10, 10]])  # scene 0: one of two centres inside; scene 1: one of three
    assert abs(metrics.random_object_chance(objects, boxes) - (1 / 2 + 1 / 3) / 2) < 1e-6
    with pytest.raises(ValueError, match="scenes"):
        metrics.random_object_chance(objects[:1], boxes)


def test_exercise_10_4_passes_the_reference_loss_and_fails_the_shortcuts():
    from mmutils.checks import evaluate
    from mmutils.checks.lesson10 import _reference_loss
    from mmutils.matching.joint_embedding import info_nce_loss

    def no_mask(cells, sound, present, sounding, k, scale):
        maps = torch.einsum("bdhw,cd->bchw", cells, sound)
        return info_nce_loss(maps.flatten(2).topk(k, dim=2).values.mean(2), None, scale)

    def own_sound_only(cells, sound, present, sounding, k, scale):  # maps of each image with its own sound only
        maps = torch.einsum("bdhw,bd->bhw", cells, sound)
        return maps.flatten(1).topk(k, dim=1).values.mean(1).mean() * 0 + 1.0

    assert evaluate("10.4", _reference_loss).status == "passed"
    for wrong in (no_mask, own_sound_only, lambda *a: _reference_loss(*a).detach()):
        assert evaluate("10.4", wrong).status == "failed"


def test_a_peak_shared_by_several_cells_counts_against_the_map():
    """Ties for the maximum count against the map (as against the query in retrieval): a constant map never finds an
    object by the accident of which pixel comes first, and a peak shared inside and outside the box is a miss."""
    from mmutils.metrics import attention_hits, peak_in_box

    boxes = torch.tensor([[0, 0, 4, 4], [0, 0, 8, 8]])
    flat = torch.zeros(2, 8, 8)
    assert peak_in_box(flat, boxes).tolist() == [False, True]  # only a box covering the whole image holds every pixel
    two = torch.zeros(2, 8, 8)
    two[:, 1, 1] = two[:, 6, 6] = 1.0  # one peak pixel in the first box, one outside it
    assert peak_in_box(two, boxes).tolist() == [False, True]
    two[:, 6, 6] = 0.5
    assert peak_in_box(two, boxes).tolist() == [True, True]  # a single peak: the usual answer
    uniform = torch.full((2, 16), 1 / 16)  # attention spread evenly over a 4x4 grid of 8x8-pixel cells
    assert attention_hits(uniform, 4, 32, torch.tensor([[0, 0, 8, 8], [0, 0, 32, 32]])).tolist() == [False, True]
    peaked = torch.zeros(1, 16)
    peaked[0, 5] = 1.0  # cell (row 1, col 1): centre (12, 12)
    assert attention_hits(peaked, 4, 32, torch.tensor([[8, 8, 16, 16]])).tolist() == [True]


def test_consensus_iou_is_the_iou_for_one_box_and_weighs_pixels_by_annotators():
    """Senocak et al.'s cIoU: with one annotator's box it is the plain IoU (map_iou's); with three, a pixel boxed by
    one annotator counts one half, by two or more a whole pixel."""
    from mmutils.metrics import consensus_iou, map_iou, truth_map

    g = torch.Generator().manual_seed(0)
    maps = torch.rand(4, 16, 16, generator=g)
    boxes = torch.tensor([[0, 0, 8, 8], [4, 4, 16, 12], [2, 6, 10, 16], [0, 0, 16, 16]])
    for m, b in zip(maps, boxes):
        truth = truth_map(b[None].float() / 16, 16, consensus=False)
        assert consensus_iou(m > 0.5, truth) == pytest.approx(map_iou(m[None], b[None])[0].item())
    three = torch.tensor([[0.0, 0.0, 0.5, 1.0], [0.0, 0.0, 0.5, 1.0], [0.5, 0.0, 1.0, 1.0]])  # two left, one right
    truth = truth_map(three, 4, consensus=True)
    assert truth[:, :2].eq(1).all() and truth[:, 2:].eq(0.5).all()
    region = torch.zeros(4, 4, dtype=torch.bool)
    region[:, 2:] = True  # the half only one annotator boxed
    assert consensus_iou(region, truth) == pytest.approx(4 / 12)  # 8 * 0.5 covered / (8 + 8 * 0.5 + 0)
