#!/usr/bin/env bash
# Reproduction on the shared CIFAR-10 copy, sized for a 2-core machine (see docs/results.md):
#   two ANNs (seeds 0 and 1) -> conversion -> traditional SNN (seeds 0 and 1) and HIRE-SNN (seed 0),
#   then `hire-snn eval` of the seed-0 SNN and HIRE-SNN: clean, FGSM and PGD white-box, and black-box
#   with the seed-1 SNN as the source model; finally a markdown comparison table and the HTML report
#   $OUT/report.html (hire-snn report).
# Every phase is resumable: re-running the script continues an interrupted training (--resume)
# and skips what is done (so a different size needs a different OUT). The defaults are run 2 of
# docs/results.md (about 32 minutes here); run 1, the quick variant (about 15 minutes):
#   OUT=runs/repro LIMIT=20000 ANN_EPOCHS=3 EVAL_LIMIT=1000 scripts/reproduce.sh
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-runs/repro-large}
ARCH=${ARCH:-16,A,32,32,A}
HIDDEN=${HIDDEN:-128}
T=${T:-8}
LIMIT=${LIMIT:-50000}            # training images (the first N of the train split)
EVAL_LIMIT=${EVAL_LIMIT:-2000}   # test images for per-epoch, final and adversarial evaluation
ANN_EPOCHS=${ANN_EPOCHS:-5}
SNN_EPOCHS=${SNN_EPOCHS:-1}
SNN_LR=${SNN_LR:-1e-4}
BATCH=${BATCH:-64}
EPS=${EPS:-0.031}                # attack budget (8/255)
DATA_ARGS=()
if [[ -n "${DATA:-}" ]]; then DATA_ARGS=(--data "$DATA"); fi
HIRE_SNN=(node --import tsx src/cli/main.ts)
# OpenMP threads that sleep instead of spinning when they wait: on a shared 2-core machine the
# default spin-wait made every step 2-5x slower (measured, see docs/results.md)
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

mkdir -p "$OUT"
TIMING="$OUT/timing.tsv"
[[ -f "$TIMING" ]] || printf 'phase\tseconds\n' > "$TIMING"

phase() { # phase NAME COMMAND... : runs and records the wall-clock time
  local name=$1; shift
  echo "=== $name: $*" >&2
  local t0; t0=$(date +%s)
  "$@"
  printf '%s\t%s\n' "$name" "$(( $(date +%s) - t0 ))" >> "$TIMING"
}

train() { # train DIR ARGS... : starts, or resumes, or skips a finished run
  local dir=$1; shift
  if [[ -f "$dir/train-state.safetensors" ]]; then
    "${HIRE_SNN[@]}" train --out "$dir" --resume "${DATA_ARGS[@]}"
  else
    "${HIRE_SNN[@]}" train --out "$dir" "${DATA_ARGS[@]}" "$@"
  fi
}

COMMON=(--timesteps "$T" --batch "$BATCH" --limit "$LIMIT" --eval-limit "$EVAL_LIMIT")
for seed in 0 1; do
  phase "ann-s$seed" train "$OUT/ann-s$seed" --method ann --arch "$ARCH" --hidden "$HIDDEN" "${COMMON[@]}" \
    --epochs "$ANN_EPOCHS" --schedule cosine --seed "$seed"
done
SNN=(--epochs "$SNN_EPOCHS" --lr "$SNN_LR" "${COMMON[@]}")
phase snn-s0 train "$OUT/snn-s0" --method snn --init "$OUT/ann-s0/model.safetensors" "${SNN[@]}" --seed 0
phase hire-s0 train "$OUT/hire-s0" --method hire --init "$OUT/ann-s0/model.safetensors" "${SNN[@]}" --seed 0 --periods 2 --noise-eps 0.031
phase snn-s1 train "$OUT/snn-s1" --method snn --init "$OUT/ann-s1/model.safetensors" "${SNN[@]}" --seed 1

for m in snn-s0 hire-s0; do
  if [[ ! -f "$OUT/eval-$m.json" ]]; then
    phase "eval-$m" "${HIRE_SNN[@]}" eval --model "$OUT/$m/model.safetensors" --bb-model "$OUT/snn-s1/model.safetensors" \
      "${DATA_ARGS[@]}" --limit "$EVAL_LIMIT" --eps "$EPS" --batch "$BATCH" --json "$OUT/eval-$m.json"
  fi
done

node --import tsx scripts/results-table.ts "$OUT" > "$OUT/table.md"
cat "$OUT/table.md"

# the HTML report of both evaluations and every training run
"${HIRE_SNN[@]}" report "$OUT"/eval-snn-s0.json "$OUT"/eval-hire-s0.json \
  "$OUT"/ann-s0 "$OUT"/ann-s1 "$OUT"/snn-s0 "$OUT"/snn-s1 "$OUT"/hire-s0 -o "$OUT/report.html"
