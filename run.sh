#!/bin/bash
# ./run.sh — install what is missing, build, run the default sweep on every core, and draw
# its figures: runs/default/results.nc and runs/default/figures/*.png. Idempotent: a second
# run reuses the build and the finished sweep.
set -euo pipefail
cd "$(dirname "$0")"
source ./setup.sh
icl_install
icl_build
out=runs/default
mkdir -p runs
# iclsweep-mpiexec: Ctrl-C drains the sweep (exit 3; run again to resume) instead of killing it
build/iclsweep-mpiexec -n "$(nproc)" build/iclsweep run -options_file jobs/sweeps/default.opts -output "$out"
/usr/bin/python3 -m analysis plot "$out/results.nc" -o "$out/figures" >/dev/null
echo
echo "results: $PWD/$out/results.nc"
echo "figures: $PWD/$out/figures/ ($(cd "$out/figures" && ls *.png | tr '\n' ' '))"
/usr/bin/python3 -m analysis summary "$out/results.nc"
