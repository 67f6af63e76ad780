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
