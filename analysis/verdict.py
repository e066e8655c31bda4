"""The verdict: how N*(ε) scales with d (and with k), per model, read in plain words.

The slope s of log N* against log d is the claim: s ≈ 0 is dimension-independent
learning, s ≈ 1 is a learner that needs N ~ d (MV: the in-context-only MLE). Each held
combination of the other axes (k, R, ...) gives one row; when there are several, a
pooled row shares the slope across them with one intercept each, and the sentence
quotes it. The interval re-fits the slope to every bootstrap draw of N*.
"""
import math

import numpy as np
import pandas as pd

from .nstar import BELOW_GRID, INSIDE, NOT_REACHED
from .powerlaw import loglog_fit
from .selection import describe
from .stats import caveat, counted, percentile_interval
from .tables import format_estimate

# Axes N* is regressed on, when the sweep has them.
SLOPE_AXES = ("d", "k")
# How a model is named in the sentences; other models go by their name in the file.
DISPLAY_NAMES = {"linear": "trained linear attention"}
POOLED = "pooled"
# Margin of practical equivalence: an interval inside (s - TOLERANCE, s + TOLERANCE) that
# misses s (exact baselines have zero-width intervals) still reads as "nearly" s.
TOLERANCE = 0.1


def verdict_table(fit):
    """One row per (model, ε level, axis, held combination or pooled) as a DataFrame."""
    nstar = fit.nstar
    rows = []
    one_n = fit.single_n
    for axis in SLOPE_AXES * (not one_n):
        if nstar.sizes.get(axis, 0) < (1 if axis == "d" else 2):  # d is the claim: always say
            continue
        held_dims = [dim for dim in nstar.nstar.dims if dim not in ("model", "level", axis)]
        for model in nstar.model.values:
            for level in nstar.level.values:
                one = nstar.sel(model=model, level=level).transpose(*held_dims, axis, "draw")
                rows += _rows(one, axis, held_dims, model, float(fit.eps.sel(model=model)[level]),
                              fit.n_grid)
    return pd.DataFrame(rows, columns=["model", "eps", "axis", "held", "points", "replicates",
                                       "slope",
                                       "lo", "hi", "draws_used", "reading"])


def _rows(one, axis, held_dims, model, eps, grid):
    """The rows for one model and ε: one per held combination, plus pooled if several.

    grid: the (smallest, largest) N, for the words on N* outside it."""
    base = {"model": model, "eps": eps, "axis": axis}
    x = one[axis].values.astype(float)
    if math.isnan(eps) or len(x) < 2:
        reason = (f"one {axis} value in the sweep" if len(x) < 2 else
                  "no ε: no curve has two N values with a positive value")
        return [{**base, "held": "", **_no_slope(f"no slope: {reason}")}]
    held = [dict(zip(held_dims, combo)) for combo in np.ndindex(*one.nstar.shape[:-1])]
    value = one.nstar.values.reshape(-1, len(x))
    flag = one.flag.values.reshape(-1, len(x))
    inside = flag == INSIDE
    draws = one.draw_value.values.reshape(len(held), len(x), -1)
    draws_inside = (one.draw_flag.values == INSIDE).reshape(draws.shape)
    replicates = one.replicates.values.reshape(value.shape)
    labels = [describe({dim: one[dim].values[i].item() for dim, i in h.items()}) for h in held]
    rows = [{**base, "held": label,
             **log_slope(x, *(array[i][None] for array in (value, inside, draws, draws_inside,
                                                           replicates)), axis,
                         censored=out_of_grid(x, flag[i][None], axis, grid))}
            for i, label in enumerate(labels)]
    if len(held) > 1:
        rows.append({**base, "held": f"{POOLED} over {', '.join(held_dims)}",
                     **log_slope(x, value, inside, draws, draws_inside, replicates, axis,
                                 censored=out_of_grid(x, flag, axis, grid))})
    return rows


def out_of_grid(x, flag, axis, grid, name="N*"):
    """Where the threshold lies outside the grid, in words ('' where it never does).

    flag: (held, x) codes of nstar.n_star. A censored point is left out of the slope, so the
    verdict must say so: 'N* not reached within the grid (N* > 128) at d = 1000, 10000'.
    With several held combinations the points are counted instead of listed. `grid` is the
    (smallest, largest) sample size; None leaves the bounds out.
    """
    parts = []
    for code, words, bound in ((NOT_REACHED, "not reached within the grid", ">"),
                               (BELOW_GRID, "below the grid", "≤")):
        hit = np.asarray(flag) == code
        if not hit.any():
            continue
        edge = "" if grid is None else f" ({name} {bound} {grid[1 if bound == '>' else 0]:g})"
        where = (f"at {axis} = " + ", ".join(f"{value:g}" for value in x[hit[0]])
                 if hit.shape[0] == 1 else f"at {hit.sum()} of {hit.size} points")
        parts.append(f"{name} {words}{edge} {where}")
    return "; ".join(parts)


def log_slope(x, value, inside, draws, draws_inside, replicates, axis, censored=""):
    """Fixed-effects slope of log N* on log x over the points whose N* is inside the grid.

    value, inside, replicates: (held, x); draws, draws_inside: (held, x, draw). The
    interval is read for the fewest replicates among the points used. A draw in which any of
    those points falls outside the grid is left out (draws_used says how many remain),
    rather than pinned to a grid edge that would flatten the slope. `censored` (from
    out_of_grid) names the points left out, and is appended to the reading.
    """
    usable = inside.ravel()
    groups = np.broadcast_to(np.arange(len(value))[:, None], value.shape).ravel()[usable]
    xs = np.broadcast_to(x, value.shape).ravel()[usable]
    slope = loglog_fit(xs, value.ravel()[usable], groups)[0].item()
    suffix = f"; {censored}" if censored else ""
    if math.isnan(slope):  # no held combination has N* inside the grid at two x values
        return _no_slope(f"no slope: N* inside the N grid at fewer than two {axis} values{suffix}")
    replicates = replicates.ravel()[usable].min()
    per_draw = np.moveaxis(draws, -1, 0).reshape(draws.shape[-1], -1)[:, usable]
    kept = np.moveaxis(draws_inside, -1, 0).reshape(draws.shape[-1], -1)[:, usable].all(1)
    slopes = loglog_fit(xs, np.where(kept[:, None], per_draw, np.nan), groups)[0]
    lo, hi = (float(bound) for bound in percentile_interval(slopes, replicates))
    return {"points": int(usable.sum()), "replicates": int(replicates), "slope": slope,
            "lo": lo, "hi": hi,
            "draws_used": float(kept.mean()),
            "reading": (caveat(replicates) or reading(axis, lo, hi)) + suffix}


def _no_slope(reason):
    return {"points": 0, "replicates": 0, "slope": np.nan, "lo": np.nan, "hi": np.nan, "draws_used": np.nan,
            "reading": reason}


def reading(axis, lo, hi):
    """Plain words for an exponent interval [lo, hi], decided by whether it holds 0 or 1.

    An interval that misses 0 (or 1) but lies within TOLERANCE of it reads "nearly ...",
    and says that it excludes the value, so a small but resolved trend is not hidden.
    """
    if math.isnan(lo):
        return "no interval (one replicate: nothing to resample)"
    flat = "dimension-independent" if axis == "d" else f"independent of {axis}"
    linear = f"linear in {axis}"
    zero, one = lo <= 0 <= hi, lo <= 1 <= hi
    if zero and one:
        return "inconclusive: the interval holds both 0 and 1"
    if zero:
        return flat
    if one:
        return linear
    for target, words in ((0, flat), (1, linear)):
        if target - TOLERANCE < lo and hi < target + TOLERANCE:
            return (f"nearly {words} (within {TOLERANCE:g} of {target}, "
                    f"but the interval excludes {target})")
    if hi < 0:
        return f"decreasing in {axis}"
    if lo > 1:
        return f"faster than linear in {axis}"
    return f"grows with {axis}, slower than linear"


def sentences(table):
    """One sentence per (model, ε): the pooled (or only) d slope, then the k slope."""
    lines = []
    for (model, eps), rows in table.groupby(["model", "eps"], sort=False, dropna=False):
        parts = [_clause(rows[rows.axis == axis]) for axis in SLOPE_AXES
                 if (rows.axis == axis).any()]
        name = DISPLAY_NAMES.get(model, model)
        lines.append(f"{name} (ε = {eps:.3g}): " + "; ".join(parts))
    return lines


def _clause(rows):
    """'N* grows as d^0.03 [-0.05, 0.11] — dimension-independent' for the headline row."""
    row = rows.iloc[-1]  # the pooled row comes last when there is one
    if math.isnan(row.slope):
        return row.reading
    where = "" if len(rows) == 1 else " (pooled)"
    estimate = format_estimate(row.slope, row.lo, row.hi)
    return (f"N* grows as {row.axis}^{estimate}{where} (95% CI, "
            f"{counted(row.replicates)}) — {row.reading}")
