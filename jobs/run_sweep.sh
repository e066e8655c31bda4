#!/bin/bash
# run_sweep.sh: run (or resume) one iclsweep sweep inside a Slurm batch job, drain it when
# Slurm's warning signal arrives, and requeue the job until every cell is done.
# Sourced by jobs/sweep.sbatch and jobs/array.sbatch (it runs in the batch shell, which is
# where Slurm's --signal=B: goes); not meant to be submitted by itself.
#
# Environment (the sbatch files document the same names):
#   SWEEP             sweep options file (required)
#   OUTPUT            output directory (required); resumed when it already holds the sweep
#   ICLSWEEP          iclsweep binary (default: iclsweep on PATH)
#   DRAIN             -drain_seconds: how long in-flight cells may run after the signal
#                     (default 60; keep it well under the --signal lead time)
#   LAUNCHER          srun (default: srun --mpi=pmix) or mpiexec (Open MPI inside the allocation)
#   SRUN_MPI          srun's --mpi plugin (default pmix); SRUN_ARGS: extra srun options
#   MPIEXEC           mpiexec command (default mpiexec); MPIEXEC_ARGS: extra mpiexec options
#   ICL_RUN_ARGS      extra `iclsweep run` options (e.g. "-group_size 2")
#   ICL_REQUEUE       requeue (default): scontrol requeue this job after a drain;
#                     resubmit: sbatch a copy with --dependency=afterany:THIS_JOB
#                     (single jobs only; ICL_SBATCH_ARGS are passed again to sbatch);
#                     none: just exit 3 and let the user rerun.
#   ICL_SIGNAL_MARGIN seconds kept after the drain for flushing and requeueing (default 30):
#                     USR1 reaches iclsweep DRAIN + ICL_SIGNAL_MARGIN s before the time limit
#   ICL_MAX_RESTARTS  give up requeueing after this many restarts (default 100)
#   SHARD, NUM_SHARDS set by array.sbatch: run only this shard (-shard i -num_shards n)
# Exit status: iclsweep's (0 all cells ok, 1 some cells failed, 2 bad input, 3 interrupted
# and not requeued). After a successful requeue the job is restarted by Slurm.
# The whole script is one { ... } block: bash parses it before running any of it, so editing
# or updating this file while jobs run (they may run for days) cannot break them.
{
set -u

say() { echo "[run_sweep $(date '+%F %T')] $*"; }
die() { say "error: $*"; exit 2; }

: "${SWEEP:?set SWEEP to the sweep options file}"
: "${OUTPUT:?set OUTPUT to the output directory}"
ICLSWEEP=${ICLSWEEP:-$(command -v iclsweep)}
[[ -n $ICLSWEEP && -x $ICLSWEEP ]] || die "iclsweep binary not found: set ICLSWEEP"
[[ -r $SWEEP ]] || die "sweep file '$SWEEP' not readable"
DRAIN=${DRAIN:-60}
LAUNCHER=${LAUNCHER:-srun}
ICL_REQUEUE=${ICL_REQUEUE:-requeue}
ICL_MAX_RESTARTS=${ICL_MAX_RESTARTS:-100}

# Open MPI / BLAS environment (docs/platform.md); each can be overridden from outside.
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1}
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
export OMPI_MCA_osc=${OMPI_MCA_osc:-sm,pt2pt}
export OMPI_MCA_hwloc_base_binding_policy=${OMPI_MCA_hwloc_base_binding_policy:-none}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

args=(run -options_file "$SWEEP" -output "$OUTPUT" -drain_seconds "$DRAIN")
if [[ -n ${NUM_SHARDS:-} ]]; then
  args+=(-shard "${SHARD:?SHARD must be set with NUM_SHARDS}" -num_shards "$NUM_SHARDS")
fi
# Word splitting of the extra-options variables is intended.
# shellcheck disable=SC2206
args+=(${ICL_RUN_ARGS:-})
# shellcheck disable=SC2206
case $LAUNCHER in
  srun) launch=(srun --mpi="${SRUN_MPI:-pmix}" ${SRUN_ARGS:-}) ;;
  mpiexec) launch=(${MPIEXEC:-mpiexec} -n "${SLURM_NTASKS:-1}" ${MPIEXEC_ARGS:-}) ;;
  *) die "LAUNCHER must be srun or mpiexec, not '$LAUNCHER'" ;;
esac

# This job, as scontrol/squeue name it: an array task is ARRAYID_TASKID (its SLURM_JOB_ID
# can equal the array's id, which would name every task of the array).
self_id=${SLURM_JOB_ID:-0}
[[ -n ${SLURM_ARRAY_JOB_ID:-} && -n ${SLURM_ARRAY_TASK_ID:-} ]] && self_id=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}

# Cells done so far ("DIR: C cells: D done (...)"): 0 before the first run, empty if unknown.
done_cells() {
  [[ -e $OUTPUT/journal ]] || { echo 0; return; }
  local st n
  for _ in 1 2 3; do
    st=$("$ICLSWEEP" status "$OUTPUT" 2>&1)
    n=$(sed -n 's/.* cells: \([0-9]*\) done.*/\1/p' <<<"$st" | head -n 1)
    [[ -n $n ]] && { echo "$n"; return; }
    sleep 1
  done
  say "iclsweep status $OUTPUT: $st" >&2
}

# Signals. USR1 (--signal=B:USR1@T: the time limit is near). Slurm may send it up to ~60 s
# earlier than asked, so this script holds it until DRAIN + ICL_SIGNAL_MARGIN seconds before
# the job's end time, then forwards USR1 to the launcher (mpiexec forwards it to the ranks
# and exits 3; srun forwards it to the tasks): iclsweep stops taking cells, lets in-flight
# cells finish for DRAIN seconds, flushes and exits 3. TERM/INT on the batch shell means the
# job is being cancelled, preempted or requeued by someone else: Slurm signals the ranks
# itself (they drain until KillWait), so only note it and do not requeue.
ICL_SIGNAL_MARGIN=${ICL_SIGNAL_MARGIN:-30}
lead=$(($(printf %.0f "$DRAIN") + ICL_SIGNAL_MARGIN)) # the drain starts this many s before the limit
child="" trapped=0 got_usr1=0 got_term=0 forwarded=0 watchdog=""
forward() {
  forwarded=1
  [[ -n $child ]] && kill -0 "$child" 2>/dev/null && kill -USR1 "$child" 2>/dev/null
}
on_usr1() {
  got_usr1=1 trapped=1
  say "SIGUSR1: the time limit is near"
  [[ -n $watchdog ]] && kill "$watchdog" 2>/dev/null
  watchdog=""
}
on_term() {
  got_term=1 trapped=1
  say "SIG$1: job is being cancelled, preempted or requeued by Slurm; waiting for iclsweep to stop"
  [[ $LAUNCHER == mpiexec && $forwarded -eq 0 ]] && forward   # mpiexec exits 1 on TERM, 3 on USR1
}
trap on_usr1 USR1
# USR1 that arrived while the sbatch script ran (sweep.sbatch and array.sbatch note it).
[[ ${ICL_USR1_EARLY:-} == 1 ]] && { got_usr1=1; say "SIGUSR1 (before the sweep started): the time limit is near"; }
trap 'on_term TERM' TERM
trap 'on_term INT' INT
# Job end time in seconds since the epoch, empty when unknown (no time limit).
job_end() {
  local e
  e=$(squeue -h -j "$self_id" -o %e 2>/dev/null | head -n 1)
  [[ $e == [0-9]*T* ]] && date -d "$e" +%s 2>/dev/null
}
# After USR1: wait (while iclsweep runs) until the drain must start, then forward it.
drain_when_due() {
  local end
  end=$(job_end)
  if [[ -n $end ]] && (( end - $(date +%s) > lead )); then
    say "$((end - $(date +%s))) s left: draining starts $lead s before the time limit"
    while kill -0 "$child" 2>/dev/null && ((!got_term && end - $(date +%s) > lead)); do
      sleep 1
    done
  fi
  ((forwarded)) && return
  say "forwarding SIGUSR1 to the ranks (in-flight cells get ${DRAIN} s)"
  forward
}

before=$(done_cells)
say "job $self_id (restart ${SLURM_RESTART_COUNT:-0}) on ${SLURM_JOB_NODELIST:-?}," \
  "${SLURM_NTASKS:-?} tasks: ${launch[*]} $ICLSWEEP ${args[*]}; ${before:-?} cells done before"
"${launch[@]}" "$ICLSWEEP" "${args[@]}" &
child=$!
# Slurm's warning signal may not come at all (seen after a requeue on a loaded machine): with
# a time limit far enough away, a watchdog sends this shell USR1 itself when the drain is due.
end=$(job_end)
if [[ -n $end ]] && (( end - $(date +%s) > lead )); then
  ( sleep $((end - $(date +%s) - lead))
    say "no SIGUSR1 from Slurm $lead s before the time limit: draining anyway"
    kill -USR1 $$ ) &
  watchdog=$!
fi
while :; do
  ((got_usr1 && !forwarded)) && drain_when_due
  wait "$child"
  rc=$?
  # A trap interrupts `wait` with a status above 128: wait again for the real one.
  if ((rc > 128 && trapped)); then trapped=0; continue; fi
  break
done
child=""
[[ -n $watchdog ]] && kill "$watchdog" 2>/dev/null
watchdog=""
after=$(done_cells)
say "iclsweep exited $rc; ${after:-?} cells done"

# Cancelled, preempted or requeued from outside: interrupted (mpiexec itself exits 1 on TERM).
if ((got_term && rc != 0)); then
  say "not requeueing: the job was cancelled, preempted or requeued from outside"
  exit 3
fi
case $rc in
  0 | 1 | 2) exit "$rc" ;;
esac
# Interrupted (3), or the launcher died of a signal: resume in a new run.
if [[ $ICL_REQUEUE == none ]]; then
  say "ICL_REQUEUE=none: resubmit the same job to resume"
  exit 3
fi
if [[ -n $before && -n $after ]] && ((after <= before)); then
  say "no cell finished in this run: not requeueing (raise the time limit or DRAIN)"
  exit 3
fi
if (( ${SLURM_RESTART_COUNT:-0} >= ICL_MAX_RESTARTS )); then
  say "restarted ${SLURM_RESTART_COUNT:-0} times already (ICL_MAX_RESTARTS): not requeueing"
  exit 3
fi
if [[ $ICL_REQUEUE == resubmit ]]; then
  script=$(scontrol show job -o "$SLURM_JOB_ID" | sed -n 's/.* Command=\([^ ]*\).*/\1/p' | head -n 1)
  # shellcheck disable=SC2086
  if new=$(sbatch --parsable --dependency="afterany:$SLURM_JOB_ID" ${ICL_SBATCH_ARGS:-} "$script"); then
    say "resubmitted as job $new (starts after this one ends)"
    exit 3
  fi
  say "sbatch failed"
  exit 3
fi
trap 'exit 3' TERM INT
if scontrol requeue "$self_id"; then
  say "requeued job $self_id"
  # Slurm now ends this run of the batch script (SIGTERM); wait for that, not race it.
  sleep 120 &
  wait $!
  exit 3
fi
say "scontrol requeue failed (is the job --requeue? does the partition allow it?)"
exit 3
}
