#!/usr/bin/python3
"""End-to-end checks of parameter expressions and training-budget axes (docs/budget.md),
read without any iclsweep code.

  check_budget.py expr EXPR DIR...     -R_expr "0.5*sqrt(d)" -train_lr_expr "0.8/d" over d: the
                                       stored values are the closed forms, and each d's cells are
                                       bitwise those of a run with the values given as options
  check_budget.py slice AXIS DIM DIR...   the DIM = i slice of AXIS is bitwise run DIR number i
                                       (a sweep with -DIM v_i); models that do not read DIM are
                                       the same all along it
  check_budget.py at AXIS DIM=V[,DIM=V] DIR   the cells of AXIS at those coordinates are bitwise
                                       those of DIR (a sweep with -DIM V): every variable but
                                       wall_seconds (checkpoints, step-size batches)
"""
import math
import sys

import numpy as np
import xarray as xr

import check_results  # its check() counts this script's assertions too
from check_results import check

RESULTS = ["test_error", "test_error_se", "excess_error", "train_loss", "status"]


def option(ds, name):
    """The value of -name in the options attribute (None when absent)."""
    for line in ds.attrs["options"].splitlines():
        key, _, value = line.partition(" ")
        if key == "-" + name:
            return value
    return None


def same_cells(a, b, what):
    for var in RESULTS:
        x, y = a[var].values, b[var].values
        check(x.shape == y.shape and np.array_equal(x, y, equal_nan=True), f"{what}: {var} differs: {x.ravel()[:4]} vs {y.ravel()[:4]}")


def expr(expr_dir, single_dirs):
    ds = xr.open_dataset(f"{expr_dir}/results.nc")
    check(ds.sizes["R"] == 1 and np.isnan(ds.R.values[0]), f"R must be one NaN coordinate under -R_expr, got {ds.R.values}")
    check(ds.R_value.attrs.get("expression") == "0.5*sqrt(d)", f"R_value expression {ds.R_value.attrs.get('expression')}")
    check(option(ds, "R_expr") == "0.5*sqrt(d)" and option(ds, "grid_R") is None, "the options record -R_expr and no -grid_R")
    for d in ds.d.values:
        r, lr = float(ds.R_value.sel(d=d).squeeze()), float(ds.train_lr_value.sel(d=d).squeeze())
        check(r == 0.5 * math.sqrt(d), f"R_value at d = {d}: {r!r}, 0.5 sqrt(d) = {0.5 * math.sqrt(d)!r}")
        check(lr == 0.8 / d, f"train_lr_value at d = {d}: {lr!r}, 0.8/d = {0.8 / d!r}")
    check(len(single_dirs) == ds.sizes["d"], "one single run per d")
    for d, directory in zip(ds.d.values, single_dirs):
        one = xr.open_dataset(f"{directory}/results.nc")
        check(int(one.d.values[0]) == d, f"{directory} is not the run at d = {d}")
        check(float(one.R.values[0]) == float(ds.R_value.sel(d=d).squeeze()), f"{directory}: R {one.R.values[0]!r} is not R_value")
        check(float(option(one, "train_lr")) == float(ds.train_lr_value.sel(d=d).squeeze()), f"{directory}: -train_lr is not train_lr_value")
        same_cells(ds.sel(d=[d]).drop_vars("R"), one.drop_vars("R"), f"d = {d}")


def slice_(axis_dir, dim, single_dirs):
    ds = xr.open_dataset(f"{axis_dir}/results.nc")
    coord = ds[dim]
    check(coord.attrs.get("long_name") and coord.attrs.get("units") == "1", f"{dim} lacks CF long_name/units: {coord.attrs}")
    check(option(ds, "grid_" + dim) is not None and option(ds, dim) is None, f"the options record -grid_{dim} and no -{dim}")
    check(len(single_dirs) == ds.sizes[dim], f"one single run per {dim}")
    for v, directory in zip(coord.values, single_dirs):
        one = xr.open_dataset(f"{directory}/results.nc")
        check(float(option(one, dim)) == float(v), f"{directory}: -{dim} {option(one, dim)} is not {v}")
        same_cells(ds.sel({dim: v}), one, f"{dim} = {v}")
    for model in ds.model.values:
        if model in ("mle", "oracle", "bayes"):
            err = ds.test_error.sel(model=model)
            check(bool((err == err.isel({dim: 0})).all()), f"{model} changes along {dim}")


def at(axis_dir, where, single_dir):
    ds = xr.open_dataset(f"{axis_dir}/results.nc")
    one = xr.open_dataset(f"{single_dir}/results.nc")
    sel = {}
    for item in where.split(","):
        dim, _, value = item.partition("=")
        sel[dim] = ds[dim].dtype.type(value)
        check(float(option(one, dim)) == float(value), f"{single_dir}: -{dim} {option(one, dim)} is not {value}")
    part = ds.sel(sel)
    check(set(part.data_vars) == set(one.data_vars), f"variable sets differ: {sorted(part.data_vars)} vs {sorted(one.data_vars)}")
    for var in one.data_vars:
        if var == "wall_seconds":
            continue
        x, y = part[var].values, one[var].values
        check(x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"), f"{where}: {var} differs: {x.ravel()[:4]} vs {y.ravel()[:4]}")
    check(bool((one.status == 1).any()), f"{single_dir} must hold ok cells")


def main(argv):
    if len(argv) >= 4 and argv[1] == "expr":
        expr(argv[2], argv[3:])
    elif len(argv) >= 5 and argv[1] == "slice":
        slice_(argv[2], argv[3], argv[4:])
    elif len(argv) == 5 and argv[1] == "at":
        at(argv[2], argv[3], argv[4])
    else:
        print(__doc__)
        return 2
    failures, passes = check_results.failures, check_results.passes
    print(f"{passes} passed, {len(failures)} failed")
    return 1 if failures or not passes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
