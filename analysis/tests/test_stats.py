"""Bands and intervals: one method (expanded percentile bootstrap), checked against
closed forms it must approach, and the few-replicates caveat."""
import numpy as np
import pytest
import xarray as xr
from scipy import stats as sps

from analysis.curves import paired_difference
from analysis.stats import MIN_REPLICATES, caveat, replicate_band


def test_band_approaches_the_t_interval_with_many_replicates():
    rng = np.random.default_rng(0)
    values = rng.normal(0.9, 0.02, size=(3, 40))  # 3 points x 40 replicates
    values[1, 2:] = np.nan  # 2 replicates left: the range of the two
    values[2, 1:] = np.nan  # 1 replicate left: no band
    band = replicate_band(xr.DataArray(values, dims=("M", "replicate")))
    half = sps.t.ppf(0.975, 39) * np.std(values[0], ddof=1) / np.sqrt(40)
    assert band["mean"][0] == pytest.approx(values[0].mean(), rel=1e-12)
    assert float(band["hi"][0] - band["lo"][0]) == pytest.approx(2 * half, rel=0.15)
    assert float(band["lo"][1]) == values[1, :2].min()
    assert float(band["hi"][1]) == values[1, :2].max()
    assert np.isnan(band["lo"][2]) and band["mean"][2] == values[2, 0]
    assert band["n"].values.tolist() == [40, 2, 1]


def test_negative_control_a_band_does_not_ignore_the_spread():
    wide = replicate_band(xr.DataArray([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]], dims=("M", "replicate")))
    narrow = replicate_band(xr.DataArray([[2.4, 2.5, 2.5, 2.5, 2.5, 2.6]],
                                         dims=("M", "replicate")))
    assert float(wide["hi"] - wide["lo"]) > 10 * float(narrow["hi"] - narrow["lo"])


def test_paired_difference_is_the_band_of_the_differences():
    a = np.array([0.30, 0.32, 0.29, 0.31, 0.30, 0.33])
    b = a + np.array([0.05, 0.06, 0.04, 0.05, 0.07, 0.05])
    mean, lo, hi, count, mean_a, mean_b = paired_difference(a, b)
    band = replicate_band(xr.DataArray([b - a], dims=("M", "replicate")))
    assert (mean, lo, hi, count) == pytest.approx(
        (float(band["mean"][0]), float(band["lo"][0]), float(band["hi"][0]), 6))
    assert 0.04 <= lo < mean < hi <= 0.07


def test_caveat_below_four_replicates():
    assert MIN_REPLICATES == 4
    assert caveat(2) == "not enough replicates to conclude (n = 2; need ≥ 4)"
    assert caveat(4) == "" and caveat(6) == ""
