#!/bin/bash
# overhead.sh [BUILD_DIR]: the driver's cost per cell, end to end. 20,000 trivial cells (model
# bayes on 10 test tasks: microseconds of work each) on 1 and 2 ranks; the wall time of a
# one-cell sweep (start-up, writing results.nc) is subtracted and the rest divided by the cells.
# Prints one line per rank count: ms per cell.
set -euo pipefail
build=${1:-build}
sweep=(run -grid_d "$(seq -s, 1 100)" -grid_k 1 -grid_N "$(seq -s, 1 200)" -models bayes -eval_M 1 -eval_tasks 10)
one=(run -grid_d 1 -grid_k 1 -grid_N 1 -models bayes -eval_M 1 -eval_tasks 10)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wall() { local t0; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }'; }
for ranks in 1 2; do
  base=$(wall mpiexec -n "$ranks" "$build/iclsweep" "${one[@]}" -output "$tmp/one$ranks")
  full=$(wall mpiexec -n "$ranks" "$build/iclsweep" "${sweep[@]}" -output "$tmp/full$ranks")
  awk -v r="$ranks" -v f="$full" -v b="$base" 'BEGIN { printf "%d ranks: 20000 cells in %.2f s, start-up %.2f s: %.4f ms per cell\n", r, f, b, (f - b) / 20000 * 1e3 }'
done
