"""Small fake datasets written on disk in each published layout, for the tests and for measuring throughput: the readers
and entry points then run exactly as on the real data. Images are solid backgrounds with one coloured square, the
captions and answers say its colour, and a clip's sound is a tone whose pitch is the square's colour, so a model can
learn something; nothing here is meant as a benchmark of quality.

``write_fake(layout, root, n)`` with ``layout`` one of ``LAYOUTS``; returns the paths the entry point needs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch

__all__ = ["LAYOUTS", "write_fake"]

LAYOUTS = ("flickr8k", "coco", "karpathy", "vqa2", "vggss", "flickr-soundnet")
_COLOURS = {"red": (220, 40, 40), "green": (40, 180, 60), "blue": (40, 70, 220), "yellow": (230, 210, 40)}
_BACKGROUNDS = {"grey": (128, 128, 128), "white": (240, 240, 240)}


def _scene(k: int, size: int, g: torch.Generator) -> tuple[str, str, list[float]]:
    colour = list(_COLOURS)[int(torch.randint(len(_COLOURS), (), generator=g))]
    background = list(_BACKGROUNDS)[k % len(_BACKGROUNDS)]
    side = size // 2
    x0, y0 = (int(torch.randint(0, size - side + 1, (), generator=g)) for _ in range(2))
    return colour, background, [x0 / size, y0 / size, (x0 + side) / size, (y0 + side) / size]


def _image(path: Path, colour: str, background: str, box: list[float], size: int) -> None:
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", (size, size), _BACKGROUNDS[background])
    ImageDraw.Draw(im).rectangle([round(v * size) for v in box], fill=_COLOURS[colour])
    im.save(path, quality=90)


def _tone(path: Path, colour: str, seconds: float = 1.0, rate: int = 16_000) -> None:
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    f = 300 * (1 + list(_COLOURS).index(colour))
    t = torch.arange(int(seconds * rate)) / rate
    sf.write(str(path), (0.3 * torch.sin(2 * math.pi * f * t)).numpy(), rate)


def _captions(colour: str, background: str) -> list[str]:
    return [f"a {colour} square on a {background} background", f"the square is {colour}",
            f"a {background} picture with a {colour} block"]


def write_fake(layout: str, root: str | Path, n: int = 12, size: int = 32, seed: int = 0) -> dict[str, Path]:
    """Write ``n`` items of ``layout`` under ``root``; returns the paths to give the entry point."""
    if layout not in LAYOUTS:
        raise ValueError(f"write_fake: `layout` must be one of {LAYOUTS}; got {layout!r}.")
    root, g = Path(root), torch.Generator().manual_seed(seed)
    root.mkdir(parents=True, exist_ok=True)
    scenes = [_scene(k, size, g) for k in range(n)]
    if layout == "flickr8k":
        lines, names = [], []
        for k, (c, b, box) in enumerate(scenes):
            names.append(f"{1000 + k}_fake.jpg")
            _image(root / "Flicker8k_Dataset" / names[-1], c, b, box, size)
            lines += [f"{names[-1]}#{j}\t{t}" for j, t in enumerate(_captions(c, b))]
        (root / "Flickr8k.token.txt").write_text("\n".join(lines) + "\n")
        cut = max(1, n * 3 // 4)
        (root / "Flickr_8k.trainImages.txt").write_text("\n".join(names[:cut]) + "\n")
        (root / "Flickr_8k.testImages.txt").write_text("\n".join(names[cut:]) + "\n")
    elif layout == "coco":
        for split, part in (("train2014", scenes[:max(1, n * 3 // 4)]), ("val2014", scenes[max(1, n * 3 // 4):])):
            images, annotations = [], []
            for k, (c, b, box) in enumerate(part):
                name = f"COCO_{split}_{k:012d}.jpg"
                _image(root / split / name, c, b, box, size)
                images.append({"id": k, "file_name": name, "width": size, "height": size})
                annotations += [{"id": len(annotations), "image_id": k, "caption": t} for t in _captions(c, b)]
            (root / "annotations").mkdir(exist_ok=True)
            (root / "annotations" / f"captions_{split}.json").write_text(
                json.dumps({"images": images, "annotations": annotations}))
    elif layout == "karpathy":
        images = []
        for k, (c, b, box) in enumerate(scenes):
            _image(root / "images" / f"{k}.jpg", c, b, box, size)
            split = "train" if k < n * 3 // 4 else ("val" if k % 2 else "test")
            images.append({"filepath": "images", "filename": f"{k}.jpg", "split": split,
                           "sentences": [{"raw": t, "tokens": t.split()} for t in _captions(c, b)]})
        (root / "dataset_fake.json").write_text(json.dumps({"images": images, "dataset": "fake"}))
    elif layout == "vqa2":
        for split, part in (("train2014", scenes[:max(1, n * 3 // 4)]), ("val2014", scenes[max(1, n * 3 // 4):])):
            questions, annotations = [], []
            for k, (c, b, box) in enumerate(part):
                _image(root / split / f"COCO_{split}_{k:012d}.jpg", c, b, box, size)
                for q, a in (("what colour is the square?", c), ("is there a square?", "yes")):
                    qid = len(questions)
                    questions.append({"image_id": k, "question": q, "question_id": qid})
                    annotations.append({"question_id": qid, "image_id": k,
                                        "answers": [{"answer": a, "answer_id": j + 1} for j in range(10)]})
            (root / f"v2_OpenEnded_mscoco_{split}_questions.json").write_text(json.dumps({"questions": questions}))
            (root / f"v2_mscoco_{split}_annotations.json").write_text(json.dumps({"annotations": annotations}))
    else:
        meta = []
        for k, (c, b, box) in enumerate(scenes):
            clip = f"clip{k:04d}"
            _image(root / "frames" / f"{clip}.jpg", c, b, box, size)
            _tone(root / "audio" / f"{clip}.wav", c)
            meta.append({"file": clip, "bbox": [box]})
            if layout == "flickr-soundnet":  # three annotators, boxes in pixels of a 256-pixel frame
                (root / "annotations").mkdir(exist_ok=True)
                boxes = "".join(f"<object><bbox><label>{c}</label>" + "".join(
                    f"<v>{round(v * 256) + j}</v>" for v in box) + "</bbox></object>" for j in range(3))
                (root / "annotations" / f"{clip}.xml").write_text(f"<annotation>{boxes}</annotation>")
        if layout == "vggss":
            (root / "metadata").mkdir(exist_ok=True)
            (root / "metadata" / "vggss.json").write_text(json.dumps(meta))
    return {"root": root}
