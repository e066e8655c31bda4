#!/bin/bash
# sweep.sh OUTDIR NP [iclsweep options...]: a fresh run of a sweep on NP ranks into OUTDIR.
set -euo pipefail
out=$1 np=$2
shift 2
rm -rf "$out"
mkdir -p "$(dirname "$out")"
exec "$MPIEXEC" -n "$np" "$ICLSWEEP" run -output "$out" "$@"
