#!/bin/bash
# bad_input.sh BASE: bad input of every kind ends with exit status 2, a message naming the
# problem, and no change to results already on disk.
source "$(dirname "$0")/testlib.sh" "$1"
tiny=(-grid_d 4 -grid_k 2 -grid_N 5 -train_tasks 20 -train_steps 2 -eval_M 1,5 -eval_tasks 50 -models linear,mle)

fingerprint_dir() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) 2>/dev/null; }

# expect STATUS SUBSTRING iclsweep-arguments...: run on 2 ranks, check status, message, done/ unchanged.
expect() {
  local want=$1 text=$2
  shift 2
  local before after out rc own
  before=$(fingerprint_dir "$base/done")
  out=$("$MPIEXEC" -n 2 "$ICLSWEEP" "$@" 2>&1)
  rc=$?
  after=$(fingerprint_dir "$base/done")
  # bad input is said in one line (beside mpiexec's own note between lines of dashes)
  own=$(awk '/^-----/ { mpi = !mpi; next } !mpi' <<<"$out" | grep -c .)
  if [[ $rc -eq $want && $out == *"$text"* && $before == "$after" && ($want -ne 2 || $own -eq 1) ]]; then
    ok
  else
    bad "iclsweep $* -> status $rc (want $want), output:"
    echo "$out" | sed 's/^/    /'
    [[ $before == "$after" ]] || echo "    and $base/done changed"
  fi
}

# A finished sweep whose results must survive everything below.
"$MPIEXEC" -n 2 "$ICLSWEEP" run "${tiny[@]}" -output "$base/done" >/dev/null || { echo "setup sweep failed"; exit 1; }

o=(-output "$base/new")
expect 2 "unknown option -grid_dd" run "${tiny[@]}" -grid_dd 5 "${o[@]}"
expect 2 "-family gauss: unknown task family; use gmm, linreg, sphere or distreg" run "${tiny[@]}" -family gauss "${o[@]}"
expect 2 "-grid_d: value 0 is out of range" run "${tiny[@]}" -grid_d 0 "${o[@]}"
expect 2 "-grid_d lists 8 twice" run "${tiny[@]}" -grid_d 8,4,8 "${o[@]}"
expect 2 "-grid_k: Input string x has no integer value" run "${tiny[@]}" -grid_k x "${o[@]}"
expect 2 "-grid_R: value -1. is out of range" run "${tiny[@]}" -grid_R -1 "${o[@]}"
expect 2 "-grid_N: value 0 is out of range" run "${tiny[@]}" -grid_N 0,5 "${o[@]}"
expect 2 "unknown model 'transformer'" run "${tiny[@]}" -models linear,transformer "${o[@]}"
expect 2 "-models lists 'mle' twice" run "${tiny[@]}" -models mle,mle "${o[@]}"
expect 2 "-engine fast: unknown; use auto, explicit, gram or wfree" run "${tiny[@]}" -engine fast "${o[@]}"
expect 2 "-engine wfree trains by the dual form" run "${tiny[@]}" -models linear -engine wfree -train_method gd "${o[@]}"
expect 2 "-engine wfree runs in double precision" run "${tiny[@]}" -models linear -engine wfree -train_precision single "${o[@]}"
expect 2 "-engine wfree: computes model linear on family gmm only" run "${tiny[@]}" -family linreg -models linear -engine wfree "${o[@]}"
expect 2 "-engine gram: computes model linear on family gmm only" run "${tiny[@]}" -family linreg -models linear -engine gram "${o[@]}"
expect 2 "-models lowrank needs -rank > 0 in every cell" run "${tiny[@]}" -models lowrank "${o[@]}"
expect 2 "-models lowrank needs -rank > 0 in every cell" run "${tiny[@]}" -models lowrank -grid_rank 0,1 "${o[@]}"
expect 2 "-models lowrank needs rank > 0 in every cell" run "${tiny[@]}" -models lowrank -rank_expr "d-d" "${o[@]}"
expect 2 "-train_lr 0.: must be a positive" run "${tiny[@]}" -train_lr 0 "${o[@]}"
expect 2 "-train_steps -1" run "${tiny[@]}" -train_steps -1 "${o[@]}"
expect 2 "-train_method newton: unknown; use auto, gd, dual or tao" run "${tiny[@]}" -train_method newton "${o[@]}"
expect 2 "-tao_type bogus: not a TAO solver" run "${tiny[@]}" -train_method tao -tao_type bogus "${o[@]}"
expect 2 "-train_precision half: unknown; use double or single" run "${tiny[@]}" -train_precision half "${o[@]}"
expect 2 "-train_precision single applies to -train_method gd, dual and auto, not tao" run "${tiny[@]}" -train_precision single -train_method tao "${o[@]}"
expect 2 "-train_precision single: used by model linear" run "${tiny[@]}" -train_precision single -models mle "${o[@]}"
expect 2 "-eval_M: value 0 is out of range" run "${tiny[@]}" -eval_M 0 "${o[@]}"
expect 2 "-eval_tasks 1" run "${tiny[@]}" -eval_tasks 1 "${o[@]}"
expect 2 "-replicates 0" run "${tiny[@]}" -replicates 0 "${o[@]}"
expect 2 "-group_size 3 does not divide the 2 ranks" run "${tiny[@]}" -group_size 3 "${o[@]}"
expect 2 "-group_size 0: need at least 1" run "${tiny[@]}" -group_size 0 "${o[@]}"
expect 2 "-threads_per_rank -1: use the cores each rank is bound to" run "${tiny[@]}" -threads_per_rank -1 "${o[@]}"
expect 2 "give -output DIR" run "${tiny[@]}"
expect 2 "-options_file $base/no-such.opts: cannot read it" run "${tiny[@]}" -options_file "$base/no-such.opts" "${o[@]}"
expect 2 "unknown command" frobnicate
printf -- '-grid_d 4\n-grid_q 7\n' >"$base/typo.opts"
expect 2 "unknown option -grid_q" run "${tiny[@]}" -options_file "$base/typo.opts" "${o[@]}"
touch "$base/afile"
expect 2 "exists and is not a directory" run "${tiny[@]}" -output "$base/afile"
mkdir -p "$base/foreign" && echo "not netcdf" >"$base/foreign/results.nc"
expect 2 "is not a readable NetCDF file" run "${tiny[@]}" -output "$base/foreign"
grep -q "not netcdf" "$base/foreign/results.nc" && ok || bad "foreign results.nc was touched"
expect 2 "holds a different sweep" run "${tiny[@]}" -seed 2 -output "$base/done"
expect 2 "an option that changes results differs" run "${tiny[@]}" -eval_tasks 60 -output "$base/done"
expect 0 "nothing to do" run "${tiny[@]}" -output "$base/done"
# single precision is another sweep; double, the default, is the same one
expect 2 "holds a different sweep" run "${tiny[@]}" -train_precision single -output "$base/done"
expect 0 "nothing to do" run "${tiny[@]}" -train_precision double -output "$base/done"
expect 2 "-grid_sigma: used by families linreg and distreg only" run "${tiny[@]}" -grid_sigma 0.1,0.2 "${o[@]}"
expect 2 "-grid_link: unknown value 'bogus'" run "${tiny[@]}" -family distreg -models bayes -grid_link tanh,bogus "${o[@]}"
expect 2 "-link bogus: unknown; use tanh, sin, relu, abs or sign" run "${tiny[@]}" -family distreg -models bayes -link bogus "${o[@]}"
expect 2 "-input_law cauchy: unknown; use gauss, laplace or uniform" run "${tiny[@]}" -family distreg -models bayes -input_law cauchy "${o[@]}"
expect 2 "-feature_map tanh: unknown; use identity, elu1, relu, exp, prf or poly2" run "${tiny[@]}" -models kernel -feature_map tanh "${o[@]}"
expect 2 "-subspace last: unknown; use first or random" run "${tiny[@]}" -subspace last "${o[@]}"
expect 2 "-retry broken: unknown; use failed, diverged or failed,diverged" run "${tiny[@]}" -retry broken -output "$base/done"
expect 2 "-spectrum zipf:2: unknown; use flat, geometric:q" run "${tiny[@]}" -family linreg -models bayes -spectrum zipf:2 "${o[@]}"
expect 2 "-spectrum flat:2: unknown; use flat, geometric:q" run "${tiny[@]}" -family linreg -models bayes -spectrum flat:2 "${o[@]}"
expect 2 "-spectrum: used by family linreg only" run "${tiny[@]}" -spectrum power:1 "${o[@]}"
expect 2 "-feature_map: used by models kernel and distill only" run "${tiny[@]}" -feature_map relu "${o[@]}"
expect 2 "-rank: used by models lowrank, lora and oracle (linreg) only" run "${tiny[@]}" -models linear,oracle -rank 1 "${o[@]}"
expect 2 "-spectrum list:3,2 has 2 values but k = 3" run "${tiny[@]}" -family linreg -grid_k 3 -models bayes -spectrum list:3,2 "${o[@]}"
expect 2 "-x_spectrum list:1,2 has 2 values but d = 4 needs 4" run "${tiny[@]}" -family linreg -models bayes -x_spectrum list:1,2 "${o[@]}"
expect 2 "-alignment: used by family linreg with -x_spectrum only" run "${tiny[@]}" -family linreg -models bayes -alignment 0.5 "${o[@]}"
expect 2 "-lora_base best: unknown; use trained or optimal" run "${tiny[@]}" -family linreg -models lora -lora_base best "${o[@]}"
expect 2 "-oracle_lora: used by model oracle on family linreg only" run "${tiny[@]}" -family linreg -models bayes -oracle_lora "${o[@]}"
expect 2 "-schedule round_robin: unknown; use dynamic or static" run "${tiny[@]}" -schedule round_robin "${o[@]}"
expect 2 "-drain_seconds -1." run "${tiny[@]}" -drain_seconds -1 "${o[@]}"
expect 2 "-fault_inject disk: use" run "${tiny[@]}" -fault_inject disk "${o[@]}"
expect 2 "-eval_R 0.: must be a positive" run "${tiny[@]}" -eval_R 0 "${o[@]}"
expect 2 "-grid_d has 300 values; at most 256" run "${tiny[@]}" -grid_d "$(seq -s, 1 300)" "${o[@]}"
expect 2 "GB per rank but" run "${tiny[@]}" -grid_d 20000 -train_tasks 2000000 "${o[@]}"
# the dual form's B x B matrix: refused at run time, flagged by plan, with the reason
expect 2 "keeps a B x B matrix" run "${tiny[@]}" -train_method dual -train_tasks 200000 "${o[@]}"
expect 1 "keeps a B x B matrix" plan "${tiny[@]}" -train_method kernel -train_tasks 200000
# -output creates missing parents; a parent that is a file is refused
expect 0 "wrote" run "${tiny[@]}" -output "$base/nested/a/b"
touch "$base/afile"
expect 2 "afile/x/y: cannot access it (Not a directory)" run "${tiny[@]}" -output "$base/afile/x/y"
mkdir -p "$base/foreignj" && echo "some other program's journal" >"$base/foreignj/journal"
expect 2 "is not an iclsweep journal" run "${tiny[@]}" -output "$base/foreignj"
mkdir -p "$base/corrupt" && cp "$base/done/journal" "$base/corrupt/journal" && printf 'XXXX' | dd of="$base/corrupt/journal" bs=1 seek=40 conv=notrunc status=none
expect 2 "has a corrupt header" run "${tiny[@]}" -output "$base/corrupt"
expect 2 "has a corrupt header" status "$base/corrupt"
# A journal of an older format (here format 1, before per-cell diagnostics), its header's
# checksum intact: refused by name rather than misread.
mkdir -p "$base/oldj" && cp "$base/done/journal" "$base/oldj/journal"
"$PYTHON" - "$base/oldj/journal" <<'PY'
import struct, sys, zlib
with open(sys.argv[1], "r+b") as f:
    h = bytearray(f.read(64))
    h[16:20] = struct.pack("<I", 1)
    f.seek(0)
    f.write(h + struct.pack("<I", zlib.crc32(bytes(h))))
PY
expect 2 "has journal format 1, this iclsweep reads formats 2 and 3 only" run "${tiny[@]}" -output "$base/oldj"
expect 2 "has journal format 1" status "$base/oldj"
cp -r "$base/done" "$base/busy"
flock "$base/busy/journal" sleep 20 &
holder=$!
sleep 0.3
expect 2 "is in use by another iclsweep run" run "${tiny[@]}" -output "$base/busy"
kill $holder 2>/dev/null

# A full disk (a 16 kB tmpfs): the run fails with a clear message and exit 1; once space is
# freed (remounted larger) the same command resumes and completes.
fs=$base/fullfs
mkdir -p "$fs"
mount -t tmpfs -o size=16k tmpfs "$fs" || { echo "FAIL: cannot mount a tmpfs for the disk-full case"; exit 1; }
trap 'umount "$fs" 2>/dev/null' EXIT
full=(run "${tiny[@]}" -grid_N 5,10,20,40,80 -replicates 20 -output "$fs/sweep")
out=$("$MPIEXEC" -n 2 "$ICLSWEEP" "${full[@]}" 2>&1)
rc=$?
[[ $rc -eq 1 && $out == *"No space left on device"* ]] && ok || bad "disk full -> status $rc: $(echo "$out" | head -5)"
mount -o remount,size=4m "$fs"
out=$("$MPIEXEC" -n 2 "$ICLSWEEP" "${full[@]}" 2>&1)
rc=$?
[[ $rc -eq 0 && $out == *"resuming"* && $out == *"200 ok"* ]] && ok || bad "resume after disk full -> status $rc: $(echo "$out" | tail -5)"
# malformed command lines and options files: one line naming the problem and the fix
expect 2 "-grid_d 8, 16: lists take no spaces; write -grid_d 8,16" plan "${tiny[@]}" -grid_d 8, 16
expect 2 "-grid_d '8, 16': lists take no spaces; write -grid_d 8,16" run "${tiny[@]}" -grid_d "8, 16" "${o[@]}"
expect 2 "-grid_R 2,,3: empty item in the list; write -grid_R 2,3" run "${tiny[@]}" -grid_R 2,,3 "${o[@]}"
expect 2 "-eval_M 1,5,: empty item in the list; write -eval_M 1,5" run "${tiny[@]}" -eval_M 1,5, "${o[@]}"
expect 2 "stray argument 'extra' after -train_steps 2" run -train_steps 2 extra "${tiny[@]}" "${o[@]}"
expect 2 "--grid_d: options take one dash; write -grid_d" run "${tiny[@]}" --grid_d 4 "${o[@]}"
expect 2 "-grid_d=4: options take no '='; write -grid_d 4" run "${tiny[@]}" -grid_d=4 "${o[@]}"
expect 2 "unknown option -trian_lr; did you mean -train_lr?" run "${tiny[@]}" -trian_lr 0.1 "${o[@]}"
expect 2 "no cell of this sweep applies" run "${tiny[@]}" -grid_d 2 -grid_k 3 "${o[@]}"
expect 2 "no cell of this sweep applies" plan "${tiny[@]}" -grid_d 2 -grid_k 3
printf -- '# a comment\n-grid_d 4\ngrid_k 2\n' >"$base/bare.opts"
expect 2 "$base/bare.opts:3: 'grid_k' does not start with an option name; write -grid_k 2" run "${tiny[@]}" -options_file "$base/bare.opts" "${o[@]}"
printf -- '-grid_d 8, 16\n' >"$base/space.opts"
expect 2 "$base/space.opts:1: -grid_d 8, 16: lists take no spaces; write -grid_d 8,16" run "${tiny[@]}" -options_file "$base/space.opts" "${o[@]}"
printf -- '-grid_d = 8,16\n' >"$base/equals.opts"
expect 2 "$base/equals.opts:1: -grid_d =: options take no '='; write -grid_d 8,16" plan -options_file "$base/equals.opts"
printf -- '-options_file %s\n' "$base/bare.opts" >"$base/nested.opts"
expect 2 "$base/bare.opts:3:" plan -options_file "$base/nested.opts"
# help and version answer and exit 0
expect 0 "iclsweep status DIR" status -help
expect 0 "iclsweep merge -output DIR" merge -help
expect 0 "iclsweep " -version
finish
