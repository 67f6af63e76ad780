"""The course world: same seed -> same scene; captions, tags and answers agree with the ground truth, checked
independently from box geometry and from the rendered pixels; unseen-combination splits are disjoint; every class
sounds; speech timings are exact."""

import pytest
import torch

from mmutils import world
from mmutils.text import tokenize
from mmutils.world.vocab import BACKGROUNDS, COLOURS, NUMBERS

N_SCENES = 3000


def _slot_of(box, size):
    """The horizontal third holding the box centre, from geometry alone."""
    x0, _, x1, _ = box
    return world.SLOTS[min(int((x0 + x1) / 2 / size * 3), 2)]


def _colour_of(scene, i):
    """The named colour nearest (in chromaticity) to the median of object i's interior pixels (its mask eroded by
    one pixel: edge pixels blend with the background)."""
    mask = scene.masks[i].float()[None, None]
    interior = (-torch.nn.functional.max_pool2d(-mask, 3, stride=1, padding=1))[0, 0] > 0.5
    pixels = scene.image[:, interior if interior.any() else scene.masks[i]]  # (3, n)
    rgb = pixels.median(dim=1).values
    chroma = rgb / rgb.sum()
    dist = {name: ((chroma - torch.tensor(c) / sum(c)) ** 2).sum().item() for name, c in COLOURS.items()}
    return min(dist, key=dist.get)


@pytest.fixture(scope="module")
def scenes():
    return [world.make_scene(seed, size=(32, 48, 64)[seed % 3], n_objects=(1, 3)) for seed in range(N_SCENES)]


def test_same_seed_same_scene_and_seeds_differ():
    a, b = world.make_scene(42, 48, (1, 3)), world.make_scene(42, 48, (1, 3))
    assert torch.equal(a.image, b.image) and torch.equal(a.masks, b.masks)
    assert a.objects == b.objects and a.captions == b.captions and a.qa == b.qa
    assert torch.equal(a.sound(), b.sound())
    assert torch.equal(a.spoken_caption(1)[0], b.spoken_caption(1)[0])
    c = world.make_scene(43, 48, (1, 3))
    assert not torch.equal(a.image, c.image)


def test_objects_never_overlap(scenes):
    for s in scenes:
        boxes = [o.box for o in s.objects]
        for a, b in zip(boxes, boxes[1:]):
            assert a[2] <= b[0], f"scene {s.seed}: boxes {a} and {b} overlap"
        assert not (s.masks.sum(0) > 1).any()


def test_geometry_boxes_masks_and_slots(scenes):
    for s in scenes:
        n = len(s.objects)
        assert 1 <= n <= 3 and s.masks.shape == (n, s.size, s.size) and s.image.shape == (3, s.size, s.size)
        assert 0 <= s.image.min() and s.image.max() <= 1
        slots = [_slot_of(o.box, s.size) for o in s.objects]
        assert slots == [o.slot for o in s.objects], "slot must follow the box centre"
        assert len(set(slots)) == n and ([world.SLOTS.index(x) for x in slots]
                                         == sorted(world.SLOTS.index(x) for x in slots))
        for o, mask in zip(s.objects, s.masks):
            x0, y0, x1, y1 = o.box
            assert 0 <= x0 < x1 <= s.size and 0 <= y0 < y1 <= s.size
            inside = torch.zeros_like(mask)
            inside[y0:y1, x0:x1] = True
            assert mask.any() and not (mask & ~inside).any(), "mask must lie inside its box"
            assert mask.sum() >= 0.25 * (x1 - x0) * (y1 - y0)


def test_colours_seen_in_pixels_match_the_scene(scenes):
    wrong = [(s.seed, o.colour, _colour_of(s, i)) for s in scenes[:1500] for i, o in enumerate(s.objects)
             if _colour_of(s, i) != o.colour]
    assert not wrong, wrong[:5]


def test_captions_agree_with_ground_truth(scenes):
    for s in scenes:
        present = {o.cls: o for o in s.objects}
        for caption in s.captions:
            words = tokenize(caption)
            assert words == caption.split(), "captions are plain lower-case words"
            mentioned = [w for w in words if w in world.CLASS_NAMES]
            if "left" in words:  # "<a> to the left of <b>" names two neighbours
                assert len(mentioned) == 2 and set(mentioned) <= set(present), (caption, s.objects)
            else:
                assert sorted(mentioned) == sorted(present), (caption, s.objects)
            for k, w in enumerate(words):
                if w in world.CLASS_NAMES:
                    assert words[k - 1] == present[w].colour, caption
                    if words[k - 2] in world.SIZE_NAMES:
                        assert words[k - 2] == present[w].size
                    article = words[k - 3] if words[k - 2] in world.SIZE_NAMES else words[k - 2]
                    assert article == ("an" if words[k - 1 - (words[k - 2] in world.SIZE_NAMES)][0] in "aeiou"
                                       else "a"), caption
            if s.background in words:
                i = words.index(s.background)
                assert words[i - 1] == "the"
                if i >= 2 and words[i - 2] in ("on", "in"):
                    assert words[i - 2] == BACKGROUNDS[s.background]
            else:
                assert "left" in words and len(s.objects) >= 2
            if "left" in words:  # "<first> to the left of <second>"
                first, second = mentioned
                assert present[first].centre[0] < present[second].centre[0]
        assert s.tags == sorted({o.cls for o in s.objects} | {o.colour for o in s.objects} | {s.background})


def test_answers_agree_with_geometry_and_pixels(scenes):
    seen_types = set()
    for s in scenes[:1500]:
        by_slot = {_slot_of(o.box, s.size): o.cls for o in s.objects}
        by_cls = {o.cls: i for i, o in enumerate(s.objects)}
        for qa in s.qa:
            seen_types.add(qa.qtype)
            q = qa.question.split()
            if qa.qtype == "what":
                assert by_slot[q[-1]] == qa.answer
            elif qa.qtype == "where":
                assert _slot_of(s.objects[by_cls[q[-1]]].box, s.size) == qa.answer
            elif qa.qtype == "how many":
                assert qa.answer == NUMBERS[int((s.masks.flatten(1).any(1)).sum()) - 1]
            elif qa.qtype == "is there":
                assert qa.answer == ("yes" if q[-1] in by_cls else "no")
            elif qa.qtype == "which colour":
                assert _colour_of(s, by_cls[q[-1]]) == qa.answer
    assert seen_types == set(world.QUESTION_TYPES)


def test_unseen_combination_split_is_disjoint_and_covering():
    split = world.combination_split(seed=0)
    train, test = set(split.train_pairs), set(split.test_pairs)
    assert not train & test and train | test == set(world.ALL_PAIRS)
    assert {c for c, _ in test} == set(world.CLASS_NAMES), "every class has a held-out colour"
    assert {k for _, k in test} == set(world.COLOUR_NAMES), "every colour is held out for some class"
    tr = world.WorldScenes(400, "train", size=32, n_objects=(1, 3), split=split)
    te = world.WorldScenes(400, "test", size=32, n_objects=(1, 3), split=split)
    tr_pairs = {(o.cls, o.colour) for i in range(len(tr)) for o in tr.scene(i).objects}
    te_pairs = {(o.cls, o.colour) for i in range(len(te)) for o in te.scene(i).objects}
    assert tr_pairs <= train and te_pairs <= test and not tr_pairs & te_pairs
    assert len(te_pairs) == len(test), "the test part uses every held-out pair"
    assert not {tr.scene(i).seed for i in range(400)} & {te.scene(i).seed for i in range(400)}


def test_world_scenes_dataset_items_and_tensors():
    ds = world.WorldScenes(50, "train", seed=3, size=32)
    item = ds[7]
    s = ds.scene(7)
    o = s.objects[s.sounding[0]]
    assert torch.equal(item["image"], s.image) and world.CLASS_NAMES[item["cls"]] == o.cls
    assert world.COLOUR_NAMES[item["colour"]] == o.colour and world.BACKGROUND_NAMES[item["background"]] == s.background
    t = ds.tensors()
    assert t["image"].shape == (50, 3, 32, 32) and t["cls"].shape == (50,)
    with pytest.raises(IndexError):
        ds.scene(50)


@pytest.mark.parametrize("cls", world.CLASS_NAMES)
def test_every_class_sounds_varied_and_bounded(cls):
    waves = [world.class_sound(cls, torch.Generator().manual_seed(seed)) for seed in range(60)]
    for w in waves:
        assert w.shape == (world.SAMPLE_RATE,) and torch.isfinite(w).all()
        assert 0.3 < w.abs().max() < 1.1, "peak near 0.5-0.8 plus a little noise"
    assert not torch.equal(waves[0], waves[1])


def test_scene_sound_mixes_its_sounding_objects():
    s = world.make_scene(5, 32, 3, n_sounding=2)
    assert len(s.sounding) == 2 and s.sound().shape == (16000,)
    with pytest.raises(ValueError, match="n_sounding"):
        world.make_scene(5, 32, 1, n_sounding=2)


def test_speech_timings_are_exact():
    voices = world.voices()
    assert len(voices) == 24
    wave, timing = world.speak("a red dog on the grass", voices[0], generator=torch.Generator().manual_seed(0))
    assert [w for w, _, _ in timing] == ["a", "red", "dog", "on", "the", "grass"]
    rate = world.SPEECH_RATE
    for (_, a, b), (_, c, _) in zip(timing, timing[1:]):
        assert a < b <= c
    assert timing[-1][2] * rate <= len(wave)
    for w, a, b in timing:  # every word is audible inside its span, silence between words
        assert wave[int(a * rate):int(b * rate)].abs().max() > 0.05
    for (_, _, b), (_, c, _) in zip(timing, timing[1:]):
        assert wave[int(b * rate) + 1:int(c * rate)].abs().max() == 0
    with pytest.raises(ValueError, match="no recording"):
        world.speak("a zebra", voices[0])
    with pytest.raises(ValueError, match="unknown voice"):
        world.speak("a dog", "robot")
    assert world.word_phonemes("dog") == "d'0g"


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=8), "`size` must be an int >= 16"),
    (dict(n_objects=4), "`n_objects` must be 1-3"),
    (dict(pairs=[("dog", "pink")]), "`pairs` must be non-empty"),
    (dict(backgrounds=["moon"]), "unknown background"),
    (dict(n_objects=2, pairs=[("dog", "red")]), "cover fewer than 2 classes"),
])
def test_make_scene_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        world.make_scene(0, **kwargs)


def test_tone_equals_its_formula_bit_for_bit():
    """``_tone`` skips the anti-aliasing mask for harmonics that stay below the Nyquist frequency (faster): the waves
    are bit-identical to the formula sum_k [k f0 < rate/2] sin(k phase) / k^tilt, normalised to peak 1."""
    import math

    from mmutils.world import sounds

    for seed, (f_lo, f_hi, harmonics, tilt, square) in enumerate(
            [(100, 200, 25, 1.4, False), (2800, 4700, 2, 2.0, False), (240, 350, 25, 0.6, True),
             (300, 700, 12, 1.0, False)]):
        f0 = f_lo + (f_hi - f_lo) * torch.rand(3000, generator=torch.Generator().manual_seed(seed))  # (T,) Hz
        got = sounds._tone(f0, harmonics, tilt, torch.Generator().manual_seed(seed), square)
        g = torch.Generator().manual_seed(seed)
        phase = 2 * math.pi * torch.cumsum(f0, 0) / sounds.SAMPLE_RATE + sounds._u(g, 0, 2 * math.pi)
        want = torch.zeros_like(f0)
        for k in range(1, harmonics + 1):
            if not (square and k % 2 == 0):
                want += (k * f0 < sounds.SAMPLE_RATE / 2).float() * torch.sin(k * phase) / k**tilt
        assert torch.equal(got, want / want.abs().max().clamp_min(1e-6))


def test_world_synthesis_runs_on_one_thread_with_the_same_bits():
    """Sounds and speech are synthesised on one torch thread (faster: many small ops); the waves are bit-identical to
    the same functions run on two threads, and the caller's thread count is restored."""
    from mmutils.world import prompts as generation
    from mmutils.world import faces, sounds, speech

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        for seed in range(12):
            scene = world.make_scene(seed, 32, 1 + seed % 3, n_sounding=1 + (seed % 3 > 0))
            assert torch.equal(scene.sound(), type(scene).sound.__wrapped__(scene))
            assert torch.get_num_threads() == 2
            name = world.CLASS_NAMES[seed % len(world.CLASS_NAMES)]
            assert torch.equal(sounds.class_sound(name, torch.Generator().manual_seed(seed)),
                               sounds.class_sound.__wrapped__(name, torch.Generator().manual_seed(seed)))
            voice = world.voices()[seed % len(world.voices())]
            said = speech.speak(scene.captions[0], voice, generator=torch.Generator().manual_seed(seed))
            again = speech.speak.__wrapped__(scene.captions[0], voice, generator=torch.Generator().manual_seed(seed))
            assert torch.equal(said[0], again[0]) and said[1] == again[1]
            fresh = world.make_scene(seed, 32, 1 + seed % 3, n_sounding=1 + (seed % 3 > 0))
            assert torch.equal(scene.image, type(fresh)._render.__wrapped__(fresh)[0])
            assert torch.equal(generation.render_prompt("dog", "red", "grass", seed),
                               generation.render_prompt.__wrapped__("dog", "red", "grass", seed))
            identity = faces.make_identities(seed + 1, seed)[seed]
            assert torch.equal(faces.render_face(identity), faces.render_face.__wrapped__(identity))
    finally:
        torch.set_num_threads(before)
    assert torch.get_num_threads() == before
