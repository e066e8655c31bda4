"""Sample complexity N*(ε): the smallest context length whose excess error reaches ε.

A grid of N values only brackets N*, so it is interpolated between the two grid points
around the first crossing, linearly in log N against log error (a power law between
grid points). When the curve is already at or below ε at its first N, or never gets
there, N* lies outside the grid: it is NaN and the flag says on which side, because
silently using the grid edge would bias every slope fitted to it.
"""
import numpy as np

INSIDE, BELOW_GRID, NOT_REACHED, NO_DATA = 0, 1, 2, 3
FLAG_NAMES = {INSIDE: "interpolated", BELOW_GRID: "below grid", NOT_REACHED: "not reached",
              NO_DATA: "no data"}


def n_star(N, curves, eps):
    """(N*, flag) for every curve: `curves` is (..., len(N)) excess errors along ascending N.

    `eps` broadcasts against the leading axes of `curves` (one ε per curve, or more).

    NaN points (cells not ok) are stepped over: the crossing is interpolated between the
    neighbouring finite points. A crossing into zero or below (Monte Carlo noise on an
    error near 0) has no logarithm and is interpolated linearly in the error instead.
    """
    eps = np.asarray(eps, float)
    curves = np.asarray(curves, float)
    shape = np.broadcast_shapes(curves.shape[:-1], eps.shape)
    curves = np.broadcast_to(curves, shape + curves.shape[-1:])
    value = np.full(shape, np.nan)
    flag = np.full(curves.shape[:-1], NO_DATA)
    found = np.zeros(curves.shape[:-1], bool)
    prev_y, prev_log_n = np.full_like(value, np.nan), np.full_like(value, np.nan)
    for j, log_n in enumerate(np.log(np.asarray(N, float))):
        y = curves[..., j]
        finite = np.isfinite(y)
        hit = finite & ~found & (y <= eps)
        started = np.isfinite(prev_y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # used only where inside
            fraction = np.where(y > 0, np.log(prev_y / eps) / np.log(prev_y / y),
                                (prev_y - eps) / (prev_y - y))
            crossing = np.exp(prev_log_n + fraction * (log_n - prev_log_n))
        inside = hit & started
        value[inside] = crossing[inside]
        flag[inside] = INSIDE
        flag[hit & ~started] = BELOW_GRID
        flag[finite & ~found & ~hit] = NOT_REACHED
        found |= hit
        prev_y = np.where(finite, y, prev_y)
        prev_log_n = np.where(finite, log_n, prev_log_n)
    flag[np.broadcast_to(np.isnan(eps), shape)] = NO_DATA
    return value, flag


def as_bounds(value, flag):
    """N* with out-of-grid values as 0 (below) or +inf (not reached), for percentiles."""
    return np.where(flag == BELOW_GRID, 0.0, np.where(flag == NOT_REACHED, np.inf, value))


def default_eps(curves):
    """One ε for a set of mean curves (rows; NaN where missing), chosen from the data.

    Every curve crosses ε inside the grid when ε lies below the lowest first point and
    above the highest last point; ε is then the geometric middle of that window. When
    the curves share no window (e.g. the MLE at d = 8 and d = 128 on the same N grid),
    ε is the geometric middle of the median first point and the median positive last
    point, and curves that do not cross inside the grid are flagged by n_star.
    Returns NaN when no curve has two points with a positive first one (a single N, or
    an exact learner such as Bayes): N* is then undefined and flagged 'no data'.
    """
    curves = np.asarray(curves, float)
    firsts, lasts = [], []
    for row in curves:
        finite = row[np.isfinite(row)]
        if finite.size >= 2:  # one point brackets nothing
            firsts.append(finite[0])
            lasts.append(finite[-1])
    firsts, lasts = np.array(firsts), np.array(lasts)
    if not (firsts > 0).any():
        return np.nan
    top = firsts.min()
    bottom = lasts.max() if lasts.size and lasts.max() > 0 else curves[curves > 0].min()
    if 0 < bottom < top:
        return float(np.sqrt(top * bottom))
    positive_lasts = lasts[lasts > 0]
    bottom = np.median(positive_lasts) if positive_lasts.size else curves[curves > 0].min()
    return float(np.sqrt(np.median(firsts[firsts > 0]) * bottom))
