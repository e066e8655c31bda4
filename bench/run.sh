#!/bin/bash
# bench/run.sh — benchmarks (not tests): each figure is a ratio measured in this one run on
# this machine, next to the BLAS kernel that ran. Prints a table; writes bench/results.json.
#   1. DGEMM ceiling (same BLAS, 1 thread) and iclsweep's training GFLOP/s as a fraction of it
#   2. the MV Fig. 1 cell end to end: iclsweep (auto, float64 and -train_precision single; on
#      2 cores as 1 rank, 2 ranks, a group of 2, -tail_threads) vs PyTorch float32 (explicit
#      tokens; sufficient stats)
#   3. strong scaling of one d = 2000 cell over a group of 1 and 2 ranks; weak scaling of a
#      sweep over 1, 2, 4 ranks
#   4. peak memory per rank vs the cost model
#   5. one cell trained by gd, kernel (dual form) and tao: times and the gd/kernel ratio
#   6. the dual form's step against the read bandwidth measured in the same process on as many
#      cores (bench/dual_bandwidth), and its group of 2 against one rank
#   7. the tail of sweeps on 2 ranks (jobs/sweeps/default.opts, with and without
#      -tail_threads; three dual cells): load imbalance and busy fraction of all cores
# Sections 1, 3 and 4 measure direct GD (-train_method gd), which auto would replace by the
# dual form on some of these cells. Writes docs/results/bench.md: the table, the load while
# it ran, and the commands behind each figure (text under its "## Reading" is kept). About 15
# minutes on an idle 2-core machine. Shared training is bench/budget.sh, run on its own.
# Usage: bench/run.sh [quick]. quick: every section on small cells, in a few minutes, to
# check that the script works; its numbers mean nothing and nothing is written.
set -euo pipefail
quick=$([ "${1:-}" = quick ] && echo 1 || echo 0)
if ((quick)); then # B and T of the MV cell, of section 1's d = 500 cell, of the dual form's step
  mv_B=3000 mv_T=20 mv_eval=2000 s1_B=2000 dual_B=5000 dual_T=10 dual_MB=200 tail_opts="-grid_d 16,32 -train_tasks 6000 -eval_tasks 2000" tail3_BT="-train_tasks 3000 -train_steps 20"
else
  mv_B=20000 mv_T=300 mv_eval=20000 s1_B=20000 dual_B=20000 dual_T=100 dual_MB=1000 tail_opts="" tail3_BT="-train_tasks 12000 -train_steps 200"
fi
cd "$(dirname "$0")/.."
ICL_PACKAGES="python3-torch time"
source ./setup.sh
icl_install
icl_build
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The cores this run is granted: two DGEMMs at once over one alone (2.0 when both cores are
# there). The load average cannot tell a core the host took away; this can, before and after.
granted() {
  local one two
  one=$(OPENBLAS_NUM_THREADS=1 build/dgemm_ceiling 2000 3 | cut -d' ' -f2)
  two=$(OPENBLAS_NUM_THREADS=1 mpiexec -n 2 build/dgemm_ceiling 2000 3 | awk '{ s += $2 } END { print s }')
  awk -v a="$two" -v b="$one" 'BEGIN { printf "%.2f", a / b }'
}
load_before=$(uptime)
granted_before=$(granted)
exec 3>&1 > >(tee "$out/table" >&3) # the table, for docs/results/bench.md
cmds=() # the commands behind the figures, for docs/results/bench.md
bin=build/iclsweep
json=bench/results.json
kernel=$(OPENBLAS_VERBOSE=2 build/dgemm_ceiling 64 1 2>&1 | sed -n 's/^Core: *//p' | head -1)
kernel=${kernel:-unknown}
cell() { # OUTDIR THREADS iclsweep-options...: one run; prints "wall_seconds flops train_loss acc..."
  local dir=$1 threads=$2
  shift 2
  OPENBLAS_NUM_THREADS=$threads "$bin" run -output "$dir" "$@" >/dev/null 2>&1
  cell_values "$dir"
}
cell_values() { # OUTDIR: linear's "wall_seconds flops train_loss acc..." from its results.nc
  /usr/bin/python3 -c "
import sys, xarray as xr
ds = xr.open_dataset('$1/results.nc').sel(model='linear').squeeze()
print(float(ds.wall_seconds), float(ds.flops), float(ds.train_loss), *[f'{1 - e:.4f}' for e in ds.test_error.values.ravel()])"
}

echo "BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3), OpenBLAS kernel: $kernel"
ceiling=$(OPENBLAS_NUM_THREADS=1 build/dgemm_ceiling 2000 5 | cut -d' ' -f2)
cmds+=("1: OPENBLAS_NUM_THREADS=1 build/dgemm_ceiling 2000 5"
  "1: OPENBLAS_NUM_THREADS=1 iclsweep run -grid_d D -grid_k 30 -grid_N 40 -models linear -train_tasks B -train_steps T -eval_M 40 -eval_tasks 2 -train_method gd (D, B, T = 500, 20000, 60 and 2000, 2000, 20)"
  "3: mpiexec -n P iclsweep run -grid_d 200 -grid_k 4 -grid_N 10 -replicates 4P -models linear -train_tasks 5000 -train_steps 60 -eval_M 10 -eval_tasks 1000 -train_method gd"
  "3: mpiexec -n g iclsweep run -grid_d 2000 -grid_k 30 -grid_N 40 -models linear -train_tasks 4000 -train_steps 10 -eval_M 40 -eval_tasks 2 -train_method gd -group_size g"
  "4: iclsweep plan|run -grid_d 2000 -grid_k 30 -grid_N 40 -models linear -train_tasks 2000 -train_steps 5 -eval_M 40 -eval_tasks 2 -train_method gd"
  "5: OPENBLAS_NUM_THREADS=1 iclsweep run -grid_d 300 -grid_k 30 -grid_N 40 -models linear -train_tasks 2000 -train_steps 100 -eval_M 40 -eval_tasks 2 -train_method gd|kernel|tao")
declare -A train
for d in 500 2000; do
  B=$((d == 500 ? s1_B : 2000)) T=$((d == 500 ? 60 : 20))
  ((quick)) && T=5
  read -r wall flops _ < <(cell "$out/d$d" 1 -grid_d $d -grid_k 30 -grid_N 40 -models linear -train_tasks $B -train_steps $T -eval_M 40 -eval_tasks 2 -train_method gd)
  train[$d]=$(awk -v f="$flops" -v w="$wall" 'BEGIN { printf "%.2f", f / w / 1e9 }')
done
printf '\n%-52s %10s %8s\n' "1. training loop (1 thread, kernel $kernel)" "GFLOP/s" "ratio"
printf '%-52s %10s %8s\n' "DGEMM ceiling, n = 2000" "$ceiling" "1.00"
for d in 500 2000; do
  printf '%-52s %10s %8s\n' "iclsweep linear GD, d = $d" "${train[$d]}" "$(awk -v a="${train[$d]}" -v c="$ceiling" 'BEGIN { printf "%.2f", a / c }')"
done

# 2. The MV Fig. 1 cell (docs/reference.md), 2 threads each, end to end (sampling, training, evaluation):
# iclsweep as a user runs it (auto, which picks the dual form here), in float64 and single;
# PyTorch on the same sufficient statistics and with tokens (direct GD, far slower here: section 5).
MV="-grid_d 500 -grid_k 30 -grid_N 40 -grid_R 2 -train_tasks $mv_B -train_steps $mv_T -train_lr 0.01 -eval_M 1,5,10,20,30,40,50,100 -eval_tasks $mv_eval -models linear"
mv() { # NAME THREADS RANKS iclsweep-options...: sets mv_s[NAME] (end to end), mv_acc[NAME] (M = 1),
  # mv_rss[NAME] (MB); RANKS 0: no mpiexec
  local name=$1 threads=$2 ranks=$3 wall kb launch=() rank=()
  shift 3
  [ "$ranks" -gt 0 ] && launch=(mpiexec -n "$ranks")
  # each rank's own CPU seconds too, for the resting rank's (cpu_NAME.RANK)
  [ "$ranks" -gt 1 ] && rank=(sh -c 'exec /usr/bin/time -o "$0.$OMPI_COMM_WORLD_RANK" -f "%U %S" "$@"' "$out/cpu_$name")
  [ -z "${mv_runs[$name]:-}" ] && cmds+=("2: OPENBLAS_NUM_THREADS=$threads ${launch[*]}${launch:+ }iclsweep run <MV cell>${*:+ }$*")
  rm -rf "$out/mv_$name"
  # the run's wall time is time's own: reading its results afterwards (Python, about 1.3 s)
  # is not part of it
  read -r _ _ _ mv_acc[$name] _ < <(OPENBLAS_NUM_THREADS=$threads /usr/bin/time -o "$out/time_$name" -f "%e %M" "${launch[@]}" "${rank[@]}" "$bin" run -output "$out/mv_$name" $MV "$@" >/dev/null 2>&1
    cell_values "$out/mv_$name")
  read -r wall kb < <(tail -1 "$out/time_$name")
  mv_runs[$name]+="$(awk -v a="$wall" 'BEGIN { printf "%.1f", a }') "
  mv_s[$name]=$(echo "${mv_runs[$name]}" | tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  mv_rss[$name]=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
  [ "$ranks" -gt 1 ] && mv_cpu1[$name]+="$(awk '{ printf "%.2f", $1 + $2 }' "$out/cpu_$name.1") "
  mv_method[$name]=$("$bin" plan $MV -ranks $((ranks > 0 ? ranks : 1)) "$@" | awk '$1 == "linear" { print $(NF - 1) }')
}
declare -A mv_s mv_acc mv_rss mv_method mv_runs mv_cpu1
mv auto 2 0
mv single 2 0 -train_precision single
# the same cell on 2 cores as MPI ranks: one rank one thread (the reference), 2 ranks as they
# are (one idles), a group of 2, and -tail_threads (the idle rank's core as a BLAS thread).
# The speedups of 2b come from the first three taken in turn five times, each its median:
# one run of each moved by up to 25% with the host's load.
for rep in 1 2 3 4 5; do
  ((quick && rep > 1)) && break
  mv n1 1 1
  mv n2 1 2
  mv n2g2 1 2 -group_size 2
done
mv n2tail 1 2 -tail_threads
mv n2tail_single 1 2 -tail_threads -train_precision single
mv_model=$("$bin" plan $MV | awk '$1 == "linear" { print $3 }')
# PyTorch's GEMMs are the system OpenBLAS's: give them the 2 threads iclsweep has (setup.sh's
# OPENBLAS_NUM_THREADS=1 held them to one: 77 s instead of 50 s, measured)
torch_args=$( ((quick)) && echo "--tasks $mv_B --steps $mv_T" || true)
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  cmds+=("2: OPENBLAS_NUM_THREADS=2 python3 bench/torch_mv.py suffstat 2" "2: OPENBLAS_NUM_THREADS=2 python3 bench/torch_mv.py explicit 2")
  suff=$(OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_mv.py suffstat 2 $torch_args)
  expl=$(OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_mv.py explicit 2 $torch_args)
  read -r suff_s suff_acc < <(echo "$suff" | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"{r['seconds']:.1f}\", f\"{r['accuracy']['1']:.4f}\")")
  read -r expl_s expl_acc < <(echo "$expl" | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"{r['seconds']:.1f}\", f\"{r['accuracy']['1']:.4f}\")")
else
  echo "PyTorch peers skipped: python3-torch is not installed (apt-get install python3-torch)"
  suff_s=nan suff_acc=nan expl_s=nan expl_acc=nan
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%-46s %8s %9s %9s %9s\n' "2. MV Fig. 1 cell, 2 threads (acc(M=1): .690)" "seconds" "acc(M=1)" "vs suff" "vs tokens"
printf '%-46s %8s %9s %9s %9s\n' "iclsweep float64 (auto: ${mv_method[auto]})" "${mv_s[auto]}" "${mv_acc[auto]}" "$(ratio "$suff_s" "${mv_s[auto]}")" "$(ratio "$expl_s" "${mv_s[auto]}")"
printf '%-46s %8s %9s %9s %9s\n' "iclsweep single (auto: ${mv_method[single]})" "${mv_s[single]}" "${mv_acc[single]}" "$(ratio "$suff_s" "${mv_s[single]}")" "$(ratio "$expl_s" "${mv_s[single]}")"
for n in n1 n2 n2g2 n2tail n2tail_single; do
  case $n in
    n1) label="mpiexec -n 1, 1 thread" ;;
    n2) label="mpiexec -n 2 (default options)" ;;
    n2g2) label="mpiexec -n 2 -group_size 2" ;;
    n2tail) label="mpiexec -n 2 -tail_threads" ;;
    n2tail_single) label="mpiexec -n 2 -tail_threads, single" ;;
  esac
  printf '%-46s %8s %9s %9s %9s\n' "$label" "${mv_s[$n]}" "${mv_acc[$n]}" "$(ratio "$suff_s" "${mv_s[$n]}")" "$(ratio "$expl_s" "${mv_s[$n]}")"
done
printf '%-46s %8s %9s\n' "PyTorch float32, sufficient statistics" "$suff_s" "$suff_acc"
printf '%-46s %8s %9s\n' "PyTorch float32, explicit tokens" "$expl_s" "$expl_acc"
printf '\n%-52s %10s %8s\n' "2b. the MV cell on 2 cores vs 1 rank, 1 thread" "speedup" "effic."
for n in auto n2 n2g2 n2tail; do
  case $n in
    auto) label="mpiexec -n 1, 2 BLAS threads" ;;
    n2) label="mpiexec -n 2 (default options)" ;;
    n2g2) label="mpiexec -n 2 -group_size 2" ;;
    n2tail) label="mpiexec -n 2 -tail_threads" ;;
  esac
  printf '%-52s %10s %8s\n' "$label" "$(ratio "${mv_s[n1]}" "${mv_s[$n]}")" "$(awk -v a="${mv_s[n1]}" -v b="${mv_s[$n]}" 'BEGIN { printf "%.2f", a / b / 2 }')"
done
printf '%s\n' "(medians of the runs, in seconds: -n 1: ${mv_runs[n1]}; -n 2: ${mv_runs[n2]}; group of 2: ${mv_runs[n2g2]})"
printf '%s\n' "(-n 2: CPU seconds of rank 1, which gets no cell and rests, start-up included: ${mv_cpu1[n2]})"

# 3. Weak scaling: 4 cells per rank of a fixed size, on 1, 2 and 4 ranks (2 cores here).
printf '\n%-52s %10s %8s\n' "3. weak scaling (4 cells/rank, d = 200)" "seconds" "effic."
declare -A weak
for p in 1 2 4; do
  t0=$(date +%s.%N)
  mpiexec -n $p "$bin" run -grid_d 200 -grid_k 4 -grid_N 10 -replicates $((4 * p)) -models linear -train_tasks 5000 -train_steps 60 -eval_M 10 -eval_tasks 1000 -train_method gd -output "$out/weak$p" >/dev/null 2>&1
  weak[$p]=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
  printf '%-52s %10s %8s\n' "$p ranks" "${weak[$p]}" "$(awk -v a="${weak[1]}" -v b="${weak[$p]}" 'BEGIN { printf "%.2f", a / b }')"
done
printf '\n%-52s %10s %8s\n' "3b. strong scaling, one cell d = 2000 (B = 4000, T = 10)" "seconds" "effic."
declare -A strong
for g in 1 2; do
  t0=$(date +%s.%N)
  mpiexec -n $g "$bin" run -grid_d 2000 -grid_k 30 -grid_N 40 -models linear -train_tasks 4000 -train_steps 10 -eval_M 40 -eval_tasks 2 -train_method gd -group_size $g -output "$out/strong$g" >/dev/null 2>&1
  strong[$g]=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
  printf '%-52s %10s %8s\n' "group of $g" "${strong[$g]}" "$(awk -v a="${strong[1]}" -v b="${strong[$g]}" -v g=$g 'BEGIN { printf "%.2f", a / b / g }')"
done

# 4. Peak memory of one rank vs the cost model's prediction.
predicted=$("$bin" plan -grid_d 2000 -grid_k 30 -grid_N 40 -models linear -train_tasks 2000 -train_steps 5 -eval_M 40 -eval_tasks 2 -train_method gd | awk '$1 == "linear" { print $3 }')
/usr/bin/time -o "$out/rss" -f "%M" "$bin" run -grid_d 2000 -grid_k 30 -grid_N 40 -models linear -train_tasks 2000 -train_steps 5 -eval_M 40 -eval_tasks 2 -train_method gd -output "$out/mem" >/dev/null 2>&1
rss=$(tail -1 "$out/rss")
rss_mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
printf '\n%-52s %10s %8s\n' "4. memory per rank, d = 2000, B = 2000" "MB" "ratio"
printf '%-52s %10s %8s\n' "cost model" "$predicted" "1.00"
printf '%-52s %10s %8s\n' "peak RSS (includes MPI, PETSc, libraries)" "$rss_mb" "$(awk -v a="$rss_mb" -v b="$predicted" 'BEGIN { printf "%.2f", a / b }')"
printf '%-52s %10s %8s\n' "MV cell by ${mv_method[auto]} (section 2): cost model" "$mv_model" "1.00"
printf '%-52s %10s %8s\n' "  peak RSS" "${mv_rss[auto]}" "$(awk -v a="${mv_rss[auto]}" -v b="$mv_model" 'BEGIN { printf "%.2f", a / b }')"

# 5. One cell (1 thread) by each training method: cell wall time (training and evaluation).
printf '\n%-52s %10s %8s\n' "5. training methods, d = 300, B = 2000, T = 100" "seconds" "gd/this"
declare -A method
for m in gd kernel tao; do
  read -r method[$m] _ < <(cell "$out/method_$m" 1 -grid_d 300 -grid_k 30 -grid_N 40 -models linear -train_tasks 2000 -train_steps 100 -eval_M 40 -eval_tasks 2 -train_method $m)
  printf '%-52s %10.3f %8s\n' "-train_method $m" "${method[$m]}" "$(awk -v a="${method[gd]}" -v b="${method[$m]}" 'BEGIN { printf "%.2f", a / b }')"
done

# 6. The dual form's step (MV geometry, d = 500) against the read bandwidth measured in the same
# process on as many cores: one rank with 1 and 2 BLAS threads, and a group of 2 ranks;
# float64 and single. frac. = the median step's GB/s of K / the median read bandwidth.
printf '\n%-40s %7s %8s %8s %8s %7s\n' "6. dual form step vs read bandwidth" "form s" "step s" "GB/s" "read" "frac."
declare -A dual_step dual_form dual_gbs dual_frac
for c in "1 1 double" "2 1 double" "1 2 double" "1 1 single" "2 1 single" "1 2 single"; do
  read -r threads ranks prec <<<"$c"
  cmds+=("6: OPENBLAS_NUM_THREADS=$threads mpiexec -n $ranks build/dual_bandwidth $dual_B 500 $dual_T $prec $dual_MB")
  read -r _ _ form step gbs readbw frac < <(OPENBLAS_NUM_THREADS=$threads mpiexec -n "$ranks" build/dual_bandwidth $dual_B 500 $dual_T "$prec" $dual_MB 2>/dev/null)
  key="$threads,$ranks,$prec"
  dual_step[$key]=$step dual_form[$key]=$form dual_gbs[$key]=$gbs dual_frac[$key]=$frac
  printf '%-40s %7s %8s %8s %8s %7s\n' "$ranks rank(s) x $threads thread(s), $prec" "$form" "$step" "$gbs" "$readbw" "$frac"
done
printf '%-40s %7s %8s\n' "group of 2 vs 1 rank, float64: effic." "$(awk -v a="${dual_form[1,1,double]}" -v b="${dual_form[1,2,double]}" 'BEGIN { printf "%.2f", a / b / 2 }')" \
  "$(awk -v a="${dual_step[1,1,double]}" -v b="${dual_step[1,2,double]}" 'BEGIN { printf "%.2f", a / b / 2 }')"

# 7. The tail of sweeps on 2 ranks: busy fraction and load imbalance. default.opts mixes cell
# sizes; in the three dual cells one rank runs out of work while the other trains the last
# cell, which gets its core through the node's pool of idle cores.
tail3="-grid_d 400,500,600 -grid_k 30 -grid_N 40 -grid_R 2 $tail3_BT -train_lr 0.01 -eval_M 1,10 -eval_tasks 2000 -models linear"
printf '\n%-52s %8s %9s %8s %8s\n' "7. sweeps on 2 ranks" "seconds" "imbalance" "busy" "lent s"
for run in "default|-options_file jobs/sweeps/default.opts" "default -tail_threads|-options_file jobs/sweeps/default.opts -tail_threads" "3 dual cells|$tail3"; do
  label=${run%%|*} opts=${run#*|} dir="$out/tail${label// /_}"
  cmds+=("7: mpiexec -n 2 iclsweep run $opts")
  [[ $label == default* ]] && opts+=" $tail_opts"
  t0=$(date +%s.%N)
  mpiexec -n 2 "$bin" run $opts -output "$dir" >"$dir.log" 2>&1
  s=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
  read -r imb busy < <(/usr/bin/python3 -c "import netCDF4; d = netCDF4.Dataset('$dir/results.nc'); print(f'{d.load_imbalance:.3f}', f'{d.busy_fraction:.3f}')")
  lent=$(sed -n "s/.*(\([0-9.e+-]*\) core-s lent.*/\1/p" "$dir.log")
  printf '%-52s %8s %9s %8s %8s\n' "$label" "$s" "$imb" "$busy" "$lent"
done
echo "load (uptime) before: $load_before"
echo "load (uptime) after:  $(uptime)"
echo "cores granted (2 DGEMMs at once / 1): $granted_before before, $(granted) after"

if ((quick)); then
  exec 1>&3 3>&-
  echo "quick mode: nothing written"
  exit 0
fi
/usr/bin/python3 - "$json" <<PY
import json, sys
nan = float("nan")
json.dump({"blas_kernel": "$kernel", "dgemm_ceiling_gflops": $ceiling,
           "training_gflops": {"500": ${train[500]}, "2000": ${train[2000]}},
           "mv_method": {"iclsweep": "${mv_method[auto]}", "iclsweep_single": "${mv_method[single]}"},
           "mv_cell_seconds": {"iclsweep": ${mv_s[auto]}, "iclsweep_single": ${mv_s[single]}, "torch_suffstat": $suff_s, "torch_explicit": $expl_s},
           "mv_speedup": {"float64_over_torch_suffstat": $suff_s / ${mv_s[auto]}, "single_over_torch_suffstat": $suff_s / ${mv_s[single]},
                          "float64_over_torch_explicit": $expl_s / ${mv_s[auto]}, "single_over_torch_explicit": $expl_s / ${mv_s[single]}},
           "mv_accuracy_M1": {"iclsweep": ${mv_acc[auto]}, "iclsweep_single": ${mv_acc[single]}, "torch_suffstat": $suff_acc, "torch_explicit": $expl_acc},
           "mv_memory_mb": {"cost_model": $mv_model, "peak_rss": ${mv_rss[auto]}},
           "weak_scaling_seconds": {"1": ${weak[1]}, "2": ${weak[2]}, "4": ${weak[4]}},
           "strong_scaling_seconds": {"1": ${strong[1]}, "2": ${strong[2]}},
           "memory_mb": {"cost_model": $predicted, "peak_rss": $rss_mb},
           "method_seconds": {"gd": ${method[gd]}, "kernel": ${method[kernel]}, "tao": ${method[tao]}},
           "gd_over_kernel": ${method[gd]} / ${method[kernel]},
           "mv_two_cores_seconds": {"n1_one_thread": ${mv_s[n1]}, "n2": ${mv_s[n2]}, "n2_group2": ${mv_s[n2g2]}, "n2_tail_threads": ${mv_s[n2tail]}, "n2_tail_threads_single": ${mv_s[n2tail_single]}},
           "mv_n2_resting_rank_cpu_seconds": [float(x) for x in "${mv_cpu1[n2]}".split()],
           "dual_step_gbs": {"1rank_1thread_double": ${dual_gbs[1,1,double]}, "1rank_2thread_double": ${dual_gbs[2,1,double]}, "2rank_1thread_double": ${dual_gbs[1,2,double]},
                             "1rank_1thread_single": ${dual_gbs[1,1,single]}, "1rank_2thread_single": ${dual_gbs[2,1,single]}, "2rank_1thread_single": ${dual_gbs[1,2,single]}},
           "dual_step_read_fraction": {"1rank_1thread_double": ${dual_frac[1,1,double]}, "1rank_2thread_double": ${dual_frac[2,1,double]}, "2rank_1thread_double": ${dual_frac[1,2,double]},
                                       "1rank_1thread_single": ${dual_frac[1,1,single]}, "1rank_2thread_single": ${dual_frac[2,1,single]}, "2rank_1thread_single": ${dual_frac[1,2,single]}}},
          open(sys.argv[1], "w"), indent=1)
PY
exec 1>&3 3>&-
sleep 1 # tee's last lines
md=docs/results/bench.md
reading=$([ -f $md ] && sed -n '/^## Reading/,$p' $md || true)
{
  echo "# Benchmark (bench/run.sh), measured $(date -u +%Y-%m-%d) on $(nproc) cores"
  echo
  echo '```'
  cat "$out/table"
  echo '```'
  echo
  echo "## Commands"
  echo
  echo "iclsweep is build/iclsweep; the MV cell is \`$MV\`."
  echo
  printf -- '- `%s`\n' "${cmds[@]}"
  [ -n "$reading" ] && echo && echo "$reading"
} >$md
echo "written: $json, $md"
