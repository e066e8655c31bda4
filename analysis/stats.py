"""Uncertainty over replicates: one method for every band and interval.

Independently trained replicates are the unit of repetition, so every confidence
interval here comes from their spread, always by the same method: the expanded
percentile bootstrap (percentile_interval) of the mean over replicates, for the bands
of the figures, the paired differences and the fitted rates and slopes alike.
"""
import warnings

import numpy as np
import xarray as xr
from scipy import stats

LEVEL = 0.95
# Bootstrap draws and seed: fixed, so the same file always gives the same intervals.
DRAWS = 2000
SEED = 20240
# Bands are computed point by point over a whole grid: fewer draws, in chunks of rows.
BAND_DRAWS = 1000
CHUNK = 256
# Fewer replicates than this: intervals are drawn but marked unreliable, and no claim
# is concluded from them (the expanded interval at r = 2 or 3 is still far from nominal).
MIN_REPLICATES = 4


def replicate_band(values, level=LEVEL, draws=BAND_DRAWS, seed=SEED):
    """Dataset (mean, lo, hi, n) of `values` over the 'replicate' dimension.

    The band is the same interval as every other one here: the expanded percentile
    bootstrap over replicates (percentile_interval), point by point, over the replicates
    that are finite at that point. With one replicate there is no spread and no band
    (lo, hi NaN); a point with none is NaN.
    """
    n = values.count("replicate")
    with warnings.catch_warnings():  # all-NaN points warn; they stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = values.mean("replicate")
    flat = values.transpose(..., "replicate").values.reshape(-1, values.sizes["replicate"])
    lo, hi = interval_of_means(flat, level, draws, np.random.default_rng([seed, 1]))
    lo = mean.copy(data=lo.reshape(mean.shape))
    hi = mean.copy(data=hi.reshape(mean.shape))
    return xr.Dataset({"mean": mean, "lo": lo, "hi": hi, "n": n})


def interval_of_means(rows, level=LEVEL, draws=BAND_DRAWS, rng=None):
    """(lo, hi) per row of (row, replicate) values: expanded percentile bootstrap of the
    mean over the row's finite replicates; NaN for rows with fewer than two."""
    rng = rng if rng is not None else np.random.default_rng(SEED)
    rows = np.asarray(rows, float)
    order = np.argsort(~np.isfinite(rows), axis=1, kind="stable")  # finite ones first
    packed = np.take_along_axis(rows, order, axis=1)
    counts = np.isfinite(rows).sum(1)
    lo, hi = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    picks = rng.random((draws, rows.shape[1]))  # shared by every row: same draws, same file
    for start in range(0, len(rows), CHUNK):
        block, count = packed[start:start + CHUNK], counts[start:start + CHUNK]
        index = np.minimum((picks[None] * count[:, None, None]).astype(int), rows.shape[1] - 1)
        column = np.arange(rows.shape[1])[None, None, :] < count[:, None, None]
        chosen = np.take_along_axis(np.broadcast_to(block[:, None, :], index.shape), index, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(np.where(column, chosen, np.nan), axis=2)  # (row, draw)
        lo[start:start + CHUNK], hi[start:start + CHUNK] = percentile_interval(means.T, count,
                                                                               level)
    return lo, hi


def caveat(replicates):
    """'' with enough replicates to conclude, else the sentence that replaces a conclusion."""
    if replicates >= MIN_REPLICATES:
        return ""
    return (f"not enough replicates to conclude (n = {int(replicates)}; "
            f"need ≥ {MIN_REPLICATES})")


def counted(replicates):
    """'1 replicate', '3 replicates'."""
    return f"{int(replicates)} replicate{'s' * (int(replicates) != 1)}"


def method(replicates=None):
    """How every interval is made, for captions and notes."""
    text = f"{LEVEL:.0%} intervals: expanded percentile bootstrap over replicates"
    if replicates is not None and replicates < MIN_REPLICATES:
        text += f"; unreliable with {counted(replicates)} (need ≥ {MIN_REPLICATES})"
    return text


def caption(replicates):
    """'mean of 3 replicates; 95% intervals: ...' for a figure's title."""
    return f"mean of {counted(replicates)}; {method(replicates)}"


def bootstrap_means(values, draws, rng):
    """Mean curve over replicates, and `draws` means over replicates resampled with replacement.

    `values` is (replicate, point) with NaN where a cell is missing; replicates with no
    finite point are not resampled (they were never run). Returns (mean (point,), draws
    (draws, point) or None when fewer than two replicates leave no spread to resample,
    replicates used).
    """
    values = values[np.isfinite(values).any(axis=1)]
    count = len(values)
    with warnings.catch_warnings():  # points missing in every chosen replicate stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=0) if count else np.full(values.shape[1], np.nan)
        if count < 2:
            return mean, None, count
        resampled = np.nanmean(values[rng.integers(0, count, size=(draws, count))], axis=1)
    return mean, resampled, count


def percentile_interval(draws, replicates, level=LEVEL):
    """(lo, hi) expanded percentile interval over the first axis; NaN draws are left out.

    Plain percentile intervals under-cover badly with the 3-4 replicates a sweep
    affords (about 65% for a nominal 95% at r = 3), because resampling r values
    understates their spread. Hesterberg's expanded percentile interval (The American
    Statistician 69, 2015) corrects this: it reads the draws at the tail probability
    Φ(−√(r/(r−1))·t_{r−1}) instead of (1 − level)/2. `replicates` (r) broadcasts against
    draws.shape[1:]. Infinite draws are kept: they stand for values beyond the grid, and
    an interval reaching them says so. The bounds are draws themselves (outward
    rounding), since interpolating towards an infinite draw is undefined.
    """
    draws = np.asarray(draws, float)
    replicates = np.broadcast_to(replicates, draws.shape[1:])
    lo, hi = np.full(draws.shape[1:], np.nan), np.full(draws.shape[1:], np.nan)
    for count in np.unique(replicates[replicates >= 2]):
        chosen = replicates == count
        tail = 100 * stats.norm.cdf(-np.sqrt(count / (count - 1))
                                    * stats.t.ppf((1 + level) / 2, count - 1))
        with warnings.catch_warnings():  # an all-NaN column gives NaN bounds
            warnings.simplefilter("ignore", RuntimeWarning)
            lo[chosen] = np.nanpercentile(draws[:, chosen], tail, axis=0, method="lower")
            hi[chosen] = np.nanpercentile(draws[:, chosen], 100 - tail, axis=0, method="higher")
    return lo, hi
