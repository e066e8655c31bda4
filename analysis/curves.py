"""Slices the paper figures (LRO, DSS, LZ) share: one model's values at M = N.

A sweep axis that a model does not use (the rank for anything but lowrank, the feature
map for anything but kernel and distill) still multiplies its cells; those cells are
copies or not_applicable, so they are averaged out (NaN skipped) before a model is drawn.
"""
import itertools
import warnings

import numpy as np

from . import results
from .selection import at_M_equals_N
from .stats import DRAWS, LEVEL, interval_of_means, replicate_band

# Axes only some models depend on (as iclsweep's parameter table says: the rank is also
# the oracle's on linreg, W*_r).
MODEL_AXES = {"rank": ("lowrank", "oracle", "lora"), "feature_map": ("kernel", "distill"),
              "features": ("kernel", "distill")}
# A held axis sits at its largest value for these (the learner closest to its limit: most
# context, full rank, most random features), at its first value for every other axis.
LARGEST = ("N", "rank", "features")


def values(ds, name, model):
    """ok-only `name` of `model` (model dropped), averaged over the axes it does not use."""
    da = results.ok_only(ds, name).sel(model=model, drop=True)
    ignored = [dim for dim, users in MODEL_AXES.items() if dim in da.dims and model not in users]
    if ignored:
        with warnings.catch_warnings():  # all-NaN slices (cells not ok) stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            da = da.mean(ignored)
    return da


def hold(da, keep, at=None):
    """Hold every dimension but `keep` and 'replicate' at one value.

    `at` ({dim: value}) says where; other axes go by LARGEST. Returns the slice and a
    {dim: value} dict of what was held.
    """
    picked = {}
    for dim in list(da.dims):
        if dim in keep or dim == "replicate":
            continue
        if at and dim in at:
            value = at[dim]
        else:
            value = da[dim].values[-1 if dim in LARGEST else 0].item()
        picked[dim] = value
        da = da.sel({dim: value})
    return da, picked


def at_n(ds, name, model, keep, at=None):
    """`name` of `model` at M = N (the largest M <= N standing in), held but for `keep`."""
    return hold(at_M_equals_N(values(ds, name, model)), keep, at)


def band(ds, model, keep, at=None, name="test_error"):
    """Replicate band (mean, lo, hi, n) of `name` at M = N over `keep`, and what was held."""
    value, picked = at_n(ds, name, model, keep, at)
    return replicate_band(value), picked


def n_grid(ds):
    """The N values that have a point at M = N (or at a smaller M standing in for it)."""
    return ds.N.values[[(ds.M.values <= n).any() for n in ds.N.values]]


def present(ds, models):
    """The models of `models` that are in the file, in that order."""
    return [model for model in models if model in ds.model.values]


def combos(ds, dims):
    """Every {dim: value} over the product of the axes in `dims` the file has ([{}] if none)."""
    dims = [dim for dim in dims if dim in ds.test_error.dims]
    return [dict(zip(dims, combo)) for combo in
            itertools.product(*(ds[dim].values.tolist() for dim in dims))]


def entries(ds, models):
    """(label, model, {axis: value}) per curve: kernel and distill once per feature map."""
    out = []
    for model in present(ds, models):
        if "feature_map" in ds.test_error.dims and model in MODEL_AXES["feature_map"]:
            for value in ds.feature_map.values.tolist():  # names (results.load)
                out.append((f"{model} ({value})", model, {"feature_map": value}))
        else:
            out.append((model, model, {}))
    return out


def paired_difference(a, b, level=LEVEL):
    """Mean of b − a over replicates where both are finite, and its interval.

    The cells share their random numbers (docs/families.md), so replicates are paired and
    the interval is that of the mean difference (stats.interval_of_means). Returns None
    if no replicate has both; else (mean, lo, hi, replicates, mean of a, mean of b), the
    means over the paired replicates (lo, hi NaN with one replicate).
    """
    a, b = (np.asarray(x, float).ravel() for x in (a, b))
    both = np.isfinite(a) & np.isfinite(b)
    count = int(both.sum())
    if count == 0:
        return None
    diff = b[both] - a[both]
    lo, hi = interval_of_means(diff[None, :], level, DRAWS)
    return (float(diff.mean()), float(lo[0]), float(hi[0]), count, float(a[both].mean()),
            float(b[both].mean()))
