"""The replicate band must equal the textbook t interval, or the z interval from se."""
import numpy as np
import pytest
import xarray as xr
from scipy import stats as sps

from analysis.stats import replicate_band


def test_band_matches_numpy_t_interval_and_single_replicate_se():
    rng = np.random.default_rng(0)
    values = rng.normal(0.9, 0.02, size=(4, 5))  # 4 points x 5 replicates
    values[1, 2:] = np.nan  # 2 replicates left
    values[2, 1:] = np.nan  # 1 replicate left: band from its se
    values[3, :] = np.nan  # nothing left
    se = np.full_like(values, 0.004)
    da = xr.DataArray(values, dims=("M", "replicate"))
    band = replicate_band(da, xr.DataArray(se, dims=("M", "replicate")))

    for row, r in ((0, 5), (1, 2)):
        kept = values[row, :r]
        half = sps.t.ppf(0.975, r - 1) * np.std(kept, ddof=1) / np.sqrt(r)
        assert band["mean"][row] == pytest.approx(kept.mean(), rel=1e-12)
        assert band["hi"][row] - band["mean"][row] == pytest.approx(half, rel=1e-12)
        assert band["mean"][row] - band["lo"][row] == pytest.approx(half, rel=1e-12)
    assert band["mean"][2] == values[2, 0]
    assert band["hi"][2] - band["lo"][2] == pytest.approx(2 * 1.959964 * 0.004, rel=1e-6)
    assert np.isnan(band["mean"][3]) and np.isnan(band["lo"][3])
    assert band["n"].values.tolist() == [5, 2, 1, 0]


def test_two_replicates_use_t_with_one_degree_of_freedom():
    da = xr.DataArray([[0.1, 0.3]], dims=("M", "replicate"))
    band = replicate_band(da, xr.zeros_like(da))
    # sd = 0.1414..., t_{0.975,1} = 12.706: half width 12.706 * 0.1414 / sqrt(2) = 1.2706
    assert float(band["hi"][0]) == pytest.approx(0.2 + 1.27062, rel=1e-4)
