#!/bin/bash
# slurm_cases.sh BASE [CASE...]: the jobs/ scripts on a real single-node Slurm.
# Starts munged/slurmctld/slurmd (start_slurm.sh BASE/cluster), runs the cases, stops only
# the daemons it started. If Slurm fails to start, this FAILS with the daemon logs; only where
# it cannot start at all (not installed, not root) it exits 77 (skip) saying why.
# Cases (default: all):
#   submit   jobs/submit.sh --dry-run prints the sbatch lines (time limit from the plan)
#   sweep    (1) sweep.sbatch runs tests/small.opts to completion, with srun and with mpiexec
#   timelimit (2) a 1-minute job hits its time limit mid-sweep: drains on USR1, requeues
#            itself, completes; journal holds each cell once; data equal a direct mpiexec run
#   array    (3) array.sbatch, 4 shards of the same sweep with a 1-minute limit + merge (via
#            submit.sh, afterok) equals the direct run bit for bit
#   requeue  (4) `scontrol requeue` of a running job mid-sweep loses nothing
# Environment: ICLSWEEP, MPIEXEC, PYTHON (as the other tests); SLURM_CASES_KEEP=1 leaves the
# cluster running (stop it with stop_slurm.sh BASE/cluster).
# One { ... } block: bash parses it all before running, so editing this file mid-run is safe.
{
set -uo pipefail
base=${1:?usage: slurm_cases.sh BASE [CASE...]}
shift
cases=("$@")
((${#cases[@]})) || cases=(submit sweep timelimit array requeue)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
base=$(mkdir -p "$base" && cd "$base" && pwd)
cluster=$base/cluster

# Start Slurm, or fail loudly (start_slurm.sh prints the daemon logs); 77: cannot, skip.
"$here/stop_slurm.sh" "$cluster" >/dev/null 2>&1
rm -rf "$cluster"
start_out=$(ICL_SLURM_CPUS=${ICL_SLURM_CPUS:-4} "$here/start_slurm.sh" "$cluster")
case $? in
  0) ;;
  77) echo "SKIP: Slurm cannot start on this machine (reason above)"; exit 77 ;;
  *) echo "FAIL: Slurm did not start (daemon logs above)"; echo "0 passed, 1 failed"; exit 1 ;;
esac
export "${start_out##*$'\n'}"   # SLURM_CONF=...
cleanup() {
  [[ -n ${ref_pid:-} ]] && kill "$ref_pid" 2>/dev/null
  [[ ${SLURM_CASES_KEEP:-0} == 1 ]] || "$here/stop_slurm.sh" "$cluster"
}
trap cleanup EXIT
log "Slurm up: $SLURM_CONF"

small=$root/tests/small.opts
long=$here/long.opts
long_cells=32
ref_pid="" ref_started=""
# The reference for long.opts: a direct mpiexec run (started early, in the background, so
# it overlaps with the Slurm jobs' requeue gaps), once per invocation: one left by an earlier
# build would be another binary's.
start_reference() {
  [[ -n $ref_started ]] && return
  ref_started=1
  rm -rf "$base/ref_long"
  "$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$long" -output "$base/ref_long" >"$base/ref_long.log" 2>&1 &
  ref_pid=$!
}
reference() {
  if [[ -n $ref_pid ]]; then
    wait "$ref_pid" || { tail "$base/ref_long.log"; return 1; }
    ref_pid=""
  fi
  [[ -f $base/ref_long/results.nc ]]
}

case_submit() {
  local out
  out=$("$root/jobs/submit.sh" "$small" "$base/dry" --array 4 --dry-run 2>&1)
  check "submit: --dry-run prints the array and the afterok merge" \
    grep -q -- '--array=0-3.*array.sbatch' <<<"$out"
  check "submit: merge depends on the array" grep -q -- '--dependency=afterok:\$array.*merge.sbatch' <<<"$out"
  check "submit: time limit from the plan" grep -q 'time limit 0-00:' <<<"$out"
  out=$("$root/jobs/submit.sh" "$small" "$base/dry" --time 7 --partition p --account a --dry-run 2>&1)
  check "submit: --time/--partition/--account reach sbatch" \
    grep -q -- '--time=7 --signal=B:USR1@180 --partition=p --account=a.*sweep.sbatch' <<<"$out"
  [[ ! -e $base/dry ]] && ok "submit: --dry-run submits nothing" || bad "submit: --dry-run created $base/dry"
}

# (1) sweep.sbatch on tests/small.opts, with srun (default) and with mpiexec.
case_sweep() {
  local launcher id state s
  for launcher in srun mpiexec; do
    s=$(date +%s)
    rm -rf "$base/sweep_$launcher" "$base/sweep_$launcher.out"
    id=$(sub SWEEP="$small" OUTPUT="$base/sweep_$launcher" LAUNCHER=$launcher DRAIN=10 -- \
      --ntasks=2 --time=5 --output="$base/sweep_$launcher.out" "$root/jobs/sweep.sbatch")
    state=$(wait_job "$id" 120)
    log "case 1 ($launcher): job $id $state in $(($(date +%s) - s)) s"
    if [[ $state == COMPLETED && $(job_field "$id" ExitCode) == 0:0 ]] && status_ok "$base/sweep_$launcher" 128; then
      ok "case 1: sweep.sbatch ($launcher) ran small.opts to completion"
    else
      bad "case 1: sweep.sbatch ($launcher): $state"
      dump_job "$id" "$base/sweep_$launcher.out"
    fi
  done
  check "case 1: srun and mpiexec give the same data" same "$base/sweep_srun" "$base/sweep_mpiexec"
}

# completed_after_requeue LABEL ID OUT START: the job ends COMPLETED with exit 0 after at
# least one requeue; otherwise its state and log are shown.
completed_after_requeue() {
  local label=$1 id=$2 out=$3 start=$4 state restarts
  state=$(wait_job "$id" 400)
  restarts=$(job_field "$id" Restarts)
  log "$label: job $id $state after $restarts requeues in $(($(date +%s) - start)) s"
  if [[ $state == COMPLETED && $(job_field "$id" ExitCode) == 0:0 && ${restarts:-0} -ge 1 ]]; then
    ok "$label: job requeued ($restarts times) and completed"
  else
    bad "$label: job $id: $state, ${restarts:-?} restarts (want COMPLETED after >= 1)"
    dump_job "$id" "$out"
  fi
}

# (2) The time limit hits mid-sweep: USR1 (held until DRAIN + margin before the end), drain,
# exit 3, scontrol requeue, resume; until done.
case_timelimit() {
  local out=$base/timelimit.out
  if [[ $1 == start ]]; then
    start_reference
    tl_start=$(date +%s)
    rm -rf "$base/timelimit" "$out"
    tl_id=$(sub SWEEP="$long" OUTPUT="$base/timelimit" DRAIN=10 ICL_SIGNAL_MARGIN=30 -- \
      --ntasks=2 --time=1 --signal=B:USR1@50 --output="$out" "$root/jobs/sweep.sbatch")
    log "case 2: submitted job $tl_id (--time=1 --signal=B:USR1@50, DRAIN=10)"
    return
  fi
  completed_after_requeue "case 2" "$tl_id" "$out" "$tl_start"
  check "case 2: USR1 forwarded, iclsweep drained (exit 3), job requeued" \
    grep -qzE 'forwarding SIGUSR1.*iclsweep exited 3.*requeued job' "$out"
  check "case 2: no cell lost or duplicated (journal)" status_ok "$base/timelimit" $long_cells
  check "case 2: reference run" reference
  check "case 2: data equal the direct mpiexec run" same "$base/ref_long" "$base/timelimit"
}

# (3) array.sbatch, 4 shards of long.opts + merge, submitted by submit.sh with a 1-minute
# limit (so tasks usually drain and requeue themselves too); equals the single-job run.
case_array() {
  local out=$base/array
  if [[ $1 == start ]]; then
    local ids
    start_reference
    ar_start=$(date +%s)
    rm -rf "$out" "$out".slurm-*
    ids=$(DRAIN=10 ICL_SIGNAL_MARGIN=30 "$root/jobs/submit.sh" "$long" "$out" --array 4 --time 1 --signal-lead 50) \
      || { bad "case 3: submit.sh failed"; ar_mid=""; return; }
    read -r ar_aid ar_mid <<<"$ids"
    log "case 3: submitted array $ar_aid (4 shards, --time=1) and merge $ar_mid (afterok)"
    return
  fi
  [[ -n $ar_mid ]] || return
  local state restarts i n total=0
  state=$(wait_job "$ar_mid" 400)
  restarts=$(cat "$out".slurm-"${ar_aid}"_*.out 2>/dev/null | grep -c 'requeued job')
  log "case 3: array $ar_aid (tasks requeued themselves $restarts times) + merge $ar_mid $state in $(($(date +%s) - ar_start)) s"
  completed "case 3: 4 shards and the merge job completed" "$ar_mid" "$state" "$out".slurm-*
  for i in 0 1 2 3; do
    n=$("$ICLSWEEP" status "$out/part$i" 2>/dev/null | sed -n 's/.*journal: \([0-9]*\) records, 0 dropped (damaged), 0 duplicates.*/\1/p')
    total=$((total + ${n:-0}))
  done
  [[ $total == "$long_cells" ]] && ok "case 3: the 4 parts hold $long_cells journal records, no duplicates" \
    || bad "case 3: the parts hold $total journal records (want $long_cells, no duplicates)"
  check "case 3: reference run" reference
  check "case 3: merged data equal the single-job run bit for bit" same "$base/ref_long" "$out"
}

# (4) scontrol requeue of a running job mid-sweep (mpiexec launcher: the TERM path).
case_requeue() {
  local out=$base/requeue.out
  if [[ $1 == start ]]; then
    local d=0 id
    start_reference
    rq_start=$(date +%s)
    rm -rf "$base/requeue" "$out"
    id=$(sub SWEEP="$long" OUTPUT="$base/requeue" DRAIN=5 LAUNCHER=mpiexec -- \
      --ntasks=2 --time=10 --output="$out" "$root/jobs/sweep.sbatch")
    rq_id=$id
    # Requeue once a few cells are done.
    while (($(date +%s) < rq_start + 180)); do
      d=$(done_cells "$base/requeue")
      [[ $(job_field "$id" JobState) == RUNNING && ${d:-0} -ge 3 ]] && break
      sleep 0.5
    done
    log "case 4: scontrol requeue $id with ${d:-0}/$long_cells cells done"
    ((${d:-0} < long_cells)) || bad "case 4: the sweep finished before it could be requeued"
    scontrol requeue "$id" || bad "case 4: scontrol requeue $id failed"
    return
  fi
  completed_after_requeue "case 4" "$rq_id" "$out" "$rq_start"
  check "case 4: the resumed run skipped the cells done before the requeue" \
    grep -q 'resuming .*cells already done' "$out"
  check "case 4: no cell lost or duplicated (journal)" status_ok "$base/requeue" $long_cells
  check "case 4: reference run" reference
  check "case 4: data equal the direct mpiexec run" same "$base/ref_long" "$base/requeue"
}

# Cases that submit long jobs run side by side (start all, then check each): the node
# advertises 4 CPUs, so the two 2-task jobs and the reference run share the 2 real cores and
# fill each other's requeue gaps.
for c in "${cases[@]}"; do
  cs=$(date +%s)
  case $c in
    timelimit | array | requeue) "case_$c" start ;;
    *) "case_$c"; log "case $c took $(($(date +%s) - cs)) s" ;;
  esac
done
for c in "${cases[@]}"; do
  case $c in
    timelimit | array | requeue) "case_$c" finish ;;
  esac
done
[[ -n $ref_pid ]] && wait "$ref_pid"
log "total $(elapsed) s"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
}
