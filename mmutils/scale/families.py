"""The lessons' models on real data: one recipe per method family, each built from the course's own blocks.

A recipe knows its data (``datasets``), its model (``model``), its training loss as ``(sum, count)`` (``loss``), what
one process computes on its share of the evaluation set (``evaluate``) and the family's standard metrics from all of
it (``summarise``):

* ``matching``     image–text retrieval: ``JointEmbedding`` (lesson 03) with a ``BagOfWordsEncoder``, symmetric
  InfoNCE; Recall@1/5/10 in both directions over every caption of the evaluation images.
* ``captioning``   ``CaptionDecoder`` with attention (lesson 04) over the image encoder's grid; BLEU-1..4 of greedy
  captions against all references.
* ``vqa``          ``VQAModel`` with ``AttentionFusion`` (lesson 06) over the grid and a ``QuestionEncoder``; the VQA
  accuracy min(#humans / 3, 1).
* ``localization`` ``SoundLocalizer`` (lesson 10); cIoU@0.5 and AUC of its maps against the annotators' boxes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.utils.data import Dataset

from ..audio import log_mel, read_audio
from ..blocks.decoding import greedy_decode
from ..blocks.encoders import BagOfWordsEncoder, ImageCNN, QuestionEncoder
from ..blocks.fusion import AttentionFusion
from ..blocks.models import VQAModel
from ..matching.joint_embedding import JointEmbedding, info_nce_loss
from ..metrics import (consensus_iou, corpus_bleu, first_hit_rank, success_auc, success_rate, truth_map,
                       vqa_accuracy)
from ..referencing.localization import SoundLocalizer, localization_map
from ..text import Vocabulary
from ..translating.captioning import CaptionDecoder, caption_loss
from .backbones import IMAGENET_MEAN, IMAGENET_STD, FrozenEncoder, ResNetEncoder, course_audio_encoder, load_weights
from .readers import AVRecords, CaptionRecords, VQARecords

__all__ = ["load_image", "image_encoder", "CaptionPairs", "VQAItems", "AVClips", "collate_av", "MatchingTask",
           "CaptioningTask", "VQATask", "LocalizationTask", "evaluate_matching", "summarise_matching",
           "evaluate_captioning", "summarise_captioning", "evaluate_vqa", "summarise_vqa",
           "evaluate_localization", "summarise_localization"]

SAMPLE_RATE = 16_000


def load_image(path: Path, size: int) -> torch.Tensor:
    """An image file -> ``(3, size, size)`` float, resized (aspect not kept) and normalised with ImageNet statistics
    (what torchvision's pretrained weights expect)."""
    from PIL import Image

    with Image.open(path) as im:
        x = torch.frombuffer(bytearray(im.convert("RGB").resize((size, size)).tobytes()), dtype=torch.uint8)
    x = x.view(size, size, 3).permute(2, 0, 1).float() / 255  # (3, size, size)
    return (x - torch.tensor(IMAGENET_MEAN)[:, None, None]) / torch.tensor(IMAGENET_STD)[:, None, None]


def image_encoder(name: str, weights: str | None, freeze: bool) -> torch.nn.Module:
    """``course`` (the lessons' small ``ImageCNN``) or a torchvision ResNet (``resnet18``/``34``/``50``)."""
    if name == "course":
        encoder = ImageCNN(dim=128)
        if weights is not None:
            load_weights(encoder, weights)
    else:
        encoder = ResNetEncoder(name, weights=weights)
    return FrozenEncoder(encoder) if freeze else encoder


def _pad(rows: list[list[int]], length: int) -> torch.Tensor:
    out = torch.zeros(len(rows), length, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :min(len(r), length)] = torch.tensor(r[:length], dtype=torch.long)
    return out


# ---------------------------------------------------------------------------------------------------------- datasets

class CaptionPairs(Dataset):
    """Training: every (image, caption) pair -> ``(image (3, S, S), caption ids (L,) with <bos>/<eos>, image index)``
    (the index tells matching which pairs of a batch show the same image)."""

    def __init__(self, records: CaptionRecords, vocab: Vocabulary, size: int, max_len: int = 24):
        self.records, self.vocab, self.size, self.max_len = records, vocab, size, max_len
        self.pairs = [(i, j) for i, caps in enumerate(records.captions) for j in range(len(caps))]

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, k: int):
        i, j = self.pairs[k]
        ids = self.vocab.encode(self.records.captions[i][j], bos_eos=True)
        return load_image(self.records.images[i], self.size), _pad([ids], self.max_len)[0], torch.tensor(i)


class VQAItems(Dataset):
    """``(image, question ids (L,), length, target answer id, the humans' answer ids (10,))``; an answer outside the
    answer vocabulary is -1."""

    def __init__(self, records: VQARecords, vocab: Vocabulary, answers: list[str], size: int, max_len: int = 16):
        self.records, self.vocab, self.size, self.max_len = records, vocab, size, max_len
        self.answer_id = {a: i for i, a in enumerate(answers)}

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, k: int):
        r = self.records
        ids = self.vocab.encode(r.questions[k])[:self.max_len] or [Vocabulary.UNK]
        human = torch.tensor([self.answer_id.get(a, -1) for a in r.answers[k]], dtype=torch.long)
        known = [int(h) for h in human if h >= 0]
        target = Counter(known).most_common(1)[0][0] if known else -1  # the most common human answer we know
        return (load_image(r.images[k], self.size), _pad([ids], self.max_len)[0], torch.tensor(len(ids)),
                torch.tensor(target), human)


class AVClips(Dataset):
    """``(frame (3, S, S), log-mel (n_mels, T), boxes (K, 4) relative)``: the ``seconds`` of audio (16 kHz) around the
    middle of the clip, where the annotated frame is (VGG-SS and Flickr-SoundNet annotate the clip's middle frame)."""

    def __init__(self, records: AVRecords, size: int, seconds: float = 3.0, n_mels: int = 64):
        self.records, self.size, self.samples, self.n_mels = records, size, int(seconds * SAMPLE_RATE), n_mels

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, k: int):
        import torchaudio

        wave, rate = read_audio(self.records.audio[k])
        if rate != SAMPLE_RATE:
            wave = torchaudio.functional.resample(wave, rate, SAMPLE_RATE)
        start = max(0, (len(wave) - self.samples) // 2)
        wave = F.pad(wave[start:start + self.samples], (0, max(0, self.samples - len(wave))))  # (samples,)
        return (load_image(self.records.frames[k], self.size), log_mel(wave, n_mels=self.n_mels),
                torch.tensor(self.records.boxes[k], dtype=torch.float))


def collate_av(batch):
    frames, mels, boxes = zip(*batch)
    return torch.stack(frames), torch.stack(mels), list(boxes)


# ------------------------------------------------------------------------------------------------------------- tasks
# Each task is a module whose forward takes a batch and returns its loss as ``(sum, count)``, everything inside the
# forward, so that DistributedDataParallel sees every parameter the loss uses.


def _device(module: torch.nn.Module) -> torch.device:
    return next(module.parameters()).device


class MatchingTask(torch.nn.Module):
    """Image–text matching: ``JointEmbedding`` (lesson 03) of an image encoder and a ``BagOfWordsEncoder``, symmetric
    InfoNCE over the global batch: under several processes every process gathers all processes' embeddings
    (``torch.distributed.nn.all_gather``, through which gradients flow back), so each pair has the whole global batch
    as negatives, as CLIP trains, and the loss is the single-process loss of the same global batch."""

    def __init__(self, encoder: torch.nn.Module, vocab: Vocabulary, dim: int = 256):
        super().__init__()
        self.model = JointEmbedding(encoder, BagOfWordsEncoder(len(vocab), dim=dim, word_dim=dim), dim=dim)

    def forward(self, images: torch.Tensor, captions: torch.Tensor, index: torch.Tensor):
        d = _device(self)
        image_emb = self.model.embed_images(images.to(d))  # (b, dim) this process's pairs
        text_emb = self.model.embed_texts(captions[:, 1:].to(d))  # (b, dim); the caption without <bos>
        index = index.to(d)  # (b,) which image each pair shows
        world = dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1
        if world > 1:
            from torch.distributed.nn.functional import all_gather

            image_emb, text_emb = torch.cat(all_gather(image_emb)), torch.cat(all_gather(text_emb))  # (B, dim)
            index = torch.cat(all_gather(index))  # (B,)
        same = index[:, None] == index[None, :]  # two captions of one image in a batch are not each other's negatives
        loss = info_nce_loss(image_emb @ text_emb.T, same, self.model.logit_scale)  # the global batch's mean
        # as (sum, count) over this process's share: the engine sums the counts over processes (to B) and multiplies
        # by the number of processes, so each process backpropagates the global loss; the gather's backward sums the
        # processes' gradients into each embedding, which DDP's averaging then divides back
        return loss * len(image_emb) / world, torch.tensor(float(len(images)), device=d)


class CaptioningTask(torch.nn.Module):
    """Captioning: the image encoder's grid ``(B, P, D)`` read by a ``CaptionDecoder`` with attention (lesson 04);
    summed next-word cross-entropy plus ``penalty`` times the doubly stochastic term (each image's weighted by its
    number of words), counted in tokens."""

    def __init__(self, encoder: torch.nn.Module, vocab: Vocabulary, penalty: float = 1.0):
        super().__init__()
        self.encoder, self.penalty = encoder, penalty
        self.decoder = CaptionDecoder(len(vocab), feature_dim=encoder.dim, attention=True)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder.grid(images.to(_device(self))).flatten(2).transpose(1, 2)  # (B, P, D)

    def forward(self, images: torch.Tensor, captions: torch.Tensor, index: torch.Tensor | None = None):
        captions = captions.to(_device(self))
        log_probs, alphas = self.decoder(self.features(images), captions)  # (B, T-1, V), (B, T-1, P)
        targets = captions[:, 1:]  # (B, T-1)
        mask = targets != Vocabulary.PAD
        tokens = mask.sum()
        nll = caption_loss(log_probs, targets) * tokens  # summed over this process's tokens
        per_image = ((1 - (alphas * mask[:, :, None]).sum(1)) ** 2).mean(1)  # (B,) doubly stochastic, per image
        return nll + self.penalty * (per_image * mask.sum(1)).sum(), tokens.float()


class VQATask(torch.nn.Module):
    """VQA: ``VQAModel`` with ``AttentionFusion`` (lesson 06) over the image encoder's grid and a ``QuestionEncoder``;
    cross-entropy to the most common human answer (questions with no answer in the vocabulary are left out)."""

    def __init__(self, encoder: torch.nn.Module, vocab: Vocabulary, n_answers: int):
        super().__init__()
        self.encoder = encoder
        q = QuestionEncoder(len(vocab), embed=128, hidden=256)
        self.model = VQAModel(q, encoder.dim, n_answers, fusion=AttentionFusion(encoder.dim, q.dim), hidden=512)

    def logits(self, images, tokens, lengths) -> torch.Tensor:
        d = _device(self)
        cells = self.encoder.grid(images.to(d)).flatten(2).transpose(1, 2)  # (B, P, D)
        return self.model(cells, tokens.to(d), lengths.to(d))  # (B, answers)

    def forward(self, images, tokens, lengths, target, human):
        logits = self.logits(images, tokens, lengths)  # (B, answers)
        target = target.to(logits.device)  # -1: no answer in the vocabulary, left out of the loss
        return F.cross_entropy(logits, target, ignore_index=-1, reduction="sum"), (target >= 0).sum().float()


class LocalizationTask(torch.nn.Module):
    """Sound-source localisation: ``SoundLocalizer`` (lesson 10), a cosine map per (frame, sound) pair pooled into
    the pair's score, symmetric InfoNCE over the batch (each clip's own sound is its positive; no class labels)."""

    def __init__(self, encoder: torch.nn.Module, audio_weights: str | None = None, n_mels: int = 64):
        super().__init__()
        self.model = SoundLocalizer(encoder, course_audio_encoder(n_mels, encoder.dim, audio_weights))

    def forward(self, frames, mels, boxes=None):
        d = _device(self)
        scores = self.model.pair_scores(self.model.pair_maps(frames.to(d), mels.to(d)))  # (B frames, B sounds)
        return info_nce_loss(scores, None, self.model.logit_scale) * len(scores), torch.tensor(float(len(scores)),
                                                                                                  device=d)


# --------------------------------------------------------------------------------------------------------- evaluation

@torch.no_grad()
def evaluate_matching(task: MatchingTask, records: CaptionRecords, vocab: Vocabulary, size: int,
                      indices: list[int]) -> list:
    """This process's images: ``(image index, image embedding, its first 5 captions' embeddings)`` on the CPU (five
    captions per image, as the retrieval benchmarks count them)."""
    out = []
    for i in indices:
        d, m = _device(task), task.model
        image = load_image(records.images[i], size)[None].to(d)
        caps = _pad([vocab.encode(c, bos_eos=True)[1:] for c in records.captions[i][:5]], 24).to(d)  # as trained
        out.append((i, m.embed_images(image)[0].cpu(), m.embed_texts(caps).cpu()))
    return out


def summarise_matching(parts: list, chunk: int = 1000) -> dict[str, float]:
    """Recall@1/5/10 both ways (ties count against the query, ``metrics.retrieval``), ranked ``chunk`` queries at a
    time so that a large evaluation set (COCO's 5,000 test images, 25,000 captions) fits in memory."""
    parts = sorted(parts, key=lambda p: p[0])
    images = torch.stack([p[1] for p in parts])  # (N, d)
    texts = torch.cat([p[2] for p in parts])  # (M, d)
    owner = torch.cat([torch.full((len(p[2]),), k) for k, p in enumerate(parts)])  # (M,) image of each caption
    out = {}
    for name, queries, gallery, query_owner, gallery_owner in (
            ("image->text", images, texts, torch.arange(len(parts)), owner),
            ("text->image", texts, images, owner, torch.arange(len(parts)))):
        ranks = torch.cat([first_hit_rank(q @ gallery.T, o[:, None] == gallery_owner[None, :])
                           for q, o in zip(queries.split(chunk), query_owner.split(chunk))])  # (queries,)
        out.update({f"{name} R@{k}": (ranks <= k).float().mean().item() for k in (1, 5, 10)})
    return out


@torch.no_grad()
def evaluate_captioning(task: CaptioningTask, records: CaptionRecords, vocab: Vocabulary, size: int,
                        indices: list[int], max_len: int = 24) -> list:
    """This process's images: ``(image index, greedy caption tokens, reference token lists)``."""
    out = []
    for start in range(0, len(indices), 32):
        chunk = indices[start:start + 32]
        images = torch.stack([load_image(records.images[i], size) for i in chunk])
        state = task.decoder.init_state(task.features(images))
        seqs = greedy_decode(task.decoder.step, state, len(chunk), Vocabulary.BOS, Vocabulary.EOS, max_len)
        for i, s in zip(chunk, seqs.tolist()):
            out.append((i, vocab.decode(s[:s.index(Vocabulary.EOS)] if Vocabulary.EOS in s else s),
                        records.captions[i]))
    return out


def summarise_captioning(parts: list) -> dict[str, float]:
    parts = sorted(parts, key=lambda p: p[0])
    bleu = corpus_bleu([p[2] for p in parts], [p[1] for p in parts])
    return {f"BLEU-{n}": b for n, b in enumerate(bleu, 1)}


@torch.no_grad()
def evaluate_vqa(task: VQATask, items: VQAItems, indices: list[int]) -> list:
    """This process's questions: ``(predicted answer id, the humans' answer ids)``."""
    out = []
    for start in range(0, len(indices), 32):
        batch = [items[i] for i in indices[start:start + 32]]
        images, tokens, lengths = (torch.stack([b[k] for b in batch]) for k in range(3))
        predicted = task.logits(images, tokens, lengths).argmax(1).cpu()
        out += [(int(p), b[4]) for p, b in zip(predicted, batch)]
    return out


def summarise_vqa(parts: list) -> dict[str, float]:
    predicted = torch.tensor([p[0] for p in parts])
    human = torch.stack([p[1] for p in parts])  # (N, 10)
    return {"VQA accuracy": vqa_accuracy(predicted, human), "questions": float(len(parts))}


@torch.no_grad()
def evaluate_localization(task: LocalizationTask, clips: AVClips, indices: list[int]) -> list:
    """This process's clips: the cIoU of the map's region with the annotators' boxes. The region is the map's upper
    half of pixels (above its median), as the evaluation code of LVS and EZ-VSL binarises (the lessons use 0.5 of the
    min-max normalised map instead)."""
    out = []
    for i in indices:
        frame, mel, boxes = clips[i]
        size, d = frame.shape[-1], _device(task)
        maps = task.model.maps(frame[None].to(d), mel[None].to(d)).cpu()  # (1, h, w)
        heat = localization_map(maps, size)[0]  # (S, S) in [0, 1]
        region = heat > heat.flatten().sort().values[heat.numel() // 2]  # (S, S) the upper half
        out.append(consensus_iou(region, truth_map(boxes, size, clips.records.consensus)))
    return out


def summarise_localization(parts: list) -> dict[str, float]:
    ious = torch.tensor(parts)
    return {"cIoU@0.5": success_rate(ious, 0.5), "AUC": success_auc(ious), "clips": float(len(parts))}
