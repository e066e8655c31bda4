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

from .nstar import INSIDE, as_bounds, default_eps, n_star
from .results import ok_only
from .selection import at_M_equals_N, describe, fix_other_axes
from .stats import DRAWS, SEED, bootstrap_means
from .tables import format_estimate
from .verdict import DISPLAY_NAMES, log_slope

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


def verdict_rows(ds, eps=None, draws=DRAWS, best_lr=False):
    """Rows of verdict.csv for B*(ε) against d, one per trained model (empty without the axis)."""
    columns = ["model", "eps", "axis", "sample", "held", "points", "slope", "lo", "hi",
               "draws_used", "reading"]
    if ds.sizes.get(SAMPLE, 0) < 2 or ds.sizes.get("d", 0) < 1:
        return pd.DataFrame([], columns=columns)
    rows = []
    for model in ds.model.values:
        if str(model) in EXACT:
            continue
        one, level, picked = b_star(ds, str(model), eps, draws, best_lr)
        x = one.d.values.astype(float)
        base = {"model": str(model), "eps": level, "axis": "d", "sample": SAMPLE,
                "held": describe(picked) + (", best η by training loss" if best_lr else "")}
        if len(x) < 2 or np.isnan(level):
            rows.append({**base, "points": 0, "slope": np.nan, "lo": np.nan, "hi": np.nan,
                         "draws_used": np.nan, "reading": "no slope: one d value or no ε"})
            continue
        slope = log_slope(x, one.value.values[None], (one.flag.values == INSIDE)[None],
                       one.draw_value.values[None], (one.draw_flag.values == INSIDE)[None],
                       one.replicates.values[None], "d")
        slope["reading"] = "B*(ε): " + slope["reading"].replace("N*", "B*").replace("N grid", "train_tasks grid")
        rows.append({**base, **slope})
    return pd.DataFrame(rows, columns=columns)


def extend(table, lines, ds, draws=DRAWS, best_lr=False):
    """The hook of `fit` and `report`: N*'s verdict table gains `sample` = N and B*'s rows;
    B*'s sentences follow N*'s."""
    table = table.copy()
    table.insert(3, "sample", "N")
    rows = verdict_rows(ds, None, draws, best_lr)
    lines = list(lines)
    for row in rows.itertuples(index=False):
        name = DISPLAY_NAMES.get(row.model, row.model)
        words = (f"B* grows as d^{format_estimate(row.slope, row.lo, row.hi)} — "
                 f"{row.reading.removeprefix('B*(ε): ')}") if not np.isnan(row.slope) else row.reading
        lines.append(f"{name} (ε = {row.eps:.3g}, over training tasks): {words}")
    return (pd.concat([table, rows], ignore_index=True) if len(rows) else table), lines


def figures(ds, eps=None, best_lr=False):
    """[(name, Figure)]: excess error vs B (one curve per d, per model); B* vs d."""
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
    for model in models:
        one, level, _ = b_star(ds, model, eps, best_lr=best_lr)
        inside = one.flag.values == INSIDE
        ax.plot(one.d.values[inside], one.value.values[inside], "o-", label=f"{model} (ε = {level:.3g})")
    ax.set(xscale="log", yscale="log", xlabel="d", ylabel="B*(ε)", title="pretraining tasks needed vs d")
    ax.legend()
    out.append(("bstar_vs_d", fig))
    return out


def write_figures(ds, outdir, suffixes=(".png", ".pdf"), best_lr=False):
    """Save figures() in outdir; return the paths (none without a train_tasks axis)."""
    import matplotlib.pyplot as plt

    paths = []
    for name, fig in figures(ds, best_lr=best_lr):
        for suffix in suffixes:
            paths.append(outdir / f"{name}{suffix}")
            fig.savefig(paths[-1], bbox_inches="tight")
        plt.close(fig)
    return paths
