"""Least-squares lines in log-log space: the exponent of a power law y = C·x^s.

Both the rate fits (excess error against N or M) and the verdict slopes (N* against d
or k) are such lines, fitted once to the point estimate and once to every bootstrap
draw, so the fit is vectorised over leading axes and skips unusable points per row.
"""
import numpy as np


def loglog_fit(x, y, groups=None):
    """Slope, intercept and number of points of log y against log x along the last axis.

    `x` and `y` broadcast against each other; points where either is non-positive or not
    finite are left out, row by row. With `groups` (one label per point along the last
    axis) each group gets its own intercept and the slope is shared (a fixed-effects
    fit): it pools curves that differ in level, e.g. N* against d at several k. The
    intercept is then meaningless and returned as NaN. A row with fewer than two usable
    points, or with all its x equal within every group, has a NaN slope.
    """
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    usable = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.where(usable, np.log(np.where(usable, x, 1.0)), 0.0)
        ly = np.where(usable, np.log(np.where(usable, y, 1.0)), 0.0)
    labels = np.zeros(x.shape[-1], int) if groups is None else np.asarray(groups)
    dx, dy = np.zeros_like(lx), np.zeros_like(ly)
    for label in np.unique(labels):
        member = usable & (labels == label)
        count = np.maximum(member.sum(-1, keepdims=True), 1)
        dx += np.where(member, lx - (lx * member).sum(-1, keepdims=True) / count, 0.0)
        dy += np.where(member, ly - (ly * member).sum(-1, keepdims=True) / count, 0.0)
    sxx = (dx * dx).sum(-1)
    npoints = usable.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where((npoints >= 2) & (sxx > 1e-12), (dx * dy).sum(-1) / sxx, np.nan)
        if groups is None:
            count = np.maximum(npoints, 1)
            intercept = ly.sum(-1) / count - slope * lx.sum(-1) / count
        else:
            intercept = np.full_like(slope, np.nan)
    return slope, intercept, npoints
