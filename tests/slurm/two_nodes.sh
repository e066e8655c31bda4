#!/bin/bash
# two_nodes.sh BASE ACTION: the jobs/ scripts on a two-node Slurm that runs on this one
# machine (two slurmd, `slurmd -N nodeA` and `-N nodeB`, one CPU each, so every placement is
# forced). ctest runs each ACTION as its own test; start/stop are its fixture.
#   start    start munged (unless one answers), slurmctld and the two slurmd in BASE/cluster;
#            where Slurm cannot start at all, write why to BASE/cannot_start and exit 77 (skip)
#   sweep    sweep.sbatch --nodes=2 --ntasks-per-node=1, -group_size 2: one group spans both
#            nodes; completes; bitwise equal to a one-node run; hosts = "nodeA:1,nodeB:1"
#   array    submit.sh --array 2: one task on each node, merged; equal to a one-node run
#   requeue  a running job's node is drained and the job requeued: it resumes on the other
#            node; journal holds each cell once; equal to a one-node run
#   stop     stop what start started (PIDs in BASE/cluster/started.pids), nothing else
#   plan     (no cluster) plan -ranks_per_node/-node_memory: per-node peak = ranks per node x
#            per-rank peak, refused just below it, accepted just above; submit.sh passes it on;
#            results.nc hosts outside Slurm = "<host name>:2"
# Every action but start/stop exits 77 with the reason when BASE/cannot_start exists.
# Environment: ICLSWEEP, MPIEXEC, PYTHON; ICL_SLURM_TWO_NODES_PORT (slurmctld port, default
# 6957; the nodes use the next two: apart from the single-node test's ICL_SLURM_PORT 6917, so
# both may be up at once).
{
set -uo pipefail
base=${1:?usage: two_nodes.sh BASE start|sweep|array|requeue|stop}
action=${2:?usage: two_nodes.sh BASE start|sweep|array|requeue|stop}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
base=$(mkdir -p "$base" && cd "$base" && pwd)
cluster=$base/cluster
opts=$here/two_nodes.opts
cells=16
nodes=(nodeA nodeB)
export SLURM_CONF=$cluster/slurm.conf

finish() { log "$action: $passed passed, $failed failed in $(elapsed) s"; [[ $failed -eq 0 ]]; exit $?; }

case $action in
  start)
    "$here/stop_slurm.sh" "$cluster" >/dev/null 2>&1
    rm -rf "$base"/*
    ICL_SLURM_NODES="${nodes[*]}" ICL_SLURM_CPUS=1 ICL_SLURM_PORT=${ICL_SLURM_TWO_NODES_PORT:-6957} \
      "$here/start_slurm.sh" "$cluster" 2>"$base/start.err" >/dev/null
    rc=$?
    cat "$base/start.err"
    if ((rc == 77)); then
      grep SKIP "$base/start.err" >"$base/cannot_start"
      echo "SKIP: two-node Slurm tests: $(cat "$base/cannot_start")"
      exit 77
    fi
    ((rc == 0)) || { echo "FAIL: the two-node Slurm did not start (daemon logs above)"; exit 1; }
    sinfo -N -o '%N %t %c %P'
    log "two-node Slurm up: $SLURM_CONF"
    exit 0 ;;
  stop)
    "$here/stop_slurm.sh" "$cluster"
    exit 0 ;;
esac
# results.nc's global attribute NAME.
attr() { "$PYTHON" -c 'import sys, netCDF4; print(getattr(netCDF4.Dataset(sys.argv[1]), sys.argv[2]))' "$1/results.nc" "$2" 2>&1; }
# plan's per-node memory needs no cluster: checked by itself (ctest slurm_plan_nodes).
if [[ $action == plan ]]; then
  plan() { "$ICLSWEEP" plan -options_file "$opts" "$@" 2>&1; }
  out=$(plan -ranks 4 -ranks_per_node 2 -group_size 2)
  echo "$out" | sed 's/^/  | /'
  # The table's per-rank peak (MB = 2^20 bytes) and the node line's, in GB (1e9 bytes).
  mb=$(awk '$1 == "linear" { print $3 }' <<<"$out")
  read -r node rank <<<"$(sed -n 's/^memory: \([0-9.e+-]*\) GB per node at most (2 ranks x \([0-9.e+-]*\) GB.*/\1 \2/p' <<<"$out")"
  check "plan: 4 ranks, 2 per node: 2 nodes, a group of 2 on one node" grep -q '^nodes: 4 ranks, 2 per node: 2 nodes; a group of 2 ranks spans 1 node$' <<<"$out"
  check "plan: per node = 2 ranks x the table's per-rank peak ($mb MB)" awk -v n="${node:-0}" -v r="${rank:-0}" -v mb="${mb:-0}" \
    'BEGIN { exit !(r > 0 && n / (2 * r) > 0.99 && n / (2 * r) < 1.01 && r * 1e9 / (mb * 1048576) > 0.99 && r * 1e9 / (mb * 1048576) < 1.01) }'
  mb1=$(plan -ranks 4 -ranks_per_node 2 -group_size 1 | awk '$1 == "linear" { print $3 }')
  check "plan: a group of 2 needs less per rank ($mb MB) than one rank alone ($mb1 MB)" awk -v a="${mb:-0}" -v b="${mb1:-0}" 'BEGIN { exit !(a > 0 && a < b) }'
  check "plan: a group of 2 with 1 rank per node spans 2 nodes" grep -q 'a group of 2 ranks spans 2 nodes' <<<"$(plan -ranks 4 -ranks_per_node 1 -group_size 2)"
  # Refused just below the predicted per-node peak, accepted just above (exit 1 / 0).
  low=$(awk -v n="$node" 'BEGIN { print n * 0.97 }') high=$(awk -v n="$node" 'BEGIN { print n * 1.03 }')
  out=$(plan -ranks 4 -ranks_per_node 2 -group_size 2 -node_memory "$low"); rc=$?
  [[ $rc == 1 && $out == *"WILL NOT FIT: "*" cells need more than one node's"* ]] && ok "plan: -node_memory $low GB refused (exit 1)" \
    || bad "plan: -node_memory $low GB: exit $rc, $(grep -E 'memory|FIT' <<<"$out")"
  out=$(plan -ranks 4 -ranks_per_node 2 -group_size 2 -node_memory "$high"); rc=$?
  [[ $rc == 0 && $out == *"every cell fits"* ]] && ok "plan: -node_memory $high GB fits (exit 0)" || bad "plan: -node_memory $high GB: exit $rc"
  out=$(plan -ranks 2 -ranks_per_node 3); rc=$?
  [[ $rc == 2 && $out == *"-ranks_per_node 3"* ]] && ok "plan: -ranks_per_node above -ranks is bad input (exit 2)" || bad "plan: -ranks_per_node 3 -ranks 2: exit $rc: $out"
  # hosts outside Slurm: the host name and its rank count.
  rm -rf "$base/local"
  env -u SLURMD_NODENAME "$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$opts" -grid_d 8 -grid_N 5 -replicates 1 \
    -train_tasks 50 -eval_tasks 50 -output "$base/local" >"$base/local.log" 2>&1
  hosts=$(attr "$base/local" hosts)
  [[ $hosts == "$(hostname):2" || $hosts == "$(hostname -s):2" ]] && ok "results.nc hosts outside Slurm = $hosts" \
    || bad "results.nc hosts outside Slurm = '$hosts' (want $(hostname):2)"
  out=$("$root/jobs/submit.sh" "$opts" "$base/dry" --ntasks 4 --nodes 2 --ntasks-per-node 2 --dry-run 2>&1)
  check "submit.sh: --nodes/--ntasks-per-node reach sbatch" grep -q -- '--ntasks=4 .*--nodes=2 --ntasks-per-node=2' <<<"$out"
  out=$("$root/jobs/submit.sh" "$opts" "$base/dry" --ntasks 4 --ntasks-per-node 2 --node-memory "$low" --dry-run 2>&1); rc=$?
  [[ $rc == 2 && $out == *"WILL NOT FIT"* ]] && ok "submit.sh refuses a sweep a node cannot hold (exit 2)" || bad "submit.sh --node-memory $low: exit $rc: $out"
  finish
fi
if [[ -f $base/cannot_start ]]; then
  echo "SKIP: two-node Slurm tests: $(cat "$base/cannot_start")"
  exit 77
fi
[[ -f $SLURM_CONF ]] && scontrol ping 2>/dev/null | grep -q UP || {
  echo "FAIL: the two-node Slurm is not running (did slurm_two_nodes_start fail? see its output)"
  exit 1
}

# A one-node reference run (direct mpiexec, 2 ranks) into BASE/NAME, once per fixture;
# extra arguments go to `iclsweep run`. Runs in the background: reference_wait NAME.
reference_start() {
  local name=$1; shift
  [[ -f $base/$name/results.nc ]] && return
  rm -rf "${base:?}/$name"
  "$MPIEXEC" -n 2 "$ICLSWEEP" run -options_file "$opts" -output "$base/$name" "$@" >"$base/$name.log" 2>&1 &
  ref_pid=$!
}
reference_wait() {
  [[ -n ${ref_pid:-} ]] && { wait "$ref_pid" || tail "$base/$1.log"; }
  ref_pid=""
  [[ -f $base/$1/results.nc ]]
}
# The node(s) each run of a job's batch script started on, from run_sweep.sh's first line.
run_nodes() { sed -n 's/.*\[run_sweep .*\] job [^ ]* (restart [0-9]*) on \([^,]*\),.*/\1/p' "$1" | tr '\n' ' '; }

case $action in
  # One group of 2 ranks, one rank on each node: the group's collectives cross nodes.
  sweep)
    out=$base/sweep.out
    # Half the replicates: a group's every step crosses nodes, much slower than one rank.
    reference_start ref_g2 -group_size 2 -replicates 2
    id=$(sub SWEEP="$opts" OUTPUT="$base/sweep" DRAIN=10 ICL_RUN_ARGS="-group_size 2 -replicates 2" -- \
      --nodes=2 --ntasks-per-node=1 --time=5 --output="$out" "$root/jobs/sweep.sbatch")
    state=$(wait_job "$id" 240)
    log "job $id $state on $(job_field "$id" NodeList)"
    completed "sweep.sbatch --nodes=2 completed" "$id" "$state" "$out"
    check "the job ran on nodeA and nodeB" grep -q 'on nodeA,nodeB,' "$out"
    check "no cell lost or duplicated (journal)" status_ok "$base/sweep" $((cells / 2))
    hosts=$(attr "$base/sweep" hosts)
    [[ $hosts == "nodeA:1,nodeB:1" ]] && ok "results.nc hosts = $hosts" || bad "results.nc hosts = '$hosts' (want nodeA:1,nodeB:1)"
    gs=$(attr "$base/sweep" group_size)
    [[ $gs == 2 ]] && ok "results.nc group_size = 2" || bad "results.nc group_size = '$gs' (want 2)"
    check "one-node reference run (mpiexec -n 2 -group_size 2 -replicates 2)" reference_wait ref_g2
    check "data equal the one-node run bit for bit" same "$base/ref_g2" "$base/sweep"
    ;;

  # Two array tasks of one rank each: with one CPU per node they run one on each node.
  array)
    reference_start ref_g1
    rm -rf "$base/array" "$base"/array.slurm-*
    ids=$(DRAIN=10 "$root/jobs/submit.sh" "$opts" "$base/array" --array 2 --time 5) \
      || { bad "submit.sh failed"; finish; }
    read -r aid mid <<<"$ids"
    state=$(wait_job "$mid" 240)
    log "array $aid + merge $mid: $state"
    completed "2 array tasks and the merge job completed" "$mid" "$state" "$base"/array.slurm-*
    placed=$(cat "$base"/array.slurm-"${aid}"_*.out 2>/dev/null | sed -n 's/.* on \(node[AB]\),.*/\1/p' | sort -u | tr '\n' ' ')
    [[ $placed == "nodeA nodeB " ]] && ok "the tasks ran on nodeA and nodeB" || bad "the tasks ran on '$placed' (want nodeA and nodeB)"
    hosts="$(attr "$base/array/part0" hosts) $(attr "$base/array/part1" hosts)"
    [[ $hosts == "nodeA:1 nodeB:1" || $hosts == "nodeB:1 nodeA:1" ]] && ok "parts' hosts: $hosts" || bad "parts' hosts: '$hosts' (want nodeA:1 and nodeB:1)"
    total=0
    for i in 0 1; do
      n=$("$ICLSWEEP" status "$base/array/part$i" 2>/dev/null | sed -n 's/.*journal: \([0-9]*\) records, 0 dropped (damaged), 0 duplicates.*/\1/p')
      total=$((total + ${n:-0}))
    done
    [[ $total == "$cells" ]] && ok "the 2 parts hold $cells journal records, no duplicates" || bad "the parts hold $total records (want $cells, no duplicates)"
    check "one-node reference run (mpiexec -n 2)" reference_wait ref_g1
    check "merged data equal the one-node run bit for bit" same "$base/ref_g1" "$base/array"
    ;;

  # Drain the job's node and requeue the job: Slurm can only restart it on the other node.
  requeue)
    out=$base/requeue.out
    # Cells 3x heavier than the file's: on a quiet machine its 16 cells take ~3 s on one rank,
    # and the job would finish before the requeue reaches it.
    heavy="-train_tasks 12000"
    # shellcheck disable=SC2086
    reference_start ref_heavy $heavy
    rm -rf "$base/requeue" "$out"
    id=$(sub SWEEP="$opts" OUTPUT="$base/requeue" DRAIN=5 ICL_RUN_ARGS="$heavy" -- \
      --nodes=1 --ntasks=1 --time=5 --output="$out" "$root/jobs/sweep.sbatch")
    start=$(date +%s) d=0
    while (($(date +%s) < start + 120)); do
      d=$(done_cells "$base/requeue")
      [[ $(job_field "$id" JobState) == RUNNING && ${d:-0} -ge 2 ]] && break
      sleep 0.3
    done
    first=$(job_field "$id" BatchHost)
    log "job $id on $first with ${d:-0}/$cells cells done: drain $first, scontrol requeue"
    ((${d:-0} < cells)) || bad "the sweep finished before it could be requeued"
    scontrol update NodeName="$first" State=DRAIN Reason="iclsweep test: move the job" || bad "could not drain $first"
    scontrol requeue "$id" || bad "scontrol requeue $id failed"
    state=$(wait_job "$id" 240)
    second=$(job_field "$id" BatchHost)
    scontrol update NodeName="$first" State=RESUME
    log "job $id $state after $(job_field "$id" Restarts) requeues, now on $second"
    if [[ $state == COMPLETED && $(job_field "$id" ExitCode) == 0:0 && $(job_field "$id" Restarts) -ge 1 ]]; then
      ok "the job was requeued and completed"
    else
      bad "job $id: $state, $(job_field "$id" Restarts) restarts (want COMPLETED after >= 1)"
      dump_job "$id" "$out"
    fi
    ran=$(run_nodes "$out")
    [[ $first != "$second" && $ran == "$first $second " ]] && ok "first run on $first, resumed on $second" \
      || bad "runs started on '$ran' (BatchHost $first, then $second): want one on each node"
    resumed=$(sed -n 's/.*resuming .*: \([0-9]*\) of [0-9]* cells already done.*/\1/p' "$out" | tail -n 1)
    ((${resumed:-0} > 0 && ${resumed:-0} < cells)) && ok "the run on $second resumed with $resumed of $cells cells done and ran the rest" \
      || bad "the run on $second resumed with '${resumed:-?}' of $cells cells done (want some, not all)"
    check "no cell lost or duplicated (journal)" status_ok "$base/requeue" $cells
    hosts=$(attr "$base/requeue" hosts)
    [[ $hosts == "$second:1" ]] && ok "results.nc hosts = $hosts (the run that finished)" || bad "results.nc hosts = '$hosts' (want $second:1)"
    check "one-node reference run (mpiexec -n 2 $heavy)" reference_wait ref_heavy
    check "data equal the one-node run bit for bit" same "$base/ref_heavy" "$base/requeue"
    ;;
  *) echo "two_nodes.sh: unknown action '$action'"; exit 2 ;;
esac
finish
}
