#!/bin/bash
# cell_outcomes.sh BASE: one cell that fails (here an injected out-of-memory) is recorded as
# failed with its message and the sweep goes on (exit 1), also when only one rank of a group
# runs out of memory; a training loss that explodes (non-finite, or above 1e6 x its initial
# value) marks cells diverged with the step where it happened. Any failed or diverged cell
# gives exit status 1, on every run, with the -retry that runs those cells again.
source "$(dirname "$0")/testlib.sh" "$1"

"$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$here/small.opts" -fault_inject cell_fail:3 -output "$base/fail" >"$base/fail.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && ok || bad "a failed cell must give exit status 1, got $rc"
grep -q "cell 3 (model linear, d = 8, k = 2, N = 5, R = 2, replicate 1): Out of memory: injected failure" "$base/fail.log" && ok || bad "the failure's message is not reported with the cell's coordinates"
"$PYTHON" - "$base/fail/results.nc" <<'PY' && ok || bad "results.nc does not record the failed cell as expected"
import re, sys, numpy as np, xarray as xr
ds = xr.open_dataset(sys.argv[1])
status = ds.status.values.ravel()
assert status[3] == 3 and (status == 3).sum() == 1, status
assert (status == 1).sum() == 95 and (status == 4).sum() == 32, np.bincount(status)
assert np.isnan(ds.test_error.values.reshape(status.size, -1)[3]).all()
assert "injected failure" in ds.attrs["failures"]
# where it happened, relative to the source tree (no build or checkout path)
assert re.search(r"\(RunUnit\(\) at src/driver/runner\.c:[0-9]+\)", ds.attrs["failures"]), ds.attrs["failures"]
PY

"$MPIEXEC" -n 2 "$ICLSWEEP" run -grid_d 8,24 -grid_k 2 -grid_N 5 -train_tasks 300 -train_steps 20 -train_lr 1e308 -eval_M 5 -eval_tasks 100 -models linear,mle -output "$base/diverge" >"$base/diverge.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && ok || bad "diverged cells must give exit status 1, got $rc"
grep -q "with -retry diverged" "$base/diverge.log" && ok || bad "the way to retry diverged cells is not said"
"$PYTHON" - "$base/diverge/results.nc" <<'PY' && ok || bad "results.nc does not record the diverged cells as expected"
import sys, numpy as np, xarray as xr
ds = xr.open_dataset(sys.argv[1])
assert (ds.status.sel(model="linear").values == 2).all(), ds.status.values
assert (ds.status.sel(model="mle").values == 1).all(), ds.status.values
assert "training loss exploded (non-finite or above 1e6 x its initial value) at GD step" in ds.attrs["failures"]
PY
# A group of 2 where one rank cannot allocate its share of the dual form's K (4.1 GB each:
# a quarter of B^2 words; that rank's address space is capped at 3 GB): both ranks agree, the
# cell fails with the reason (no hang, which timeout reports as 124) and the run ends with exit 1.
o=(-grid_d 4 -grid_k 2 -grid_N 5 -models linear -train_method kernel -train_tasks 45000 -train_steps 1 -eval_M 5 -eval_tasks 100 -group_size 2 -output "$base/alloc")
timeout 120 "$MPIEXEC" -n 1 "$ICLSWEEP" run "${o[@]}" : -n 1 bash -c 'ulimit -v 3000000; exec "$0" "$@"' "$ICLSWEEP" run "${o[@]}" >"$base/alloc.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && ok || bad "a group that cannot allocate K must fail the cell with exit status 1 (got $rc; 124 is a hang)"
grep -q "could not be allocated on every rank of the group" "$base/alloc.log" && ok || bad "the allocation failure's reason is not reported"
# A rank that fails outside any cell: every rank agrees and stops (no hang), exit 1; the
# cells finished meanwhile are kept, and the same command resumes to a complete sweep.
timeout 120 "$MPIEXEC" -n 3 "$ICLSWEEP" run -options_file "$here/small.opts" -fault_inject rank_fail:1 -output "$base/rank" >"$base/rank.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && ok || bad "a failed rank must end the run with exit status 1 (got $rc; 124 is a hang)"
grep -q "injected failure of rank 1" "$base/rank.log" && ok || bad "the failed rank's message is not reported"
"$MPIEXEC" -n 3 "$ICLSWEEP" run -options_file "$here/small.opts" -output "$base/rank" >>"$base/rank.log" 2>&1 && ok || bad "resume after a failed rank failed"
[[ $("$ICLSWEEP" status "$base/rank") == *"journal: 128 records, 0 dropped (damaged), 0 duplicates"* ]] && ok || bad "after a failed rank the journal does not hold each cell once"
# A finite loss that exploded (1.5e181 before the bound) is diverged too, by either form.
for m in gd dual; do
  "$MPIEXEC" -n 2 "$ICLSWEEP" run -family linreg -train_lr 100 -train_steps 30 -train_method $m -grid_d 4 -grid_k 2 -grid_N 5 -train_tasks 20 -eval_M 1,5 -eval_tasks 50 -models linear,bayes -output "$base/explode_$m" >"$base/explode_$m.log" 2>&1
  rc=$?
  [[ $rc -eq 1 && $("$ICLSWEEP" status "$base/explode_$m") == *"(1 ok, 1 diverged"* ]] && ok || bad "-train_method $m: an exploding finite loss must mark the cell diverged (exit $rc)"
done
# The failed cell of $base/fail: a rerun still exits 1 and says how to retry; -retry failed
# runs exactly it, the journal keeps one record a cell, and the data equal a clean run's.
out=$("$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$here/small.opts" -output "$base/fail" 2>&1)
rc=$?
[[ $rc -eq 1 && $out == *"nothing to do"* && $out == *"with -retry failed"* ]] && ok || bad "a rerun of a sweep with a failed cell must exit 1 and say how to retry (exit $rc): $out"
# status -cells lists cells by their coordinates, with the failure's message
out=$("$ICLSWEEP" status "$base/fail" -cells failed 2>&1)
[[ $(grep -c . <<<"$out") -eq 1 && $out == "failed   model "*", replicate "*": Out of memory: injected failure"* ]] && ok || bad "status -cells failed does not list the failed cell by coordinates: $out"
[[ $("$ICLSWEEP" status "$base/fail" -cells all | grep -c .) -eq 128 ]] && ok || bad "status -cells all does not list the 128 cells"
out=$("$ICLSWEEP" status "$base/fail" -cells broken 2>&1)
[[ $? -eq 2 && $out == *"-cells broken: unknown"* ]] && ok || bad "status -cells broken must be refused: $out"
out=$("$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$here/small.opts" -retry failed -output "$base/fail" 2>&1)
rc=$?
[[ $rc -eq 0 && $out == *"-retry: 1 cells run again"* ]] && ok || bad "-retry failed must rerun the one failed cell and exit 0 (exit $rc): $out"
[[ $("$ICLSWEEP" status "$base/fail") == *"journal: 128 records, 0 dropped (damaged), 0 duplicates"* ]] && ok || bad "after -retry the journal does not hold each cell once"
"$PYTHON" "$here/check_results.py" same "$base/rank" "$base/fail" >"$base/same.log" && ok || { bad "after -retry the data differ from a clean run"; cat "$base/same.log"; }
"$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$here/small.opts" -retry failed,diverged -output "$base/fail" >/dev/null 2>&1 && ok || bad "-retry with nothing to retry must exit 0"
out=$("$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$here/small.opts" -retry ok -output "$base/fail" 2>&1)
[[ $? -eq 2 && $out == *"-retry ok: unknown; use failed, diverged"* ]] && ok || bad "-retry ok must be refused: $out"
# status says whether a run holds DIR (its journal's lock) and who ran last
[[ $("$ICLSWEEP" status "$base/fail") == *"no run is active; the last one: 2 ranks, started "* ]] && ok || bad "status does not say that no run is active"
[[ $(flock "$base/fail/journal" "$ICLSWEEP" status "$base/fail") == *"a run is active: 2 ranks, started "* ]] && ok || bad "status does not see the active run"
# Provenance replays: the options attribute names categorical values, and run -options_file
# of it is the same sweep (same fingerprint: nothing to do).
"$ICLSWEEP" run -family distreg -models bayes -grid_link tanh,relu -grid_d 4 -grid_k 2 -grid_N 5 -eval_M 5 -eval_tasks 50 -output "$base/replay" >/dev/null 2>&1
"$PYTHON" -c 'import sys, xarray as xr; print(xr.open_dataset(sys.argv[1]).attrs["options"], end="")' "$base/replay/results.nc" >"$base/replay.opts"
grep -qx -- "-grid_link tanh,relu" "$base/replay.opts" && grep -qx -- "-input_law gauss" "$base/replay.opts" && ok || bad "the options attribute does not name categorical values: $(cat "$base/replay.opts")"
[[ $("$ICLSWEEP" run -options_file "$base/replay.opts" 2>&1) == *"complete; nothing to do"* ]] && ok || bad "run -options_file of the options attribute is not the same sweep"
# Training methods by name: an options file naming the dual form by its earlier name (kernel)
# is the sweep gd ran (methods with GD's iterates share one fingerprint); tao's solver is part
# of its sweep: its options attribute replays, another -tao_type is another sweep.
cell=(-family linreg -models linear -grid_d 4 -grid_k 2 -grid_N 5 -train_tasks 20 -train_steps 3 -eval_M 5 -eval_tasks 20)
"$ICLSWEEP" run "${cell[@]}" -train_method gd -output "$base/method_gd" >/dev/null 2>&1
echo "-train_method kernel" >"$base/kernel.opts"
[[ $("$ICLSWEEP" run "${cell[@]}" -options_file "$base/kernel.opts" -output "$base/method_gd" 2>&1) == *"complete; nothing to do"* ]] && ok || bad "-train_method kernel is not the sweep gd ran"
"$ICLSWEEP" run "${cell[@]}" -train_method tao -tao_type nls -output "$base/method_tao" >/dev/null 2>&1
"$PYTHON" -c 'import sys, xarray as xr; print(xr.open_dataset(sys.argv[1]).attrs["options"], end="")' "$base/method_tao/results.nc" >"$base/tao.opts"
grep -qx -- "-train_method tao" "$base/tao.opts" && grep -qx -- "-tao_type nls" "$base/tao.opts" && ok || bad "the options attribute does not name tao and its solver: $(cat "$base/tao.opts")"
[[ $("$ICLSWEEP" run -options_file "$base/tao.opts" 2>&1) == *"complete; nothing to do"* ]] && ok || bad "run -options_file of tao's options attribute is not the same sweep"
[[ $("$ICLSWEEP" run "${cell[@]}" -train_method tao -output "$base/method_tao" 2>&1) == *"holds a different sweep"* ]] && ok || bad "tao with another -tao_type must be another sweep"
finish
