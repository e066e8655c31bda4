#!/bin/bash
# check_example.sh ICLSWEEP_EXAMPLE ICLSWEEP WORK_DIR: the examples of docs/extending.md, built
# into ICLSWEEP_EXAMPLE, run in sweeps: model guess scores exactly 1/2 on gmm and 2/3 on sphere
# with 3 classes; on family halfspace bayes scores exactly atan(1/R)/pi and a trained kernel
# lands between that and chance; training method sign leaves, after one step from W = 0, every
# entry of linear's W at +-eta, so its squared singular values add up to d^2 eta^2 (gd's do not:
# the negative control). The stock ICLSWEEP knows none of them (so they came from the guide).
set -euo pipefail
example=$1 stock=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cell="-grid_d 4 -grid_k 2 -grid_N 5 -train_tasks 10 -train_steps 2 -eval_M 1,5 -eval_tasks 10"
"$example" run $cell -models mle,guess -output "$work/gmm" >"$work/gmm.log" 2>&1
"$example" run $cell -family sphere -classes 3 -models guess -output "$work/sphere" >"$work/sphere.log" 2>&1
"$example" run -family halfspace -grid_d 4 -grid_k 2 -grid_N 10 -grid_R 1,2 -models bayes,kernel -train_tasks 200 \
  -train_steps 20 -train_lr 0.5 -eval_M 10 -eval_tasks 2000 -output "$work/halfspace" >"$work/halfspace.log" 2>&1
signcell="-family linreg -grid_d 3,5,8 -grid_k 2 -grid_N 5 -models linear -train_tasks 50 -train_steps 1 -train_lr 0.3 -eval_M 5 -eval_tasks 20"
for method in sign gd; do
  "$example" run $signcell -train_method $method -output "$work/$method" >"$work/$method.log" 2>&1
done
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np, xarray as xr
for family, expected in (("gmm", 0.5), ("sphere", 2 / 3)):
    guess = xr.open_dataset(f"{sys.argv[1]}/{family}/results.nc").sel(model="guess")
    assert (guess.status == 1).all(), f"{family}: guess cells not ok"
    err = guess.test_error.values.ravel()
    assert abs(err - expected).max() < 1e-15, f"{family}: guess error {err}, expected {expected}"
    print(f"{family}: guess test_error {err[0]:.6f} at every M (expected {expected:.6f})")
ds = xr.open_dataset(f"{sys.argv[1]}/halfspace/results.nc")
assert (ds.status == 1).all(), "halfspace: cells not ok"
bayes = np.arctan(1 / ds.R) / np.pi
got = ds.test_error.sel(model="bayes").squeeze()
assert abs(got - bayes).max() < 1e-15, f"halfspace: bayes {got.values}, expected {bayes.values}"
kernel, se = ds.test_error.sel(model="kernel").squeeze(), ds.test_error_se.sel(model="kernel").squeeze()
assert ((kernel > bayes - 4 * se) & (kernel < 0.5 + 4 * se)).all(), f"halfspace: kernel {kernel.values} outside [bayes, 1/2]"
print(f"halfspace: bayes {got.values} = atan(1/R)/pi, kernel {kernel.values} +- {se.values}")
eta = 0.3
for method, exact in (("sign", True), ("gd", False)):
    ds = xr.open_dataset(f"{sys.argv[1]}/{method}/results.nc")
    assert (ds.status == 1).all(), f"{method}: cells not ok"
    sv = ds.singular_values.sel(model="linear").squeeze()
    frob = (sv ** 2).sum("sv").values  # fill (NaN) past d is skipped
    closed = (ds.d.values * eta) ** 2
    match = np.allclose(frob, closed, rtol=1e-12, atol=0)
    assert match == exact, f"{method}: sum of squared singular values {frob}, d^2 eta^2 = {closed}"
    print(f"{method}: ||W||_F^2 {frob} {'=' if exact else '!='} d^2 eta^2 {closed}")
PY
for args in "-models guess" "-family halfspace -models bayes" "-train_method sign"; do
  if "$stock" run $cell $args -output "$work/stock" >"$work/stock.log" 2>&1; then
    echo "the stock iclsweep ran $args: the examples did not come from docs/extending.md"
    exit 1
  fi
  grep -qE "unknown model 'guess'|-family halfspace: unknown|-train_method sign: unknown" "$work/stock.log" || { cat "$work/stock.log"; exit 1; }
  echo "stock iclsweep: $(tail -1 "$work/stock.log")"
done
