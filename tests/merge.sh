#!/bin/bash
# merge.sh BASE: a sweep split into 3 shards (run at different rank counts) merges into a
# results.nc equal, bit for bit, to one run of the whole sweep; merge refuses duplicate parts,
# parts of other sweeps or splits, and missing cells unless -allow_incomplete.
source "$(dirname "$0")/testlib.sh" "$1"
sweep=(-options_file "$here/small.opts")

"$MPIEXEC" -n 2 "$ICLSWEEP" run "${sweep[@]}" -output "$base/whole" >/dev/null 2>&1 || bad "whole run failed"
for i in 0 1 2; do
  "$MPIEXEC" -n $((i + 1)) "$ICLSWEEP" run "${sweep[@]}" -shard $i -num_shards 3 -output "$base/part$i" >/dev/null 2>&1 || bad "shard $i failed"
done
"$MPIEXEC" -n 2 "$ICLSWEEP" run "${sweep[@]}" -shard 0 -num_shards 2 -output "$base/other_split" >/dev/null 2>&1 || bad "other split failed"
"$MPIEXEC" -n 2 "$ICLSWEEP" run "${sweep[@]}" -seed 8 -shard 1 -num_shards 3 -output "$base/other_sweep" >/dev/null 2>&1 || bad "other sweep failed"

"$ICLSWEEP" merge -output "$base/merged" "$base/part2" "$base/part0" "$base/part1" >"$base/merge.log" 2>&1 && ok || { bad "merge failed"; cat "$base/merge.log"; }
"$PYTHON" "$here/check_results.py" same "$base/whole" "$base/merged" >/dev/null && ok || bad "merged data differ from the whole run"
[[ $("$ICLSWEEP" status "$base/merged") == *"journal: 128 records, 0 dropped (damaged), 0 duplicates"* ]] && ok || bad "merged journal does not hold each cell once"

expect() { # STATUS TEXT merge-arguments...
  local want=$1 text=$2
  shift 2
  out=$("$ICLSWEEP" merge "$@" 2>&1)
  rc=$?
  [[ $rc -eq $want && $out == *"$text"* ]] && ok || { bad "merge $* -> $rc (want $want): $out"; }
}
expect 2 "is given twice" -output "$base/m1" "$base/part0" "$base/part1" "$base/part0"
expect 2 "holds a different sweep" -output "$base/m1" "$base/part0" "$base/other_sweep"
expect 2 "merge parts of one split only" -output "$base/m1" "$base/part0" "$base/other_split"
expect 2 "cells are in none of the parts" -output "$base/m1" "$base/part0" "$base/part1"
[[ ! -e $base/m1 ]] && ok || bad "a refused merge created $base/m1"
# The cells missing are part2's (how many follows from the cost model that deals the shards).
missing=$("$ICLSWEEP" status "$base/part2" | sed -n 's/^journal: \([0-9]*\) records.*/\1/p')
expect 0 " ${missing:-?} pending" -output "$base/m2" "$base/part0" "$base/part1" -allow_incomplete
before=$(sha256sum "$base/part0/journal" "$base/part0/results.nc")
expect 2 "holds shard 0 of 3 of this sweep" -output "$base/part0" "$base/whole"
[[ $(sha256sum "$base/part0/journal" "$base/part0/results.nc") == "$before" ]] && ok || bad "a refused merge changed $base/part0"
expect 2 "merge needs at least one PART_DIR" -output "$base/m3"
finish
