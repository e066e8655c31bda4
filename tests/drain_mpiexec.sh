#!/bin/bash
# drain_mpiexec.sh BASE LAUNCHER: SIGTERM and SIGINT under mpiexec. Started through
# iclsweep-mpiexec (LAUNCHER), a run drains like after SIGUSR1 whether the signal goes to
# mpiexec's pid or to its whole process group (Ctrl-C): exit 3, the stop announced at the
# signal, results.nc holding every finished cell, and a resume equal to an uninterrupted
# run bit for bit. Negative control: plain mpiexec answers SIGTERM by killing the ranks.
source "$(dirname "$0")/testlib.sh" "$1"
launcher=$2
# 48 cells of a few tenths of a second each on 2 ranks: on an idle machine too, most are still
# to run when the ranks see the signal.
cells=(-grid_d 32 -grid_k 4 -grid_N 5,10,20 -replicates 16 -models linear -train_tasks 4000 -train_steps 30 -eval_M 5,40 -eval_tasks 500 -drain_seconds 30)

# signal_run DIR SIGNAL TARGET [MPIEXEC]: run in a session of its own, send SIGNAL to
# mpiexec's pid (TARGET pid) or to its process group (TARGET group) once a cell is done
# (most are still to run, however loaded the machine).
signal_run() {
  local dir=$1 sig=$2 target=$3 mpiexec=${4:-$launcher}
  setsid "$mpiexec" -n 2 "$ICLSWEEP" run "${cells[@]}" -output "$dir" >"$dir.log" 2>&1 &
  local pid=$! # setsid execs: the pid is mpiexec's and leads its process group
  for _ in $(seq 600); do
    grep -q "\] 1/48 cells" "$dir.log" && break
    sleep 0.1
  done
  if [[ $target == group ]]; then kill -"$sig" -- -"$pid"; else kill -"$sig" "$pid"; fi
  local t0=$(date +%s.%N)
  wait "$pid"
  rc=$?
  after=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
  echo "$sig to $target: exit $rc, $after s after the signal"
}

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${cells[@]}" -output "$base/ref" >/dev/null 2>&1 || { echo "reference run failed"; exit 1; }

for sig in TERM INT; do
  for target in pid group; do
    d=$base/$sig-$target
    signal_run "$d" "$sig" "$target"
    [[ $rc -eq 3 ]] && ok || bad "$sig to $target: exit status $rc, want 3"
    less "$after" 20 && ok || bad "$sig to $target: took $after s after the signal"
    grep -Eq "stopping: [0-9]+ cells in flight, waiting up to 30 s" "$d.log" && ok || bad "$sig to $target: nothing said at the signal"
    # results.nc holds the finished cells, bit for bit those of the uninterrupted run
    "$PYTHON" - "$base/ref/results.nc" "$d/results.nc" <<'PY' && ok || bad "$sig to $target: results.nc does not hold the finished cells"
import sys, numpy as np, xarray as xr
ref, got = (xr.open_dataset(p) for p in sys.argv[1:])
done = got.status.values == 1
assert done.any() and (got.status.values == 0).any(), got.status.values
for v in ("train_loss", "test_error"):
    a, b = ref[v].values, got[v].values
    assert np.array_equal(a[done], b[done]), v
PY
    "$launcher" -n 2 "$ICLSWEEP" run "${cells[@]}" -output "$d" >>"$d.log" 2>&1 && ok || bad "$sig to $target: resume failed"
    "$PYTHON" "$here/check_results.py" same "$base/ref" "$d" >/dev/null && ok || bad "$sig to $target: data differ from the uninterrupted run"
  done
done

# Plain mpiexec handles SIGTERM itself (kills the ranks, exits 1): why the launcher exists.
signal_run "$base/plain" TERM pid "$MPIEXEC"
[[ $rc -ne 3 ]] && ok || bad "plain mpiexec drained on SIGTERM: the launcher is no longer needed"
finish
