#!/usr/bin/env bash
# A real job in about 3-5 minutes on 2 cores, on the default dataset (CIFAR-10, the shared copy
# or --data/HIRE_SNN_DATA): train a small ANN, convert it and fine-tune it with HIRE, then run the
# robustness evaluation (clean, FGSM, PGD) on 500 test images, and write the HTML report
# runs/quickstart/report.html. Outputs go to runs/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/quickstart}
rm -rf "$OUT"
mkdir -p "$OUT"
# sleeping (not spinning) OpenMP waits: much faster when the cores are shared with other work
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
HIRE=(node dist/src/cli/main.js)
"${HIRE[@]}" train --method ann --arch 16,A,32,32,A --hidden 128 --epochs 2 --limit 10000 --eval-limit 1000 --out "$OUT/ann"
"${HIRE[@]}" train --method hire --init "$OUT/ann/model.safetensors" --epochs 1 --limit 10000 --eval-limit 1000 --out "$OUT/hire"
"${HIRE[@]}" eval --model "$OUT/hire/model.safetensors" --limit 500 --json "$OUT/eval.json"
# the shipped models (models/README.md), trained longer: the same evaluation, HIRE vs traditional
"${HIRE[@]}" eval --model models/cifar10-vgg-small-hire.safetensors --bb-model models/cifar10-vgg-small-traditional.safetensors --limit 200 --json "$OUT/eval-shipped.json"
# one self-contained HTML page: accuracy per attack, spikes, energy and the two training runs
"${HIRE[@]}" report "$OUT/eval.json" "$OUT/ann" "$OUT/hire" -o "$OUT/report.html"
