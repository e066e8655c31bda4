#!/bin/bash
# analysis_plot.sh DIR: the analysis CLI reads a real iclsweep output and writes its figures
# beside it (plot's default output directory: DIR/figures).
set -euo pipefail
dir=$1
rm -rf "$dir/figures"
"$PYTHON" -m analysis plot "$dir/results.nc"
for f in accuracy_vs_M excess_vs_N; do
  test -s "$dir/figures/$f.png" || { echo "missing $dir/figures/$f.png"; exit 1; }
done
test "$("$PYTHON" -m analysis summary "$dir/results.nc" | wc -l)" -eq 3
echo "1 passed, 0 failed"
