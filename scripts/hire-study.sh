#!/usr/bin/env bash
# The HIRE study runner (docs/results.md): for every variant of a variants file and every seed,
# ANN (per seed) -> conversion -> spiking training -> `hire-snn eval` white-box (PGD-7 protocol,
# PGD-20, the strong suite), black-box from a traditional SNN of another seed; then the table.
#   scripts/hire-study.sh scripts/study/round1.tsv        # OUT=runs/study by default
# Variants file: one variant a line, "NAME<TAB>METHOD [train options...]" (# comments); every
# variant starts from the ANN of its seed. Environment (defaults in brackets):
#   OUT [runs/study]  SEEDS ["0 1"]  LIMIT spiking training images [20000]  ANN_LIMIT [all 50000]
#   EVAL_LIMIT test images [2000]
#   ANN_EPOCHS [8]  EPOCHS spiking epochs [1]  T [8]  BATCH [64]  JOBS parallel jobs [2]
#   EVALS white-box evaluations ["pgd7 pgd20"; also "apgd" (APGD-CE alone) and "strong"]
#   BLACK_BOX [none]: a variant name, e.g. snn: the PGD-7 protocol also black-box, crafted on that
#     variant's model of the next seed in SEEDS (seed 0 <- 1, 1 <- 0: same architecture and budget, another seed)
# Each job runs single-threaded under `nice -n 10` (JOBS jobs share the cores). Re-running
# continues interrupted trainings (--resume) and skips finished trainings and evaluations, so a
# different size needs a different OUT. Wall-clock of every phase: OUT/timing.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
VARIANTS=${1:?usage: scripts/hire-study.sh VARIANTS_FILE}
export OUT=${OUT:-runs/study} SEEDS=${SEEDS:-0 1} LIMIT=${LIMIT:-20000} EVAL_LIMIT=${EVAL_LIMIT:-2000}
export ANN_EPOCHS=${ANN_EPOCHS:-8} EPOCHS=${EPOCHS:-1} T=${T:-8} BATCH=${BATCH:-64} EVALS=${EVALS:-pgd7 pgd20}
export BLACK_BOX=${BLACK_BOX:-} ARCH=${ARCH:-16,A,32,32,A} HIDDEN=${HIDDEN:-128} EPS=${EPS:-0.031}
# the dataset: --data DATA, else the usual search (the shared copy beside the repository, ...)
export DATA=${DATA:-}
JOBS=${JOBS:-2}
# one thread per job, OpenMP waits that sleep (the cores are shared)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
mkdir -p "$OUT"
[[ -f "$OUT/timing.tsv" ]] || printf 'phase\tseconds\n' > "$OUT/timing.tsv"
[[ -f dist/src/cli/main.js ]] || npm run build

# the per-job commands, as functions the parallel workers call
hire_snn() { nice -n 10 node dist/src/cli/main.js "$@"; }
phase() { # phase NAME COMMAND...: runs it, records its wall-clock
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo "=== $name" >&2
  "$@" > "$OUT/$name.out" 2>&1 || { echo "FAILED: $name (see $OUT/$name.out)" >&2; return 1; }
  printf '%s\t%s\n' "$name" "$(( $(date +%s) - t0 ))" >> "$OUT/timing.tsv"
}
train() { # train DIR OPTIONS...: starts, resumes or skips a run
  local dir=$1; shift
  local data=(); [[ -n "$DATA" ]] && data=(--data "$DATA")
  if [[ -f "$dir/train-state.safetensors" ]]; then hire_snn train --out "$dir" --resume "${data[@]}"
  else hire_snn train --out "$dir" "${data[@]}" "$@"; fi
}
evaluate() { # evaluate MODEL_DIR NAME [BB_DIR]
  local dir=$1 name=$2 bb=${3:-}
  local json="$dir/eval-$name.json"
  [[ -f "$json" ]] && return 0
  local args=(--model "$dir/model.safetensors" --limit "$EVAL_LIMIT" --eps "$EPS" --batch "$BATCH" --json "$json")
  [[ -n "$DATA" ]] && args+=(--data "$DATA")
  [[ -n "$bb" ]] && args+=(--bb-model "$bb/model.safetensors")
  case $name in
    pgd7) args+=(--attacks clean,fgsm,pgd --pgd-steps 7) ;;
    pgd20) args+=(--attacks pgd --pgd-steps 20) ;;
    apgd) args+=(--attacks apgd-ce --no-diagnostics) ;;  # the strong suite's first attack alone (most of its work on these models)
    strong) args+=(--attacks strong) ;;
    *) echo "unknown evaluation $name" >&2; return 1 ;;
  esac
  hire_snn eval "${args[@]}"
}
model_job() { # model_job NAME SEED METHOD OPTIONS...: train, then the white-box evaluations
  local name=$1 seed=$2; shift 2
  local dir="$OUT/$name-s$seed" method=$1; shift
  local common=(--timesteps "$T" --batch "$BATCH" --limit "$LIMIT" --eval-limit "$EVAL_LIMIT" --seed "$seed")
  [[ -f "$dir/model.safetensors" && -f "$dir/train-state.safetensors" ]] && grep -q '"event":"end"' "$dir/log.jsonl" 2>/dev/null ||
    phase "train-$name-s$seed" train "$dir" --method "$method" --init "$OUT/ann-s$seed/model.safetensors" --epochs "$EPOCHS" "${common[@]}" "$@"
  for ev in $EVALS; do
    # with BLACK_BOX the PGD-7 protocol runs in step 3, white-box and black-box in one evaluation
    [[ $ev == pgd7 && -n $BLACK_BOX ]] && continue
    [[ -f "$dir/eval-$ev.json" ]] || phase "eval-$ev-$name-s$seed" evaluate "$dir" "$ev"
  done
}
export -f hire_snn phase train evaluate model_job

variants() { grep -v '^\s*#' "$VARIANTS" | grep -v '^\s*$'; }
run_parallel() { xargs -d '\n' -P "$JOBS" -I{} bash -c '{}' ; }  # -d: no quote processing of the lines
seeds=$SEEDS

# 1. the ANNs
for s in $seeds; do
  echo "[[ -f $OUT/ann-s$s/model.safetensors ]] && grep -q '\"event\":\"end\"' $OUT/ann-s$s/log.jsonl || phase ann-s$s train $OUT/ann-s$s --method ann --arch $ARCH --hidden $HIDDEN --epochs $ANN_EPOCHS --schedule cosine --timesteps $T --batch $BATCH ${ANN_LIMIT:+--limit $ANN_LIMIT} --eval-limit $EVAL_LIMIT --seed $s"
done | run_parallel
# 2. the spiking models, each followed by its white-box evaluations
variants | while IFS=$'\t' read -r name opts; do
  for s in $SEEDS; do echo "model_job $name $s $opts"; done
done | run_parallel
# 3. the PGD-7 protocol white-box and black-box (adversarial images crafted on the source model, scored on every model)
if [[ -n $BLACK_BOX ]]; then
  read -r -a list <<< "$SEEDS"
  variants | while IFS=$'\t' read -r name _; do
    for i in "${!list[@]}"; do
      s=${list[$i]} src=${list[$(( (i + 1) % ${#list[@]} ))]}
      echo "[[ -f $OUT/$name-s$s/eval-pgd7.json ]] || phase eval-pgd7-$name-s$s evaluate $OUT/$name-s$s pgd7 $OUT/$BLACK_BOX-s$src"
    done
  done | run_parallel
fi
node --import tsx scripts/results-table.ts "$OUT" "$VARIANTS" | tee "$OUT/table.md"
