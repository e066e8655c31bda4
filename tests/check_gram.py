#!/usr/bin/python3
"""The gram engine (docs/engines.md) against the explicit engine and closed forms.

  check_gram.py law OUTDIR     equal in law: many replicates of small cells (d = 20 and 60) with
                               both engines, two-sample Kolmogorov-Smirnov tests of the test error and
                               training loss per cell; a wrong variant (Wishart degrees of freedom
                               d instead of d - k, ICLSWEEP_TEST_GRAM_DOF_SHIFT) must fail them
  check_gram.py scale DIR      a d = 1e5 gram sweep: chance level at fixed training R, the oracle's
                               closed-form error at training R = 5 sqrt(d) (the regime of the theorem)
"""
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


if __name__ == "__main__":
    {"law": law, "scale": scale}[sys.argv[1]](*sys.argv[2:])
    if failures:
        sys.exit(1)
    print("ok")
