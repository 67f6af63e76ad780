"""Train one of the lessons' models on a real dataset, on a CPU, one GPU, or several processes::

    python -m mmutils.scale.train captioning --data flickr8k --root ~/data/flickr8k --backbone resnet18 \\
        --weights ~/weights/resnet18.pth --freeze --epochs 10 --out runs/caption
    torchrun --nproc_per_node=4 -m mmutils.scale.train captioning ...   # the same run on 4 GPUs (or CPU processes)

Families and the datasets each reads (``--data``; ``--root`` is the dataset's folder as published):

* ``matching``      flickr8k, flickr30k, coco, karpathy (``--ann dataset_<name>.json``): Recall@1/5/10 both ways
* ``captioning``    the same datasets: BLEU-1..4 of greedy captions
* ``vqa``           vqa2 (``train2014`` to train, ``val2014`` to evaluate): VQA accuracy
* ``localization``  vggss, flickr-soundnet: the annotated test clips from ``--eval-root``, every other clip under
  ``--root`` trains (frames and audio, no boxes); cIoU@0.5 and AUC

``--batch-size`` is per process; the global batch is that times the number of processes. Rank 0 shows the progress
bar, writes ``--out``/checkpoint.pt (state_dicts) after every epoch and ``--out``/metrics.json at the end;
``--resume`` continues from the checkpoint. Mixed precision is used on CUDA (``--no-amp`` to turn it off).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path

import torch

from ..text import Vocabulary
from . import engine, families, readers
from .fake import LAYOUTS

__all__ = ["main", "load_data"]

FAMILIES = {"matching": ("flickr8k", "flickr30k", "coco", "karpathy"),
            "captioning": ("flickr8k", "flickr30k", "coco", "karpathy"),
            "vqa": ("vqa2",), "localization": ("vggss", "flickr-soundnet")}


def _split_off(records, fraction: float, seed: int):
    """A held-out share of a dataset that has no official split (Flickr30k's token file, an unlabelled clip set)."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    cut = max(1, int(round(len(order) * fraction)))
    return sorted(order[cut:]), sorted(order[:cut])


def _subset(records, idx: list[int]):
    out = type(records)(**{k: v for k, v in vars(records).items() if not isinstance(v, list)})
    for name, value in vars(records).items():
        if isinstance(value, list):
            setattr(out, name, [value[i] for i in idx])
    return out


def load_data(args) -> tuple:
    """``(train records, evaluation records)`` of ``args.data`` under ``args.root``."""
    root = Path(args.root)
    if args.data == "flickr8k":  # the official split: 6,000 training images, 1,000 test images
        token = root / "Flickr8k.token.txt"
        train = readers.flickr_captions(root / "Flicker8k_Dataset", token, root / "Flickr_8k.trainImages.txt")
        test = readers.flickr_captions(root / "Flicker8k_Dataset", token, root / "Flickr_8k.testImages.txt")
        return train, test
    if args.data == "flickr30k":  # no split ships with it: a seeded share (papers use Karpathy's: --data karpathy)
        records = readers.flickr_captions(root / "flickr30k-images", root / "results_20130124.token")
        tr, te = _split_off(records, args.val_fraction, args.seed)
        return _subset(records, tr), _subset(records, te)
    if args.data == "coco":
        return (readers.coco_captions(root / "train2014", root / "annotations" / "captions_train2014.json"),
                readers.coco_captions(root / "val2014", root / "annotations" / "captions_val2014.json"))
    if args.data == "karpathy":
        if args.ann is None:
            raise SystemExit("train: --data karpathy needs --ann, Karpathy's dataset_<name>.json")
        return (readers.karpathy_captions(root, args.ann, "train"), readers.karpathy_captions(root, args.ann, "test"))
    if args.data == "vqa2":
        return readers.vqa_v2(root, "train2014"), readers.vqa_v2(root, "val2014")
    # localisation: the annotated test set (VGG-SS, or the Flickr-SoundNet test set) is read from --eval-root; every
    # other clip under --root (frames/ and audio/, no boxes needed) trains. With no such clip (a test set alone), a
    # seeded share of the test set trains instead: a smoke test, not the papers' protocol.
    read = readers.vggsound_sources if args.data == "vggss" else readers.flickr_soundnet
    evaluation = read(Path(args.eval_root or root))
    clips = readers.AVRecords()
    for frame in sorted((root / "frames").glob("*.jpg")):
        audio = root / "audio" / f"{frame.stem}.wav"
        if frame.stem not in evaluation.annotated and audio.is_file():
            clips.frames.append(frame), clips.audio.append(audio), clips.boxes.append([])
    if not clips.frames:
        print(f"train: every clip under {root} is annotated for evaluation: a {args.val_fraction:.0%} share of them "
              f"is evaluated, the rest trains (a smoke test; train on unannotated clips for real results)")
        tr, te = _split_off(evaluation, args.val_fraction, args.seed)
        return _subset(evaluation, tr), _subset(evaluation, te)
    return clips, evaluation


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mmutils.scale.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("family", choices=sorted(FAMILIES))
    p.add_argument("--data", required=True, choices=[x for x in LAYOUTS] + ["flickr30k"])
    p.add_argument("--root", required=True, help="the dataset's folder, as published")
    p.add_argument("--ann", help="Karpathy's dataset_<name>.json (--data karpathy)")
    p.add_argument("--eval-root", help="localization: the folder of the annotated test clips (default: --root)")
    p.add_argument("--backbone", default="resnet18", choices=["course", "resnet18", "resnet34", "resnet50"])
    p.add_argument("--weights", help="a state_dict file for the image backbone (none: random weights)")
    p.add_argument("--audio-weights", help="a state_dict file for the course's AudioCNN (localization)")
    p.add_argument("--freeze", action="store_true", help="keep the image backbone fixed (no gradient, eval mode)")
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-steps", type=int, help="stop after this many steps (all epochs together)")
    p.add_argument("--batch-size", type=int, default=32, help="per process")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--min-count", type=int, default=5, help="words seen fewer times are <unk>")
    p.add_argument("--answers", type=int, default=1000, help="VQA: the most frequent answers kept")
    p.add_argument("--val-fraction", type=float, default=0.1, help="held out where a dataset has no split")
    p.add_argument("--eval-limit", type=int, help="evaluate on at most this many items")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--device", choices=["cpu", "cuda"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="folder for checkpoint.pt and metrics.json")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--no-amp", action="store_true")
    p.add_argument("--save-rank-weights", action="store_true", help=argparse.SUPPRESS)  # the DDP test's evidence
    return p


def main(argv: list[str] | None = None) -> dict:
    args = _parser().parse_args(argv)
    if args.data not in FAMILIES[args.family]:
        raise SystemExit(f"train: {args.family} reads {', '.join(FAMILIES[args.family])}; got --data {args.data}")
    rt = engine.setup(args.device)
    try:
        return _run(args, rt)
    finally:
        engine.teardown(rt)


def _run(args, rt: engine.Runtime) -> dict:
    torch.manual_seed(args.seed)
    train_records, eval_records = load_data(args)
    encoder = families.image_encoder(args.backbone, args.weights, args.freeze)
    size, answers, vocab = args.image_size, None, None
    if args.family in ("matching", "captioning"):
        vocab = Vocabulary((c for caps in train_records.captions for c in caps), min_count=args.min_count)
        data, collate = families.CaptionPairs(train_records, vocab, size), None
        task = (families.MatchingTask(encoder, vocab) if args.family == "matching"
                else families.CaptioningTask(encoder, vocab))
    elif args.family == "vqa":
        vocab = Vocabulary(train_records.questions, min_count=args.min_count)
        counts = Counter(a for answers in train_records.answers for a in answers)
        answers = [a for a, _ in counts.most_common(args.answers)]
        data, collate = families.VQAItems(train_records, vocab, answers, size), None
        task = families.VQATask(encoder, vocab, len(answers))
    else:
        data, collate = families.AVClips(train_records, size), families.collate_av
        task = families.LocalizationTask(encoder, args.audio_weights)
    task.to(rt.device)
    loader = engine.train_loader(data, args.batch_size, rt, args.seed, collate, args.workers)
    if len(loader) == 0:
        raise SystemExit(f"train: {len(data)} training items make no batch of {args.batch_size} per process "
                         f"x {rt.world} processes; lower --batch-size")
    # what a checkpoint needs besides weights to be used on its own: the vocabulary, the answers, the arguments
    extra = {"vocabulary": vocab.itos if vocab else [], "answers": answers or [],
             "args": {k: v for k, v in vars(args).items() if isinstance(v, (str, int, float, bool)) or v is None}}
    start = time.perf_counter()
    log = engine.fit_distributed(task, loader, lambda net, batch: net(*batch), rt, epochs=args.epochs, lr=args.lr,
                                 max_steps=args.max_steps, amp=not args.no_amp, out=args.out, resume=args.resume,
                                 desc=f"{args.family} ({rt.world} process{'es' if rt.distributed else ''})",
                                 extra=extra, optimizer_name=args.optimizer)
    seconds = time.perf_counter() - start
    n_eval = min(len(eval_records), args.eval_limit or len(eval_records))
    mine = engine.eval_indices(n_eval, rt)
    task.eval()
    if args.family == "matching":
        metrics = families.summarise_matching(engine.gather(
            families.evaluate_matching(task, eval_records, vocab, size, mine), rt))
    elif args.family == "captioning":
        metrics = families.summarise_captioning(engine.gather(
            families.evaluate_captioning(task, eval_records, vocab, size, mine), rt))
    elif args.family == "vqa":
        metrics = families.summarise_vqa(engine.gather(
            families.evaluate_vqa(task, families.VQAItems(eval_records, vocab, answers, size), mine), rt))
    else:
        metrics = families.summarise_localization(engine.gather(
            families.evaluate_localization(task, families.AVClips(eval_records, size), mine), rt))
    samples = log["new steps"] * args.batch_size * rt.world  # this run's steps (not those before a resume)
    report = {"family": args.family, "data": args.data, "processes": rt.world, "device": str(rt.device),
              "steps": log["steps"], "global batch": args.batch_size * rt.world, "losses": log["losses"],
              "train seconds": seconds, "samples/s": samples / seconds if seconds else 0.0, "metrics": metrics}
    if args.save_rank_weights and args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        torch.save(task.state_dict(), Path(args.out) / f"weights_rank{rt.rank}.pt")
    if rt.main:
        print(json.dumps({k: v for k, v in report.items() if k != "losses"}, indent=1))
        if args.out:
            Path(args.out).mkdir(parents=True, exist_ok=True)
            (Path(args.out) / "metrics.json").write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
