#!/usr/bin/python3
"""Time and peak memory of one gmm cell of linear against d, per engine (docs/engines.md).

  engines.py OUTDIR [--d 100,300,...] [--explicit_max D] [--tasks B] [--steps T] [--k K] [--plot_only]

Runs one cell per (engine, d) with /usr/bin/time -v (wall time, peak resident set size) next
to plan's memory figure for it, writes OUTDIR/engines.json and the log-log figure
OUTDIR/engines.png. The explicit engine runs up to --explicit_max (its W alone is 8 d^2
bytes); the gram engine's cost stops growing once d - k exceeds B. A benchmark, not a test:
the numbers depend on the machine and its load."""
import argparse
import json
import os
import re
import subprocess

import matplotlib.pyplot as plt


def cell_options(a, d, engine):
    return ["-grid_d", str(d), "-grid_k", str(a.k), "-grid_N", "40", "-grid_R", "1.5", "-models", "linear",
            "-train_tasks", str(a.tasks), "-train_steps", str(a.steps), "-train_lr", "0.1", "-eval_M", "8",
            "-eval_tasks", str(a.eval_tasks), "-engine", engine]


def measure(a, d, engine):
    opts = cell_options(a, d, engine)
    plan = subprocess.run([a.iclsweep, "plan"] + opts, capture_output=True, text=True, check=True).stdout
    row = re.search(r"^linear\s+(\S+)\s+(\S+)", plan, re.M)
    out = os.path.join(a.outdir, f"{engine}_{d}")
    subprocess.run(["rm", "-rf", out], check=True)
    run = subprocess.run(["/usr/bin/time", "-v", a.iclsweep, "run", "-output", out] + opts,
                         capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", run.stderr).group(1)
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) * 1024
    return {"engine": engine, "d": d, "seconds": seconds, "peak_rss_MB": rss / 2**20,
            "plan_GFLOP": float(row.group(1)), "plan_MB": float(row.group(2))}


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
    p.add_argument("--plot_only", action="store_true", help="redraw the figure from OUTDIR/engines.json")
    a = p.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    if a.plot_only:
        with open(os.path.join(a.outdir, "engines.json")) as f:
            saved = json.load(f)
        rows, a.tasks, a.steps, a.k = saved["cells"], saved["tasks"], saved["steps"], saved["k"]
    else:
        rows = []
        for d in map(int, a.d.split(",")):
            for engine in ("explicit", "gram"):
                if engine == "explicit" and d > a.explicit_max:
                    continue
                rows.append(measure(a, d, engine))
                print(json.dumps(rows[-1]), flush=True)
        with open(os.path.join(a.outdir, "engines.json"), "w") as f:
            json.dump({"tasks": a.tasks, "steps": a.steps, "k": a.k, "eval_tasks": a.eval_tasks, "cells": rows}, f, indent=1)
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for engine, style, color in (("explicit", "o-", "C0"), ("gram", "s-", "C1")):
        r = [x for x in rows if x["engine"] == engine]
        ax[0].loglog([x["d"] for x in r], [x["seconds"] for x in r], style, color=color, label=engine)
        ax[1].loglog([x["d"] for x in r], [x["peak_rss_MB"] for x in r], style, color=color, label=f"{engine} (measured)")
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
