#!/usr/bin/python3
"""The gram engine (docs/engines.md) against the explicit engine and closed forms.

  check_gram.py law OUTDIR     equal in law: many replicates of small cells (d = 20 and 60) with
                               both engines, two-sample Kolmogorov-Smirnov tests of the test error and
                               training loss per cell; a wrong variant (Wishart degrees of freedom
                               d instead of d - k, ICLSWEEP_TEST_GRAM_DOF_SHIFT) must fail them
  check_gram.py scale DIR      a d = 1e5 gram sweep: chance level at fixed training R, the oracle's
                               closed-form error at training R = 5 sqrt(d) (the regime of the theorem)
  check_gram.py wfree GRAM DIR...   the W-free path (-engine wfree, groups of any size) against the
                               reduced-W gram path: the same numbers to rounding, W's diagnostics fill
  check_gram.py plan           plan for B = 1e5, d = 1e6: the W-free path's memory per rank splits
                               by the group size G (~ 1/G), the reduced-W path's (its negative control) does not
"""
import re
import os
import subprocess
import sys

import numpy as np
import xarray as xr
from scipy.stats import ks_2samp

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)
        print("FAIL:", message)


def law(out):
    # d = 20: d - k = 14 < B (the factor is a trapezoid); d = 60: 54 > B (the Bartlett triangle).
    # Different seeds: the KS test wants independent samples.
    k, reps = 6, 200
    cells = ["-grid_d", "20,60", "-grid_k", str(k), "-grid_N", "8", "-grid_R", "1.5", "-models", "linear",
             "-train_tasks", "40", "-train_steps", "50", "-train_lr", "0.2", "-eval_M", "8", "-eval_tasks", "200",
             "-replicates", str(reps)]
    runs = {"explicit": (["-engine", "explicit", "-seed", "1"], {}),
            "gram": (["-engine", "gram", "-seed", "2"], {}),
            "wrong": (["-engine", "gram", "-seed", "3"], {"ICLSWEEP_TEST_GRAM_DOF_SHIFT": str(k)})}
    res = {}
    for name, (opts, env) in runs.items():
        subprocess.run(["rm", "-rf", f"{out}/{name}"], check=True)
        subprocess.run([os.environ["ICLSWEEP"], "run", "-output", f"{out}/{name}"] + cells + opts,
                       env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)
        res[name] = xr.open_dataset(f"{out}/{name}/results.nc")
    # Results are deterministic (keyed streams), so the p-values are too: the thresholds hold
    # the 8 equal-law tests to p > 1e-3 and want the wrong law rejected at p < 1e-6.
    wrong_p = []
    for d in (20, 60):
        for var in ("test_error", "train_loss"):
            x = {n: res[n][var].sel(d=d).values.ravel() for n in res}
            check(all(np.isfinite(v).all() and v.size == reps for v in x.values()), f"d = {d} {var}: missing cells")
            eq, bad = ks_2samp(x["explicit"], x["gram"]), ks_2samp(x["explicit"], x["wrong"])
            print(f"d = {d:3d} {var:10s} mean explicit {x['explicit'].mean():.4f} gram {x['gram'].mean():.4f} "
                  f"wrong {x['wrong'].mean():.4f} | KS explicit-gram D = {eq.statistic:.3f} p = {eq.pvalue:.3g} | "
                  f"explicit-wrong D = {bad.statistic:.3f} p = {bad.pvalue:.3g}")
            check(eq.pvalue > 1e-3, f"d = {d} {var}: the engines differ in law (KS p = {eq.pvalue:.3g})")
            wrong_p.append(bad.pvalue)
    check(min(wrong_p) < 1e-6, f"the wrong Wishart law passes the tests (smallest p = {min(wrong_p):.3g})")


def scale(directory):
    ds = xr.open_dataset(f"{directory}/results.nc")
    check(bool((ds.status.values == 1).all()), "every cell must be ok")
    err = ds.test_error.sel(model="linear").squeeze()
    oracle = ds.test_error.sel(model="oracle").squeeze()
    fixed, grown = err.isel(R=0).item(), err.isel(R=1).item()
    print(f"d = {int(ds.d.values[0])}: linear test error {fixed:.4f} at R = {float(ds.R[0]):g}, {grown:.4f} at "
          f"R = {float(ds.R[1]):g}; oracle {oracle.isel(R=1).item():.4f}")
    # fixed training R: the signal drowns in d dimensions of noise, chance level
    check(0.45 < fixed <= 0.5, f"fixed R: test error {fixed:.4f}, expected chance level")
    # R = 5 sqrt(d): GD finds the subspace; the oracle W = U U^T's error is a closed form
    se = ds.test_error_se.sel(model="linear").squeeze().isel(R=1).item()
    check(abs(grown - oracle.isel(R=1).item()) < 0.002 + 4 * se, f"R = 5 sqrt(d): test error {grown:.4f} vs oracle's")


def close(x, y, rtol):
    """Equal where both are finite, to rtol relative (exact zeros equal), and NaN at the same places."""
    same_nan = np.array_equal(np.isnan(x), np.isnan(y))
    f = np.isfinite(x)
    rel = np.abs(x[f] - y[f]) / np.maximum(np.abs(x[f]), 1e-300)
    return same_nan and (rel.size == 0 or rel.max() <= rtol), (rel.max() if rel.size else 0.0)


def wfree(gram, *dirs):
    # Test errors, training losses (and their histories) and the alignment to 1e-12 relative:
    # the two paths sum the same products in another order. The standard error is a difference
    # of two sums of squares: 1e-9. The singular values and gd_distance need W: fill (NaN).
    ref = xr.open_dataset(f"{gram}/results.nc")
    check(bool((ref.status.values == 1).all()), f"{gram}: every cell must be ok")
    check(bool(np.isfinite(ref.singular_values.values).any()), f"{gram}: the reduced-W path reports singular values")
    for directory in dirs:
        ds = xr.open_dataset(f"{directory}/results.nc")
        check(np.array_equal(ds.status.values, ref.status.values), f"{directory}: status differs")
        for var, rtol in (("test_error", 1e-12), ("train_loss", 1e-12), ("loss_history", 1e-12),
                          ("subspace_alignment", 1e-12), ("test_error_se", 1e-9)):
            ok, worst = close(ref[var].values, ds[var].values, rtol)
            print(f"{directory}: {var:18s} largest relative difference {worst:.3g} (tolerance {rtol:g})")
            check(ok, f"{directory}: {var} differs from the gram path by {worst:.3g} relative")
        for var in ("singular_values", "gd_distance"):
            check(bool(np.isnan(ds[var].values).all()), f"{directory}: {var} must be fill on the W-free path")
    # the cells must be informative: training moved, the grown-R cells learned
    check(float(ref.test_error.min()) < 0.1, "no cell learned: the comparison would be empty")


def plan_mb(engine, method, g, tasks=100000):
    out = subprocess.run([os.environ["ICLSWEEP"], "plan", "-family", "gmm", "-grid_d", "1000000", "-grid_k", "2", "-grid_N", "40",
                          "-grid_R", "1.5", "-models", "linear", "-train_tasks", str(tasks), "-train_steps", "300",
                          "-train_lr", "0.1", "-eval_M", "8", "-eval_tasks", "2000", "-engine", engine,
                          "-train_method", method, "-group_size", str(g), "-ranks", str(g), "-ranks_per_node", "1"],
                         capture_output=True, text=True).stdout  # exit 1: some group sizes do not fit a node
    line = next(l for l in out.splitlines() if l.startswith("linear "))
    return float(line.split()[2]) * 1048576 / 1e9, line  # GB (plan prints MiB)


def plan():
    # the rule: auto (engine and method) keeps the reduced W up to 8 D^2 = 4e9 bytes (D = k + B here)
    for tasks, path in ((22000, "engine gram 1"), (22500, "engine wfree 1")):
        line = plan_mb("auto", "auto", 1, tasks)[1]
        print(f"auto, B = {tasks}: {line}")
        check(path in line, f"B = {tasks}: plan must say '{path}': {line}")
    groups = (1, 4, 16, 64, 256)
    # -engine gram with the dual form: the reduced W (8 D^2 = 80 GB) exceeds the rule's 4 GB,
    # so W-free; -train_method gd keeps the reduced W: the negative control.
    for method, splits in (("dual", True), ("gd", False)):
        gb = {}
        for g in groups:
            gb[g], line = plan_mb("gram", method, g)
            print(f"-train_method {method} G = {g:3d}: {gb[g]:9.2f} GB per rank | {line}")
            if splits:
                check("engine wfree 1" in line and "dual 1" in line, f"G = {g}: plan must name the W-free path: {line}")
        # ~ 2 B^2 / G words (the rank's stacks, 160 GB / G) + its share of K (40 GB / G) + the
        # evaluation's buffers (0.4 GB): between 160/G and 250/G GB + 0.6 GB, and 1/G down to G = 16
        fits = all(160 / g <= gb[g] <= 250 / g + 0.6 for g in groups) and gb[1] / gb[16] > 14
        if splits:
            check(fits, f"W-free memory per rank does not split as ~1/G: {gb}")
        else:
            check(not fits, f"the reduced-W path must not pass the 1/G check (negative control): {gb}")


if __name__ == "__main__":
    {"law": law, "scale": scale, "wfree": wfree, "plan": plan}[sys.argv[1]](*sys.argv[2:])
    if failures:
        sys.exit(1)
    print("ok")
