"""Every public mmutils function that takes tensors makes its new tensors on its inputs' device.

A machine without a GPU cannot put inputs on CUDA, so the test turns the question round: the inputs (and modules)
are built on the CPU, then each call runs with torch's *default* device set to ``meta``. A tensor that a function
creates without naming a device (``torch.arange(n)``, ``torch.zeros(k)``, a CPU-seeded ``torch.randn``) then lands
on ``meta`` and meets the CPU inputs -- the same mismatch a CPU-built tensor meets on a GPU machine, and torch raises.
A function that writes ``device=x.device`` (or ``torch.zeros_like``, ``.new_zeros``) passes.

Every public callable of every module is either called here or listed in ``NO_TENSOR_INPUTS`` with the reason, so a
new function cannot slip past unclassified.
"""

import importlib
import inspect
import pkgutil

import pytest
import torch

import mmutils
from mmutils import audio, metrics, stft, text, training, world
from mmutils.blocks import attention, balance, decoding, encoders, fusion, judges, models, pretraining
from mmutils.matching import distillation, joint_embedding, word2vec
from mmutils.referencing import lipsync, localization, vqa
from mmutils.scale import families
from mmutils.scale.backbones import FrozenEncoder, ResNetEncoder
from mmutils.text import Vocabulary
from mmutils.translating import captioning, image_to_speech, speech2face, text_to_image

# Modules whose public functions take no tensor input (they build data, read files, draw figures or run notebooks):
# their tensors are made on the CPU by design, and lessons move them with `.to(device)`.
NO_TENSOR_MODULES = {
    "mmutils.core": "seeding and device choice",
    "mmutils.data": "reads the shipped files",
    "mmutils.checks": "homework checks (run on the CPU)",
    "mmutils.lessons": "notebook tooling",
    "mmutils.homework": "notebook tooling",
    "mmutils.course": "notebook tooling",
    "mmutils.setup_cell": "writes the lessons' setup cell",
    "mmutils.widgets": "controls that call a lesson's drawing function",
    "mmutils.robustness": "notebook tooling",
    "mmutils.results": "prints metrics (floats)",
    "mmutils.text": "tokens and vocabularies build CPU id tensors",
    "mmutils.validate": "checks only",
    "mmutils.viz": "figures (converts to NumPy)",
    "mmutils.world": "the course world builds its data on the CPU (and so do its modules)",
    "mmutils.scale.readers": "reads dataset files (paths and strings)",
    "mmutils.scale.fake": "writes fake datasets to disk",
    "mmutils.scale.train": "the command line (tests/test_scale.py runs it)",
    "mmutils.scale.engine": "the training loop and process group (tests/test_scale.py runs it, two processes too)",
}
NO_TENSOR_INPUTS = {
    "audio.read_audio": "reads a file", "audio.write_audio": "writes a file",
    "referencing.lipsync.split_phonemes": "strings", "referencing.lipsync.viseme": "strings",
    "referencing.lipsync.mouth_track": "builds a track from timings (data)",
    "metrics.text.corpus_bleu": "token lists", "metrics.text.edit_distance": "token lists",
    "metrics.text.word_error_rate": "strings",
    "blocks.pretraining.slot_targets": "reads world scenes",
    "matching.word2vec.Corpus": "data (token ids)", "matching.word2vec.read_analogies": "reads question lines",
    "matching.word2vec.train_skipgram": "trains on the CPU by design (lesson 02's hand-written sparse SGD)",
    "matching.word2vec.NegativeSampler": "a CPU sampling table used by train_skipgram",
    "training.History": "a dict of floats", "training.plot_history": "a figure",
    "blocks.encoders.conv_block2d": "builds layers (no tensor input)",
    "blocks.encoders.mel_conv1d_stack": "builds layers (no tensor input)",
    "scale.backbones.load_weights": "reads a file", "scale.backbones.course_audio_encoder": "builds a module",
    "scale.families.load_image": "reads a file", "scale.families.image_encoder": "builds a module",
    "scale.families.CaptionPairs": "a dataset of files", "scale.families.VQAItems": "a dataset of files",
    "scale.families.AVClips": "a dataset of files", "scale.families.evaluate_matching": "reads the evaluation files",
    "scale.families.evaluate_captioning": "reads the evaluation files",
    "scale.families.evaluate_vqa": "reads the evaluation files",
    "scale.families.evaluate_localization": "reads the evaluation files",
    "scale.families.summarise_matching": "CPU results gathered from every process",
    "scale.families.summarise_captioning": "token lists", "scale.families.summarise_vqa": "CPU results gathered",
    "scale.families.summarise_localization": "floats",
}


def g(seed=0):
    return torch.Generator().manual_seed(seed)


def _decoder_step_state():
    dec = captioning.CaptionDecoder(12, feature_dim=8, embed_dim=6, hidden_dim=10)
    feats = torch.randn(2, 4, 8)
    return dec, feats


def _slotted():
    words = [torch.tensor([3, 4]), torch.tensor([5, 6, 7])]

    def cell_attributes(features):  # (B, P, D) -> per kind (probs (B, P, K), presence (B, P))
        b, p, _ = features.shape
        return [(features[..., :2].softmax(-1), features[..., 0].sigmoid()),
                (features[..., :3].softmax(-1), features[..., 1].sigmoid())]

    return captioning.SlottedCaptionDecoder(12, words, cell_attributes, feature_dim=8, embed_dim=6, hidden_dim=10)


def _sync_expert():
    return lipsync.SyncExpert(n_mels=8, dim=6, width=8).eval()


def _localizer():
    return localization.SoundLocalizer(encoders.ImageCNN(dim=8, width=4), encoders.AudioCNN(n_mels=8, dim=8, width=4),
                                       top_k=2).eval()


def _vqa(fusion_module=None, uses="both"):
    q = encoders.QuestionEncoder(20, embed=6, hidden=8)
    return models.VQAModel(q, 10, 5, fusion=fusion_module, uses=uses, hidden=12).eval()


def _greedy_step():
    dec, feats = _decoder_step_state()
    return dec.step, dec.init_state(feats)


def _modulated():
    enc = encoders.ImageCNN(dim=4, width=2)
    enc(torch.rand(2, 3, 16, 16)).sum().backward()
    return enc


def _cvae(decoder_cls):
    return text_to_image.ConditionalVAE(20, decoder_cls=decoder_cls, text_dim=8, latent_dim=3, width=4).eval()


def _late_fusion():
    return models.LateFusionClassifier({"image": encoders.ImageCNN(dim=4, width=2),
                                        "audio": encoders.AudioCNN(n_mels=8, dim=4, width=2)}, 3)


TOKENS = torch.tensor([[1, 4, 5, 0], [2, 3, 0, 0]])
VOCAB = Vocabulary([["a", "b", "c"]])  # 7 ids with the four specials
LENGTHS = torch.tensor([3, 2])

# name -> a function that builds the inputs on the CPU and returns the call to make under the foreign default device
CASES = {
    "audio.log_mel": lambda: (lambda w=torch.randn(2, 3200): audio.log_mel(w)),
    "audio.fit_frames": lambda: (lambda s=torch.randn(2, 8, 5): audio.fit_frames(s, 9, -1.0)),
    "translating.speech2face.FaceAutoencoder": lambda: (
        lambda m=speech2face.FaceAutoencoder(4, 4).eval(), x=torch.rand(2, 3, 32, 32): m.decode(m.encode(x))),
    "translating.speech2face.VoiceEncoder": lambda: (
        lambda m=speech2face.VoiceEncoder(8, 4, 8).eval(), x=torch.randn(2, 8, 20): m(x)),
    "translating.speech2face.error_whitening": lambda: (
        lambda e=torch.randn(20, 4): speech2face.error_whitening(e)),
    "translating.image_to_speech.ImageToSpeech": lambda: (
        lambda m=image_to_speech.ImageToSpeech(encoders.ImageCNN(dim=4, width=2), 8, 6, 10).eval(),
        x=torch.rand(2, 3, 16, 16): m(x)),
    "translating.image_to_speech.SlotCaptioner": lambda: (
        lambda m=image_to_speech.SlotCaptioner(encoders.ImageCNN(dim=4, width=2)).eval(), x=torch.rand(2, 3, 16, 16):
        m(x)),
    "translating.image_to_speech.slots_to_captions": lambda: (
        lambda a=torch.randn(2, 6), b=torch.randn(2, 10), c=torch.randn(2, 6):
        image_to_speech.slots_to_captions(a, b, c)),
    "translating.image_to_speech.CaptionRecognizer": lambda: (
        lambda m=image_to_speech.CaptionRecognizer(8, 3, 7, 8).eval(), x=torch.randn(2, 8, 30): m(x)),
    "translating.image_to_speech.mel_to_linear": lambda: (
        lambda x=torch.rand(2, 32, 5): image_to_speech.mel_to_linear(x)),
    "translating.image_to_speech.vocode": lambda: (lambda x=torch.randn(1, 32, 5): image_to_speech.vocode(x, n_iter=2)),
    "metrics.retrieval.retrieval_at_1": lambda: (
        lambda p=torch.randn(3, 4), gal=torch.randn(5, 4), c=torch.tensor([[0, 1], [1, 2], [2, 3]]):
        metrics.retrieval_at_1(p, gal, c)),
    "blocks.balance.unimodal_logits": lambda: (
        lambda h=torch.nn.Linear(5, 3), f=[torch.randn(2, 2), torch.randn(2, 3)]: balance.unimodal_logits(h, f)),
    "blocks.balance.ogm_coefficients": lambda: (
        lambda a=torch.randn(4, 3), b=torch.randn(4, 3), y=torch.tensor([0, 1, 2, 0]):
        balance.ogm_coefficients(a, b, y, 0.5)),
    "blocks.balance.modulate_gradients": lambda: (
        lambda e=_modulated(): balance.modulate_gradients(e, 0.5, generator=g())),
    "blocks.balance.true_class_score": lambda: (
        lambda a=torch.randn(4, 3), y=torch.tensor([0, 1, 2, 0]): balance.true_class_score(a, y)),
    "blocks.balance.gradient_norm": lambda: (lambda e=_modulated(): balance.gradient_norm(e)),
    "blocks.attention.AdditiveAttention": lambda: (
        lambda m=attention.AdditiveAttention(8, 10, 6), f=torch.randn(2, 4, 8), h=torch.randn(2, 10):
        m(f, m.project(f), h)),
    "translating.captioning.CaptionDecoder": lambda: (
        lambda d=_decoder_step_state(), caps=torch.tensor([[1, 4, 5, 2], [1, 3, 2, 0]]): d[0](d[1], caps)),
    "translating.captioning.SlottedCaptionDecoder": lambda: (
        lambda d=_slotted(), f=torch.randn(2, 4, 8), caps=torch.tensor([[1, 4, 5, 2], [1, 3, 2, 0]]): d(f, caps)),
    "translating.captioning.doubly_stochastic_penalty": lambda: (
        lambda a=torch.rand(2, 3, 4), t=torch.tensor([[4, 5, 0], [3, 0, 0]]):
        captioning.doubly_stochastic_penalty(a, t)),
    "translating.captioning.caption_loss": lambda: (
        lambda lp=torch.randn(2, 3, 7).log_softmax(-1), t=torch.tensor([[4, 5, 0], [3, 0, 0]]):
        captioning.caption_loss(lp, t)),
    "metrics.localization.attention_hits": lambda: (
        lambda a=torch.rand(2, 16), b=torch.tensor([[0, 0, 8, 8], [4, 4, 16, 16]]):
        metrics.attention_hits(a, 4, 16, b)),
    "blocks.decoding.greedy_decode": lambda: (lambda s=_greedy_step(): decoding.greedy_decode(s[0], s[1], 2, 1, 2, 5)),
    "blocks.decoding.beam_search": lambda: (
        lambda s=_greedy_step(): decoding.beam_search(s[0], s[1], 2, 1, 2, 5, beam=2)),
    "matching.distillation.soft_targets": lambda: (lambda x=torch.randn(3, 4): distillation.soft_targets(x, 2.0)),
    "matching.distillation.distillation_loss": lambda: (lambda s=torch.randn(3, 4), t=torch.randn(3, 4):
                                          distillation.distillation_loss(s, t)),
    "blocks.encoders.ImageCNN": lambda: (lambda m=encoders.ImageCNN(dim=4, width=2).eval(), x=torch.rand(2, 3, 16, 16):
                                  (m(x), m.grid(x))),
    "text.mean_of_words": lambda: (
        lambda v=torch.randn(2, 4, 3), t=torch.tensor([[1, 2, 0, 0], [0, 0, 0, 0]]): text.mean_of_words(v, t)),
    "blocks.encoders.AudioCNN": lambda: (lambda m=encoders.AudioCNN(8, 4, 2).eval(), x=torch.randn(2, 8, 20): m(x)),
    "blocks.encoders.WaveformCNN": lambda: (lambda m=encoders.WaveformCNN(4, 2).eval(), x=torch.randn(2, 4000): m(x)),
    "blocks.encoders.permute_colour_channels": lambda: (
        lambda x=torch.rand(3, 3, 4, 4): (encoders.permute_colour_channels(x, g()),
                                          encoders.permute_colour_channels(x))),
    "blocks.fusion.ConcatFusion": lambda: (
        lambda m=fusion.ConcatFusion([3, 4]), f=[torch.randn(2, 3), torch.randn(2, 4)]: m(f)),
    "blocks.fusion.ProductFusion": lambda: (
        lambda m=fusion.ProductFusion(3, 4, 5), f=[torch.randn(2, 3), torch.randn(2, 4)]:
                                     m(f)),
    "blocks.fusion.BilinearFusion": lambda: (
        lambda m=fusion.BilinearFusion(3, 4, 6, 5), f=[torch.randn(2, 3), torch.randn(2, 4)]: m(f)),
    "blocks.fusion.AttentionFusion": lambda: (
        lambda m=fusion.AttentionFusion(3, 4, 5), x=torch.randn(2, 6, 3), q=torch.randn(2, 4): m([x, q])),
    "blocks.fusion.MLBAttentionFusion": lambda: (
        lambda m=fusion.MLBAttentionFusion(3, 4, 5, 6), x=torch.randn(2, 6, 3), q=torch.randn(2, 4): m([x, q])),
    "metrics.classification.vqa_accuracy": lambda: (
        lambda p=torch.tensor([0, 1]), h=torch.tensor([[0, 0, 1], [2, 2, 2]]): metrics.vqa_accuracy(p, h)),
    "metrics.localization.truth_map": lambda: (
        lambda b=torch.tensor([[0.0, 0.0, 0.5, 0.5], [0.25, 0.25, 1.0, 1.0]]):
        (metrics.truth_map(b, 8, True), metrics.truth_map(b, 8, False))),
    "metrics.localization.consensus_iou": lambda: (
        lambda r=torch.rand(8, 8) > 0.5, t=torch.rand(8, 8): metrics.consensus_iou(r, t)),
    "scale.backbones.ResNetEncoder": lambda: (
        lambda m=ResNetEncoder("resnet18").eval(), x=torch.rand(1, 3, 32, 32): (m(x), m.grid(x))),
    "scale.backbones.FrozenEncoder": lambda: (
        lambda m=FrozenEncoder(encoders.ImageCNN(dim=4, width=2)), x=torch.rand(2, 3, 16, 16): (m(x), m.grid(x))),
    "scale.families.collate_av": lambda: (
        lambda b=[(torch.rand(3, 8, 8), torch.rand(4, 5), torch.rand(1, 4))] * 2: families.collate_av(b)),
    "scale.families.MatchingTask": lambda: (
        lambda m=families.MatchingTask(encoders.ImageCNN(dim=4, width=2), VOCAB, dim=4).eval(),
        x=torch.rand(2, 3, 16, 16), c=torch.tensor([[2, 4, 5, 3], [2, 6, 3, 0]]), i=torch.tensor([0, 1]): m(x, c, i)),
    "scale.families.CaptioningTask": lambda: (
        lambda m=families.CaptioningTask(encoders.ImageCNN(dim=4, width=2), VOCAB).eval(),
        x=torch.rand(2, 3, 16, 16), c=torch.tensor([[2, 4, 5, 3], [2, 6, 3, 0]]): m(x, c)),
    "scale.families.VQATask": lambda: (
        lambda m=families.VQATask(encoders.ImageCNN(dim=4, width=2), VOCAB, 3).eval(), x=torch.rand(2, 3, 16, 16),
        t=TOKENS[:, :3], n=torch.tensor([3, 2]), y=torch.tensor([1, -1]), h=torch.tensor([[1, 1], [0, 2]]):
        m(x, t, n, y, h)),
    "scale.families.LocalizationTask": lambda: (
        lambda m=families.LocalizationTask(encoders.ImageCNN(dim=4, width=2), n_mels=8).eval(),
        x=torch.rand(2, 3, 16, 16), a=torch.randn(2, 8, 20): m(x, a)),
    "blocks.attention.attention_pool": lambda: (
        lambda v=torch.randn(2, 3, 4), sc=torch.randn(2, 3), k=torch.tensor([[True, True, False], [False] * 3]):
        (attention.attention_pool(v, sc), attention.attention_pool(v, sc, k))),
    "blocks.attention.glimpse_pool": lambda: (
        lambda x=torch.randn(2, 6, 3), sc=torch.randn(2, 6, 2): attention.glimpse_pool(x, sc)),
    "blocks.attention.WordAttentionPool": lambda: (
        lambda m=attention.WordAttentionPool(4), w=torch.randn(2, 3, 4), k=torch.tensor([[1, 1, 0], [1, 0, 0]]).bool():
        m(w, k)),
    "blocks.encoders.TextConditioner": lambda: (
        lambda m=encoders.TextConditioner(20, 4, ["all", "shape"]): m(TOKENS)),
    "translating.text_to_image.PlainDecoder": lambda: (
        lambda m=text_to_image.PlainDecoder(4, 3, 4).eval(), t={"all": torch.randn(2, 4)}, z=torch.randn(2, 3):
        m(t, z)),
    "translating.text_to_image.LayeredDecoder": lambda: (
        lambda m=_cvae(text_to_image.LayeredDecoder): m.sample(TOKENS, g())),
    "translating.text_to_image.ConditionalVAE": lambda: (
        lambda m=_cvae(text_to_image.PlainDecoder), x=torch.rand(2, 3, 32, 32):
        (m.loss(x, TOKENS), m.sample(TOKENS, g()), m.sample(TOKENS))),
    "translating.text_to_image.gaussian_kl": lambda: (
        lambda mu=torch.randn(2, 3), lv=torch.randn(2, 3): text_to_image.gaussian_kl(mu, lv)),
    "translating.text_to_image.MatchingDiscriminator": lambda: (
        lambda m=text_to_image.MatchingDiscriminator(20, 4, 4).eval(), x=torch.rand(2, 3, 32, 32): m(x, TOKENS)),
    "translating.text_to_image.gan_cls_d_loss": lambda: (
        lambda a=torch.randn(3), b=torch.randn(3), c=torch.randn(3): text_to_image.gan_cls_d_loss(a, b, c)),
    "translating.text_to_image.gan_cls_g_loss": lambda: (lambda a=torch.randn(3): text_to_image.gan_cls_g_loss(a)),
    "metrics.generation.pairwise_diversity": lambda: (lambda x=torch.rand(4, 3, 8, 8): metrics.pairwise_diversity(x)),
    "metrics.generation.nearest_distance": lambda: (
        lambda q=torch.rand(3, 3, 4, 4), r=torch.rand(5, 3, 4, 4): metrics.nearest_distance(q, r, chunk=2)),
    "blocks.judges.AttributeClassifier": lambda: (
        lambda m=judges.AttributeClassifier([3, 4], 4).eval(), x=torch.rand(2, 3, 16, 16): (m(x), m.predict(x))),
    "blocks.judges.blur_and_noise": lambda: (
        lambda x=torch.rand(3, 3, 8, 8): (judges.blur_and_noise(x, g(), 0.1, 2), judges.blur_and_noise(x))),
    "referencing.lipsync.shift_track": lambda: (
        lambda t=torch.rand(2, 12, 2), s=torch.tensor([2, -3]): lipsync.shift_track(t, s)),
    "referencing.lipsync.LipGenerator": lambda: (
        lambda m=lipsync.LipGenerator(8, 8).eval(), x=torch.randn(2, 8, 24): m(x)),
    "referencing.lipsync.SyncExpert": lambda: (
        lambda m=_sync_expert(), mo=torch.rand(3, 2 * lipsync.WINDOW), au=torch.randn(3, 8, 2 * lipsync.WINDOW):
        (m(mo, au), m.embed(mo, au))),
    "referencing.lipsync.mouth_windows": lambda: (lambda t=torch.rand(2, 12, 2): lipsync.mouth_windows(t)),
    "referencing.lipsync.audio_windows": lambda: (lambda x=torch.randn(2, 8, 24): lipsync.audio_windows(x)),
    "referencing.lipsync.sync_distances": lambda: (
        lambda m=_sync_expert(), t=torch.rand(2, 12, 2), x=torch.randn(2, 8, 24):
        lipsync.sync_distances(m, t, x, vshift=2)),
    "metrics.sync.lse": lambda: (lambda d=torch.rand(2, 5, 6): metrics.lse(d)),
    "referencing.lipsync.articulation": lambda: (lambda t=torch.rand(2, 12, 2): lipsync.articulation(t)),
    "referencing.lipsync.aligned_l1": lambda: (
        lambda t=torch.rand(2, 12, 2), r=torch.rand(2, 12, 2): lipsync.aligned_l1(t, r)),
    "referencing.lipsync.estimate_offset": lambda: (
        lambda d=torch.rand(2, 5, 8), s=torch.tensor([0, 2]): lipsync.estimate_offset(d, s, 3)),
    "referencing.localization.SoundLocalizer": lambda: (
        lambda m=_localizer(), im=torch.rand(2, 3, 16, 16), so=torch.randn(2, 8, 20):
        (m.maps(im, so), m.pair_scores(m.pair_maps(im, so)))),
    "referencing.localization.localization_map": lambda: (
        lambda m=torch.rand(2, 4, 4): (localization.localization_map(m, 16), localization.localization_map(m, 16, 1))),
    "metrics.localization.box_masks": lambda: (
        lambda b=torch.tensor([[0, 0, 4, 4], [2, 2, 8, 8]]): metrics.box_masks(b, 8)),
    "metrics.localization.map_iou": lambda: (
        lambda m=torch.rand(2, 8, 8), b=torch.tensor([[0, 0, 4, 4], [2, 2, 8, 8]]): metrics.map_iou(m, b)),
    "metrics.localization.success_rate": lambda: (lambda i=torch.rand(5): metrics.success_rate(i)),
    "metrics.localization.success_auc": lambda: (lambda i=torch.rand(5): metrics.success_auc(i)),
    "metrics.localization.peak_in_box": lambda: (
        lambda m=torch.rand(2, 8, 8), b=torch.tensor([[0, 0, 4, 4], [2, 2, 8, 8]]): metrics.peak_in_box(m, b)),
    "metrics.localization.random_object_chance": lambda: (
        lambda o=[torch.tensor([[0, 0, 4, 4], [4, 4, 8, 8]])], b=torch.tensor([[0, 0, 4, 4]]):
        metrics.random_object_chance(o, b)),
    "world.texts.true_of": lambda: (
        lambda a=torch.tensor([[0, 1, 2], [1, 1, 1]]), s=torch.tensor([[0, -1, -1], [1, 1, -1], [-1, -1, 1]]):
        world.texts.true_of(a, s)),
    "blocks.encoders.BagOfWordsEncoder": lambda: (lambda m=encoders.BagOfWordsEncoder(20, 4, 4).eval(): m(TOKENS)),
    "matching.joint_embedding.JointEmbedding": lambda: (
        lambda m=joint_embedding.JointEmbedding(encoders.ImageCNN(dim=4, width=2), encoders.BagOfWordsEncoder(20, 4, 4),
                                                4).eval(),
        x=torch.rand(2, 3, 16, 16): m(x, TOKENS)),
    "matching.joint_embedding.hinge_sum_loss": lambda: (
        lambda s=torch.randn(3, 3), same=torch.eye(3).bool():
        (joint_embedding.hinge_sum_loss(s), joint_embedding.hinge_sum_loss(s, same))),
    "matching.joint_embedding.hinge_max_loss": lambda: (
        lambda s=torch.randn(3, 3), same=torch.eye(3).bool():
        (joint_embedding.hinge_max_loss(s), joint_embedding.hinge_max_loss(s, same))),
    "matching.joint_embedding.info_nce_loss": lambda: (
        lambda s=torch.randn(3, 3), same=torch.eye(3).bool():
        (joint_embedding.info_nce_loss(s), joint_embedding.info_nce_loss(s, same))),
    "matching.joint_embedding.zero_shot_through_words": lambda: (
        lambda p=torch.rand(4, 3).softmax(1), sv=torch.randn(3, 5), uv=torch.randn(2, 5):
        (joint_embedding.zero_shot_through_words(p, sv, uv),
         joint_embedding.zero_shot_through_words(p, sv, uv, top=2))),
    "metrics.classification.accuracy": lambda: (
        lambda x=torch.randn(4, 3), y=torch.tensor([0, 1, 2, 0]): metrics.accuracy(x, y)),
    "metrics.classification.majority_baseline": lambda: (
        lambda a=torch.tensor([0, 1, 1]), b=torch.tensor([1, 0]): metrics.majority_baseline(a, b)),
    "metrics.classification.linear_probe": lambda: (
        lambda a=torch.randn(6, 3), ya=torch.tensor([0, 1, 2, 0, 1, 2]),
        b=torch.randn(3, 3), yb=torch.tensor([0, 1, 2]): metrics.linear_probe(a, ya, b, yb, steps=3)),
    "metrics.retrieval.precision_at_k": lambda: (
        lambda s=torch.randn(3, 5), r=torch.rand(3, 5) > 0.5: metrics.precision_at_k(s, r, 2)),
    "metrics.retrieval.first_hit_rank": lambda: (
        lambda s=torch.randn(3, 5), r=torch.eye(3, 5).bool(): metrics.first_hit_rank(s, r)),
    "metrics.retrieval.recall_at_k": lambda: (
        lambda s=torch.randn(3, 5), r=torch.eye(3, 5).bool(): metrics.recall_at_k(s, r)),
    "metrics.retrieval.median_rank": lambda: (
        lambda s=torch.randn(3, 5), r=torch.eye(3, 5).bool(): metrics.median_rank(s, r)),
    "metrics.retrieval.r_precision": lambda: (
        lambda s=torch.randn(3, 5), r=torch.eye(3, 5).bool(): metrics.r_precision(s, r)),
    "blocks.models.LateFusionClassifier": lambda: (
        lambda m=_late_fusion().eval(), x={"image": torch.rand(2, 3, 16, 16), "audio": torch.randn(2, 8, 20)},
        keep={"audio": torch.tensor([1.0, 0.0])}: (m(x), m(x, keep=keep))),
    "stft.frame_signal": lambda: (lambda x=torch.randn(100): stft.frame_signal(x, 16, 4)),
    "stft.stft": lambda: (lambda x=torch.randn(100), w=torch.hann_window(16): (stft.stft(x, 16, 4),
                                                                                stft.stft(x, 16, 4, w))),
    "stft.istft": lambda: (lambda x=torch.randn(100), w=torch.hann_window(16): (
        stft.istft(stft.stft(x, 16, 4, w), 16, 4, w, length=100), stft.istft(stft.stft(x, 16, 4), 16, 4))),
    "stft.spectral_convergence": lambda: (
        lambda a=torch.rand(5, 4), b=torch.rand(5, 4): stft.spectral_convergence(a, b)),
    "stft.hz_to_mel": lambda: (lambda f=torch.rand(5) * 8000: stft.hz_to_mel(f)),
    "stft.mel_to_hz": lambda: (lambda m=torch.rand(5) * 2000: stft.mel_to_hz(m)),
    "training.fit": lambda: (
        lambda m=torch.nn.Linear(3, 2), batches=[(torch.randn(4, 3), torch.tensor([0, 1, 0, 1]))]:
        training.fit(m, batches, lambda mod, b: torch.nn.functional.cross_entropy(mod(b[0]), b[1]), epochs=1,
                     device="cpu", progress=False)),
    "training.RandomBatches": lambda: (
        lambda x=torch.randn(5, 3), y=torch.arange(5):
        [list(training.RandomBatches(x, y, batch_size=2, steps=2, generator=gen)) for gen in (None, g())]),
    "training.ShuffledBatches": lambda: (
        lambda x=torch.randn(5, 3), y=torch.arange(5):
        [list(training.ShuffledBatches(x, y, batch_size=2, generator=gen)) for gen in (None, g())]),
    "blocks.pretraining.SlotHeads": lambda: (lambda m=pretraining.SlotHeads(4).eval(), x=torch.rand(2, 4, 6, 6): m(x)),
    "blocks.pretraining.pretrain_slot_encoder": lambda: (
        lambda x=torch.rand(4, 3, 24, 24), c=torch.randint(0, 11, (4, 3)), k=torch.randint(0, 7, (4, 3)):
        pretraining.pretrain_slot_encoder(x, c, k, epochs=1, batch_size=2, device=x.device)["cnn"](x)),
    "referencing.vqa.with_positions": lambda: (lambda x=torch.rand(2, 4, 3, 3): vqa.with_positions(x)),
    "blocks.encoders.QuestionEncoder": lambda: (lambda m=encoders.QuestionEncoder(20, 6, 8): m(TOKENS, LENGTHS)),
    "blocks.models.VQAModel": lambda: (
        lambda ms=[_vqa(fusion.AttentionFusion(10, 8, 6)), _vqa(fusion.ConcatFusion([10, 8])), _vqa(uses="question"),
                   _vqa(uses="image")], x=torch.rand(2, 9, 10): [m(x, TOKENS, LENGTHS) for m in ms]),
    "metrics.classification.accuracy_by_type": lambda: (
        lambda p=torch.tensor([0, 1, 2]), a=torch.tensor([0, 1, 1]), t=torch.tensor([0, 1, 0]):
        metrics.accuracy_by_type(p, a, t)),
    "metrics.classification.majority_by_type": lambda: (
        lambda a=torch.tensor([0, 1, 1]), t=torch.tensor([0, 1, 1]), q=torch.tensor([1, 0]):
        metrics.majority_by_type(a, t, q)),
    "matching.word2vec.keep_probability": lambda: (lambda c=torch.tensor([100, 5, 1]): word2vec.keep_probability(c)),
    "matching.word2vec.skipgram_pairs": lambda: (lambda i=torch.arange(10): word2vec.skipgram_pairs(i, 2, g())),
    "matching.word2vec.SkipGram": lambda: (
        lambda m=word2vec.SkipGram(10, 4), c=torch.tensor([1, 2]), o=torch.tensor([3, 4]), n=torch.tensor([[5], [6]]):
        (m(c, o, n), m.vectors)),
    "matching.word2vec.sgns_loss": lambda: (
        lambda a=torch.randn(2, 4), b=torch.randn(2, 4), n=torch.randn(2, 3, 4): word2vec.sgns_loss(a, b, n)),
    "matching.word2vec.sgns_sgd_step": lambda: (
        lambda m=word2vec.SkipGram(10, 4), c=torch.tensor([1, 2]), o=torch.tensor([3, 4]), n=torch.tensor([[5], [6]]):
        word2vec.sgns_sgd_step(m, c, o, n, 0.1)),
    "matching.word2vec.analogy": lambda: (
        lambda v=torch.randn(10, 4), a=torch.tensor([1, 2]): word2vec.analogy(v, a, a + 1, a + 2)),
    "matching.word2vec.analogy_accuracy": lambda: (
        lambda v=torch.randn(10, 4), q=torch.tensor([[1, 2, 3, 4], [2, 3, 4, 5]]): word2vec.analogy_accuracy(v, q)),
    "matching.word2vec.nearest": lambda: (lambda v=torch.randn(10, 4): word2vec.nearest(v, 3, 4)),
}
# Functions without tensor inputs that still produce tensors for the model: they take the device to use.
WITH_DEVICE = {
    "blocks.balance.modality_keep_mask": lambda d: balance.modality_keep_mask(4, 0.5, g(), device=d),
    "referencing.localization.centre_prior": lambda d: localization.centre_prior(2, 8, device=d),
    "stft.mel_filterbank": lambda d: stft.mel_filterbank(33, 8000, 8, device=d),
}


def _public_callables():
    names = []
    # every module, in subpackages too; a package's __init__ only re-exports (its names are checked where they live)
    modules = [m.name.removeprefix("mmutils.") for m in pkgutil.walk_packages(mmutils.__path__, "mmutils.")
               if not m.ispkg]
    for short in modules:
        full = f"mmutils.{short}"
        if any(full == m or full.startswith(m + ".") for m in NO_TENSOR_MODULES) or \
                short.rsplit(".", 1)[-1].startswith("_"):
            continue
        mod = importlib.import_module(full)
        for n in getattr(mod, "__all__", []):
            obj = getattr(mod, n)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and not issubclass_safe(obj, BaseException):
                names.append(f"{short}.{n}")
    return names


def issubclass_safe(obj, cls):
    return inspect.isclass(obj) and issubclass(obj, cls)


class foreign_default_device:
    """Within: tensors made without a device go to ``meta``, so they clash with the CPU inputs.

    torch's optimisers keep their step counters on the CPU on purpose (whatever the parameters' device), so their
    ``step`` runs with the CPU as default: what is checked is mmutils' code, not torch's."""

    OPTIMISERS = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD)

    def __enter__(self):
        self.saved = {cls: cls.step for cls in self.OPTIMISERS}
        for cls, step in self.saved.items():
            def on_cpu(opt, *args, _step=step, **kwargs):
                with torch.device("cpu"):
                    return _step(opt, *args, **kwargs)
            cls.step = on_cpu
        torch.set_default_device("meta")

    def __exit__(self, *exc):
        torch.set_default_device(None)
        for cls, step in self.saved.items():
            cls.step = step


def _tensors(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _tensors(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _tensors(v)


def test_every_public_callable_is_classified():
    unclassified = [n for n in _public_callables() if n not in CASES and n not in NO_TENSOR_INPUTS
                    and n not in WITH_DEVICE]
    assert not unclassified, f"add a device case (or a reason in NO_TENSOR_INPUTS) for: {unclassified}"
    for name in NO_TENSOR_MODULES:
        importlib.import_module(name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_new_tensors_follow_the_inputs_device(name):
    call = CASES[name]()  # inputs and modules built on the CPU, as usual
    call()  # the case itself is valid on the CPU
    with foreign_default_device():
        try:
            out = call()
        except (RuntimeError, NotImplementedError) as e:
            pytest.fail(f"{name} made a tensor on the default device instead of its inputs' device: {e}")
    stray = [t.device for t in _tensors(out) if t.device.type == "meta"]
    assert not stray, f"{name} returned a tensor on the default device, not on its inputs' device"


@pytest.mark.parametrize("name", sorted(WITH_DEVICE))
def test_functions_without_tensor_inputs_take_a_device(name):
    out = WITH_DEVICE[name](torch.device("meta"))
    assert all(t.device.type == "meta" for t in _tensors(out)), f"{name} ignored its `device`"


def test_the_check_catches_a_tensor_made_on_the_default_device():
    def careless(x):
        return x + torch.arange(len(x))  # no device: wrong on a GPU

    def careful(x):
        return x + torch.arange(len(x), device=x.device)

    x = torch.zeros(3)
    with foreign_default_device():
        careful(x)
        with pytest.raises(RuntimeError):
            careless(x)
