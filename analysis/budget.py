"""Pretraining budget B*(ε): the smallest number of training tasks B whose excess error reaches ε.

The claim bounds both the context length N and the number of pretraining tasks B
independently of d. N*(ε) (nstar.py) is read along N; B*(ε) is read the same way along a
`train_tasks` axis (iclsweep -grid_train_tasks). The excess error is taken at M = N, with N
held at its largest value, and B* is interpolated between grid points as N* is. The slope
of log B* against log d, with a bootstrap interval over replicates, gives verdict rows whose
`sample` column is `train_tasks` (N*'s rows have `N`).

With a `train_lr` axis, `best_lr` picks η per cell (d, B, replicate) by the lowest training
loss, as scaling studies do. Test error is never used for that choice.
"""
import numpy as np
import pandas as pd
import xarray as xr

from .nstar import BELOW_GRID, FLAG_NAMES, INSIDE, NOT_REACHED, as_bounds, default_eps, n_star
from .results import ok_only
from .selection import at_M_equals_N, describe, fix_other_axes
from .stats import DRAWS, SEED, bootstrap_means, percentile_interval
from .tables import format_estimate, markdown, threshold_cell
from .verdict import DISPLAY_NAMES, log_slope, out_of_grid

SAMPLE = "train_tasks"
# Models whose results do not depend on the training budget.
EXACT = ("mle", "oracle", "bayes", "svm")


def excess_vs_B(ds, model, best_lr=False):
    """Excess error at M = N as (d, replicate, train_tasks), other axes held; and what was held.

    best_lr: along train_lr, each (d, B, replicate) takes the η of lowest training loss.
    """
    excess = at_M_equals_N(ok_only(ds, "excess_error").sel(model=model))
    if best_lr and "train_lr" in excess.dims:
        loss = ok_only(ds, "train_loss").sel(model=model).sel(N=excess.N)
        best = loss.fillna(np.inf).argmin("train_lr")
        excess = excess.isel(train_lr=best).where(np.isfinite(loss.min("train_lr")))
    excess, picked = fix_other_axes(excess, keep=("d", SAMPLE))
    return excess.transpose("d", "replicate", SAMPLE), picked


def b_star(ds, model, eps=None, draws=DRAWS, best_lr=False):
    """B* per d: a Dataset (d) of value, flag, replicates, and (d, draw) bootstrap draws.

    eps: the excess-error level (default: chosen from the model's mean curves as for N*).
    Returns (dataset, eps, held).
    """
    excess, picked = excess_vs_B(ds, model, best_lr)
    b_values = excess[SAMPLE].values.astype(float)
    rng = np.random.default_rng(SEED)
    means, boots, counts = [], [], []
    for i in range(excess.sizes["d"]):
        mean, resampled, count = bootstrap_means(excess.values[i], draws, rng)
        means.append(mean)
        boots.append(np.full((draws, len(b_values)), np.nan) if resampled is None else resampled)
        counts.append(count)
    means, boots = np.array(means), np.array(boots)
    if eps is None:
        eps = default_eps(means)
    value, flag = n_star(b_values, means, eps)
    draw_value, draw_flag = n_star(b_values, boots, eps)
    out = {"value": (("d",), value), "flag": (("d",), flag),
           "replicates": (("d",), np.array(counts)),
           "draw_value": (("d", "draw"), as_bounds(draw_value, draw_flag)),
           "draw_flag": (("d", "draw"), draw_flag)}
    return xr.Dataset(out, coords={"d": excess.d.values}), float(eps), picked


def levels(ds, eps=None, draws=DRAWS, best_lr=False):
    """[(model, ε, B* Dataset, held)] per trained model and ε level (`eps`: a list of levels,
    or None for one chosen from the data per model); empty without a train_tasks axis."""
    if ds.sizes.get(SAMPLE, 0) < 2 or ds.sizes.get("d", 0) < 1:
        return []
    out = []
    for model in ds.model.values:
        if str(model) in EXACT:
            continue
        for level in (eps or [None]):
            one, value, picked = b_star(ds, str(model), level, draws, best_lr)
            out.append((str(model), value, one, picked))
    return out


def verdict_rows(ds, eps=None, draws=DRAWS, best_lr=False):
    """Rows of verdict.csv for B*(ε) against d, one per trained model and ε level (empty
    without the axis). Where B* lies outside the B grid at some d, the reading says so."""
    columns = ["model", "eps", "axis", "sample", "held", "points", "slope", "lo", "hi",
               "draws_used", "reading"]
    rows = []
    for model, level, one, picked in levels(ds, eps, draws, best_lr):
        x = one.d.values.astype(float)
        base = {"model": model, "eps": level, "axis": "d", "sample": SAMPLE,
                "held": describe(picked) + (", best η by training loss" if best_lr else "")}
        if len(x) < 2 or np.isnan(level):
            rows.append({**base, "points": 0, "slope": np.nan, "lo": np.nan, "hi": np.nan,
                         "draws_used": np.nan, "reading": "no slope: one d value or no ε"})
            continue
        grid = (float(ds[SAMPLE].values.min()), float(ds[SAMPLE].values.max()))
        slope = log_slope(x, one.value.values[None], (one.flag.values == INSIDE)[None],
                          one.draw_value.values[None], (one.draw_flag.values == INSIDE)[None],
                          one.replicates.values[None], "d",
                          censored=out_of_grid(x, one.flag.values[None], "d", grid, "B*"))
        slope["reading"] = "B*(ε): " + slope["reading"].replace("N*", "B*").replace("N grid", "train_tasks grid")
        rows.append({**base, **slope})
    return pd.DataFrame(rows, columns=columns)


def bstar_frame(ds, eps=None, draws=DRAWS, best_lr=False):
    """One row per (trained model, ε, d): B*, its bootstrap interval and where it lies."""
    rows = []
    for model, level, one, picked in levels(ds, eps, draws, best_lr):
        lo, hi = percentile_interval(np.moveaxis(one.draw_value.values, 1, 0),
                                     one.replicates.values)
        for i, d in enumerate(one.d.values):
            rows.append({"model": model, "eps": level, "d": d, "held": describe(picked),
                         "bstar": one.value.values[i], "bstar_lo": lo[i], "bstar_hi": hi[i],
                         "flag": FLAG_NAMES[int(one.flag.values[i])],
                         "replicates": int(one.replicates.values[i])})
    return pd.DataFrame(rows, columns=["model", "eps", "d", "held", "bstar", "bstar_lo",
                                       "bstar_hi", "flag", "replicates"])


def section(ds, frame):
    """The B* table as report.md and `fit` show it ('' without a train_tasks axis);
    out-of-grid values as '≤ B_min' / '> B_max'."""
    if frame.empty:
        return ""
    grid = (float(ds[SAMPLE].values.min()), float(ds[SAMPLE].values.max()))
    shown = frame[["model", "d", "held"]].copy()
    shown.insert(1, "ε", [f"{eps:.3g}" for eps in frame["eps"]])
    shown["B*"] = [threshold_cell(*row, grid) for row in
                   frame[["flag", "bstar", "bstar_lo", "bstar_hi"]].itertuples(index=False)]
    shown["where"] = frame["flag"]
    return ("### Pretraining tasks B*(ε)\n\nThe smallest number of training tasks whose mean "
            "excess error at M = N (N held at its largest value) reaches ε, interpolated "
            "in log B vs log error; '≤ B_min' / '> B_max' when outside the train_tasks grid.\n\n"
            + markdown(shown))


def extend(table, lines, ds, draws=DRAWS, best_lr=False, eps=None):
    """The hook of `fit` and `report`: N*'s verdict table gains `sample` = N and B*'s rows;
    B*'s sentences follow N*'s. `eps`: B*'s ε levels (None: one per model from the data)."""
    table = table.copy()
    table.insert(3, "sample", "N")
    rows = verdict_rows(ds, eps, draws, best_lr)
    lines = list(lines)
    for row in rows.itertuples(index=False):
        name = DISPLAY_NAMES.get(row.model, row.model)
        reading = row.reading.removeprefix("B*(ε): ")
        words = (f"B* grows as d^{format_estimate(row.slope, row.lo, row.hi)} — {reading}"
                 if not np.isnan(row.slope) else reading)
        lines.append(f"{name} (ε = {row.eps:.3g}, over training tasks): {words}")
    return (pd.concat([table, rows], ignore_index=True) if len(rows) else table), lines


def figures(ds, eps=None, best_lr=False):
    """[(name, Figure)]: excess error vs B (one curve per d, per model); B* vs d, with
    triangles at the grid edge where B* lies outside the train_tasks grid."""
    import matplotlib.pyplot as plt

    out = []
    models = [str(m) for m in ds.model.values if str(m) not in EXACT]
    if ds.sizes.get(SAMPLE, 0) < 2 or not models:
        return out
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4), squeeze=False)
    for ax, model in zip(axes[0], models):
        excess, picked = excess_vs_B(ds, model, best_lr)
        for i, d in enumerate(excess.d.values):
            ax.plot(excess[SAMPLE].values, np.nanmean(excess.values[i], axis=0), "o-", label=f"d={d}")
        ax.set(xscale="log", yscale="log", xlabel="training tasks B", ylabel="excess error (M = N)",
               title=f"{model} ({describe(picked)})")
        ax.legend()
    out.append(("excess_vs_B", fig))
    fig, ax = plt.subplots(figsize=(5, 4))
    grid = (ds[SAMPLE].values.min(), ds[SAMPLE].values.max())
    for i, (model, level, one, _) in enumerate(levels(ds, eps, best_lr=best_lr)):
        color = f"C{i}"
        inside = one.flag.values == INSIDE
        if inside.any():
            ax.plot(one.d.values[inside], one.value.values[inside], "o-", color=color,
                    label=f"{model} (ε = {level:.3g})")
        for code, edge, marker in ((BELOW_GRID, grid[0], "v"), (NOT_REACHED, grid[1], "^")):
            outside = one.flag.values == code
            if outside.any():
                ax.plot(one.d.values[outside], np.full(outside.sum(), edge), marker, color=color,
                        linestyle="none", label=None if inside.any() else f"{model} (ε = {level:.3g})")
    ax.set(xscale="log", yscale="log", xlabel="d", ylabel="B*(ε)",
           title="pretraining tasks needed vs d\n(triangles: outside the train_tasks grid)")
    ax.legend()
    out.append(("bstar_vs_d", fig))
    return out


def write_figures(ds, outdir, suffixes=(".png", ".pdf"), best_lr=False, eps=None):
    """Save figures() in outdir; return the paths (none without a train_tasks axis)."""
    import matplotlib.pyplot as plt

    paths = []
    for name, fig in figures(ds, eps, best_lr):
        for suffix in suffixes:
            paths.append(outdir / f"{name}{suffix}")
            fig.savefig(paths[-1], bbox_inches="tight")
        plt.close(fig)
    return paths
