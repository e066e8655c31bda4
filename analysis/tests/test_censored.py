"""Thresholds outside the grid: N*(ε) and B*(ε) that a sweep never reaches at large d (a learner
at chance) are left out of the slope, and the verdict says where, with the bound."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from analysis import budget
from analysis.__main__ import main
from analysis.selection import fix_other_axes
from analysis.tests.conftest import write_results

D = (10, 100, 1000, 10000)
N = (5, 10, 20, 40)
B = (10, 100, 1000)


def at_chance_beyond(d_max):
    """linear: excess 1/N · 100/B (reaches ε = 0.05 at N = 20 for B = 100) up to d_max, then
    0.4 whatever N and B (a learner at chance); mle: 0.3 everywhere (never reaches ε)."""
    def excess(model, d, N, replicate, train_tasks=100.0, **_):
        if model != "linear":
            return 0.3 + 0 * d
        learned = (1.0 / N) * (100.0 / train_tasks) * np.exp(0.01 * (replicate - 1.5))
        return np.where(d <= d_max, learned, 0.4)
    return excess


def sweep(tmp_path, d_max, budget_axis=False):
    extra = {"train_tasks": B} if budget_axis else None
    return write_results(tmp_path / "results.nc", excess=at_chance_beyond(d_max),
                         models=("linear", "mle"), d=D, N=N, M=N, replicates=4, extra_axes=extra)


def verdict(tmp_path, *args):
    assert main(["fit", str(tmp_path / "results.nc"), "-o", str(tmp_path / "out"), "--draws", "200",
                 "--eps", "0.05", *args]) == 0
    return pd.read_csv(tmp_path / "out" / "verdict.csv")


def test_nstar_not_reached_is_left_out_of_the_slope_and_said(tmp_path):
    sweep(tmp_path, d_max=100)
    table = verdict(tmp_path)
    row = table[(table.model == "linear") & (table.axis == "d")].iloc[0]
    assert row.points == 2 and row.slope == pytest.approx(0.0, abs=1e-6)  # N* = 20 at d = 10, 100
    assert row.reading.endswith("; N* not reached within the grid (N* > 40) at d = 1000, 10000")
    mle = table[(table.model == "mle") & (table.axis == "d")].iloc[0]
    assert np.isnan(mle.slope)
    assert mle.reading == ("no slope: N* inside the N grid at fewer than two d values; "
                           "N* not reached within the grid (N* > 40) at d = 10, 100, 1000, 10000")


def test_nstar_inside_everywhere_says_nothing_of_the_grid(tmp_path):
    """Negative control: the same learner that never goes to chance."""
    sweep(tmp_path, d_max=1e9)
    row = verdict(tmp_path).query("model == 'linear' and axis == 'd'").iloc[0]
    assert row.points == 4 and "grid" not in row.reading


def test_below_the_grid_is_said_with_its_bound(tmp_path):
    sweep(tmp_path, d_max=100)
    assert main(["fit", str(tmp_path / "results.nc"), "-o", str(tmp_path / "out"), "--draws", "200",
                 "--eps", "0.5"]) == 0
    table = pd.read_csv(tmp_path / "out" / "verdict.csv")
    row = table.query("model == 'linear' and axis == 'd'").iloc[0]
    assert "N* below the grid (N* ≤ 5) at d = 10, 100, 1000, 10000" in row.reading


def test_bstar_not_reached_is_said_in_verdict_table_and_report(tmp_path):
    sweep(tmp_path, d_max=100, budget_axis=True)
    # at N = 40 (held at its largest): excess 2.5 / B reaches ε = 0.025 at B = 100 exactly
    table = verdict(tmp_path, "--eps-B", "0.025")
    row = table[table["sample"] == "train_tasks"].iloc[0]
    assert row.eps == pytest.approx(0.025) and row.points == 2
    assert row.slope == pytest.approx(0.0, abs=1e-6)
    assert row.reading.endswith("B* not reached within the grid (B* > 1000) at d = 1000, 10000")
    bstar = pd.read_csv(tmp_path / "out" / "bstar.csv")
    assert list(bstar.flag) == ["interpolated", "interpolated", "not reached", "not reached"]
    np.testing.assert_allclose(bstar.bstar[:2], 100 * np.mean(np.exp(0.01 * (np.arange(4) - 1.5))),
                               rtol=1e-9)
    assert main(["report", str(tmp_path / "results.nc"), "-o", str(tmp_path / "rep"), "--draws", "200",
                 "--eps", "0.05", "--eps-B", "0.025", "0.5"]) == 0
    text = (tmp_path / "rep" / "report.md").read_text()
    assert "### Pretraining tasks B*(ε)" in text and "| > 1000 | not reached |" in text
    assert "(ε = 0.5, over training tasks): no slope: B* inside the train_tasks grid at fewer than two d values; B* below the grid (B* ≤ 10) at d = 10, 100, 1000, 10000" in text


def test_several_b_levels_give_one_row_each(tmp_path):
    sweep(tmp_path, d_max=100, budget_axis=True)
    rows = budget.verdict_rows(xr.open_dataset(tmp_path / "results.nc"), eps=[0.025, 0.05], draws=50)
    assert rows.eps.tolist() == [0.025, 0.05]


def test_figures_hold_the_largest_training_budget():
    da = xr.DataArray(np.zeros((2, 3, 2)), dims=("d", "train_tasks", "k"),
                      coords={"d": [10, 100], "train_tasks": [10, 100, 1000], "k": [2, 4]})
    _, picked = fix_other_axes(da, keep=("d",))
    assert picked == {"train_tasks": 1000, "k": 2}
