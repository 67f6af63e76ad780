"""Sound-source localisation metrics against direct loops and hand-made cases."""

import pytest
import torch

from mmutils import localization as loc


def test_box_masks_and_map_iou_by_hand():
    boxes = torch.tensor([[2, 1, 5, 4]])  # 3 x 3 pixels
    mask = loc.box_masks(boxes, 8)[0]
    assert mask.sum() == 9 and mask[1, 2] and not mask[4, 5]
    region = torch.zeros(1, 8, 8)
    region[0, 1:4, 2:6] = 1.0  # 3 x 4: contains the box
    assert abs(loc.map_iou(region, boxes).item() - 9 / 12) < 1e-6


def test_map_iou_matches_a_direct_loop_on_random_maps():
    g = torch.Generator().manual_seed(0)
    maps = loc.localization_map(torch.randn(6, 4, 4, generator=g), 16)
    assert maps.shape == (6, 16, 16) and maps.min() >= 0 and torch.allclose(maps.flatten(1).amax(1), torch.ones(6))
    x0 = torch.randint(0, 10, (6,), generator=g)
    y0 = torch.randint(0, 10, (6,), generator=g)
    boxes = torch.stack([x0, y0, x0 + 5, y0 + 4], 1)
    ious = loc.map_iou(maps, boxes)
    for k in range(6):
        inside = {(y, x) for y in range(16) for x in range(16)
                  if boxes[k, 0] <= x < boxes[k, 2] and boxes[k, 1] <= y < boxes[k, 3]}
        hot = {(y, x) for y in range(16) for x in range(16) if maps[k, y, x] > 0.5}
        assert abs(ious[k].item() - len(inside & hot) / len(inside | hot)) < 1e-6


def test_success_rate_auc_and_peak():
    ious = torch.tensor([0.0, 0.3, 0.6, 1.0])
    assert loc.success_rate(ious, 0.5) == 0.5
    # success curve: 1 at t=0, then the share >= t; the exact area is the mean IoU in the limit of fine steps
    assert abs(loc.success_auc(ious, steps=1001) - ious.mean().item()) < 2e-3
    maps = torch.zeros(2, 8, 8)
    maps[0, 2, 3] = 1.0
    maps[1, 7, 7] = 1.0
    boxes = torch.tensor([[2, 1, 5, 4], [2, 1, 5, 4]])
    assert loc.peak_in_box(maps, boxes).tolist() == [True, False]
    prior = loc.centre_prior(3, 9)
    assert prior.shape == (3, 9, 9) and prior[0, 4, 4] == prior.max()
    with pytest.raises(ValueError, match="boxes"):
        loc.map_iou(maps, boxes[:, :3])
