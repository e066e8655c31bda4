#!/bin/bash
# bench/budget.sh — shared training (docs/budget.md), as ratios measured in this one run (one
# rank, one BLAS thread; whole `iclsweep run` processes, sampling and evaluation included):
# CPU seconds, not wall time: on a shared machine the wall time measures the neighbours too.
#   a. a train_steps axis (checkpoints): the axis sweep against one run of its largest T and
#      against the sum of separate runs, by direct gd and by the dual form
#   b. a train_lr axis in the dual form (step sizes on one K): L = 1, 2, 4, 8 step sizes at
#      B = 2000, d = 1000, T = 100 against L separate runs, and the cost of one more step size as
#      a fraction of a run alone; then the training alone (bench/dual_batch, no evaluation)
# Usage: bench/budget.sh (bench/run.sh calls it as section 6).
set -euo pipefail
cd "$(dirname "$0")/.."
source ./setup.sh >/dev/null
[[ -x build/iclsweep ]] || icl_build >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
seconds() { # iclsweep-options...: CPU seconds (user + system) of one run, in a directory of its own
  local dir t
  dir=$(mktemp -d -p "$out")
  t=$( { TIMEFORMAT='%U %S'; time OPENBLAS_NUM_THREADS=1 build/iclsweep run -output "$dir/run" -models linear -grid_k 5 -grid_N 40 -eval_M 40 -eval_tasks 100 "$@" >"$dir/log" 2>&1; } 2>&1) ||
    { echo "bench/budget.sh: iclsweep failed: $(tail -1 "$dir/log")" >&2; exit 1; }
  awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.2f", a[1] + a[2] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

steps=(25 50 100 200)
printf '\n%-58s %9s %9s %9s\n' "6a. train_steps axis ${steps[*]}, d = 200, B = 2000" "axis_cpu" "largest/" "sum/"
for method in gd dual; do
  cell=(-grid_d 200 -train_tasks 2000 -train_lr 0.1 -train_method "$method")
  axis=$(seconds "${cell[@]}" -grid_train_steps "$(IFS=,; echo "${steps[*]}")")
  sum=0
  for T in "${steps[@]}"; do
    t=$(seconds "${cell[@]}" -train_steps "$T")
    sum=$(awk -v a="$sum" -v b="$t" 'BEGIN { print a + b }')
  done
  printf '%-58s %9s %9s %9s\n' "-train_method $method (axis over its largest T; sum over axis)" "$axis" "$(ratio "$axis" "$t")" "$(ratio "$sum" "$axis")"
done

printf '\n%-58s %9s %9s %9s\n' "6b. train_lr axis, dual form, B = 2000, d = 1000, T = 100" "batch_cpu" "speedup" "per_eta"
cell=(-grid_d 1000 -train_tasks 2000 -train_steps 100 -train_method dual)
lrs=(0.01 0.02 0.04 0.08 0.16 0.32 0.64 1.28)
one=$(seconds "${cell[@]}" -train_lr "${lrs[0]}")
printf '%-58s %9s %9s %9s\n' "L = 1 (a run alone)" "$one" "1.00" "-"
for L in 2 4 8; do
  t=$(seconds "${cell[@]}" -grid_train_lr "$(IFS=,; echo "${lrs[*]:0:L}")")
  printf '%-58s %9s %9s %9s\n' "L = $L (L runs alone over one batched; one more eta / alone)" "$t" "$(ratio "$(awk -v a="$one" -v l="$L" 'BEGIN { print a * l }')" "$t")" \
    "$(awk -v t="$t" -v a="$one" -v l="$L" 'BEGIN { printf "%.2f", (t - a) / (l - 1) / a }')"
done
echo "training alone (bench/dual_batch 2000 1000 100):"
OPENBLAS_NUM_THREADS=1 build/dual_batch 2000 1000 100
