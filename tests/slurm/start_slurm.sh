#!/bin/bash
# start_slurm.sh [DIR]: start a real single-node Slurm (munged, slurmctld, slurmd) whose
# slurm.conf, state, spool and logs all live in DIR (default: a new temporary directory).
# Prints "SLURM_CONF=DIR/slurm.conf"; export it before using sbatch/squeue/scontrol.
# Stop with stop_slurm.sh DIR: it shuts down and kills only what this script started
# (PIDs recorded in DIR/started.pids; munged only if this script started it).
# Environment: ICL_SLURM_PORT (slurmctld port; slurmd uses +1; default 6917, away from the
# stock 6817 so a site Slurm on this machine is not disturbed), ICL_SLURM_CPUS (CPUs the node
# advertises, default nproc; more than nproc oversubscribes the machine).
# If Slurm cannot start, exits non-zero after printing the daemon logs: callers must fail,
# not skip.
set -uo pipefail
dir=${1:-$(mktemp -d /tmp/icl-slurm.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
port=${ICL_SLURM_PORT:-6917}
cpus=${ICL_SLURM_CPUS:-$(nproc)}
node=$(hostname -s)
conf=$dir/slurm.conf
export SLURM_CONF=$conf

fail() {
  echo "start_slurm: $*" >&2
  local f
  for f in "$dir"/slurmctld.log "$dir"/slurmd.log "$dir"/slurmctld.out "$dir"/slurmd.out "$dir"/munged.out; do
    [[ -s $f ]] && { echo "----- $f (last 60 lines)" >&2; tail -n 60 "$f" >&2; }
  done
  "$(dirname "$0")/stop_slurm.sh" "$dir" >&2 || true
  exit 1
}

for exe in munged slurmctld slurmd scontrol sinfo sbatch; do
  command -v "$exe" >/dev/null || PATH=$PATH:/usr/sbin:/sbin
  command -v "$exe" >/dev/null || fail "$exe not found (install slurm-wlm and munge)"
done

if [[ -s $dir/started.pids ]] && scontrol ping 2>/dev/null | grep -q UP; then
  echo "start_slurm: already running in $dir" >&2
  echo "SLURM_CONF=$conf"
  exit 0
fi
rm -rf "$dir/state" "$dir/spool" "$dir"/*.log "$dir"/*.out "$dir/jobcomp.txt"
mkdir -p "$dir/state" "$dir/spool"
: >"$dir/started.pids"

cat >"$conf" <<EOF
# Written by iclsweep tests/slurm/start_slurm.sh: a one-node test cluster.
ClusterName=icltest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=cred_expire=10
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
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ReturnToService=2
SlurmctldTimeout=10
SlurmdTimeout=30
MinJobAge=60
KillWait=15
OverTimeLimit=0
SchedulerParameters=sched_interval=2,bf_interval=1,sched_min_interval=100000
# config_overrides: slurmd takes CPUs from this file, so a test node may advertise more CPUs
# than the machine has (ICL_SLURM_CPUS) and run several small jobs side by side.
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

# munged: reuse a running one (a credential round trip works), else start our own.
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "start_slurm: using the munged already running" >&2
else
  install -d -o munge -g munge -m 0755 /run/munge
  rm -f /run/munge/munged.pid
  runuser -u munge -- munged >"$dir/munged.out" 2>&1 || fail "munged did not start"
  for _ in $(seq 50); do
    [[ -s /run/munge/munged.pid ]] && break
    sleep 0.1
  done
  echo "munged $(cat /run/munge/munged.pid 2>/dev/null)" >>"$dir/started.pids"
  munge -n | unmunge >/dev/null 2>&1 || fail "munged is not answering"
fi

slurmctld -D -f "$conf" >"$dir/slurmctld.out" 2>&1 &
echo "slurmctld $!" >>"$dir/started.pids"
slurmd -D -f "$conf" >"$dir/slurmd.out" 2>&1 &
echo "slurmd $!" >>"$dir/started.pids"

# Wait until the node is idle (it needs both daemons up and registered).
for _ in $(seq 150); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null)
  [[ $state == idle ]] && { echo "SLURM_CONF=$conf"; exit 0; }
  [[ $state == inval* || $state == drain* ]] && fail "node $node is '$state': $(scontrol show node "$node" | grep -o 'Reason=.*')"
  while read -r name pid; do
    kill -0 "$pid" 2>/dev/null || fail "$name (pid $pid) exited"
  done <"$dir/started.pids"
  sleep 0.2
done
fail "node $node not idle after 30 s (state '${state:-?}')"
