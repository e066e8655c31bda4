#!/bin/bash
# budget_units.sh BASE: shared training (docs/budget.md). A -grid_train_steps sweep (checkpoints:
# direct gd in double and single, the dual form, the gram engine) and a -grid_train_lr x
# -grid_train_steps sweep (dual form: step sizes on one K) equal, cell by cell and bit for bit,
# runs with those values given alone. A unit partly done (its journal's last record torn off)
# resumes to the same bits; units dealt to 2 shards merge to the whole run; plan counts a T axis
# as about its largest T.
source "$(dirname "$0")/testlib.sh" "$1"
common=(-grid_d 8 -grid_k 2 -grid_N 10 -grid_R 1 -models linear,mle -train_tasks 100 -eval_M 5,10 -eval_tasks 300 -seed 3)
run() { # DIR NP options...: one sweep
  local dir=$1 np=$2 launch=()
  shift 2
  ((np > 1)) && launch=("$MPIEXEC" -n "$np")
  "${launch[@]}" "$ICLSWEEP" run -output "$base/$dir" "${common[@]}" "$@" >"$base/$dir.log" 2>&1 && ok || bad "$dir: run failed ($(tail -1 "$base/$dir.log"))"
}
at() { # AXIS WHERE SINGLE: the axis sweep at WHERE is the single run
  "$PYTHON" "$here/check_budget.py" at "$base/$1" "$2" "$base/$3" >"$base/$3.check" && ok || bad "$1 at $2 differs from $3: $(grep FAIL "$base/$3.check" | head -2)"
}
for variant in "gd" "dual" "single -train_method gd -train_precision single" "gram -engine gram"; do
  set -- $variant
  name=$1 opts=("${@:2}")
  [[ $name == gd || $name == dual ]] && opts=(-train_method "$name")
  np=1
  [[ $name == gd ]] && np=2 # units sent from another rank's group, one record each
  run "steps_$name" $np "${opts[@]}" -train_lr 0.1 -grid_train_steps 20,50,80
  run "alone_$name" 1 "${opts[@]}" -train_lr 0.1 -train_steps 50
  at "steps_$name" train_steps=50 "alone_$name"
done
grep -q "cells from 1 shared" <("$ICLSWEEP" plan -output "$base/p" "${common[@]}" -train_method gd -grid_train_steps 20,50,80) && ok || bad "plan does not show the shared run"

# eta batching: 2 step sizes x 3 step counts, one K
run eta 2 -train_method dual -grid_train_lr 0.05,0.2 -grid_train_steps 20,50,80
run eta_005_80 1 -train_method dual -train_lr 0.05 -train_steps 80
run eta_02_20 1 -train_method dual -train_lr 0.2 -train_steps 20
at eta train_lr=0.05,train_steps=80 eta_005_80
at eta train_lr=0.2,train_steps=20 eta_02_20
# negative control: another step size is another run
"$PYTHON" "$here/check_budget.py" at "$base/eta" train_lr=0.05,train_steps=20 "$base/eta_02_20" >/dev/null && bad "the check cannot tell step sizes apart" || ok

# a unit partly done: its last record torn off the journal, the resumed run redoes that cell only
cp -r "$base/eta" "$base/eta_torn"
truncate -s -3 "$base/eta_torn/journal"
"$MPIEXEC" -n 2 "$ICLSWEEP" run -output "$base/eta_torn" "${common[@]}" -train_method dual -grid_train_lr 0.05,0.2 -grid_train_steps 20,50,80 >"$base/torn.log" 2>&1 && ok || bad "resume failed"
grep -q "1 to run" "$base/torn.log" && ok || bad "resume must run the torn cell only: $(grep 'to run' "$base/torn.log")"
"$PYTHON" "$here/check_results.py" same "$base/eta" "$base/eta_torn" >/dev/null && ok || bad "the resumed sweep differs from the whole run"

# shards deal whole units; merged, they are the whole run
for s in 0 1; do
  "$ICLSWEEP" run -output "$base/shard$s" "${common[@]}" -train_method dual -grid_train_lr 0.05,0.2 -grid_train_steps 20,50,80 -shard $s -num_shards 2 >/dev/null 2>&1 && ok || bad "shard $s failed"
done
linear_ok=$("$PYTHON" -c "
import xarray as xr
print(*sorted(int((xr.open_dataset(f'$base/shard{s}/results.nc').status.sel(model='linear') == 1).sum()) for s in (0, 1)))")
[[ $linear_ok == "0 6" ]] && ok || bad "the unit of 6 linear cells must stay on one shard: ok cells per shard $linear_ok"
"$ICLSWEEP" merge -output "$base/merged" "$base/shard0" "$base/shard1" >/dev/null 2>&1 && ok || bad "merge failed"
"$PYTHON" "$here/check_results.py" same "$base/eta" "$base/merged" >/dev/null && ok || bad "merged shards differ from the whole run"

# plan: a T axis costs about its largest T (training dominates this cell), not the sum
total() { "$ICLSWEEP" plan -output "$base/p" -grid_d 64 -grid_k 2 -grid_N 10 -models linear -train_tasks 2000 -train_method gd -eval_M 10 -eval_tasks 100 "$@" | sed -n 's/^total \([0-9.e+]*\) GFLOP.*/\1/p'; }
axis=$(total -grid_train_steps 20,50,80) largest=$(total -train_steps 80) sum=$(awk -v a="$(total -train_steps 20)" -v b="$(total -train_steps 50)" -v c="$(total -train_steps 80)" 'BEGIN { print a + b + c }')
less "$axis" "$(awk -v l="$largest" 'BEGIN { print 1.2 * l }')" && less "$largest" "$axis" && ok || bad "plan: T axis $axis GFLOP, largest T alone $largest, sum $sum"
finish
