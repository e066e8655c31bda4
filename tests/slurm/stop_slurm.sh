#!/bin/bash
# stop_slurm.sh DIR: stop the test Slurm that start_slurm.sh DIR started. Cancels its jobs,
# waits for them to end, asks slurmctld to shut down, then kills only the PIDs in
# DIR/started.pids that are still alive (the cluster's own munged included) and any
# slurmstepd left by this cluster's slurmd(s) (its environment names DIR/slurm.conf). Never
# touches other daemons.
set -uo pipefail
dir=${1:?usage: stop_slurm.sh DIR}
pids=$dir/started.pids
[[ -f $pids ]] || exit 0
export SLURM_CONF=$dir/slurm.conf
PATH=$PATH:/usr/sbin:/sbin
alive() { kill -0 "$1" 2>/dev/null; }
# Only while our own slurmctld lives: after it is gone, another cluster may own the port and
# would take the scancel and the shutdown.
ctld=$(awk '$1 == "slurmctld" { print $2 }' "$pids")
if [[ -n $ctld ]] && alive "$ctld"; then
  # Cancel every job and let them finish ending (their slurmstepd report to slurmd/slurmctld).
  timeout 10 scancel --quiet --full --user="$(id -un)" 2>/dev/null
  for _ in $(seq 60); do
    [[ -z $(timeout 5 squeue -h -o %i 2>/dev/null) ]] && break
    sleep 0.5
  done
  timeout 10 scontrol shutdown >/dev/null 2>&1
fi
# Give the Slurm daemons (lines "slurmd:NODE PID" and "slurmctld PID") up to 5 s to exit
# after the shutdown, then terminate what is left, slurmd first, munged (this cluster's own)
# last.
order=$(awk '$1 ~ /^slurmd/ { print 1, $2 } $1 == "slurmctld" { print 2, $2 } $1 == "munged" { print 3, $2 }' "$pids" | sort -n -s)
slurm_pids=$(awk '$1 < 3 { print $2 }' <<<"$order")
for _ in $(seq 50); do
  left=0
  for pid in $slurm_pids; do alive "$pid" && left=1; done
  ((left)) || break
  sleep 0.1
done
for pid in $(cut -d' ' -f2 <<<"$order"); do
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
# munged's own directory (start_slurm.sh), once munged is gone
[[ -L $dir/munge ]] && rm -rf "$(readlink "$dir/munge")"
exit 0
