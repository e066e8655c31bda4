"""The figures that decide the MV claims: accuracy vs M, excess error vs N per d, N* vs d, k.

Figures are built on matplotlib's Figure object directly, so no GUI backend is ever
selected and the module is safe to import in a notebook.
"""
import math
import sys
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from . import results
from .nstar import BELOW_GRID, INSIDE, NOT_REACHED
from .selection import at_M_equals_N, describe, fix_other_axes, substitutions
from .stats import replicate_band
from .verdict import SLOPE_AXES

# Panels of the excess-vs-N figure, in this order, for those present in the file.
EXCESS_PANEL_MODELS = ("linear", "mle", "oracle")
# Families whose test_error is a misclassification probability (else a squared error).
CLASSIFICATION_FAMILIES = ("gmm", "sphere")


def write_figures(ds, figdir, fit, suffixes=(".png", ".pdf")):
    """Draw every figure into `figdir` in each format; return the paths written.

    `fit` (fit.analyse) gives the N* figures, one per axis of SLOPE_AXES with several
    values in the sweep. The figures of the family's paper (papers.py: LRO, DSS, LZ)
    follow; why one is not drawn goes to stderr, one line each.
    """
    from . import papers  # papers' modules draw with this module's helpers

    figdir = Path(figdir)
    figdir.mkdir(parents=True, exist_ok=True)
    figures = [("accuracy_vs_M", accuracy_vs_M(ds)), ("excess_vs_N", excess_vs_N(ds))]
    figures += [(f"nstar_vs_{axis}", nstar_vs(fit, axis)) for axis in SLOPE_AXES
                if fit.nstar.sizes.get(axis, 0) > 1]
    paper_figures, notes = papers.figures(ds)
    figures += paper_figures
    for note in notes:
        print(note, file=sys.stderr)
    written = []
    for stem, fig in figures:
        for suffix in suffixes:
            path = figdir / f"{stem}{suffix}"
            fig.savefig(path, dpi=150, bbox_inches="tight")
            written.append(path)
    return written


def accuracy_vs_M(ds):
    """MV Fig. 1: accuracy against test context length M, every model, one panel per d.

    N is held at its largest value and every other sweep axis at its first, so the
    panels differ only in d. Regression families plot test error instead of accuracy.
    """
    se = results.ok_only(ds, "test_error_se")
    if results.family(ds) in CLASSIFICATION_FAMILIES:
        band = replicate_band(1 - results.ok_only(ds, "test_error"), se)
        quantity = "accuracy (1 − test error)"
    else:
        band = replicate_band(results.ok_only(ds, "test_error"), se)
        quantity = "test error"
    band, picked = fix_other_axes(band, keep=("model", "d", "M"))
    d_values = band.d.values
    fig, axes = _panels(len(d_values))
    colors = _model_colors(ds)
    for ax, d in zip(axes, d_values):
        for model in band.model.values:
            _draw(ax, band.M.values, band.sel(d=d, model=model), colors[model], model)
        _finish(ax, f"d={d:g}", "test context length M", quantity, band.M.values, ylog=False)
    _legend(axes)
    fig.suptitle(f"{quantity} vs M ({describe(picked)}; "
                 f"mean of {ds.sizes['replicate']} replicates, 95% band)")
    return fig


def excess_vs_N(ds):
    """Excess error against N at M = N, one curve per d, one panel per model.

    Curves that collapse across d show dimension-independent learning; curves that
    spread with d show a learner that pays for the ambient dimension.
    """
    band = replicate_band(results.ok_only(ds, "excess_error"),
                          results.ok_only(ds, "test_error_se"))  # Bayes error is exact
    band, picked = fix_other_axes(band, keep=("model", "d", "N", "M"))
    band = at_M_equals_N(band)
    stand_ins = substitutions(band)
    if stand_ins:
        print(f"excess_vs_N: M = N not among the M values; used the largest M <= N "
              f"({stand_ins})", file=sys.stderr)
    present = list(band.model.values)
    models = [m for m in EXCESS_PANEL_MODELS if m in present] or present
    d_values = band.d.values
    cmap = colormaps["viridis"]
    fig, axes = _panels(len(models), sharey=True)  # one scale: the spread is the message
    for ax, model in zip(axes, models):
        for i, d in enumerate(d_values):
            color = cmap(i / max(len(d_values) - 1, 1))
            _draw(ax, band.N.values, band.sel(d=d, model=model), color, f"d={d:g}", positive=True)
        _finish(ax, model, "context length N", "excess error (test − Bayes)", band.N.values,
                ylog=True)
    _log_limits(axes)
    _legend(axes)
    at = "M = N" if not stand_ins else "M = N, or the largest M <= N"
    fig.suptitle(f"excess error vs N at {at} ({describe(picked)}; "
                 f"mean of {ds.sizes['replicate']} replicates, 95% band)")
    return fig


def nstar_vs(fit, axis):
    """N*(ε) against `axis` (d or k), log-log, one panel per model, one line per other axis.

    Error bars are the bootstrap intervals; N* outside the N grid is drawn as a triangle
    at the grid edge pointing the way it lies (up: not reached by the largest N).
    """
    nstar = fit.nstar
    held_dims = [dim for dim in nstar.nstar.dims if dim not in ("model", axis)]
    x = nstar[axis].values
    cmap = colormaps["viridis"]
    fig, axes = _panels(nstar.sizes["model"], sharey=True)
    for ax, model in zip(axes, nstar.model.values):
        one = nstar.sel(model=model).transpose(*held_dims, axis, ...)
        lines = one.nstar.shape[:-1]
        for i, combo in enumerate(np.ndindex(*lines)):
            held = {dim: one[dim].values[j].item() for dim, j in zip(held_dims, combo)}
            level = held.pop("level")
            if nstar.sizes["level"] > 1:  # else ε is in the panel title
                held["ε"] = float(f"{fit.eps.sel(model=model)[level].item():.3g}")
            color = cmap(i / max(np.prod(lines) - 1, 1))
            _nstar_line(ax, x, one.isel(dict(zip(held_dims, combo))), fit.n_grid, color,
                        describe(held))
        eps = ", ".join(f"{value:.3g}" for value in fit.eps.sel(model=model).values)
        _finish(ax, f"{model} (ε = {eps})", axis, "N*(ε)", x, ylog=True)
    _log_limits(axes)
    _legend(axes)
    fig.suptitle(f"sample complexity N*(ε) vs {axis} (95% bootstrap intervals; "
                 f"triangles: outside the N grid)")
    return fig


def _nstar_line(ax, x, one, n_grid, color, label):
    """One N* curve with error bars, and triangles for points outside the grid."""
    value, flag = one.nstar.values, one.flag.values
    inside = flag == INSIDE
    if inside.any():
        lo, hi = one.nstar_lo.values, one.nstar_hi.values
        error = np.array([value - np.clip(lo, n_grid[0], None),
                          np.clip(hi, None, n_grid[1]) - value])  # bars end at the grid
        error = np.maximum(np.nan_to_num(error[:, inside]), 0)  # the mean may sit outside
        ax.errorbar(x[inside], value[inside], yerr=error, fmt="o-",
                    color=color, label=label, markersize=3, capsize=2)
    for code, edge, marker in ((BELOW_GRID, n_grid[0], "v"), (NOT_REACHED, n_grid[1], "^")):
        outside = flag == code
        if outside.any():
            ax.plot(x[outside], np.full(outside.sum(), edge), marker, color=color,
                    linestyle="none", label=None if inside.any() else label)


def _panels(count, sharey=False):
    """A row-major grid of `count` axes, at most four per row; unused cells hidden."""
    cols = min(count, 4)
    rows = math.ceil(count / cols)
    fig = Figure(figsize=(4.2 * cols, 3.6 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=sharey).ravel()
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def _model_colors(ds):
    """One fixed color per model, so a model looks the same in every panel."""
    cycle = colormaps["tab10"].colors
    return {model: cycle[i % len(cycle)] for i, model in enumerate(ds.model.values)}


def _draw(ax, x, band, color, label, positive=False, linestyle="-"):
    """Mean line with its shaded band; skip a curve that has no ok point.

    On a log axis (`positive`) non-positive means are not drawn and a band reaching
    zero or below is drawn down to the bottom of the axis. Returns whether it drew.
    """
    mean, lo, hi = band["mean"].values, band["lo"].values, band["hi"].values
    if positive:
        mean = np.where(mean > 0, mean, np.nan)
        lo = np.where(lo > 0, lo, 1e-300)  # clipped by the axis limits set from the means
    if np.isnan(mean).all():
        return False
    ax.plot(x, mean, marker="o", linestyle=linestyle, color=color, label=label, markersize=3)
    ax.fill_between(x, lo, hi, color=color, alpha=0.2, linewidth=0)
    return True


def _finish(ax, title, xlabel, ylabel, x, ylog):
    """Label a panel; log x ticks at the swept values `x`, written as plain numbers."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if not ax.lines:
        ax.text(0.5, 0.5, "no ok cells", transform=ax.transAxes, ha="center", va="center")
        return
    ax.set_xscale("log")
    ax.set_xticks(x, [f"{value:g}" for value in x])
    ax.xaxis.set_minor_locator(NullLocator())
    if ylog:
        means = np.concatenate([line.get_ydata() for line in ax.lines])
        ax.set_yscale("log")
        ax.set_ylim(bottom=np.nanmin(means) / 5)


def _log_limits(axes):
    """One y range for panels that share their y axis: every panel's curves stay in view."""
    means = [line.get_ydata() for ax in axes for line in ax.lines]
    if means:
        means = np.concatenate(means)
        axes[0].set_ylim(np.nanmin(means) / 5, np.nanmax(means) * 2)


def _legend(axes):
    """One legend, on the first panel with curves: every panel has the same entries."""
    for ax in axes:
        if ax.lines:
            ax.legend(fontsize="small")
            return
