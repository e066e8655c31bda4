#!/bin/bash
# bench/run.sh — benchmarks (not tests): each figure is a ratio measured in this one run on
# this machine, next to the BLAS kernel that ran. Prints a table; writes bench/results.json.
#   1. DGEMM ceiling (same BLAS, 1 thread) and iclsweep's training GFLOP/s as a fraction of it
#   2. the MV Fig. 1 cell end to end: iclsweep (auto, float64 and -train_precision single;
#      direct gd for reference) vs PyTorch float32 (explicit tokens; sufficient stats)
#   3. strong scaling of one d = 2000 cell over a group of 1 and 2 ranks; weak scaling of a
#      sweep over 1, 2, 4 ranks
#   4. peak memory per rank vs the cost model
#   5. one cell trained by gd, kernel (dual form) and tao: times and the gd/kernel ratio
#   6. shared training (bench/budget.sh): a train_steps axis against its largest T, and a
#      train_lr axis on one K (dual form) against separate runs
# Sections 1, 3 and 4 measure direct GD (-train_method gd), which auto would replace by the
# dual form on some of these cells.
set -euo pipefail
cd "$(dirname "$0")/.."
ICL_PACKAGES="python3-torch time"
source ./setup.sh
icl_install
icl_build
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
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
declare -A train
for d in 500 2000; do
  B=$((d == 500 ? 20000 : 2000)) T=$((d == 500 ? 60 : 20))
  read -r wall flops _ < <(cell "$out/d$d" 1 -grid_d $d -grid_k 30 -grid_N 40 -models linear -train_tasks $B -train_steps $T -eval_M 40 -eval_tasks 2 -train_method gd)
  train[$d]=$(awk -v f="$flops" -v w="$wall" 'BEGIN { printf "%.2f", f / w / 1e9 }')
done
printf '\n%-52s %10s %8s\n' "1. training loop (1 thread, kernel $kernel)" "GFLOP/s" "ratio"
printf '%-52s %10s %8s\n' "DGEMM ceiling, n = 2000" "$ceiling" "1.00"
for d in 500 2000; do
  printf '%-52s %10s %8s\n' "iclsweep linear GD, d = $d" "${train[$d]}" "$(awk -v a="${train[$d]}" -v c="$ceiling" 'BEGIN { printf "%.2f", a / c }')"
done

# 2. The MV Fig. 1 cell (docs/reference.md), 2 threads each, end to end (sampling, training, evaluation):
# iclsweep as a user runs it (auto, which picks the dual form here), in float64 and single,
# and by direct GD for reference; PyTorch on the same sufficient statistics and with tokens.
MV="-grid_d 500 -grid_k 30 -grid_N 40 -grid_R 2 -train_tasks 20000 -train_steps 300 -train_lr 0.01 -eval_M 1,5,10,20,30,40,50,100 -eval_tasks 20000 -models linear"
mv() { # NAME iclsweep-options...: sets mv_s[NAME] (end to end), mv_acc[NAME] (M = 1), mv_rss[NAME] (MB)
  local name=$1 t0
  shift
  t0=$(date +%s.%N)
  read -r _ _ _ mv_acc[$name] _ < <(OPENBLAS_NUM_THREADS=2 /usr/bin/time -o "$out/rss_$name" -f "%M" "$bin" run -output "$out/mv_$name" $MV "$@" >/dev/null 2>&1
    cell_values "$out/mv_$name")
  mv_s[$name]=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
  mv_rss[$name]=$(awk -v k="$(tail -1 "$out/rss_$name")" 'BEGIN { printf "%.1f", k / 1024 }')
  mv_method[$name]=$("$bin" plan $MV "$@" | awk '$1 == "linear" { print $5 }')
}
declare -A mv_s mv_acc mv_rss mv_method
mv auto
mv single -train_precision single
mv gd -train_method gd
mv_model=$("$bin" plan $MV | awk '$1 == "linear" { print $3 }')
# PyTorch's GEMMs are the system OpenBLAS's: give them the 2 threads iclsweep has (setup.sh's
# OPENBLAS_NUM_THREADS=1 held them to one: 77 s instead of 50 s, measured)
suff=$(OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_mv.py suffstat 2)
expl=$(OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_mv.py explicit 2)
read -r suff_s suff_acc < <(echo "$suff" | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"{r['seconds']:.1f}\", f\"{r['accuracy']['1']:.4f}\")")
read -r expl_s expl_acc < <(echo "$expl" | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"{r['seconds']:.1f}\", f\"{r['accuracy']['1']:.4f}\")")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%-46s %8s %9s %9s %9s\n' "2. MV Fig. 1 cell, 2 threads (acc(M=1): .690)" "seconds" "acc(M=1)" "vs suff" "vs tokens"
printf '%-46s %8s %9s %9s %9s\n' "iclsweep float64 (auto: ${mv_method[auto]})" "${mv_s[auto]}" "${mv_acc[auto]}" "$(ratio "$suff_s" "${mv_s[auto]}")" "$(ratio "$expl_s" "${mv_s[auto]}")"
printf '%-46s %8s %9s %9s %9s\n' "iclsweep single (auto: ${mv_method[single]})" "${mv_s[single]}" "${mv_acc[single]}" "$(ratio "$suff_s" "${mv_s[single]}")" "$(ratio "$expl_s" "${mv_s[single]}")"
printf '%-46s %8s %9s %9s %9s\n' "iclsweep float64 -train_method gd" "${mv_s[gd]}" "${mv_acc[gd]}" "$(ratio "$suff_s" "${mv_s[gd]}")" "$(ratio "$expl_s" "${mv_s[gd]}")"
printf '%-46s %8s %9s\n' "PyTorch float32, sufficient statistics" "$suff_s" "$suff_acc"
printf '%-46s %8s %9s\n' "PyTorch float32, explicit tokens" "$expl_s" "$expl_acc"

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

# 6. Shared training: checkpoints and step sizes on one K (printed only; docs/budget.md).
bench/budget.sh

/usr/bin/python3 - "$json" <<PY
import json, sys
json.dump({"blas_kernel": "$kernel", "dgemm_ceiling_gflops": $ceiling,
           "training_gflops": {"500": ${train[500]}, "2000": ${train[2000]}},
           "mv_method": {"iclsweep": "${mv_method[auto]}", "iclsweep_single": "${mv_method[single]}", "iclsweep_gd": "gd"},
           "mv_cell_seconds": {"iclsweep": ${mv_s[auto]}, "iclsweep_single": ${mv_s[single]}, "iclsweep_gd": ${mv_s[gd]}, "torch_suffstat": $suff_s, "torch_explicit": $expl_s},
           "mv_speedup": {"float64_over_torch_suffstat": $suff_s / ${mv_s[auto]}, "single_over_torch_suffstat": $suff_s / ${mv_s[single]},
                          "float64_over_torch_explicit": $expl_s / ${mv_s[auto]}, "single_over_torch_explicit": $expl_s / ${mv_s[single]}},
           "mv_accuracy_M1": {"iclsweep": ${mv_acc[auto]}, "iclsweep_single": ${mv_acc[single]}, "iclsweep_gd": ${mv_acc[gd]}, "torch_suffstat": $suff_acc, "torch_explicit": $expl_acc},
           "mv_memory_mb": {"cost_model": $mv_model, "peak_rss": ${mv_rss[auto]}},
           "weak_scaling_seconds": {"1": ${weak[1]}, "2": ${weak[2]}, "4": ${weak[4]}},
           "strong_scaling_seconds": {"1": ${strong[1]}, "2": ${strong[2]}},
           "memory_mb": {"cost_model": $predicted, "peak_rss": $rss_mb},
           "method_seconds": {"gd": ${method[gd]}, "kernel": ${method[kernel]}, "tao": ${method[tao]}},
           "gd_over_kernel": ${method[gd]} / ${method[kernel]}}, open(sys.argv[1], "w"), indent=1)
PY
echo "written: $json"
