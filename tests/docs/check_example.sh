#!/bin/bash
# check_example.sh ICLSWEEP_EXAMPLE ICLSWEEP WORK_DIR: the model of docs/extending.md, built into
# ICLSWEEP_EXAMPLE, runs in a sweep and scores exactly 1/2 on gmm and 2/3 on sphere with 3
# classes; the stock ICLSWEEP does not know it (so it came from the guide).
set -euo pipefail
example=$1 stock=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cell="-grid_d 4 -grid_k 2 -grid_N 5 -train_tasks 10 -train_steps 2 -eval_M 1,5 -eval_tasks 10"
"$example" run $cell -models mle,guess -output "$work/gmm" 2>"$work/gmm.log"
"$example" run $cell -family sphere -classes 3 -models guess -output "$work/sphere" 2>"$work/sphere.log"
/usr/bin/python3 - "$work" <<'PY'
import sys, xarray as xr
for family, expected in (("gmm", 0.5), ("sphere", 2 / 3)):
    ds = xr.open_dataset(f"{sys.argv[1]}/{family}/results.nc")
    guess = ds.sel(model="guess")
    assert int(guess.status.max()) == 1 and int(guess.status.min()) == 1, f"{family}: guess cells not ok"
    err = guess.test_error.values.ravel()
    assert abs(err - expected).max() < 1e-15, f"{family}: guess error {err}, expected {expected}"
    print(f"{family}: guess test_error {err[0]:.6f} at every M (expected {expected:.6f})")
PY
if "$stock" run $cell -models guess -output "$work/stock" 2>"$work/stock.log"; then
  echo "the stock iclsweep ran -models guess: the example did not come from docs/extending.md"
  exit 1
fi
grep -q "unknown model 'guess'" "$work/stock.log" || { cat "$work/stock.log"; exit 1; }
echo "stock iclsweep: $(cat "$work/stock.log")"
