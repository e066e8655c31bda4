# lib.sh: what the Slurm test scripts share (sourced by slurm_cases.sh and two_nodes.sh):
# the MPI/BLAS environment, pass/fail counters, and helpers that wait for jobs and compare
# their results. Expects `here` (this directory) to be set by the caller.
root=$(cd "$here/../.." && pwd)
ICLSWEEP=${ICLSWEEP:-$root/build/iclsweep}
MPIEXEC=${MPIEXEC:-mpiexec}
PYTHON=${PYTHON:-/usr/bin/python3}
export ICLSWEEP
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_osc=sm,pt2pt OMPI_MCA_hwloc_base_binding_policy=none OPENBLAS_NUM_THREADS=1
# Test nodes advertise more CPUs than the machine has and jobs run beside reference runs:
# busy-polling ranks would starve the peer they wait for (a 2-rank group ran 4x slower).
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
PATH=$PATH:/usr/sbin:/sbin

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }
log() { echo "[$(date +%T) +$(elapsed)s] $*"; }

dump_job() {   # the job's record and output, for a failure
  scontrol show job "$1" 2>/dev/null | sed 's/^/  | /'
  [[ -f ${2:-} ]] && sed 's/^/  > /' "$2" | grep -v '^  > \[iclsweep\] [0-9]*/' | tail -n 40
}
# completed LABEL ID STATE [LOG...]: ok when job ID ended COMPLETED with exit 0; else a
# failure with the job's record and the tail of each log.
completed() {
  local label=$1 id=$2 state=$3 f
  shift 3
  if [[ $state == COMPLETED && $(job_field "$id" ExitCode) == 0:0 ]]; then ok "$label"; return; fi
  bad "$label: job $id $state"
  dump_job "$id"
  for f in "$@"; do
    [[ -f $f ]] && { echo "  --- $f"; grep -v '\[iclsweep\] [0-9]*/' "$f" | tail -n 30 | sed 's/^/  > /'; }
  done
}
# wait_job ID TIMEOUT: poll until every record of job ID (all array tasks) is finished; echo
# its states. Requeued jobs (PENDING, REQUEUED, ...) are not finished.
wait_job() {
  local id=$1 states end=$(($(date +%s) + $2))
  while (($(date +%s) < end)); do
    states=$(scontrol show job -o "$id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' ')
    if [[ -n $states ]] && ! grep -qE 'PENDING|RUNNING|REQUEUE|CONFIGURING|COMPLETING|SUSPENDED|RESIZING|SIGNALING|STAGE_OUT|RESV_DEL_HOLD|SPECIAL_EXIT' <<<"$states"; then
      echo "${states% }"
      return 0
    fi
    sleep 1
  done
  echo "TIMEOUT_WAITING(${states:-none})"
  return 1
}
job_field() { scontrol show job -o "$1" 2>/dev/null | grep -o " $2=[^ ]*" | head -n 1 | cut -d= -f2; }
# Cells done in DIR, from iclsweep status.
done_cells() { "$ICLSWEEP" status "$1" 2>/dev/null | sed -n 's/.* cells: \([0-9]*\) done.*/\1/p'; }
# status_ok DIR CELLS: complete, and the journal holds each cell exactly once.
status_ok() {
  local st
  st=$("$ICLSWEEP" status "$1" 2>&1)
  [[ $st == *": $2 cells: $2 done"* && $st == *complete* && $st == *"journal: $2 records, 0 dropped (damaged), 0 duplicates"* ]] \
    || { echo "  status of $1:"; sed 's/^/  | /' <<<"$st"; return 1; }
}
same() { "$PYTHON" "$here/../check_results.py" same "$@" 2>&1 | sed "s/^/  check_results: /"; [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "  data differ: $*"; return 1; }; }

sub() {   # sub VAR=VALUE... -- SBATCH ARGS: submit, echo the job id
  local vars=()
  while [[ $1 != -- ]]; do vars+=("$1"); shift; done
  shift
  env "${vars[@]}" sbatch --parsable "$@"
}

