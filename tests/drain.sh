#!/bin/bash
# drain.sh BASE: stop signals. The first signal stops the sweep from taking cells and lets
# in-flight cells finish within -drain_seconds (then drops them); a second drops them at once.
# Either way the run flushes, exits 3, and resumes to the data of an uninterrupted run.
source "$(dirname "$0")/testlib.sh" "$1"
# 8 cells of about a second each, or of several seconds with -train_steps 400.
cells=(-grid_d 128 -grid_k 4 -grid_N 5,10,20,40 -replicates 2 -models linear -train_tasks 20000 -train_steps 40 -eval_M 5,40 -eval_tasks 2000)

# signal_run DIR SIGNAL TIMES...: run in the background; once it has started, signal mpiexec
# at the given times (s).
signal_run() {
  local dir=$1 sig=$2
  shift 2
  "$MPIEXEC" -n 2 "$ICLSWEEP" run "${cells[@]}" -output "$dir" "${extra[@]}" >"$dir.log" 2>&1 &
  local pid=$!
  # signal a started run (the handlers are installed): a loaded machine may take seconds to start
  for _ in $(seq 600); do
    grep -q "to run (fingerprint" "$dir.log" && break
    sleep 0.1
  done
  for at in "$@"; do
    sleep "$at"
    kill -"$sig" "$pid"
    signalled=$(date +%s.%N)
  done
  wait "$pid"
  rc=$?
  after=$(awk -v a="$(date +%s.%N)" -v b="$signalled" 'BEGIN { printf "%.2f", a - b }')
}

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${cells[@]}" -output "$base/ref" >/dev/null 2>&1 || { echo "reference run failed"; exit 1; }

# A: drain. In-flight cells (about 1 s) finish; nothing is lost; the rest resumes.
extra=(-drain_seconds 30)
signal_run "$base/a" USR1 2.0
[[ $rc -eq 3 ]] && ok || bad "A: exit status $rc, want 3"
less "$after" 10 && ok || bad "A: took $after s after the signal"
st=$("$ICLSWEEP" status "$base/a")
[[ $st != *" 0 pending"* && $st != *": 8 cells: 0 done"* ]] && ok || bad "A: want some cells done and some pending: $st"
grep -q "Run the same command again to resume" "$base/a.log" && ok || bad "A: no resume hint"
grep -Eq "stopping: [0-9]+ cells in flight, waiting up to 30 s" "$base/a.log" && ok || bad "A: nothing said at the signal"
"$MPIEXEC" -n 2 "$ICLSWEEP" run "${cells[@]}" -output "$base/a" -drain_seconds 30 >>"$base/a.log" 2>&1 && ok || bad "A: resume failed"
"$PYTHON" "$here/check_results.py" same "$base/ref" "$base/a" >/dev/null && ok || bad "A: data differ from the uninterrupted run"
[[ $("$ICLSWEEP" status "$base/a") == *"journal: 8 records, 0 dropped (damaged), 0 duplicates"* ]] && ok || bad "A: journal does not hold each cell once"

# B: the drain bound. Cells of several seconds are dropped 0.3 s after the signal.
cells[13]=400
extra=(-drain_seconds 0.3)
signal_run "$base/b" USR1 1.5
[[ $rc -eq 3 ]] && ok || bad "B: exit status $rc, want 3"
less "$after" 3 && ok || bad "B: took $after s after the signal with -drain_seconds 0.3"
[[ $("$ICLSWEEP" status "$base/b") == *"0 done"*"8 pending"* ]] && ok || bad "B: dropped cells must stay pending"

# C: a second signal drops in-flight cells at once, whatever -drain_seconds says.
extra=(-drain_seconds 600)
signal_run "$base/c" USR1 1.5 0.3
[[ $rc -eq 3 ]] && ok || bad "C: exit status $rc, want 3"
less "$after" 3 && ok || bad "C: took $after s after the second signal"

# D: SIGTERM straight to a single process (no mpiexec), as a batch system sends it.
cells[13]=40
"$ICLSWEEP" run "${cells[@]}" -output "$base/d" -drain_seconds 30 >"$base/d.log" 2>&1 &
pid=$!
for _ in $(seq 600); do # signal a started run (handlers installed), however loaded the machine
  grep -q "to run (fingerprint" "$base/d.log" && break
  sleep 0.1
done
sleep 1
kill -TERM $pid
wait $pid
rc=$?
[[ $rc -eq 3 ]] && ok || bad "D: SIGTERM gave exit status $rc, want 3"
"$ICLSWEEP" run "${cells[@]}" -output "$base/d" >>"$base/d.log" 2>&1 && ok || bad "D: resume failed"
"$PYTHON" "$here/check_results.py" same "$base/ref" "$base/d" >/dev/null && ok || bad "D: data differ from the uninterrupted run"

finish
