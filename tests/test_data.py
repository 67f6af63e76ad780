"""The shipped data bundle: every file matches the manifest; a flipped byte or a missing file raises an error that
names the file and how to restore it; loaders return what they document."""

import shutil

import pytest
import torch

from mmutils import data


def test_manifest_lists_every_file_and_all_verify():
    listed = set(data._manifest())
    on_disk = {p.relative_to(data.DATA).as_posix() for p in data.DATA.rglob("*") if p.is_file()}
    assert listed == on_disk - {"MANIFEST.sha256", "README.md"}
    for rel in listed:
        assert data.data_file(rel).is_file()


def test_bundle_is_small():
    total = sum(p.stat().st_size for p in data.DATA.rglob("*") if p.is_file())
    assert total <= 25 * 2**20, f"data/ is {total / 2**20:.1f} MiB; the course keeps it under 25 MB"


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data.DATA, copy)
    monkeypatch.setattr(data, "DATA", copy)
    monkeypatch.setattr(data, "MANIFEST", copy / "MANIFEST.sha256")
    data._manifest.cache_clear()
    data.data_file.cache_clear()
    yield copy
    data._manifest.cache_clear()
    data.data_file.cache_clear()


def test_a_flipped_byte_is_caught_and_named(data_copy):
    target = data_copy / "icons" / "dog.png"
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    target.write_bytes(bytes(raw))
    with pytest.raises(data.DataFileError,
                       match=r"data/icons/dog.png is corrupted.*git checkout -- data/icons/dog.png"):
        data.data_file("icons/dog.png")
    assert data.data_file("icons/cat.png").is_file()


def test_a_missing_file_is_named(data_copy):
    (data_copy / "text" / "kjv.txt.gz").unlink()
    with pytest.raises(data.DataFileError, match=r"data/text/kjv.txt.gz is missing.*git checkout"):
        data.load_text("kjv")


def test_missing_manifest_and_unknown_file(data_copy):
    with pytest.raises(data.DataFileError, match="not part of the course data"):
        data.data_file("icons/zebra.png")
    (data_copy / "MANIFEST.sha256").unlink()
    data._manifest.cache_clear()
    with pytest.raises(data.DataFileError, match="manifest data/MANIFEST.sha256 is missing"):
        data.data_file("icons/dog.png")


def test_loaders():
    icon = data.load_icon("horse")
    assert icon.shape == (4, 64, 64) and 0 <= icon.min() and icon.max() <= 1 and icon[3].max() == 1
    images, labels = data.load_mnist()
    assert images.shape == (5000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (5000,) and set(labels.tolist()) == set(range(10))
    wave, rate = data.load_digit_speech(7)
    assert rate == 8000 and 0.2 < len(wave) / rate < 2 and wave.abs().max() > 0.1
    kjv = data.load_text("kjv")
    assert len(kjv) == 31102 and kjv[0].startswith("In the beginning God created")
    glosses = data.load_text("wordnet_glosses")
    assert len(glosses) > 100_000 and any(" dog" in g for g in glosses[:50_000])
    with pytest.raises(ValueError, match="'kjv' or 'wordnet_glosses'"):
        data.load_text("bible")
    with pytest.raises(ValueError, match="int 0-9"):
        data.load_digit_speech(12)
    with pytest.raises(ValueError, match="unknown voice"):
        data.load_voice("nobody")
