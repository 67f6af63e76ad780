#!/bin/bash
# Run every lesson (or the ones named: `bash scripts/device_check.sh 00 06`) on a GPU machine that has torch but no
# network and no notebook stack, from the sources in a fresh kernel each, with MMUTILS_DEVICE=cuda so that
# mmutils.get_device() fails loudly if torch sees no GPU. Writes a robustness report of that one run per lesson
# (every asserted bar, its value and margin; wall time).
#
# Prepare on a machine with pip access, in the repository root (the folder is git-ignored via .git/info/exclude):
#   echo /.whl/ >> .git/info/exclude
#   python -m pip download --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
#       --platform any -d .whl ipython soundfile nbclient nbformat ipykernel jupytext mdit-py-plugins
#   (then delete the wheels of packages the GPU image already has, numpy above all)
# and carry `.whl` to the GPU machine beside the working tree.
set -o pipefail
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        || exit 1
    export PYTHONPATH=/tmp/site:$PWD
fi
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg MMUTILS_DEVICE=cuda
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || exit 1
python3 -c "import torch, mmutils; print('torch', torch.__version__, 'device', mmutils.get_device(), torch.cuda.get_device_name())" \
    || exit 1
# one run per lesson, training seed 0, bars summarised without stopping at a miss (report in $OUT/device_report.md)
python3 -m mmutils.robustness "$@" --runs 0@4 --out "${OUT:-/tmp}/device_report" 2>&1 | grep -v "it/s\]\|s/it\]" \
    | tee "${OUT:-/tmp}/bench.log"
