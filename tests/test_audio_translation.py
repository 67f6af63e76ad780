"""Lesson 09's blocks: faces and their voices, Speech2Face parts, image-to-speech parts, vocoding against torchaudio."""

import pytest
import torch
import torchaudio

from mmutils.translating import image_to_speech as at
from mmutils import metrics
from mmutils.translating import speech2face as s2f
from mmutils import world
from mmutils.audio import fit_frames, log_mel
from mmutils.blocks.encoders import ImageCNN
from mmutils.world import faces


def test_voices_follow_the_carried_attributes_only():
    ids = faces.make_identities(400, seed=0)
    assert all(i.voice in world.voices() for i in ids)
    for i in ids:
        family, pitch, speed = i.voice.split("-")
        assert (family[0] == "m") == (i.value("beard") == "yes")
        assert (pitch == "p35") == (i.value("width") == "wide")
        assert (speed == "s140") == (i.value("hair") == "grey")
    # the voice says nothing about glasses or shirt: both values occur with every voice family
    for family in "mf":
        with_family = [i for i in ids if i.voice.startswith(family)]
        assert {i.value("glasses") for i in with_family} == {"no", "yes"}
        assert {i.value("shirt") for i in with_family} == {"red", "green", "blue"}
    combos = [tuple(i.attributes.values()) for i in ids]
    assert len(set(combos)) < len(combos)  # identities repeat attribute combinations
    assert faces.voice_of({"beard": 1, "width": 1, "hair": 1, "glasses": 0, "shirt": 2}, 1) == "m3-p35-s140"
    with pytest.raises(ValueError, match="variant"):
        faces.voice_of({"beard": 0, "width": 0, "hair": 0, "glasses": 0, "shirt": 0}, 3)
    with pytest.raises(ValueError, match="positive int"):
        faces.make_identities(0, seed=0)


def test_render_face_is_seeded_and_shows_its_attributes():
    a, b = faces.make_identities(2, seed=3)
    first = faces.render_face(a)
    assert first.shape == (3, 32, 32) and first.min() >= 0 and first.max() <= 1
    assert torch.equal(first, faces.render_face(a))
    assert not torch.equal(first, faces.render_face(b))
    wide = faces.Identity({"beard": 0, "width": 1, "hair": 0, "glasses": 0, "shirt": 0}, "f1-p35-s185", 5)
    narrow = faces.Identity({"beard": 0, "width": 0, "hair": 0, "glasses": 0, "shirt": 0}, "f1-p65-s185", 5)
    backdrop = torch.tensor([0.86, 0.88, 0.92]).view(3, 1, 1)
    face_pixels = lambda img: ((img[:, :26] - backdrop).abs().sum(0) > 0.2).sum()  # noqa: E731
    assert face_pixels(faces.render_face(wide)) > face_pixels(faces.render_face(narrow)) + 50
    with pytest.raises(ValueError, match="size"):
        faces.render_face(a, size=8)


def test_autoencoder_and_voice_encoder_shapes_and_errors():
    ae = s2f.FaceAutoencoder(latent_dim=8)
    x = torch.rand(3, 3, 32, 32)
    assert ae.encode(x).shape == (3, 8) and ae(x).shape == (3, 3, 32, 32)
    with pytest.raises(ValueError, match="FaceAutoencoder.encode"):
        ae.encode(torch.rand(3, 3, 28, 28))
    enc = s2f.VoiceEncoder(n_mels=32, latent_dim=8)
    assert enc(torch.randn(4, 32, 96)).shape == (4, 8)
    with pytest.raises(ValueError, match="VoiceEncoder"):
        enc(torch.randn(4, 40, 96))


def test_retrieval_at_1_matches_a_direct_loop():
    g = torch.Generator().manual_seed(0)
    predicted, gallery = torch.randn(30, 5, generator=g), torch.randn(12, 5, generator=g)
    candidates = torch.stack([torch.randperm(12, generator=g)[:4] for _ in range(30)])
    got = metrics.retrieval_at_1(predicted, gallery, candidates)
    for n in range(30):
        d = [float(((gallery[c] - predicted[n]) ** 2).sum()) for c in candidates[n]]
        assert bool(got[n]) == (d[0] < min(d[1:]))
    with pytest.raises(ValueError, match="candidates"):
        metrics.retrieval_at_1(predicted, gallery, candidates.float())


def test_image_to_speech_and_recognizer_shapes():
    model = at.ImageToSpeech(ImageCNN(dim=16), n_mels=8, frames=20)
    assert model(torch.rand(2, 3, 32, 32)).shape == (2, 8, 20)
    rec = at.CaptionRecognizer(n_mels=8, n_words=6, vocab_size=11)
    assert rec(torch.randn(2, 8, 40)).shape == (2, 6, 11)
    with pytest.raises(ValueError, match="CaptionRecognizer"):
        rec(torch.randn(2, 9, 40))
    with pytest.raises(ValueError, match="frames"):
        at.ImageToSpeech(ImageCNN(dim=16), n_mels=8, frames=0)


def test_fit_frames_crops_and_pads():
    x = torch.randn(2, 4, 10)
    assert torch.equal(fit_frames(x, 6, -1.0), x[..., :6])
    padded = fit_frames(x, 13, -1.0)
    assert padded.shape == (2, 4, 13) and torch.equal(padded[..., :10], x) and (padded[..., 10:] == -1).all()


def test_mel_to_linear_and_vocode_agree_with_torchaudio():
    g = torch.Generator().manual_seed(1)
    mel = torch.rand(2, 48, 7, generator=g)
    reference = torchaudio.transforms.InverseMelScale(n_stft=257, n_mels=48, sample_rate=16_000, driver="gelsd")
    assert torch.allclose(at.mel_to_linear(mel), reference(mel), atol=1e-5)
    # vocoding a spoken word's log-mel gives audio whose log-mel is close to it (Griffin-Lim is approximate)
    waveform, _ = world.speak(["dog"], world.voices()[0])
    target = log_mel(waveform, n_mels=48)  # (48, T)
    audio = at.vocode(target[None])[0]
    again = log_mel(audio, n_mels=48)[:, : target.shape[1]]
    loud = target > target.max() - 6  # the word's strong bins
    assert (again - target)[loud].abs().median() < 1.0
    with pytest.raises(ValueError, match="vocode"):
        at.vocode(target)


def test_slot_captioner_and_its_captions():
    model = at.SlotCaptioner(ImageCNN(dim=32))
    logits = model(torch.rand(4, 3, 32, 32))
    assert [tuple(x.shape) for x in logits] == [(4, 6), (4, 10), (4, 6)]
    colour, cls, background = torch.zeros(2, 6), torch.zeros(2, 10), torch.zeros(2, 6)
    colour[0, world.COLOUR_NAMES.index("orange")] = colour[1, world.COLOUR_NAMES.index("red")] = 1
    cls[0, world.CLASS_NAMES.index("cat")] = cls[1, world.CLASS_NAMES.index("dog")] = 1
    background[0, world.BACKGROUND_NAMES.index("water")] = background[1, world.BACKGROUND_NAMES.index("grass")] = 1
    assert at.slots_to_captions(colour, cls, background) == ["an orange cat in the water", "a red dog on the grass"]
    # every caption it writes is one of the world's first captions
    scene = world.make_scene(3, 32, 1)
    o = scene.objects[0]
    one_hot = [torch.eye(len(names))[[names.index(v)]] for names, v in
               [(world.COLOUR_NAMES, o.colour), (world.CLASS_NAMES, o.cls), (world.BACKGROUND_NAMES, scene.background)]]
    assert at.slots_to_captions(*one_hot) == [scene.captions[0]]
    with pytest.raises(ValueError, match="slots_to_captions"):
        at.slots_to_captions(colour, cls[:, :5], background)


def test_vocode_in_chunks_equals_one_batch():
    frames = torch.randn(5, 48, 20) - 8
    assert torch.equal(at.vocode(frames, n_iter=2, chunk=2), at.vocode(frames, n_iter=2, chunk=5))


def test_error_whitening_gives_the_mahalanobis_distance_of_the_errors_second_moment():
    from mmutils.translating.speech2face import error_whitening

    g = torch.Generator().manual_seed(0)
    errors = torch.randn(300, 5, generator=g, dtype=torch.float64) @ torch.randn(5, 5, generator=g,
                                                                                  dtype=torch.float64) + 0.3
    L = error_whitening(errors)
    sigma = errors.T @ errors / len(errors)
    x = torch.randn(50, 5, generator=g, dtype=torch.float64)
    torch.testing.assert_close((x @ L).pow(2).sum(1), (x @ torch.linalg.inv(sigma) * x).sum(1))
    assert torch.equal(L, L.tril())  # a Cholesky factor
    # a direction with large errors counts less than one with small errors
    scaled = torch.randn(400, 2, generator=g, dtype=torch.float64) * torch.tensor([10.0, 0.1], dtype=torch.float64)
    L2 = error_whitening(scaled)
    assert (torch.tensor([1.0, 0.0], dtype=torch.float64) @ L2).norm() < (torch.tensor([0.0, 1.0],
                                                                                       dtype=torch.float64) @ L2).norm()
    with pytest.raises(ValueError, match="at least as many"):
        error_whitening(torch.randn(3, 5))
