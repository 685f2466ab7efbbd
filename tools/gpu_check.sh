#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: install the GPU extra, train the tutorial
# for 10 epochs with THEANO_FLAGS=device=cuda,floatX=float32, and print the
# device used, epochs/s and both error rates, then the per-call benchmark,
# then the LeNet and mlp training steps of bench/series_steps.py on the GPU
# (with PyTorch's on the CPU beside them, when PyTorch is installed).
# It fails when the GPU is not the device used, or when the error rates
# differ from the C backend's 10-epoch result (to two decimals in percent).
#
#   bash tools/gpu_check.sh            # installs '.[gpu]' first
#   GPU_CHECK_NO_INSTALL=1 bash tools/gpu_check.sh   # already installed
set -euo pipefail
cd "$(dirname "$0")/.."

if ! nvidia-smi -L; then
    echo "gpu_check: no NVIDIA GPU visible (nvidia-smi failed)" >&2
    exit 1
fi
if [ -z "${GPU_CHECK_NO_INSTALL:-}" ]; then
    python3 -m pip install -e '.[gpu]'
fi

export THEANO_FLAGS=device=cuda,floatX=float32
export PYTHONPATH="$PWD/code${PYTHONPATH:+:$PYTHONPATH}"
model_dir=$(mktemp -d)
trap 'rm -rf "$model_dir"' EXIT

python3 - "$model_dir/best_model.pkl" <<'EOF'
import sys
import timeit

import logistic_sgd
from theano_compat import backend_description

backend = backend_description()
start = timeit.default_timer()
result = logistic_sgd.sgd_optimization_mnist(n_epochs=10,
                                             model_path=sys.argv[1])
seconds = timeit.default_timer() - start
valid = 100 * result['best_validation_loss']
test = 100 * result['test_score']
print()
print('gpu_check: backend           %s' % backend)
print('gpu_check: epochs            %d' % result['epochs'])
print('gpu_check: epochs/s          %.2f (%.1f s, compiling included)'
      % (result['epochs'] / seconds, seconds))
print('gpu_check: best validation   %f %%' % valid)
print('gpu_check: test error        %f %%' % test)
# The C backend's result for these 10 epochs (tests/test_device.py).
expected = ('8.75', '8.67')
if ' device cuda:' not in backend:
    sys.exit('gpu_check: FAILED, the GPU was not used')
if ('%.2f' % valid, '%.2f' % test) != expected:
    sys.exit('gpu_check: FAILED, expected %s %% and %s %%' % expected)
print('gpu_check: OK, same error rates as the C backend')
EOF

python3 tools/bench_device.py
python3 bench/series_steps.py --repeats 5
