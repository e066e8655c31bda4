#!/bin/bash
# partial.sh BASE: DIR/partial.nc during a run. With -partial_interval 0.2 it appears while
# the run is active, `status` names it, analysis.load reads it, it has the schema of
# results.nc with finished cells equal to the final ones and the others pending (fill); the
# finished run leaves results.nc only. -partial_interval 0 writes none (negative control).
source "$(dirname "$0")/testlib.sh" "$1"
# 160 cells: partial.nc is first due after 8 (5%), long before the run ends (several seconds
# later on an idle machine, so status still sees the run active).
o=(-grid_d 32 -grid_k 4 -grid_N 5,10,20,40,80 -replicates 32 -models linear -train_tasks 4000 -train_steps 30 -eval_M 5,40 -eval_tasks 500)
small=(-grid_d 32 -grid_k 4 -grid_N 5,10,20,40,80 -replicates 8 -models linear -train_tasks 4000 -train_steps 30 -eval_M 5,40 -eval_tasks 500)

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${o[@]}" -partial_interval 0.2 -output "$base/run" >"$base/run.log" 2>&1 &
pid=$!
got=0
while kill -0 $pid 2>/dev/null; do
  # a hard link keeps the version it names whole, whatever is renamed over it later
  if ln "$base/run/partial.nc" "$base/partial.nc" 2>/dev/null; then
    st=$("$ICLSWEEP" status "$base/run")
    got=1
    break
  fi
  sleep 0.05
done
wait $pid && ok || bad "the run failed"
[[ $got -eq 1 ]] && ok || bad "no partial.nc appeared during the run"
[[ ${st:-} == *"partial results: $base/run/partial.nc, written "* ]] && ok || bad "status does not mention partial.nc: ${st:-}"
[[ ! -e $base/run/partial.nc && -e $base/run/results.nc ]] && ok || bad "the finished run must leave results.nc and no partial.nc"
"$PYTHON" - "$base/partial.nc" "$base/run/results.nc" <<'PY' && ok || bad "partial.nc is not results.nc's schema with the cells finished then"
import sys, numpy as np, xarray as xr, analysis
part = analysis.load(sys.argv[1])  # the documented reader
assert (part.status.values == "pending").any(), part.status.values
raw, final = xr.open_dataset(sys.argv[1]), xr.open_dataset(sys.argv[2])
assert set(raw.variables) == set(final.variables) and raw.sizes == final.sizes, (set(raw.variables) ^ set(final.variables))
done = raw.status.values == 1
assert done.any() and (raw.status.values == 0).any(), raw.status.values
assert np.isnan(raw.train_loss.values[~done]).all()
for v in ("train_loss", "test_error"):
    assert np.array_equal(raw[v].values[done], final[v].values[done]), v
PY

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${small[@]}" -partial_interval 0 -output "$base/none" >"$base/none.log" 2>&1 &
pid=$!
seen=0
while kill -0 $pid 2>/dev/null; do
  [[ -e $base/none/partial.nc ]] && seen=1
  sleep 0.05
done
wait $pid
[[ $seen -eq 0 ]] && ok || bad "-partial_interval 0 wrote partial.nc"
finish
