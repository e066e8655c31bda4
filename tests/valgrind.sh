#!/bin/bash
# valgrind.sh BASE: a small sweep at 2 ranks under Valgrind (memcheck, full leak check): no
# invalid access, no use of uninitialised memory and no leak in iclsweep's own code.
set -uo pipefail
base=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$base"
mkdir -p "$base"
"$MPIEXEC" -n 2 valgrind --leak-check=full --show-leak-kinds=definite --track-origins=yes \
  --log-file="$base/vg.%p.log" "$ICLSWEEP" run -grid_d 6 -grid_k 2,8 -grid_N 5,10 -replicates 2 \
  -train_tasks 50 -train_steps 3 -eval_M 1,5 -eval_tasks 20 -models linear,mle,oracle,bayes,svm \
  -output "$base/sweep" >"$base/run.log" 2>&1 || { echo "FAIL: the sweep failed under Valgrind"; cat "$base/run.log"; exit 1; }
ls "$base"/vg.*.log >/dev/null || { echo "FAIL: no Valgrind logs"; exit 1; }
"$PYTHON" "$here/valgrind_filter.py" "$here/../src" "$base"/vg.*.log
