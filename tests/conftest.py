import os

# Under pytest-xdist every worker, and every notebook kernel it starts, would otherwise use one torch/OpenMP thread
# per core: two workers x two threads on two cores thrash (a 1-second training cell took 80 s). One thread per process
# when several workers run. Kernels inherit this environment. Lessons' bars hold at any thread count.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import torch

    torch.set_num_threads(1)

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# Longest tests first: with `--dist worksteal` the two workers start on the long lesson runs and the idle one steals
# what is left, so the suite ends when the work does (seconds measured at one thread, rough; unknown tests count 0).
_SECONDS = {"05_text_to_image": 95, "04_image_captioning": 90, "09_speech2face": 90, "06_visual_question": 85,
            "03_joint_embedding": 85, "10_sound_source": 80, "02_word_embeddings": 75, "11_lip_movements": 60,
            "01_what_is_multimodal": 55, "08_soundnet": 45, "00_start_here": 15, "07_audio_as_data": 10}


def _expected_seconds(item) -> float:
    name = item.nodeid
    if "test_lessons.py::test_lesson_runs" in name:
        return next((s for k, s in _SECONDS.items() if k in name), 30)
    if "test_torch_sgns_matches_gensim" in name:
        return 55
    if "test_site.py" in name:  # the first site test builds the site (~25 s), the browser one takes ~60 s more
        return 60
    if "test_offline.py::test_a_lesson_runs" in name or "test_grading.py" in name or "copied_out_of" in name:
        return 15
    return 0


def pytest_collection_modifyitems(config, items):
    items.sort(key=_expected_seconds, reverse=True)
