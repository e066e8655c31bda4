"""B*(ε) along a train_tasks axis (analysis/budget.py): slopes against d of known power laws."""
import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from analysis import budget
from analysis.__main__ import main
from analysis.tests.conftest import write_results

D = (16, 64, 256, 1024)
B = (10, 30, 100, 300, 1000, 3000, 10000)


def power_law(s, scale=0.5):
    """excess = scale d^s / B, a small multiplicative replicate spread: B*(ε) = scale d^s / ε."""
    def excess(model, d, train_tasks, replicate, **_):
        if model != "linear":
            return 0.2 + 0 * d
        return scale * d ** s / train_tasks * np.exp(0.02 * (replicate - 1.5))
    return excess


def sweep(tmp_path, excess, **kw):
    path = write_results(tmp_path / "results.nc", excess=excess, models=("linear", "mle"), d=D,
                         N=(20,), M=(20,), replicates=4, extra_axes={"train_tasks": B, **kw.pop("axes", {})},
                         **kw)
    return xr.open_dataset(path)


@pytest.mark.parametrize("s, words", [(0.0, "dimension-independent"), (1.0, "linear in d")])
def test_bstar_slope_recovers_the_power_law(tmp_path, s, words):
    rows = budget.verdict_rows(sweep(tmp_path, power_law(s)), draws=400)
    assert list(rows.model) == ["linear"]  # mle reads no training budget
    row = rows.iloc[0]
    assert row["sample"] == "train_tasks" and row["axis"] == "d"
    assert row.slope == pytest.approx(s, abs=1e-6)
    assert row.lo <= s <= row.hi and row.hi - row.lo < 0.1
    assert row.reading.endswith(words)


def test_bstar_values_are_the_closed_form(tmp_path):
    ds = sweep(tmp_path, power_law(0.5))
    one, eps, _ = budget.b_star(ds, "linear", eps=0.01, draws=50)
    mean_noise = np.mean(np.exp(0.02 * (np.arange(4) - 1.5)))
    expected = 0.5 * np.array(D, float) ** 0.5 * mean_noise / eps
    inside = one.flag.values == 0
    assert inside.all()
    np.testing.assert_allclose(one.value.values, expected, rtol=1e-9)


def test_best_lr_picks_by_training_loss_not_test_error(tmp_path):
    """Two step sizes: the one of lower training loss follows d^0; the other has the lower
    test error at large d but must not be chosen."""
    def excess(model, d, train_tasks, train_lr, replicate, **_):
        good = 0.5 / train_tasks * np.exp(0.02 * (replicate - 1.5))
        return np.where(train_lr == 0.1, good, good * (16 / d))  # 0.01: lower test error at d > 16

    def loss(model, d, train_lr, **_):
        return np.where(train_lr == 0.1, 0.3, 0.5) + 0 * d
    ds = sweep(tmp_path, excess, axes={"train_lr": (0.01, 0.1)}, train_loss=loss)
    row = budget.verdict_rows(ds, draws=200, best_lr=True).iloc[0]
    assert row.slope == pytest.approx(0.0, abs=1e-6)
    assert "best η" in row.held
    held = budget.verdict_rows(ds, draws=200).iloc[0]  # without: train_lr held at its first value
    assert held.slope == pytest.approx(-1.0, abs=1e-6)


def test_fit_writes_the_sample_column(tmp_path):
    sweep(tmp_path, power_law(0.0))
    assert main(["fit", str(tmp_path / "results.nc"), "-o", str(tmp_path / "out"), "--draws", "100"]) == 0
    table = pd.read_csv(tmp_path / "out" / "verdict.csv")
    assert set(table["sample"]) == {"train_tasks"}  # one N value: no N* rows, only B*'s
    row = table[table["sample"] == "train_tasks"].iloc[0]
    assert row.model == "linear" and math.isclose(row.slope, 0.0, abs_tol=1e-6)


def test_no_axis_no_rows(tmp_path):
    path = write_results(tmp_path / "results.nc", excess=lambda model, d, **_: 0.1 + 0 * d,
                         models=("linear",), d=D)
    assert budget.verdict_rows(xr.open_dataset(path)).empty


def test_plot_and_report_draw_the_budget_figures(tmp_path):
    sweep(tmp_path, power_law(0.5))
    assert main(["plot", str(tmp_path / "results.nc"), "-o", str(tmp_path / "fig"), "--draws", "50"]) == 0
    assert (tmp_path / "fig" / "excess_vs_B.png").exists() and (tmp_path / "fig" / "bstar_vs_d.pdf").exists()
    assert main(["report", str(tmp_path / "results.nc"), "-o", str(tmp_path / "rep"), "--draws", "50"]) == 0
    text = (tmp_path / "rep" / "report.md").read_text()
    assert "over training tasks): B* grows as d^0.50" in text and "bstar_vs_d.png" in text
