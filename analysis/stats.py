"""Mean over replicates with a 95% confidence band, as drawn in MV Fig. 1."""
import warnings

import numpy as np
import xarray as xr
from scipy import stats

LEVEL = 0.95


def replicate_band(values, se, level=LEVEL):
    """Dataset (mean, lo, hi, n) of `values` over the 'replicate' dimension.

    With r >= 2 finite replicates the band is mean ± t_{(1+level)/2, r-1}·sd/√r: the
    spread between independently trained models is the uncertainty a reader cares
    about. With one replicate there is no spread, so the band is the normal interval
    from that cell's own evaluation error `se`. NaN (skipped) replicates are ignored;
    a point with none is NaN.
    """
    n = values.count("replicate")
    with warnings.catch_warnings():  # all-NaN points and r = 1 warn; they are handled below
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = values.mean("replicate")
        sd = values.std("replicate", ddof=1)
        single_se = se.where(values.notnull()).mean("replicate")
    quantile = (1 + level) / 2
    t = n.copy(data=stats.t.ppf(quantile, np.maximum(n.values - 1, 1)))
    half = xr.where(n >= 2, t * sd / np.sqrt(n),
                    xr.where(n == 1, stats.norm.ppf(quantile) * single_se, np.nan))
    return xr.Dataset({"mean": mean, "lo": mean - half, "hi": mean + half, "n": n})
