#!/bin/bash
# fault_injection.sh BASE: a sweep killed with SIGKILL at many moments (inside a journal
# write, inside the results.nc write, and at random times), resumed after each kill, ends
# with the data of an uninterrupted run, bit for bit, every cell journaled exactly once.
source "$(dirname "$0")/testlib.sh" "$1"
sweep=(-options_file "$here/fault.opts")

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${sweep[@]}" -output "$base/ref" >/dev/null 2>&1 || { echo "reference run failed"; exit 1; }
dir=$base/killed
kills=0

# Faults placed by the program itself: half-written journal records, a half-written results.nc.
for fault in journal_write:0 journal_write:7 journal_write:31 journal_write:2 results_write; do
  "$MPIEXEC" -n 2 "$ICLSWEEP" run "${sweep[@]}" -output "$dir" -fault_inject "$fault" >>"$base/log" 2>&1
  rc=$?
  [[ $rc -ne 0 ]] && ok || bad "-fault_inject $fault: the run was not killed (rc $rc)"
  pkill -9 -f -- "-output $dir" 2>/dev/null
  kills=$((kills + 1))
done

# SIGKILL to every process of the job at fixed pseudo-random moments (a node failure).
for delay in 0.9 1.7 0.6 2.4 1.2 3.1 0.8 2.0 1.4 2.7; do
  "$MPIEXEC" -n 2 "$ICLSWEEP" run "${sweep[@]}" -output "$dir" >>"$base/log" 2>&1 &
  sleep "$delay"
  pkill -9 -f -- "-output $dir"
  wait
  kills=$((kills + 1))
done

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${sweep[@]}" -output "$dir" >>"$base/log" 2>&1 && ok || { bad "final resume failed"; tail -20 "$base/log"; }
torn=$(grep -c "torn record" "$base/log")
[[ $torn -ge 3 ]] && ok || bad "expected the torn journal records of the journal_write faults to be detected, saw $torn"
compgen -G "$dir/.results.nc.*.tmp" >/dev/null && bad "a temporary results file was left in $dir" || ok
status=$("$ICLSWEEP" status "$dir")
echo "$status"
[[ $status == *"192 cells: 192 done"* || $status == *"0 pending"* ]] && ok || bad "not every cell is done"
[[ $status == *"journal: 192 records"* && $status == *" 0 duplicates"* ]] && ok || bad "cells were journaled more or less than once"
"$PYTHON" "$here/check_results.py" same "$base/ref" "$dir" >"$base/same.log" && ok || { bad "data differ from the uninterrupted run"; cat "$base/same.log"; }
echo "kill points: $kills"
finish
