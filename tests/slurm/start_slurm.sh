#!/bin/bash
# start_slurm.sh [DIR]: start a real Slurm (munged, slurmctld, one slurmd per node) whose
# slurm.conf, state, spool and logs all live in DIR (default: a new temporary directory).
# Prints "SLURM_CONF=DIR/slurm.conf"; export it before using sbatch/squeue/scontrol.
# Stop with stop_slurm.sh DIR: it shuts down and kills only what this script started
# (PIDs recorded in DIR/started.pids, munged included: each cluster has its own, on a socket
# in DIR, so several test clusters can run at once).
# Environment: ICL_SLURM_PORT (slurmctld port; the slurmd of node i uses +1+i; default 6917,
# away from the stock 6817 so a site Slurm on this machine is not disturbed), ICL_SLURM_CPUS
# (CPUs each node advertises, default nproc; more than nproc oversubscribes the machine),
# ICL_SLURM_NODES (node names, default this host's short name; several names start one
# slurmd per name on this machine, `slurmd -N NAME`, each with its own port, spool, log and
# TmpFS: a multi-node cluster on one host, see README.md).
# Exit status: 0 up; 77 Slurm cannot start here at all (daemons not installed, not root),
# with the reason on stderr; 1 anything else, after printing the daemon logs: callers must
# fail on 1, and may skip only on 77.
set -uo pipefail
dir=${1:-$(mktemp -d -t icl-slurm.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
port=${ICL_SLURM_PORT:-6917}
cpus=${ICL_SLURM_CPUS:-$(nproc)}
read -r -a nodes <<<"${ICL_SLURM_NODES:-$(hostname -s)}"
host=$(hostname -s)
conf=$dir/slurm.conf
export SLURM_CONF=$conf

fail() {
  echo "start_slurm: $*" >&2
  local f
  for f in "$dir"/slurmctld.log "$dir"/slurmd-*.log "$dir"/slurmctld.out "$dir"/slurmd-*.out "$dir"/munged.out "$dir"/munge/munged.log; do
    [[ -s $f ]] && { echo "----- $f (last 60 lines)" >&2; tail -n 60 "$f" >&2; }
  done
  grep -qs 'Duplicated NodeHostName' "$dir"/*.log "$dir"/*.out \
    && echo "start_slurm: this Slurm is built without --enable-multiple-slurmd: one slurmd per host only (ICL_SLURM_NODES)" >&2
  "$(dirname "$0")/stop_slurm.sh" "$dir" >&2 || true
  exit 1
}
# Where Slurm cannot start at all: say why, exit 77 (the tests' SKIP_RETURN_CODE).
cannot() { echo "start_slurm: SKIP: $*; Slurm cannot start on this machine" >&2; exit 77; }

for exe in munged munge slurmctld slurmd scontrol sinfo sbatch; do
  command -v "$exe" >/dev/null || PATH=$PATH:/usr/sbin:/sbin
  command -v "$exe" >/dev/null || cannot "$exe not found (install slurm-wlm and munge)"
done
[[ $(id -u) == 0 ]] || cannot "the test cluster runs its daemons as root (SlurmUser=root): run the tests as root"

if [[ -s $dir/started.pids ]] && scontrol ping 2>/dev/null | grep -q UP; then
  echo "start_slurm: already running in $dir" >&2
  echo "SLURM_CONF=$conf"
  exit 0
fi
[[ -L $dir/munge ]] && rm -rf "$(readlink "$dir/munge")"
rm -rf "$dir/state" "$dir/spool" "$dir/tmp" "$dir/munge" "$dir"/*.log "$dir"/*.out "$dir/jobcomp.txt"
# munged runs as user munge, which cannot reach DIR when an ancestor is private (a checkout
# under mktemp -d, mode 0700): its files live in a directory of their own under the system's
# temporary directory, and DIR/munge points to it for the root-side scripts.
munge_dir=$(mktemp -d "${TMPDIR:-/tmp}/iclsweep-munge.XXXXXX")
chmod 0755 "$munge_dir"
chown munge:munge "$munge_dir"
ln -s "$munge_dir" "$dir/munge"
mkdir -p "$dir/state"
# Per-node directories: slurmd expands %n to its node name, so several slurmd on one host
# keep their spool (job step sockets) and TmpFS apart. TmpFS matters for srun --mpi=pmix:
# each step's PMIx directory is named by job and step only, so two slurmstepd of one step on
# one host would collide in a shared /tmp.
for node in "${nodes[@]}"; do mkdir -p "$dir/spool/$node" "$dir/tmp/$node"; done
: >"$dir/started.pids"

cat >"$conf" <<EOF
# Written by iclsweep tests/slurm/start_slurm.sh: a test cluster of ${#nodes[@]} node(s) on this host.
ClusterName=icltest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=cred_expire=10,socket=$munge_dir/socket
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
TmpFS=$dir/tmp/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ReturnToService=2
SlurmctldTimeout=10
SlurmdTimeout=30
# finished jobs' records kept for the whole test: the cases read each job's final state after
# all have run, minutes after some ended (at 60 s a record could be gone, and the wait hung)
MinJobAge=3600
KillWait=15
OverTimeLimit=0
SchedulerParameters=sched_interval=2,bf_interval=1,sched_min_interval=100000
# config_overrides: slurmd takes CPUs from this file, so a test node may advertise more CPUs
# than the machine has (ICL_SLURM_CPUS) and run several small jobs side by side.
SlurmdParameters=config_overrides
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
# One line per node, all on this host (NodeHostname), told apart by name and port.
for i in "${!nodes[@]}"; do
  echo "NodeName=${nodes[i]} NodeHostname=$host NodeAddr=127.0.0.1 Port=$((port + 1 + i)) CPUs=$cpus State=UNKNOWN" >>"$conf"
done

# Something listening on our ports (often a test cluster left behind by a killed run) would
# answer our commands and take our jobs: refuse rather than mix clusters.
for p in $(seq "$port" $((port + ${#nodes[@]}))); do
  if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then
    echo "start_slurm: port $p is in use (a Slurm left running? stop_slurm.sh on its directory), or set ICL_SLURM_PORT" >&2
    exit 1
  fi
done
# munged: our own, on a socket in DIR (AuthInfo socket= above), so that test clusters never
# share one and stopping one cannot break another, and a site's munged is left alone.
runuser -u munge -- munged --socket="$munge_dir/socket" --pid-file="$munge_dir/munged.pid" \
  --seed-file="$munge_dir/seed" --log-file="$munge_dir/munged.log" >"$dir/munged.out" 2>&1 || fail "munged did not start"
for _ in $(seq 50); do
  [[ -s $dir/munge/munged.pid ]] && break
  sleep 0.1
done
echo "munged $(cat "$dir/munge/munged.pid" 2>/dev/null)" >>"$dir/started.pids"
munge -S "$dir/munge/socket" -n | unmunge -S "$dir/munge/socket" >/dev/null 2>&1 || fail "munged is not answering"

slurmctld -D -f "$conf" >"$dir/slurmctld.out" 2>&1 &
echo "slurmctld $!" >>"$dir/started.pids"
for node in "${nodes[@]}"; do
  slurmd -D -N "$node" -f "$conf" >"$dir/slurmd-$node.out" 2>&1 &
  echo "slurmd:$node $!" >>"$dir/started.pids"
done

# Wait until every node is idle (each needs slurmctld and its slurmd up and registered).
all=$(IFS=,; echo "${nodes[*]}")
states=""
for _ in $(seq 150); do
  states=$(sinfo -h -N -n "$all" -o '%N %t' 2>/dev/null)
  [[ $(grep -c ' idle$' <<<"$states") == "${#nodes[@]}" ]] && { echo "SLURM_CONF=$conf"; exit 0; }
  bad=$(grep -E ' (inval|drain)' <<<"$states" | head -n 1)
  [[ -n $bad ]] && fail "node ${bad% *} is '${bad#* }': $(scontrol show node "${bad% *}" | grep -o 'Reason=.*')"
  while read -r name pid; do
    kill -0 "$pid" 2>/dev/null || fail "$name (pid $pid) exited"
  done <"$dir/started.pids"
  sleep 0.2
done
fail "nodes not all idle after 30 s: $(tr '\n' ' ' <<<"$states")"
