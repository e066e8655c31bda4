"""Drawing helpers every figure shares: panels, curves with their interval band, axes.

Figures are built on matplotlib's Figure object directly, so no GUI backend is ever
selected and the module is safe to import in a notebook. Curves that coincide stay
distinguishable: each curve of a panel gets its own marker and dash pattern, and
later curves are drawn smaller and on top, so the one underneath still shows.
"""
import math
import textwrap

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">")
DASHES = ("-", "--", "-.", (0, (1, 1)), (0, (5, 1, 1, 1)))
# Below this many decades a log axis gets ticks at 1, 2 and 5 per decade, labelled.
FEW_DECADES = 1.5


def panels(count, sharey=False):
    """A row-major grid of `count` axes, at most four per row; unused cells hidden."""
    cols = min(count, 4)
    rows = math.ceil(count / cols)
    fig = Figure(figsize=(4.2 * cols, 3.6 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=sharey).ravel()
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def model_colors(models):
    """One fixed color per model, so a model looks the same in every panel."""
    cycle = colormaps["tab10"].colors
    return {model: cycle[i % len(cycle)] for i, model in enumerate(models)}


def ramp(count, name="viridis", top=1.0):
    """`count` colors along a sequential colormap (ordered values such as d or N)."""
    cmap = colormaps[name]
    return [cmap(top * i / max(count - 1, 1)) for i in range(count)]


def curve(ax, x, band, color, label, index=0, positive=False, linestyle=None):
    """Mean line with its shaded interval band; skip a curve that has no point.

    `index` (the curve's position in its panel) picks marker, dash pattern, size and
    draw order. On a log axis (`positive`) non-positive means are not drawn and a band
    reaching zero or below is drawn down to the bottom of the axis. Returns whether it
    drew.
    """
    mean, lo, hi = band["mean"].values, band["lo"].values, band["hi"].values
    if positive:
        mean = np.where(mean > 0, mean, np.nan)
        lo = np.where(lo > 0, lo, 1e-300)  # clipped by the axis limits set from the means
    if np.isnan(mean).all():
        return False
    ax.plot(x, mean, marker=MARKERS[index % len(MARKERS)],
            linestyle=linestyle or DASHES[index % len(DASHES)], color=color, label=label,
            markersize=max(5.5 - 0.6 * index, 2.5), zorder=2 + index, linewidth=1.3)
    if np.isfinite(lo).any():
        ax.fill_between(x, lo, hi, color=color, alpha=0.15, linewidth=0, zorder=1)
    return True


def band_panels(panel_list, curve_list, band_of, x, titles, labels, ylabel,
                xlabel="context length N", colors=None, linestyles=None):
    """The figure most paper figures are: one panel per entry of `panel_list`, one curve
    per entry of `curve_list`, `band_of(panel, curve)` -> (band Dataset, held dict).

    Returns (fig, axes, held): held is the union of what every curve held fixed, for
    the title. Log-log axes sharing one y range.
    """
    colors = colors or model_colors(range(len(curve_list)))
    fig, axes = panels(len(panel_list), sharey=True)
    held = {}
    for ax, panel in zip(axes, panel_list):
        for i, one in enumerate(curve_list):
            band, picked = band_of(panel, one)
            held.update(picked)
            curve(ax, x, band, colors[i], labels(one), index=i, positive=True,
                  linestyle=linestyles(one) if linestyles else None)
        finish(ax, titles(panel), xlabel, ylabel, x, ylog=True)
    log_limits(axes)
    legend(axes)
    return fig, axes, held


def finish(ax, title, xlabel, ylabel, x, ylog, xlog=True):
    """Label a panel; x ticks at the swept values `x`, written as plain numbers."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if xlog:
        ax.set_xscale("log")
    ax.set_xticks(x, [f"{value:g}" for value in x])
    ax.xaxis.set_minor_locator(NullLocator())
    if ylog and ax.lines:
        means = np.concatenate([line.get_ydata() for line in ax.lines])
        ax.set_yscale("log")
        ax.set_ylim(bottom=np.nanmin(means) / 5)
        readable_log_ticks(ax)


def readable_log_ticks(ax):
    """Over fewer than FEW_DECADES decades a log axis would show one labelled tick or
    none: put labelled ticks at 1, 2 and 5 times each power of ten instead."""
    low, high = ax.get_ylim()
    if low > 0 and math.log10(high / low) < FEW_DECADES:
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.3g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())


def log_limits(axes):
    """One y range for panels that share their y axis: every panel's curves stay in view."""
    means = [line.get_ydata() for ax in axes for line in ax.lines]
    if means:
        means = np.concatenate(means)
        axes[0].set_ylim(np.nanmin(means) / 5, np.nanmax(means) * 2)
        for ax in axes:
            if ax.get_yscale() == "log":
                readable_log_ticks(ax)


def legend(axes):
    """One legend, on the first panel with curves: every panel has the same entries."""
    for ax in axes:
        if ax.lines:
            ax.legend(fontsize="small")
            return


def suptitle(fig, text):
    """The figure title, wrapped to the figure's width (about 13 characters an inch)."""
    fig.suptitle(textwrap.fill(text, width=max(50, int(13 * fig.get_figwidth()))))
