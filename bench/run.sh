#!/usr/bin/env bash
# Runs the PyTorch side (seed-style time loop and multi-step variant) and hire-snn in one run,
# interleaved round by round on the same model, thresholds and batch, and writes bench/RESULTS.md.
#   bench/run.sh [ROUNDS=3] [REPS=2]
# Needs Debian's PyTorch (apt-get install python3-torch; a benchmark-only dependency).
# Env: HIRE_SNN_ISA (avx2: the AVX2 path, PyTorch capped too), PYTHON (default /usr/bin/python3), HIRE_SNN_BENCH_DIR (work dir), BENCH_ARGS (model options,
# e.g. "--init run/model.safetensors --timesteps 8 --batch 32" for a trained model), RESULTS (default bench/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
REPS=${2:-2}
PY=${PYTHON:-/usr/bin/python3}
WORK=${HIRE_SNN_BENCH_DIR:-${TMPDIR:-/tmp}/hire-snn-bench}
ARGS=${BENCH_ARGS:---arch vgg11 --timesteps 8 --batch 32 --classes 100}
RESULTS=${RESULTS:-bench/RESULTS.md}
CLI=(node --import tsx src/cli/main.ts)
# Debian's python3-torch links the reference BLAS (about 1 GFLOP/s: its Linear layers would be
# crippled); with libopenblas0-openmp installed the PyTorch side uses OpenBLAS without changing
# the system default (update-alternatives) for anything else.
OPENBLAS=/usr/lib/x86_64-linux-gnu/openblas-openmp
if [ -d "$OPENBLAS" ]; then export PY_LD="$OPENBLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; else PY_LD=${LD_LIBRARY_PATH:-}; echo "warning: OpenBLAS not installed (apt-get install libopenblas0-openmp); PyTorch Linear layers use the reference BLAS" >&2; fi
# HIRE_SNN_ISA=avx2 (the AVX2 path forced on an AVX-512 CPU) caps PyTorch's kernels too: ATen's, its oneDNN's and OpenBLAS's
if [ "${HIRE_SNN_ISA:-auto}" = avx2 ]; then export ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell; fi
pyrun() { LD_LIBRARY_PATH="$PY_LD" "$PY" "$@"; }
rm -rf "$WORK"
mkdir -p "$WORK"
"$PY" -c 'import torch' || { echo "PyTorch is missing: apt-get install python3-torch" >&2; exit 1; }
echo "$ARGS" > "$WORK/args.txt"
# the model: random He init (seed 1) or --init's, thresholds from the percentile search on CIFAR-10 images
# shellcheck disable=SC2086
"${CLI[@]}" bench $ARGS --workloads infer --reps 1 --export "$WORK/model" --json "$WORK/setup.json"
pyrun bench/pytorch_bench.py --load "$WORK/model" --style seed --check > "$WORK/check.json"
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS: $(uptime)" | tee -a "$WORK/load.txt" >&2
  "${CLI[@]}" bench --load "$WORK/model" --reps "$REPS" --json "$WORK/ours-$r.json" >&2
  pyrun bench/pytorch_bench.py --load "$WORK/model" --style seed --reps "$REPS" --json "$WORK/seed-$r.json"
  pyrun bench/pytorch_bench.py --load "$WORK/model" --style multi --reps "$REPS" --json "$WORK/multi-$r.json"
  # ours with the event-driven kernels disabled (dense oneDNN everywhere): the before/after
  HIRE_SNN_SPARSE_MAX_DENSITY=-1 "${CLI[@]}" bench --load "$WORK/model" --reps "$REPS" --json "$WORK/dense-$r.json" >&2
done
echo "end: $(uptime)" >> "$WORK/load.txt"
node --import tsx bench/report.ts "$WORK" > "$RESULTS"
cat "$RESULTS"
