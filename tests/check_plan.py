#!/usr/bin/python3
"""plan's cost model against measured time, per model, on the example sweeps.

  check_plan.py OUT SWEEP...   SWEEP: an options file, or "FILE:extra options" to cut it down

For each sweep: `iclsweep plan` (its per-model predicted seconds on one rank), a run on one
rank into OUT/<name>, and the wall_seconds of its cells summed per model. Printed: predicted,
measured and their ratio per model. Checked, with a generous bound: each model's share of the
sweep's predicted time is within a factor 3 of its share of the measured time. Shares are
ratios of times taken in one run, so a loaded machine (slower overall) does not change them,
while a model whose cost terms are off by 10x does. Models under 10% of the predicted time
are printed, not checked (milliseconds a cell: overhead and preemption noise).
"""
import os
import re
import subprocess
import sys

import numpy as np
import xarray as xr

BOUND = 3.0


def plan(exe, options):
    out = subprocess.run([exe, "plan", *options], capture_output=True, text=True, check=True).stdout
    predicted = {}
    for line in out.splitlines():
        m = re.match(r"(\S+)\s+\S+\s+\S+\s+(\d+)\s+(\S+)\s+s\b", line)
        if m:
            predicted[m.group(1)] = float(m.group(3))
    return predicted


def measure(exe, options, directory):
    subprocess.run(["rm", "-rf", directory], check=True)
    subprocess.run([exe, "run", *options, "-output", directory], capture_output=True, check=True)
    ds = xr.open_dataset(f"{directory}/results.nc")
    return {str(m): float(ds.wall_seconds.sel(model=m).sum()) for m in ds.model.values}


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    exe, out, failures = os.environ["ICLSWEEP"], argv[1], []
    for sweep in argv[2:]:
        path, _, extra = sweep.partition(":")
        options = ["-options_file", path, *extra.split()]
        name = os.path.basename(path).removesuffix(".opts")
        predicted, measured = plan(exe, options), measure(exe, options, f"{out}/{name}")
        p_total, m_total = sum(predicted.values()), sum(measured.values())
        print(f"{name}: plan {p_total:.3g} s, measured {m_total:.3g} s (x{m_total / p_total:.2f})")
        for model, seconds in measured.items():
            p = predicted.get(model, float("nan"))
            share = (p / p_total) / (seconds / m_total) if seconds > 0 else float("nan")
            print(f"  {model:10s} plan {p:9.3g} s  measured {seconds:9.3g} s  ratio {p / seconds:6.2f}"
                  f"  share ratio {share:5.2f}")
            # a model under 10% of the predicted time runs milliseconds a cell: its time is
            # per-cell overhead and, on a shared machine, a preempted cell or two
            if p >= 0.1 * p_total and not (1 / BOUND <= share <= BOUND):
                failures.append(f"{name} {model}: predicted share off by x{share:.2f}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
