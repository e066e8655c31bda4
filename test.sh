#!/bin/bash
# ./test.sh — install what the tests need, build, and run every test (ctest, which includes
# analysis/'s pytest suite). Exits non-zero on any failure. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
ICL_PACKAGES="python3-pytest python3-sklearn nco valgrind util-linux procps slurm-wlm munge chromium python3-pip"
source ./setup.sh
icl_install
icl_build
cd build
ctest --output-on-failure -j 2 --timeout 900
