"""Beyond the course world (mmutils.scale): the readers of real datasets on tiny fake copies of each published layout,
weights from a file, every family's entry point for a few steps, and a two-process DistributedDataParallel run on the
CPU (gloo) that ends with identical weights in both processes and the loss of one process with the same global batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mmutils.metrics import vqa_accuracy
from mmutils.scale import readers, train
from mmutils.scale.backbones import FrozenEncoder, ResNetEncoder, load_weights
from mmutils.scale.fake import LAYOUTS, write_fake

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    root = tmp_path_factory.mktemp("fake")
    for layout in LAYOUTS:
        write_fake(layout, root / layout, n=12)
    return root


def test_caption_readers_read_each_layout_and_count_missing_images(fake, capsys):
    f8 = fake / "flickr8k"
    train_part = readers.flickr_captions(f8 / "Flicker8k_Dataset", f8 / "Flickr8k.token.txt",
                                         f8 / "Flickr_8k.trainImages.txt")
    assert len(train_part) == 9 and all(len(c) == 3 for c in train_part.captions)
    assert train_part.captions[0][1][:2] == ["the", "square"] and train_part.skipped == 0
    coco = readers.coco_captions(fake / "coco" / "train2014", fake / "coco" / "annotations" / "captions_train2014.json")
    assert len(coco) == 9 and coco.captions[0][0][0] == "a"
    karpathy = fake / "karpathy"
    parts = [readers.karpathy_captions(karpathy, karpathy / "dataset_fake.json", s) for s in ("train", "val", "test")]
    assert [len(p) for p in parts] == [9, 2, 1]  # k = 9, 11 odd: val; 10: test
    (f8 / "Flicker8k_Dataset" / train_part.images[0].name).rename(f8 / "moved.jpg")  # one image goes missing
    try:
        again = readers.flickr_captions(f8 / "Flicker8k_Dataset", f8 / "Flickr8k.token.txt",
                                        f8 / "Flickr_8k.trainImages.txt")
        assert len(again) == 8 and again.skipped == 1
        assert "1 of 9 items skipped" in capsys.readouterr().out
    finally:
        (f8 / "moved.jpg").rename(f8 / "Flicker8k_Dataset" / train_part.images[0].name)


def test_readers_name_the_file_and_what_was_expected(fake, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Flickr8k.token.txt: missing. Expected the caption file"):
        readers.flickr_captions(fake / "flickr8k" / "Flicker8k_Dataset", tmp_path / "Flickr8k.token.txt")
    bad = tmp_path / "captions_train2014.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match=r"captions_train2014.json: not valid JSON .* Expected COCO's"):
        readers.coco_captions(fake / "coco" / "train2014", bad)
    bad.write_text(json.dumps({"images": []}))
    with pytest.raises(ValueError, match="expected a JSON object with 'images' and 'annotations'"):
        readers.coco_captions(fake / "coco" / "train2014", bad)
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "x.xml").write_text("<annotation><bbox><v>1</v></bbox></annotation>")
    with pytest.raises(ValueError, match=r"x.xml: expected XML whose <bbox> elements end with four numbers"):
        readers.flickr_soundnet(tmp_path)
    with pytest.raises(FileNotFoundError, match="vggss.json: missing"):
        readers.vggsound_sources(tmp_path)


def test_vqa_and_audio_visual_readers(fake):
    vqa = readers.vqa_v2(fake / "vqa2", "train2014")
    assert len(vqa) == 18 and vqa.questions[0][:2] == ["what", "colour"] and len(vqa.answers[0]) == 10
    assert set(vqa.answers[1]) == {"yes"}
    clips = readers.vggsound_sources(fake / "vggss")
    assert len(clips) == 12 and not clips.consensus and all(0 <= v <= 1 for v in clips.boxes[0][0])
    flickr = readers.flickr_soundnet(fake / "flickr-soundnet")
    assert len(flickr) == 12 and flickr.consensus and len(flickr.boxes[0]) == 3  # three annotators


def test_answers_are_normalised_and_scored_as_the_vqa_evaluation_does():
    assert [readers.normalize_answer(a) for a in ("Two.", "the Dog", "dont know", "3.5", "yes!")] == \
        ["2", "dog", "don't know", "3.5", "yes"]
    human = torch.tensor([[0, 0, 0] + [1] * 7, [0] * 10, [2] * 10])  # 3 of 10 said 0; all said 0; nobody
    got = vqa_accuracy(torch.tensor([0, 0, 0]), human)
    # 3 humans: leaving out one of them 2/3, one of the others 1 -> (3 * 2/3 + 7) / 10 = 0.9
    assert got == pytest.approx((0.9 + 1.0 + 0.0) / 3)


def test_weights_load_from_a_file_and_a_wrong_file_is_named(tmp_path):
    import torchvision

    net = torchvision.models.resnet18(weights=None)
    torch.save(net.state_dict(), tmp_path / "resnet18.pth")
    encoder = ResNetEncoder("resnet18", weights=tmp_path / "resnet18.pth")
    assert torch.equal(encoder.body[0].weight, net.conv1.weight) and encoder.dim == 512
    assert encoder.grid(torch.rand(1, 3, 64, 64)).shape == (1, 512, 2, 2)
    torch.save(torchvision.models.resnet34(weights=None).state_dict(), tmp_path / "resnet34.pth")
    with pytest.raises(ValueError, match=r"resnet34.pth: these weights are not for ResNet; unexpected 96"):
        ResNetEncoder("resnet18", weights=tmp_path / "resnet34.pth")
    torch.save({"model": net.state_dict(), "note": object()}, tmp_path / "pickled.pth")  # code, not only tensors
    with pytest.raises(ValueError, match=r"pickled.pth: not a state_dict torch can load with weights_only=True"):
        load_weights(net, tmp_path / "pickled.pth")
    frozen = FrozenEncoder(encoder).train()
    assert not frozen.encoder.training and not any(p.requires_grad for p in frozen.parameters())


COMMON = ["--backbone", "course", "--image-size", "32", "--batch-size", "4", "--min-count", "1", "--no-amp"]


@pytest.mark.parametrize("family,data", [("matching", "coco"), ("captioning", "flickr8k"), ("vqa", "vqa2"),
                                         ("localization", "vggss"), ("localization", "flickr-soundnet")])
def test_every_family_trains_a_few_steps_and_reports_its_metrics(fake, tmp_path, family, data):
    report = train.main([family, "--data", data, "--root", str(fake / data), "--max-steps", "2",
                         "--out", str(tmp_path), *COMMON])
    assert report["steps"] == 2 and len(report["losses"]) == 2 and all(x == x for x in report["losses"])
    want = {"matching": "image->text R@1", "captioning": "BLEU-4", "vqa": "VQA accuracy",
            "localization": "cIoU@0.5"}[family]
    assert want in report["metrics"] and 0 <= report["metrics"][want] <= 1
    assert (tmp_path / "checkpoint.pt").is_file() and json.loads((tmp_path / "metrics.json").read_text())["steps"] == 2


def test_a_run_cut_midway_resumes_where_it_stopped(fake, tmp_path):
    """Cut after 4 of an epoch's 6 steps, then resumed for two epochs: the same losses, step for step, as one uncut
    run (the cut epoch's first batches are skipped, not seen twice; optimiser state restored)."""
    args = ["captioning", "--data", "flickr8k", "--root", str(fake / "flickr8k"), *COMMON]  # 27 pairs: 6 steps of 4
    uncut = train.main(args + ["--epochs", "2", "--out", str(tmp_path / "uncut")])
    first = train.main(args + ["--epochs", "2", "--max-steps", "4", "--out", str(tmp_path / "cut")])
    resumed = train.main(args + ["--epochs", "2", "--resume", "--out", str(tmp_path / "cut")])
    assert uncut["steps"] == 12 and first["steps"] == 4 and resumed["steps"] == 12
    assert first["losses"] + resumed["losses"] == pytest.approx(uncut["losses"], rel=1e-6)
    with pytest.raises(SystemExit, match="vqa reads vqa2"):
        train.main(["vqa", "--data", "coco", "--root", str(fake / "coco")])


@pytest.mark.parametrize("family", ["captioning", "matching"])
def test_two_processes_on_gloo_match_one_process_with_the_same_global_batch(fake, tmp_path, family):
    """torchrun --nproc_per_node=2 (gloo, CPU), 2 per process, against one process with a batch of 4: the processes
    end with identical weights, and the losses and weights equal the single run's within float tolerance
    (captioning: its loss is normalised by the tokens of the global batch; matching: the processes gather each
    other's embeddings, so the negatives are the global batch's). SGD, so that the weights show the gradients'
    scale (Adam's updates would hide a constant factor)."""
    args = [family, "--data", "flickr8k", "--root", str(fake / "flickr8k"), "--freeze", "--max-steps", "5",
            "--optimizer", "sgd", "--lr", "0.5", "--save-rank-weights", "--backbone", "course", "--image-size", "32",
            "--min-count", "1", "--no-amp"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    torchrun = Path(sys.executable).with_name("torchrun")
    port = {"captioning": "29533", "matching": "29534"}[family]
    two = subprocess.run([str(torchrun), "--nproc_per_node=2", f"--master_port={port}", "-m", "mmutils.scale.train",
                          *args, "--batch-size", "2", "--out", str(tmp_path / "two")], env=env, capture_output=True,
                         text=True, timeout=600)
    assert two.returncode == 0, two.stderr[-2000:]
    one = subprocess.run([sys.executable, "-m", "mmutils.scale.train", *args, "--batch-size", "4", "--out",
                          str(tmp_path / "one")], env=env, capture_output=True, text=True, timeout=600)
    assert one.returncode == 0, one.stderr[-2000:]
    r2, r1 = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in ("two", "one"))
    assert r2["processes"] == 2 and r2["global batch"] == r1["global batch"] == 4
    assert r2["losses"] == pytest.approx(r1["losses"], rel=1e-5)
    w0, w1, single = (torch.load(tmp_path / d / f"weights_rank{r}.pt", weights_only=True)
                      for d, r in (("two", 0), ("two", 1), ("one", 0)))
    assert all(torch.equal(w0[k], w1[k]) for k in w0)  # DDP keeps the processes in step
    # plain SGD (an update proportional to the gradient): a gradient of the wrong scale would show here
    assert max((w0[k] - single[k]).abs().max().item() for k in w0) < 1e-5
