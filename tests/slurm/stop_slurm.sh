#!/bin/bash
# stop_slurm.sh DIR: stop the test Slurm that start_slurm.sh DIR started. Cancels its jobs,
# waits for them to end, asks slurmctld to shut down, then kills only the PIDs in
# DIR/started.pids that are still alive (munged only if start_slurm.sh started it) and any
# slurmstepd left by this cluster's slurmd (its environment names DIR/slurm.conf). Never
# touches other daemons.
set -uo pipefail
dir=${1:?usage: stop_slurm.sh DIR}
pids=$dir/started.pids
[[ -f $pids ]] || exit 0
export SLURM_CONF=$dir/slurm.conf
PATH=$PATH:/usr/sbin:/sbin
alive() { kill -0 "$1" 2>/dev/null; }
if grep -q '^slurmctld ' "$pids"; then
  # Cancel every job and let them finish ending (their slurmstepd report to slurmd/slurmctld).
  timeout 10 scancel --quiet --full --user="$(id -un)" 2>/dev/null
  for _ in $(seq 60); do
    [[ -z $(timeout 5 squeue -h -o %i 2>/dev/null) ]] && break
    sleep 0.5
  done
  timeout 10 scontrol shutdown >/dev/null 2>&1
fi
# Give the daemons a few seconds to exit, then terminate what is left, Slurm first.
for name in slurmd slurmctld munged; do
  pid=$(awk -v n="$name" '$1 == n { print $2 }' "$pids")
  [[ -n $pid ]] || continue
  if [[ $name == munged ]]; then
    alive "$pid" && kill -TERM "$pid"
  fi
  for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  alive "$pid" && kill -TERM "$pid"
  for _ in $(seq 30); do alive "$pid" || break; sleep 0.1; done
  alive "$pid" && kill -KILL "$pid"
done
# A job step daemon (slurmstepd, forked by our slurmd, so it carries our SLURM_CONF) that
# outlived slurmd: end it by PID.
conf=$(cd "$dir" && pwd)/slurm.conf
for pid in $(pgrep -x slurmstepd); do
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$conf" || continue
  kill -TERM "$pid" 2>/dev/null
  sleep 1
  alive "$pid" && kill -KILL "$pid"
done
: >"$pids"
exit 0
