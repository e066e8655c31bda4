#!/bin/bash
# extend.sh BASE: a sweep grown in place (more values on d, N, a training axis, more models and
# replicates) runs only its new cells and ends bitwise equal to a fresh run of the larger sweep;
# shrunk, it writes the smaller sweep and keeps the cells it leaves out for a later regrowth; an
# option that changes results (the seed) is refused and changes nothing; a journal of the
# previous format resumes (upgraded) with its own options and is refused with others.
source "$(dirname "$0")/testlib.sh" "$1"
common=(-family gmm -grid_k 2,16 -grid_R 1,2 -train_tasks 300 -train_steps 20 -eval_M 1,5,20 -eval_tasks 500 -seed 7)
small=("${common[@]}" -grid_d 8 -grid_N 5 -replicates 1 -models linear,mle -grid_train_lr 0.1)
big=("${common[@]}" -grid_d 8,24 -grid_N 5,20 -replicates 2 -models mle,linear,oracle,bayes -grid_train_lr 0.05,0.1)
run() { # DIR NP options...: the run's output in DIR.log, its exit status
  local dir=$1 np=$2
  shift 2
  "$MPIEXEC" -n "$np" "$ICLSWEEP" run "$@" -output "$dir" >"$dir.log" 2>&1
}
to_run() { sed -n 's/.* cells, \([0-9]*\) to run .*/\1/p' "$1.log"; }
files() { (cd "$1" && sha256sum journal results.nc); }

run "$base/fresh_small" 1 "${small[@]}" || bad "small sweep failed"
run "$base/fresh" 2 "${big[@]}" || bad "big sweep failed"
run "$base/grown" 1 "${small[@]}" || bad "small sweep failed"
run "$base/grown" 2 "${big[@]}" && ok || { bad "growing in place failed"; cat "$base/grown.log"; }
# 4 models x 2 d x 2 k x 2 N x 2 R x 2 lr x 2 replicates = 256 cells, of which the small sweep's 8 are done
[[ $(to_run "$base/grown") == 248 ]] && ok || bad "grown run ran $(to_run "$base/grown") cells, want 248"
grep -q "the grid changed (8 cells, now 256)" "$base/grown.log" && ok || bad "the grown run does not say the grid changed"
"$PYTHON" "$here/check_results.py" same "$base/fresh" "$base/grown" >/dev/null && ok || bad "grown sweep differs from a fresh run"
run "$base/grown" 1 "${big[@]}" && grep -q "nothing to do" "$base/grown.log" && ok || bad "a rerun of the grown sweep is not 'nothing to do'"

# An option that changes results: refused, DIR untouched.
before=$(files "$base/grown")
run "$base/grown" 1 "${big[@]/#7/8}"
[[ $? -eq 2 ]] && grep -q "an option that changes results differs (cell fingerprint" "$base/grown.log" && ok || { bad "a changed seed was not refused"; cat "$base/grown.log"; }
[[ $(files "$base/grown") == "$before" ]] && ok || bad "a refused run changed $base/grown"

# Shrunk back: results.nc holds the small sweep (bitwise), nothing runs; grown again: nothing
# runs either (the left-out cells stayed in the journal), and it equals the fresh run.
run "$base/grown" 1 "${small[@]}" || bad "shrinking failed"
[[ $(to_run "$base/grown") == 0 ]] && ok || bad "the shrunk run ran $(to_run "$base/grown") cells, want 0"
"$PYTHON" "$here/check_results.py" same "$base/fresh_small" "$base/grown" >/dev/null && ok || bad "shrunk sweep differs from a fresh small run"
run "$base/grown" 2 "${big[@]}" || bad "regrowing failed"
[[ $(to_run "$base/grown") == 0 ]] && ok || bad "regrowing ran $(to_run "$base/grown") cells, want 0"
"$PYTHON" "$here/check_results.py" same "$base/fresh" "$base/grown" >/dev/null && ok || bad "regrown sweep differs from a fresh run"
[[ $("$ICLSWEEP" status "$base/grown") == *"256 cells: 256 done"*"journal: 256 records, 0 dropped"* ]] && ok || bad "status of the regrown sweep: $("$ICLSWEEP" status "$base/grown")"

# -retry after growth: the failed cell is found by its coordinates.
run "$base/retry" 1 "${small[@]}" -fault_inject cell_fail:0
run "$base/retry" 1 "${big[@]}" -retry failed || bad "-retry after growth failed"
"$PYTHON" "$here/check_results.py" same "$base/fresh" "$base/retry" >/dev/null && ok || bad "-retry after growth differs from a fresh run"

# A directory of the previous version (journal format 2, no cell fingerprint in results.nc):
# refused with another grid, naming the fix; resumed and upgraded with its own options.
cp -r "$base/fresh_small" "$base/old"
"$PYTHON" - "$base/old" <<'EOF' || bad "cannot write a format 2 directory"
import struct, sys, zlib, netCDF4
d = sys.argv[1]
raw = open(f"{d}/journal", "rb").read()
head, body = raw[:88], raw[88:]
magic, version, rsize, ncells, nM, fp, _, shard, nshards = struct.unpack("<16sIIqi17s3sii", head[:64])
old = struct.pack("<16sIIqi17s3sii", magic, 2, rsize - 1128, ncells, nM, fp, b"\0" * 3, shard, nshards)
out = old + struct.pack("<I", zlib.crc32(old)) + b"\0" * 4
slot = rsize + 4
for at in range(0, len(body) - slot + 1, slot):
    rec = body[at:at + rsize]
    rec = rec[:320] + rec[1448:]  # no loss history (2 x 64 doubles), no key (104 bytes)
    out += rec + struct.pack("<I", zlib.crc32(rec))
open(f"{d}/journal", "wb").write(out)
nc = netCDF4.Dataset(f"{d}/results.nc", "a")
nc.delncattr("cell_fingerprint")
nc.close()
EOF
before=$(files "$base/old")
run "$base/old" 1 "${big[@]}"
[[ $? -eq 2 ]] && grep -q "recorded by an earlier iclsweep.*resume it first with its own options" "$base/old.log" && ok || { bad "a format 2 DIR with another grid was not refused"; cat "$base/old.log"; }
[[ $(files "$base/old") == "$before" ]] && ok || bad "a refused run changed $base/old"
out=$("$ICLSWEEP" status "$base/old" 2>&1)
[[ $out == *"resume it once with this version"* ]] && ok || bad "status of a format 2 DIR does not name the fix: $out"
run "$base/old" 1 "${small[@]}" && grep -q "journal upgraded to format 3" "$base/old.log" && ok || { bad "a format 2 DIR did not resume"; cat "$base/old.log"; }
run "$base/old" 2 "${big[@]}" || bad "growing the upgraded DIR failed"
[[ $(to_run "$base/old") == 248 ]] && ok || bad "growing the upgraded DIR ran $(to_run "$base/old") cells, want 248"
"$PYTHON" "$here/check_results.py" same_upgraded "$base/fresh" "$base/old" >/dev/null && ok || bad "the upgraded, grown sweep differs from a fresh run (but for the history format 2 did not keep)"
finish
