#!/usr/bin/python3
"""Time and peak memory of one gmm cell of linear against d, per engine (docs/engines.md).

  engines.py OUTDIR [--d 100,300,...] [--explicit_max D] [--tasks B] [--steps T] [--k K] [--plot_only]
                   [--plan_tasks B --group_sizes 1,4,...]

Runs one cell per (engine, d) with /usr/bin/time -v (wall time, peak resident set size) next
to plan's memory figure for it, writes OUTDIR/engines.json, the table OUTDIR/engines.md and
the log-log figure OUTDIR/engines.png. The explicit engine runs up to --explicit_max (its W
alone is 8 d^2 bytes; above it only plan's figures are recorded); the gram engine's cost stops
growing once d - k exceeds B.
--plan_tasks also asks `plan` (nothing runs) what one gram cell with that many tasks at the
largest d costs per rank for each group size of --group_sizes, one rank per node, and adds
that table to engines.md. A benchmark, not a test: the numbers depend on the machine and
its load."""
import argparse
import json
import os
import re
import subprocess

import matplotlib.pyplot as plt


def cell_options(a, d, engine, tasks=None):
    return ["-grid_d", str(d), "-grid_k", str(a.k), "-grid_N", "40", "-grid_R", "1.5", "-models", "linear",
            "-train_tasks", str(tasks or a.tasks), "-train_steps", str(a.steps), "-train_lr", "0.1", "-eval_M", "8",
            "-eval_tasks", str(a.eval_tasks), "-engine", engine]


def plan_row(a, options):
    """(GFLOP per cell, MB per rank (2^20 bytes), whether it fits a node) of linear's row in `plan`."""
    run = subprocess.run([a.iclsweep, "plan"] + options, capture_output=True, text=True)
    row = re.search(r"^linear\s+(\S+)\s+(\S+)", run.stdout, re.M)
    if row is None:  # plan exits 1 on a cell that will not fit, but still prints its table
        raise RuntimeError(f"plan printed no row for linear: {run.stderr.strip()}")
    return float(row.group(1)), float(row.group(2)), "WILL NOT FIT" not in run.stdout


def plan_groups(a, d):
    """plan's figures for one dual-form gram cell of a.plan_tasks tasks per group size."""
    rows = []
    for g in map(int, a.group_sizes.split(",")):
        options = cell_options(a, d, "gram", a.plan_tasks) + [
            "-train_method", "dual", "-group_size", str(g), "-ranks", str(g), "-ranks_per_node", "1"]
        gflop, mb, fits = plan_row(a, options)
        rows.append({"group_size": g, "plan_GFLOP": gflop, "plan_GB_per_rank": mb * 2**20 / 1e9, "fits_node": fits,
                     "hours_at_20_GFLOPs_per_rank": gflop / (20.0 * g) / 3600})
    return rows


def markdown(saved):
    """engines.md: the measured cells, and plan's figures for the large-B cell if asked."""
    lines = [f"One gmm cell of linear (B = {saved['tasks']}, T = {saved['steps']}, k = {saved['k']}, "
             f"{saved['eval_tasks']} test tasks); wall time and peak resident memory of the whole run, "
             "plan's memory figure per rank.", "",
             "| d | engine | wall (s) | peak RSS (MB) | plan (MB) | plan (GFLOP) |", "|---|---|---|---|---|---|"]
    lines += [f"| {x['d']:g} | {x['engine']} | " + (f"{x['seconds']:.1f} | {x['peak_rss_MB']:.0f}"
              if x["seconds"] is not None else "not run | not run") + f" | {x['plan_MB']:.1f} | {x['plan_GFLOP']:.3g} |"
              for x in saved["cells"]]
    if saved.get("plan_groups"):
        lines += ["", f"plan for one gram cell with B = {saved['plan_tasks']} at d = {saved['plan_d']:g} "
                  "(dual form, one rank per node; nothing run):", "",
                  "| group size | GB (1e9 bytes) per rank | fits a node | GFLOP | hours at 20 GFLOP/s per rank |",
                  "|---|---|---|---|---|"]
        lines += [f"| {x['group_size']} | {x['plan_GB_per_rank']:.0f} | {'yes' if x['fits_node'] else 'no'} | "
                  f"{x['plan_GFLOP']:.3g} | {x['hours_at_20_GFLOPs_per_rank']:.2g} |" for x in saved["plan_groups"]]
    return "\n".join(lines) + "\n"


def measure(a, d, engine):
    opts = cell_options(a, d, engine)
    gflop, mb, _ = plan_row(a, opts)
    out = os.path.join(a.outdir, f"{engine}_{d}")
    subprocess.run(["rm", "-rf", out], check=True)
    run = subprocess.run(["/usr/bin/time", "-v", a.iclsweep, "run", "-output", out] + opts,
                         capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", run.stderr).group(1)
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) * 1024
    return {"engine": engine, "d": d, "seconds": seconds, "peak_rss_MB": rss / 2**20,
            "plan_GFLOP": gflop, "plan_MB": mb}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("--d", default="100,300,1000,3000,10000,100000,1000000")
    p.add_argument("--explicit_max", type=int, default=3000)
    p.add_argument("--tasks", type=int, default=500)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--k", type=int, default=2)
    p.add_argument("--eval_tasks", type=int, default=2000)
    p.add_argument("--iclsweep", default=os.environ.get("ICLSWEEP", "build/iclsweep"))
    p.add_argument("--plot_only", action="store_true", help="redraw the figure and table from OUTDIR/engines.json")
    p.add_argument("--plan_tasks", type=int, default=0, help="also tabulate plan's figures for a gram cell with this B")
    p.add_argument("--group_sizes", default="1,4,16,64,256")
    a = p.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    if a.plot_only:
        with open(os.path.join(a.outdir, "engines.json")) as f:
            saved = json.load(f)
        rows, a.tasks, a.steps, a.k = saved["cells"], saved["tasks"], saved["steps"], saved["k"]
        if a.plan_tasks:  # plan only, nothing runs: recomputed with the current build
            a.eval_tasks = saved["eval_tasks"]
            saved.update(plan_tasks=a.plan_tasks, plan_groups=plan_groups(a, saved.get("plan_d", max(x["d"] for x in rows))))
            with open(os.path.join(a.outdir, "engines.json"), "w") as f:
                json.dump(saved, f, indent=1)
    else:
        rows = []
        d_values = list(map(int, a.d.split(",")))
        groups = plan_groups(a, max(d_values)) if a.plan_tasks else None  # plan only: cheap, first
        for d in d_values:
            for engine in ("explicit", "gram"):
                if engine == "explicit" and d > a.explicit_max:  # plan's figures only: too slow to run
                    gflop, mb, _ = plan_row(a, cell_options(a, d, engine))
                    rows.append({"engine": engine, "d": d, "seconds": None, "peak_rss_MB": None,
                                 "plan_GFLOP": gflop, "plan_MB": mb})
                else:
                    rows.append(measure(a, d, engine))
                print(json.dumps(rows[-1]), flush=True)
        saved = {"tasks": a.tasks, "steps": a.steps, "k": a.k, "eval_tasks": a.eval_tasks, "cells": rows}
        if a.plan_tasks:
            saved.update(plan_tasks=a.plan_tasks, plan_d=max(d_values), plan_groups=groups)
        with open(os.path.join(a.outdir, "engines.json"), "w") as f:
            json.dump(saved, f, indent=1)
    with open(os.path.join(a.outdir, "engines.md"), "w") as f:
        f.write(markdown(saved))
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for engine, style, color in (("explicit", "o-", "C0"), ("gram", "s-", "C1")):
        r = [x for x in rows if x["engine"] == engine]
        ran = [x for x in r if x["seconds"] is not None]
        ax[0].loglog([x["d"] for x in ran], [x["seconds"] for x in ran], style, color=color, label=engine)
        ax[1].loglog([x["d"] for x in ran], [x["peak_rss_MB"] for x in ran], style, color=color, label=f"{engine} (measured)")
        ax[1].loglog([x["d"] for x in r], [x["plan_MB"] for x in r], style[0] + ":", color=color, label=f"{engine} (plan)")
    ax[0].set(xlabel="d", ylabel="wall time of one cell (s)", title=f"B = {a.tasks}, T = {a.steps}, k = {a.k}")
    ax[1].set(xlabel="d", ylabel="peak memory (MB)")
    for x in ax:
        x.legend()
        x.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(a.outdir, "engines.png"), dpi=120)


if __name__ == "__main__":
    main()
