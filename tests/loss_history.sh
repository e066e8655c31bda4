#!/bin/bash
# loss_history.sh BASE: results.nc's loss_history, as the training engines record it. For
# direct GD, the dual form, single precision, TAO and the gram engine: every trained cell has
# its loss at step 0 and at its last step, whose loss is train_loss bit for bit, at most 64
# points at increasing steps (every step of a 30-step run; 64 of a 100-step one), and a
# converging GD run's history decreases; mle (not trained) has none.
source "$(dirname "$0")/testlib.sh" "$1"
o=(-grid_d 8 -grid_k 2 -grid_N 5,10 -models linear,mle -train_tasks 300 -eval_M 5 -eval_tasks 100)
runs=("gd:-train_method gd -train_steps 100" "gd30:-train_method gd -train_steps 30" "dual:-train_method dual -train_steps 100"
  "single:-train_method gd -train_precision single -train_steps 100" "tao:-train_method tao -train_steps 20" "gram:-engine gram -train_steps 100")
for r in "${runs[@]}"; do
  name=${r%%:*}
  # shellcheck disable=SC2206
  extra=(${r#*:})
  "$MPIEXEC" -n 2 "$ICLSWEEP" run "${o[@]}" "${extra[@]}" -output "$base/$name" >"$base/$name.log" 2>&1 || { bad "$name: run failed"; continue; }
  "$PYTHON" - "$base/$name/results.nc" "$name" <<'PY' && ok || bad "$name: loss_history is wrong"
import sys, numpy as np, xarray as xr
ds, name = xr.open_dataset(sys.argv[1]), sys.argv[2]
assert ds.loss_history.dims[-1] == "history" and ds.sizes["history"] == 64
lin = ds.sel(model="linear")
h = lin.loss_history.values.reshape(-1, 64)
s = lin.history_step.values.reshape(-1, 64)
loss = lin.train_loss.values.ravel()
for hc, sc, l in zip(h, s, loss):
    n = int(np.count_nonzero(~np.isnan(hc)))
    assert n >= 2 and np.isnan(hc[n:]).all() and np.isnan(sc[n:]).all(), (n, hc)
    assert sc[0] == 0 and (np.diff(sc[:n]) > 0).all(), sc[:n]
    assert hc[n - 1] == l, (hc[n - 1], l)  # the last point is train_loss, bit for bit
    if name in ("gd", "dual", "single", "gram"):
        assert n == 64 and sc[n - 1] == 100, (n, sc[n - 1])
    if name == "gd30":
        assert n == 31 and (sc[:n] == np.arange(31)).all(), sc[:n]
    if name in ("gd", "gd30"):  # a converging GD run: the loss goes down at every point
        assert (np.diff(hc[:n]) < 0).all(), hc[:n]
assert np.isnan(ds.sel(model="mle").loss_history.values).all()
PY
done
finish
