#!/usr/bin/env bash
# ember's main job: set-up, build, then train a CNN on Fashion-MNIST with a progress bar.
# Extra arguments go to the program (--epochs, --batch-size, --lr, --threads, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release >/dev/null
exec build/release/examples/train_fashion_mnist "$@"
