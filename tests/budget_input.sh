#!/bin/bash
# budget_input.sh BASE: bad expressions and budget axes end with exit status 2 and a message
# naming the problem (a syntax error by its position); nothing is written.
source "$(dirname "$0")/testlib.sh" "$1"
tiny=(-grid_d 4,9 -grid_k 2 -grid_N 5 -train_steps 2 -eval_M 5 -eval_tasks 50)

# expect SUBSTRING iclsweep-arguments...
expect() {
  local text=$1 out rc
  shift
  out=$("$ICLSWEEP" run -output "$base/out" "${tiny[@]}" "$@" 2>&1)
  rc=$?
  if [[ $rc -eq 2 && $out == *"$text"* && ! -e $base/out/results.nc ]]; then ok; else bad "$* -> status $rc: $out"; fi
}

expect 'error at position 7: Unexpected token "x"' -models linear,mle -R_expr '5*sqrt(x)'
expect 'position 7: Missing parenthesis' -models linear -train_lr_expr '0.1*(d'
expect 'gives -3. at d = 4' -models linear -R_expr '1-d'
expect 'gives 0. at d = 4' -models linear -train_tasks_expr 'd/9'   # rounds to 0 tasks
expect '-R_expr and -grid_R both given' -models linear -R_expr 'sqrt(d)' -grid_R 1,2
expect 'Unexpected token "R"' -models linear -R_expr 'R+d'           # R's expression cannot read R
expect '-train_lr_expr and -train_lr both given' -models linear -train_lr 0.1 -train_lr_expr '1/d'
expect '-grid_train_tasks: used by trained models only' -models mle,oracle -grid_train_tasks 10,20
expect '-grid_train_steps: used by trained models only' -models gd1 -family sphere -grid_train_steps 1,2
expect '-sigma_expr: used by families linreg and distreg only' -models linear -sigma_expr 'd'
expect '-grid_train_tasks lists 10. twice' -models linear -grid_train_tasks 10,10
finish
