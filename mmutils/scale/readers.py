"""Readers of real datasets in the layouts their authors publish. Nothing is downloaded: you point ``root`` at data you
have. Every reader checks its files and says which file is missing or malformed and what was expected; images or
clips listed in the annotations but absent from disk are skipped, and how many were skipped is kept in ``skipped``
(and printed), never silently.

Image–text (lessons 03 and 04 at scale):

* ``flickr_captions``: Flickr8k (``Flickr8k.token.txt``) or Flickr30k (``results_20130124.token``): the image folder
  and the token file, read by ``torchvision.datasets.Flickr30k`` (both files share its ``name#k<TAB>caption`` format),
  optionally restricted to a split list (``Flickr_8k.trainImages.txt``).
* ``coco_captions``: COCO's ``annotations/captions_<split>.json`` and its image folder (the JSON that
  ``torchvision.datasets.CocoCaptions`` reads, read here without pycocotools).
* ``karpathy_captions``: Karpathy's split file (``dataset_coco.json``, ``dataset_flickr8k.json``,
  ``dataset_flickr30k.json``), the split every captioning and retrieval paper reports on.

Each returns ``CaptionRecords``: image paths and, per image, its captions as token lists (``mmutils.text.tokenize``).

Visual question answering (lesson 06 at scale):

* ``vqa_v2``: ``v2_OpenEnded_mscoco_<split>_questions.json``, ``v2_mscoco_<split>_annotations.json`` and COCO's
  ``<split>`` images; answers normalised as the official evaluation does (``normalize_answer``).

Audio–visual (lesson 10 at scale):

* ``vggsound_sources``: VGG-Sound / VGG-SS as the localisation papers publish it: ``frames/<id>.jpg``,
  ``audio/<id>.wav`` (16 kHz) and ``metadata/*.json`` (a list of ``{"file": id, "bbox": [[x0, y0, x1, y1], ...]}``,
  boxes relative to the image size, 0–1).
* ``flickr_soundnet``: the Flickr-SoundNet test set (Senocak et al.): ``frames/<id>.jpg``, ``audio/<id>.wav`` and
  ``annotations/<id>.xml`` (one ``<bbox>`` per annotator's box, in pixels of the 256-pixel frames they saw).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..text import tokenize

__all__ = ["CaptionRecords", "flickr_captions", "coco_captions", "karpathy_captions", "normalize_answer",
           "VQARecords", "vqa_v2", "AVRecords", "vggsound_sources", "flickr_soundnet"]


def _need(path: Path, what: str) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{path}: missing. Expected {what}.")
    return path


def _read_json(path: Path, what: str):
    _need(path, what)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e.msg}, line {e.lineno}). Expected {what}.") from None


def _report(name: str, skipped: int, total: int) -> None:
    if skipped:
        print(f"{name}: {skipped} of {total} items skipped (their image or audio file is not on disk)")


@dataclass
class CaptionRecords:
    """Images and their captions: ``images[i]`` a path, ``captions[i]`` a list of token lists; ``skipped`` counts
    annotated images not found on disk."""

    images: list[Path] = field(default_factory=list)
    captions: list[list[list[str]]] = field(default_factory=list)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.images)


def _keep_present(name: str, items: list[tuple[Path, list[str]]]) -> CaptionRecords:
    out = CaptionRecords()
    for path, caps in items:
        if path.is_file():
            out.images.append(path)
            out.captions.append([tokenize(c) for c in caps])
        else:
            out.skipped += 1
    _report(name, out.skipped, len(items))
    if not out.images:
        raise ValueError(f"{name}: none of the {len(items)} annotated images is on disk; check `root`.")
    return out


def flickr_captions(images_dir: str | Path, token_file: str | Path, split_file: str | Path | None = None
                    ) -> CaptionRecords:
    """Flickr8k or Flickr30k: ``images_dir`` (``Flicker8k_Dataset/`` or ``flickr30k-images/``), ``token_file``
    (``Flickr8k.token.txt`` / ``results_20130124.token``: ``name.jpg#k<TAB>caption`` per line) and optionally a split
    list (``Flickr_8k.trainImages.txt``: one image name per line)."""
    from torchvision.datasets import Flickr30k

    images_dir, token_file = Path(images_dir), Path(token_file)
    _need(images_dir, "the folder of the Flickr images (e.g. Flicker8k_Dataset/)")
    _need(token_file, "the caption file (Flickr8k.token.txt or results_20130124.token)")
    try:
        ds = Flickr30k(str(images_dir), str(token_file))
    except ValueError:
        raise ValueError(f"{token_file}: a line is not `name.jpg#k<TAB>caption`. Expected Flickr8k.token.txt or "
                         f"results_20130124.token.") from None
    names = ds.ids
    if split_file is not None:
        wanted = {line.strip() for line in _need(Path(split_file), "a list of image names, one per line")
                  .read_text().splitlines() if line.strip()}
        names = [n for n in names if n in wanted]
    return _keep_present(token_file.name, [(images_dir / n, ds.annotations[n]) for n in names])


def coco_captions(images_dir: str | Path, annotation_file: str | Path) -> CaptionRecords:
    """COCO captions: ``images_dir`` (``train2014/``) and ``annotations/captions_train2014.json`` (``images`` with
    ``id`` and ``file_name``; ``annotations`` with ``image_id`` and ``caption``)."""
    images_dir, annotation_file = Path(images_dir), Path(annotation_file)
    _need(images_dir, "the folder of the COCO images (e.g. train2014/)")
    data = _read_json(annotation_file, "COCO's captions_<split>.json")
    if not isinstance(data, dict) or "images" not in data or "annotations" not in data:
        raise ValueError(f"{annotation_file}: expected a JSON object with 'images' and 'annotations' (COCO captions).")
    caps: dict[int, list[str]] = {}
    for a in data["annotations"]:
        caps.setdefault(a["image_id"], []).append(a["caption"])
    items = [(images_dir / im["file_name"], caps[im["id"]]) for im in data["images"] if im["id"] in caps]
    return _keep_present(annotation_file.name, items)


def karpathy_captions(images_root: str | Path, split_file: str | Path, split: str) -> CaptionRecords:
    """Karpathy's split (``dataset_coco.json`` and the Flickr ones): ``images_root`` holds the images (for COCO the
    folder with ``train2014/`` and ``val2014/``: each image's ``filepath`` is joined in); ``split`` is ``train``
    (with ``restval``, as is usual), ``val`` or ``test``."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"karpathy_captions: `split` must be 'train', 'val' or 'test'; got {split!r}.")
    images_root, split_file = Path(images_root), Path(split_file)
    _need(images_root, "the folder of the images")
    data = _read_json(split_file, "Karpathy's dataset_<name>.json")
    if not isinstance(data, dict) or "images" not in data:
        raise ValueError(f"{split_file}: expected a JSON object with 'images' (Karpathy's split file).")
    keep = {"train", "restval"} if split == "train" else {split}
    items = []
    for im in data["images"]:
        if im.get("split") in keep:
            path = images_root / im.get("filepath", "") / im["filename"]
            items.append((path, [s["raw"] for s in im["sentences"]]))
    return _keep_present(f"{split_file.name} ({split})", items)


# ---------------------------------------------------------------------------------------------------------------- VQA

_CONTRACTIONS = {"dont": "don't", "doesnt": "doesn't", "isnt": "isn't", "arent": "aren't", "cant": "can't",
                 "wont": "won't", "im": "i'm", "ive": "i've", "youre": "you're", "thats": "that's", "whats": "what's",
                 "didnt": "didn't", "wasnt": "wasn't", "couldnt": "couldn't", "shouldnt": "shouldn't"}
_NUMBERS = {"none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
            "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_ARTICLES = {"a", "an", "the"}
_PUNCTUATION = ";/[]\"{}()=+\\_-><@`,?!*#%^&$"


def normalize_answer(answer: str) -> str:
    """An answer as the official VQA evaluation compares it: lower case; a punctuation mark next to a space (or a
    comma inside a number) removed, any other turned into a space ("t-shirt" -> "t shirt"); a period removed unless a
    digit follows ("2." -> "2", "3.5" kept); number words as digits; articles dropped; common contractions restored
    (the official script's table of contractions is longer)."""
    a = answer.lower().replace("\n", " ").replace("\t", " ").strip()
    for p in _PUNCTUATION:
        if p + " " in a or " " + p in a or re.search(r"(\d)(,)(\d)", a):
            a = a.replace(p, "")
        else:
            a = a.replace(p, " ")
    a = re.sub(r"\.(?!\d)", "", a)
    words = [_CONTRACTIONS.get(w, _NUMBERS.get(w, w)) for w in a.split() if w not in _ARTICLES]
    return " ".join(words)


@dataclass
class VQARecords:
    """``images[i]`` a path, ``questions[i]`` tokens, ``answers[i]`` the ten human answers (normalised)."""

    images: list[Path] = field(default_factory=list)
    questions: list[list[str]] = field(default_factory=list)
    answers: list[list[str]] = field(default_factory=list)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.questions)


def vqa_v2(root: str | Path, split: str = "train2014") -> VQARecords:
    """VQA v2 under ``root``: ``v2_OpenEnded_mscoco_<split>_questions.json``, ``v2_mscoco_<split>_annotations.json``
    and the COCO images ``<split>/COCO_<split>_<12-digit id>.jpg``."""
    root = Path(root)
    questions = _read_json(root / f"v2_OpenEnded_mscoco_{split}_questions.json",
                           "VQA v2's questions file (a JSON object with 'questions')")
    annotations = _read_json(root / f"v2_mscoco_{split}_annotations.json",
                             "VQA v2's annotations file (a JSON object with 'annotations')")
    if "questions" not in questions or "annotations" not in annotations:
        raise ValueError(f"{root}: the VQA files lack 'questions' or 'annotations'; expected VQA v2's JSON files.")
    by_id = {a["question_id"]: a for a in annotations["annotations"]}
    out, total = VQARecords(), 0
    for q in questions["questions"]:
        a = by_id.get(q["question_id"])
        if a is None:
            raise ValueError(f"{root}: question {q['question_id']} has no annotation; the two files are of "
                             f"different splits.")
        total += 1
        path = root / split / f"COCO_{split}_{q['image_id']:012d}.jpg"
        if not path.is_file():
            out.skipped += 1
            continue
        out.images.append(path)
        out.questions.append(tokenize(q["question"]))
        out.answers.append([normalize_answer(x["answer"]) for x in a["answers"]])
    _report(f"VQA v2 {split}", out.skipped, total)
    if not out.questions:
        raise ValueError(f"{root}: none of the {total} questions' images is in {root / split}.")
    return out


# ------------------------------------------------------------------------------------------------------- audio-visual

@dataclass
class AVRecords:
    """``frames[i]`` and ``audio[i]`` paths; ``boxes[i]`` the annotators' boxes ``[[x0, y0, x1, y1], ...]``, relative
    to the image size (0–1); ``skipped`` counts clips whose frame or audio file is missing."""

    frames: list[Path] = field(default_factory=list)
    audio: list[Path] = field(default_factory=list)
    boxes: list[list[list[float]]] = field(default_factory=list)
    skipped: int = 0
    consensus: bool = False  # several annotators per clip: a pixel counts by how many boxed it
    annotated: set[str] = field(default_factory=set)  # every clip id the annotations name, on disk or not

    def __len__(self) -> int:
        return len(self.frames)


def _add_clip(out: AVRecords, root: Path, clip: str, boxes: list) -> None:
    frame, audio = root / "frames" / f"{clip}.jpg", root / "audio" / f"{clip}.wav"
    if frame.is_file() and audio.is_file():
        out.frames.append(frame)
        out.audio.append(audio)
        out.boxes.append(boxes)
    else:
        out.skipped += 1


def vggsound_sources(root: str | Path, metadata: str = "vggss.json") -> AVRecords:
    """VGG-Sound Sources (VGG-SS) under ``root``: ``frames/``, ``audio/`` and ``metadata/<metadata>``."""
    root = Path(root)
    meta = _read_json(root / "metadata" / metadata,
                      'a JSON list of {"file": clip id, "bbox": [[x0, y0, x1, y1], ...]} (boxes relative, 0-1)')
    if not isinstance(meta, list):
        raise ValueError(f"{root / 'metadata' / metadata}: expected a JSON list of clips.")
    out, clipped = AVRecords(), 0
    for k, item in enumerate(meta):
        if not isinstance(item, dict) or "file" not in item or "bbox" not in item:
            raise ValueError(f"{root / 'metadata' / metadata}: item {k} lacks 'file' or 'bbox'.")
        boxes = [[float(v) for v in b] for b in item["bbox"]]
        if not boxes or any(len(b) != 4 for b in boxes):
            raise ValueError(f"{root / 'metadata' / metadata}: item {k}'s boxes must be [x0, y0, x1, y1] (0-1).")
        clipped += any(not 0 <= v <= 1 for b in boxes for v in b)
        out.annotated.add(str(item["file"]))
        _add_clip(out, root, str(item["file"]), [[min(max(v, 0.0), 1.0) for v in b] for b in boxes])
    _report(f"VGG-SS {metadata}", out.skipped, len(meta))
    if clipped:
        print(f"VGG-SS {metadata}: {clipped} clips have box coordinates outside 0-1, clipped to the image")
    return out


def flickr_soundnet(root: str | Path, frame_size: int = 256) -> AVRecords:
    """The Flickr-SoundNet localisation test set (Senocak et al.) under ``root``: ``frames/<id>.jpg``,
    ``audio/<id>.wav`` and ``annotations/<id>.xml``. Each ``<bbox>`` element of an XML file is one annotator's box:
    its last four children are ``xmin ymin xmax ymax`` in pixels of the ``frame_size``-pixel frames the annotators
    saw (an earlier child, when present, is a label). Three annotators per clip; ``consensus`` is set, so the
    evaluation weighs a pixel by how many of them boxed it (Senocak et al.'s cIoU)."""
    root = Path(root)
    files = sorted(_need(root / "annotations", "a folder of XML box files, one per clip").glob("*.xml"))
    if not files:
        raise ValueError(f"{root / 'annotations'}: no .xml box files.")
    out = AVRecords(consensus=True)
    for f in files:
        try:
            boxes = []
            for box in ET.parse(f).getroot().iter("bbox"):
                values = [float(ch.text) for ch in list(box)[-4:]]
                if len(values) != 4:
                    raise ValueError
                boxes.append([min(max(v / frame_size, 0.0), 1.0) for v in values])
        except (ET.ParseError, TypeError, ValueError):
            raise ValueError(f"{f}: expected XML whose <bbox> elements end with four numbers xmin, ymin, xmax, ymax "
                             f"(pixels of a {frame_size}-pixel frame).") from None
        if not boxes:
            raise ValueError(f"{f}: no <bbox> element.")
        out.annotated.add(f.stem)
        _add_clip(out, root, f.stem, boxes)
    _report("Flickr-SoundNet", out.skipped, len(files))
    return out
