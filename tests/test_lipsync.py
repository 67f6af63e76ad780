"""Lesson 11's blocks: phonemes -> visemes -> mouth tracks, shifting, windows, the sync expert, LSE-D / LSE-C."""

import pytest
import torch

from mmutils import lessons
from mmutils.referencing import lipsync as ls
from mmutils import metrics
from mmutils import world
from mmutils.world import faces


def test_split_phonemes_and_visemes():
    assert ls.split_phonemes("l'A@dZ") == ["l", "A@", "dZ"]
    assert ls.split_phonemes("p'3:p@L") == ["p", "3:", "p", "@L"]
    assert [ls.viseme(p) for p in ls.split_phonemes("S'i:p")] == ["pursed", "spread", "closed"]
    assert ls.viseme("k") == "tongue"
    for word in world.SPOKEN_WORDS:  # every spoken word has at least one vowel viseme
        vis = [ls.viseme(p) for p in ls.split_phonemes(world.word_phonemes(word))]
        assert any(v in {"rounded", "round-open", "open", "mid", "spread"} for v in vis), word


def test_mouth_track_follows_the_word_timing():
    timings = [("pig", 0.2, 0.6)]  # p (closed), I (spread, double share), g (tongue)
    track = ls.mouth_track(timings, {"pig": "p'Ig"}, n_frames=25, smooth=1)  # 1 s at 25 fps
    assert track.shape == (25, 2)
    assert torch.equal(track[0], torch.tensor(ls.REST)) and torch.equal(track[-1], torch.tensor(ls.REST))
    # the word's 0.4 s split 1:2:1 -> p 0.2-0.3, I 0.3-0.5, g 0.5-0.6; frame centres at (k + 0.5) / 25
    assert torch.equal(track[6], torch.tensor(ls.VISEMES["closed"]))  # 0.26 s
    assert torch.equal(track[10], torch.tensor(ls.VISEMES["spread"]))  # 0.42 s
    assert torch.equal(track[13], torch.tensor(ls.VISEMES["tongue"]))  # 0.54 s
    smooth = ls.mouth_track(timings, {"pig": "p'Ig"}, n_frames=25, smooth=3)
    assert torch.allclose(smooth[10], track[9:12].mean(0))
    with pytest.raises(ValueError, match="no phonemes"):
        ls.mouth_track([("dog", 0.0, 0.3)], {}, n_frames=10)


def test_shift_track_matches_a_loop():
    g = torch.Generator().manual_seed(0)
    tracks, shifts = torch.rand(4, 9, 2, generator=g), torch.tensor([-3, 0, 2, 9])
    out = ls.shift_track(tracks, shifts)
    for b in range(4):
        for t in range(9):
            src = t - int(shifts[b])
            want = tracks[b, src] if 0 <= src < 9 else torch.tensor(ls.REST)
            assert torch.allclose(out[b, t], want)
    with pytest.raises(ValueError, match="shifts"):
        ls.shift_track(tracks, shifts.float())


def test_windows_line_up_video_and_audio():
    tracks = torch.arange(2 * 12 * 2, dtype=torch.float).view(2, 12, 2)
    mels = torch.arange(2 * 3 * 24, dtype=torch.float).view(2, 3, 24)
    mw, aw = ls.mouth_windows(tracks), ls.audio_windows(mels)
    assert mw.shape == (2, 8, 10) and aw.shape == (2, 8, 3, 10)
    assert torch.equal(mw[1, 4], tracks[1, 4:9].T.flatten())  # five opens, then five widths
    assert torch.equal(aw[1, 4], mels[1, :, 8:18])  # video frame k <-> mel frames 2k, 2k + 1


def test_sync_expert_distances_and_lse():
    torch.manual_seed(0)
    expert = ls.SyncExpert(n_mels=4).eval()
    tracks, mels = torch.rand(3, 12, 2), torch.randn(3, 4, 24)
    p = expert(ls.mouth_windows(tracks).flatten(0, 1), ls.audio_windows(mels).flatten(0, 1))
    assert p.shape == (24,) and (p > 0).all() and (p < 1).all()
    table = ls.sync_distances(expert, tracks, mels, vshift=2)
    assert table.shape == (3, 5, 8)
    # offset 0 row: the distance between the embeddings of mouth window k and audio window k
    v, a = expert.embed(ls.mouth_windows(tracks)[0], ls.audio_windows(mels)[0])
    assert torch.allclose(table[0, 2], (v - a).norm(dim=1), atol=1e-6)
    # offset +1 row, window 3: audio window 4
    v, a = expert.embed(ls.mouth_windows(tracks)[0][3:4], ls.audio_windows(mels)[0][4:5])
    assert torch.allclose(table[0, 3, 3], (v - a).norm(dim=1)[0], atol=1e-6)
    scores = metrics.lse(table)
    mean = table.mean(2)
    assert torch.allclose(scores["LSE-D"], mean.min(1).values)
    assert torch.allclose(scores["LSE-C"], mean.median(1).values - mean.min(1).values)
    assert torch.equal(scores["offset"], mean.argmin(1) - 2)
    found = ls.estimate_offset(table, torch.tensor([0, 1, 3]), n_windows=5)
    assert found.shape == (3,) and found.abs().max() <= 2
    # a planted answer: distances smallest at offset +1 (row 3 of 5) in windows 2-6 of clip 0, at -2 in windows 0-4
    # of clip 1, and at +1 everywhere but in windows 3-7 of clip 2 (only the windows read count)
    planted = torch.ones(3, 5, 8)
    planted[0, 3, 2:7] = 0.1
    planted[1, 0, 0:5] = 0.1
    planted[2, 3, :3] = 0.0
    planted[2, 1, 3:8] = 0.5
    assert ls.estimate_offset(planted, torch.tensor([2, 0, 3]), n_windows=5).tolist() == [1, -2, -1]
    with pytest.raises(ValueError, match="odd"):
        metrics.lse(torch.rand(2, 4, 5))
    with pytest.raises(ValueError, match="sync_distances"):
        ls.sync_distances(expert, tracks, mels[:, :, :20])


def test_generator_shapes_and_errors():
    model = ls.LipGenerator(n_mels=8)
    out = model(torch.randn(2, 8, 40))
    assert out.shape == (2, 20, 2) and (out >= 0).all() and (out <= 1).all()
    with pytest.raises(ValueError, match="multiple"):
        model(torch.randn(2, 8, 41))


def test_talking_face_mouth():
    who = faces.make_identities(1, seed=0)[0]
    closed = faces.render_face(who, mouth=(0.0, 0.5))
    wide_open = faces.render_face(who, mouth=(1.0, 0.5))
    dark = lambda img: (img.sum(0) < 0.5).sum()  # noqa: E731  (the open mouth is dark)
    assert dark(wide_open) > dark(closed) + 5
    with pytest.raises(ValueError, match="mouth"):
        faces.render_face(who, mouth=(1.5, 0.5))


def test_articulation_sees_a_shrunk_track_and_aligned_l1_takes_timing_out():
    g = torch.Generator().manual_seed(3)
    true = torch.rand(4, 30, 2, generator=g)
    shrunk = 0.5 + 0.5 * (true - 0.5)  # the same movements at half the amplitude
    a, b = ls.articulation(true), ls.articulation(shrunk)
    assert set(a) == {"open peak", "open swing", "width swing"} and a["open peak"].shape == (4,)
    assert torch.allclose(b["open swing"], a["open swing"] / 2, atol=1e-6)
    assert torch.allclose(b["width swing"], a["width swing"] / 2, atol=1e-6)
    assert (b["open peak"] < a["open peak"]).all()
    assert torch.allclose(a["open peak"], true[:, :, 0].quantile(0.95, dim=1))
    late = ls.shift_track(true, torch.tensor([3, -2, 0, 4]))  # the true movements, out of sync
    fit = ls.aligned_l1(late, true, max_shift=4)
    assert torch.allclose(fit["L1"], torch.zeros(4)) and fit["shift"].tolist() == [3, -2, 0, 4]
    assert (ls.aligned_l1(late, true, max_shift=1)["L1"][[0, 3]] > 0).all()  # shifts beyond reach stay an error
    plain = (shrunk - true).abs().mean((1, 2))
    assert torch.allclose(ls.aligned_l1(shrunk, true)["L1"], plain)  # in sync already: the shape error is all
    with pytest.raises(ValueError, match="reference"):
        ls.aligned_l1(true, true[:, :20])


def test_committed_lesson_plays_face_and_sound_together_offline():
    """The executed lesson shows its talking faces in one element with their sound, nothing remote."""
    import re

    import nbformat

    for path in (lessons.NOTEBOOKS / "11_lip_movements.ipynb",):
        nb = nbformat.read(path, as_version=4)
        htmls = ["".join(o["data"]["text/html"]) for c in nb.cells if c.cell_type == "code"
                 for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
        videos = [h for h in htmls if 'class="talking-video"' in h]
        assert len(videos) >= 2, "the lesson shows its talking faces with talking_video_html"
        for h in videos:
            assert h.count("<audio") == 1 and "data:audio/wav;base64," in h and "data:image/png;base64," in h
            assert not re.search(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", h)
            assert all(s.startswith("data:") for s in re.findall(r'src="([^"]*)"', h))
        three = [h for h in videos if h.count("<figcaption") == 3]
        assert three and all(k in three[0] for k in ("ground truth", "L1 only", "L1 + sync"))
        assert not any("<audio" in h for h in htmls if h not in videos), "no sound played apart from its face"
