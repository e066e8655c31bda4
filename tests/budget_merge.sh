#!/bin/bash
# budget_merge.sh BASE: a sweep with expressions and a budget axis, split into 2 shards and
# merged, equals one run of the whole sweep bit for bit (NAME_value included).
source "$(dirname "$0")/testlib.sh" "$1"
opts=(-grid_d 8,16,32 -grid_k 2 -grid_N 10 -models linear,mle -train_steps 10 -eval_M 10 -eval_tasks 200
      -R_expr 0.5*sqrt\(d\) -train_lr_expr 0.8/d -grid_train_tasks 50,100)
"$ICLSWEEP" run -output "$base/whole" "${opts[@]}" >/dev/null 2>&1 && ok || bad "whole run failed"
for s in 0 1; do
  "$ICLSWEEP" run -output "$base/part$s" "${opts[@]}" -shard $s -num_shards 2 >/dev/null 2>&1 && ok || bad "shard $s failed"
done
"$ICLSWEEP" merge -output "$base/merged" "$base/part1" "$base/part0" >/dev/null 2>&1 && ok || bad "merge failed"
"$PYTHON" "$here/check_results.py" same "$base/whole" "$base/merged" >/dev/null && ok || bad "merged data differ from the whole run"
finish
