#!/bin/bash
# submit.sh: submit an iclsweep sweep to Slurm, with the time limit taken from the cost model.
#
#   jobs/submit.sh SWEEP.opts OUTPUT [options] [-- extra sbatch options]
#
#   --array N          split the sweep into N shards (jobs/array.sbatch, one array task per
#                      shard, parts in OUTPUT/part<i>) plus a merge job (jobs/merge.sbatch,
#                      --dependency=afterok:<array id>) writing OUTPUT/results.nc
#   --merge-after any  make the merge depend on afterany instead (merge even when a shard had
#                      failed cells; iclsweep merge still refuses missing cells)
#   --ntasks T         MPI ranks per job (per array task with --array)   (default 2; 1 with --array)
#   --nodes N          nodes per job                                       (default: Slurm's)
#   --ntasks-per-node R  ranks on each node (sbatch --ntasks-per-node; the plan's
#                      -ranks_per_node: R ranks share one node's memory)
#   --node-memory G    GB of memory a job may use on one node (the plan's -node_memory; default:
#                      this machine's). The sweep is refused (exit 2) when a cell does not fit
#                      one node. Request it from Slurm yourself (-- --mem=...).
#   --partition P, --account A, --qos Q    passed to sbatch
#   --time LIMIT       Slurm time limit; default: from `iclsweep plan`: predicted wall time
#                      (of one shard with --array) x2 + DRAIN + signal lead + 5 min, rounded up
#                      to minutes, at most --max-time. A sweep longer than the limit is fine:
#                      the job drains and requeues itself until it is done.
#   --max-time MIN     cap of the computed limit in minutes               (default 1440)
#   --plan-gflops G    GFLOP/s per rank assumed by the plan (iclsweep plan -plan_gflops)
#   --drain S          seconds in-flight cells may take after the warning signal (default 60)
#   --signal-lead S    --signal=B:USR1@S                                  (default DRAIN + 120)
#   --launcher L       srun (default) or mpiexec
#   --dry-run          print the sbatch command lines (a runnable script) instead of submitting
#
# Environment: ICLSWEEP (binary; default build/iclsweep next to jobs/, else iclsweep on PATH);
# SBATCH (sbatch command, default sbatch); the job variables of sweep.sbatch (ICL_RUN_ARGS,
# SRUN_ARGS, MPIEXEC_ARGS, ICL_REQUEUE, ICL_SIGNAL_MARGIN, ...) pass through to the jobs.
# Job output goes to OUTPUT.slurm-<jobid>.out (arrays: OUTPUT.slurm-<arrayid>_<i>.out).
# Exit status: 0 submitted (or printed), 2 bad arguments or sweep file, else sbatch's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
die() { echo "submit.sh: $*" >&2; exit 2; }
abspath() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }

array=0 dry=0 merge_after=ok ntasks="" nodes="" per_node="" node_memory="" partition="" account="" qos="" time=""
max_time=1440 gflops="" drain=${DRAIN:-60} lead="" launcher=${LAUNCHER:-srun}
pos=() extra=()
while (($#)); do
  case $1 in
    --array) array=$2; shift ;;
    --merge-after) merge_after=$2; shift ;;
    --ntasks) ntasks=$2; shift ;;
    --nodes) nodes=$2; shift ;;
    --ntasks-per-node) per_node=$2; shift ;;
    --node-memory) node_memory=$2; shift ;;
    --partition) partition=$2; shift ;;
    --account) account=$2; shift ;;
    --qos) qos=$2; shift ;;
    --time) time=$2; shift ;;
    --max-time) max_time=$2; shift ;;
    --plan-gflops) gflops=$2; shift ;;
    --drain) drain=$2; shift ;;
    --signal-lead) lead=$2; shift ;;
    --launcher) launcher=$2; shift ;;
    --dry-run) dry=1 ;;
    -h | --help) usage 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) pos+=("$1") ;;
  esac
  shift
done
((${#pos[@]} == 2)) || usage
sweep=$(abspath "${pos[0]}")
output=$(abspath "${pos[1]%/}")
[[ -r $sweep ]] || die "cannot read sweep file $sweep"
[[ $array =~ ^[0-9]+$ ]] || die "--array wants a number of shards"
[[ $merge_after == ok || $merge_after == any ]] || die "--merge-after wants ok or any"
[[ $launcher == srun || $launcher == mpiexec ]] || die "--launcher wants srun or mpiexec"
[[ $drain =~ ^[0-9]+$ ]] || die "--drain wants whole seconds"
lead=${lead:-$((drain + 120))}
[[ $lead =~ ^[0-9]+$ ]] || die "--signal-lead wants seconds"
((array == 0)) && ntasks=${ntasks:-2} || ntasks=${ntasks:-1}

ICLSWEEP=${ICLSWEEP:-}
if [[ -z $ICLSWEEP ]]; then
  if [[ -x $here/../build/iclsweep ]]; then
    ICLSWEEP=$(cd "$here/../build" && pwd)/iclsweep
  else
    ICLSWEEP=$(command -v iclsweep) || die "iclsweep not found: set ICLSWEEP"
  fi
fi
ICLSWEEP=$(abspath "$ICLSWEEP")

# The plan refuses sweeps whose cells do not fit one node; the time limit comes from it: the
# predicted wall time on the job's ranks (one shard's share with --array), doubled, plus the
# drain, the signal lead and 5 minutes.
plan_args=(plan -options_file "$sweep" -ranks "$ntasks")
[[ -n $gflops ]] && plan_args+=(-plan_gflops "$gflops")
[[ -n $per_node ]] && plan_args+=(-ranks_per_node "$per_node")
[[ -n $node_memory ]] && plan_args+=(-node_memory "$node_memory")
# The run's extra options (e.g. -group_size 2) change the plan too; word splitting intended.
# shellcheck disable=SC2206
plan_args+=(${ICL_RUN_ARGS:-})
plan=$("$ICLSWEEP" "${plan_args[@]}") || die "iclsweep plan refused the sweep: $(grep -E 'WILL NOT FIT|rror' <<<"$plan" | head -n 1)"
if [[ -z $time ]]; then
  predicted=$(sed -n 's/.*predicted wall time on .*: \([0-9.eE+-]*\) s.*/\1/p' <<<"$plan" | tail -n 1)
  [[ -n $predicted ]] || die "could not read the predicted wall time from: $(tail -n 1 <<<"$plan")"
  minutes=$(awk -v t="$predicted" -v n="$array" -v d="$drain" -v l="$lead" -v cap="$max_time" 'BEGIN {
    if (n > 0) t /= n
    m = int((2 * t + d + l + 300 + 59) / 60)
    if (m > cap) m = cap
    print m }')
  time=$(printf '%d-%02d:%02d:00' $((minutes / 1440)) $((minutes % 1440 / 60)) $((minutes % 60)))
  echo "submit.sh: plan predicts ${predicted} s on $ntasks ranks$( ((array)) && echo " (/$array shards)");" \
    "time limit $time" >&2
fi

common=(--ntasks="$ntasks" --time="$time" --signal="B:USR1@$lead")
[[ -n $nodes ]] && common+=(--nodes="$nodes")
[[ -n $per_node ]] && common+=(--ntasks-per-node="$per_node")
[[ -n $partition ]] && common+=(--partition="$partition")
[[ -n $account ]] && common+=(--account="$account")
[[ -n $qos ]] && common+=(--qos="$qos")
common+=("${extra[@]}")
vars=(SWEEP="$sweep" OUTPUT="$output" ICLSWEEP="$ICLSWEEP" DRAIN="$drain" LAUNCHER="$launcher"
      ICL_JOBS_DIR="$here")
SBATCH=${SBATCH:-sbatch}

# Print one command line, quoted so that it can be pasted into a shell.
show() { local a out=""; for a in "$@"; do out+="$(printf '%q' "$a") "; done; echo "${out% }"; }

mkdir_cmd=(mkdir -p "$(dirname "$output")")
if ((array == 0)); then
  single=(env "${vars[@]}" ICL_SBATCH_ARGS="${common[*]} --output=$output.slurm-%j.out" "$SBATCH" --parsable "${common[@]}"
          --output="$output.slurm-%j.out" "$here/sweep.sbatch")
  if ((dry)); then
    show "${mkdir_cmd[@]}"
    show "${single[@]}"
    exit 0
  fi
  "${mkdir_cmd[@]}"
  id=$("${single[@]}")
  echo "submitted job $id: $sweep -> $output (log $output.slurm-$id.out)" >&2
  echo "$id"
  exit 0
fi

arr=(env "${vars[@]}" "$SBATCH" --parsable --array="0-$((array - 1))" "${common[@]}"
     --output="$output.slurm-%A_%a.out" "$here/array.sbatch")
merge_common=(--ntasks=1 --time=00:30:00)
[[ -n $partition ]] && merge_common+=(--partition="$partition")
[[ -n $account ]] && merge_common+=(--account="$account")
[[ -n $qos ]] && merge_common+=(--qos="$qos")
merge_vars=(OUTPUT="$output" NUM_SHARDS="$array" ICLSWEEP="$ICLSWEEP")
if ((dry)); then
  show "${mkdir_cmd[@]}" "$output"
  echo "array=\$($(show "${arr[@]}"))"
  echo "$(show env "${merge_vars[@]}" "$SBATCH" --parsable "${merge_common[@]}")" \
    "--dependency=after$merge_after:\$array $(show --output="$output.slurm-merge-%j.out" "$here/merge.sbatch")"
  exit 0
fi
"${mkdir_cmd[@]}" "$output"
aid=$("${arr[@]}")
aid=${aid%%;*}
mid=$(env "${merge_vars[@]}" "$SBATCH" --parsable "${merge_common[@]}" --dependency="after$merge_after:$aid" \
  --output="$output.slurm-merge-%j.out" "$here/merge.sbatch")
mid=${mid%%;*}
echo "submitted array job $aid ($array shards -> $output/part*) and merge job $mid -> $output/results.nc" >&2
echo "$aid $mid"
