"""Shared pretraining of the image encoder on the world's slot labels (lessons 04 and 06)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

import mmutils
from mmutils import world
from mmutils.blocks import pretraining
from mmutils.blocks.encoders import ImageCNN, permute_colour_channels


def test_slot_heads_read_each_third():
    heads = pretraining.SlotHeads(4)
    cls, colour = heads(torch.randn(3, 4, 8, 8))
    assert cls.shape == (3, 3, len(world.CLASS_NAMES) + 1) and colour.shape == (3, 3, len(world.COLOUR_NAMES) + 1)
    # each third's logits depend on that third's columns only: a feature planted in one third moves that slot alone
    # (an 8-wide grid is cut at columns 3 and 5: 0-2, 3-4, 5-7)
    grid = torch.zeros(1, 4, 8, 8)
    base = heads(grid)[0]
    for third, column in [(0, 1), (1, 4), (2, 6)]:
        planted = grid.clone()
        planted[0, :, 2, column] = 5.0
        moved = (heads(planted)[0] - base).abs().sum(-1)[0]  # (3,) change of each slot's class logits
        assert moved[third] > 0 and (moved[torch.arange(3) != third] == 0).all(), (third, moved)
    scenes = [world.make_scene(s, 32, (1, 3)) for s in range(20)]
    c, k = pretraining.slot_targets(scenes)
    for s, row in zip(scenes, c):
        assert (row != len(world.CLASS_NAMES)).sum() == len(s.objects)


def _by_hand(images, cls, colour, permuted: bool) -> nn.ModuleDict:
    """The pretraining loop as lessons 04 and 06 wrote it before it moved into the package."""
    mmutils.seed_everything(1)
    encoder = nn.ModuleDict({"cnn": ImageCNN(), "heads": pretraining.SlotHeads(64)})
    augment = mmutils.rng(0)

    def slot_loss(m, batch):
        x, c, k = batch
        if permuted:
            cls_logits, _ = m["heads"](m["cnn"].grid(permute_colour_channels(x, augment)))
            _, colour_logits = m["heads"](m["cnn"].grid(x))
        else:
            cls_logits, colour_logits = m["heads"](m["cnn"].grid(x))
        return F.cross_entropy(cls_logits.flatten(0, 1), c.flatten()) + \
            F.cross_entropy(colour_logits.flatten(0, 1), k.flatten())

    mmutils.fit(encoder, mmutils.ShuffledBatches(images, cls, colour, batch_size=16, generator=mmutils.rng(0)),
                slot_loss, epochs=2, lr=3e-3, progress=False)
    return encoder.eval().requires_grad_(False)


def test_pretrain_slot_encoder_is_the_lessons_loop_and_comes_back_frozen():
    scenes = [world.make_scene(s, 24, (1, 3)) for s in range(40)]
    images = torch.stack([s.image for s in scenes])  # (40, 3, 24, 24)
    cls, colour = pretraining.slot_targets(scenes)
    for permuted in (False, True):
        got = pretraining.pretrain_slot_encoder(images, cls, colour, class_from_permuted_colours=permuted, epochs=2,
                                                batch_size=16)
        want = _by_hand(images, cls, colour, permuted)
        assert not got.training and not any(p.requires_grad for p in got.parameters())
        for (name, a), (_, b) in zip(got.state_dict().items(), want.state_dict().items()):
            assert torch.equal(a, b), (permuted, name)
