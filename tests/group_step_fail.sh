#!/bin/bash
# group_step_fail.sh BASE: one rank's error inside a group's training step (injected in GD
# step 1 on the group's last rank, -fault_inject step_fail:C) reaches every rank of the group
# at the step's agreement: the cell fails with that rank's message, the group goes on to its
# next cell, nothing hangs (timeout's 124), and every other cell equals a run without the
# fault bit for bit. At 2 ranks (one group) and 4 ranks (two groups), -group_size 2.
source "$(dirname "$0")/testlib.sh" "$1"
o=(-grid_d 8 -grid_k 2 -grid_N 5,10 -replicates 2 -models linear,mle -train_tasks 500 -train_steps 20 -eval_M 5 -eval_tasks 100 -group_size 2)
cell=2 # linear, N = 10, replicate 0: trained by GD

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${o[@]}" -output "$base/ref" >"$base/ref.log" 2>&1 || { echo "reference run failed"; exit 1; }
for n in 2 4; do
  d=$base/fail$n
  timeout 120 "$MPIEXEC" -n $n "$ICLSWEEP" run "${o[@]}" -fault_inject step_fail:$cell -output "$d" >"$d.log" 2>&1
  rc=$?
  [[ $rc -eq 1 ]] && ok || bad "$n ranks: want exit status 1 for a failed cell, got $rc (124 is a hang)"
  out=$("$ICLSWEEP" status "$d" -cells failed 2>&1)
  [[ $(grep -c . <<<"$out") -eq 1 && $out == *"model linear, d = 8, k = 2, N = 10, R = 2, replicate 0: Out of memory: rank 1 of the group failed: injected failure in GD step 1 on rank 1 of the group"* ]] && ok || bad "$n ranks: the failed cell or its message is wrong: $out"
  "$PYTHON" - "$base/ref/results.nc" "$d/results.nc" $cell <<'PY' && ok || bad "$n ranks: the other cells differ from the run without the fault"
import sys, numpy as np, xarray as xr
ref, got = (xr.open_dataset(p) for p in sys.argv[1:3])
c = int(sys.argv[3])
st_ref, st = ref.status.values.ravel(), got.status.values.ravel()
assert st_ref[c] == 1 and st[c] == 3, (st_ref, st)  # negative control: ok without the fault
others = np.arange(st.size) != c
assert (st[others] == 1).all(), st
for v in ("train_loss", "test_error"):
    a, b = (x[v].values.reshape(st.size, -1) for x in (ref, got))
    assert np.array_equal(a[others], b[others], equal_nan=True), v
PY
done
finish
