"""`fit` must recover exponents planted in synthetic sweeps, and say when it cannot."""
import json

import numpy as np
import pytest

from analysis import results
from analysis.__main__ import main
from analysis.fit import analyse
from analysis.nstar import BELOW_GRID, INSIDE, NO_DATA, NOT_REACHED, default_eps, n_star
from analysis.verdict import reading, sentences, verdict_table

# excess = C · N^-A · (M/N)^-C_M · d^B[model] · k^A · noise: N* ∝ d^(B/A) · k, and the
# excess falls as M^-C_M at fixed N.
A, C_M = 0.8, 0.5
B = {"linear": 0.0, "mle": 1.0}
NOISE = 0.05  # log-normal sd, independent per cell


def planted(seed=0):
    rng = np.random.default_rng(seed)

    def excess(model, d, k, N, M, **_):
        noise = np.exp(NOISE * rng.standard_normal(np.broadcast(d, N, M).shape))
        return 0.3 * N ** -A * (M / N) ** -C_M * (d / 10) ** B[model] * (k / 2) ** A * noise
    return excess


def planted_file(results_file, **options):
    grid = {"models": tuple(B), "d": (10, 20, 40, 80, 160), "k": (2, 4),
            "N": (5, 10, 20, 40, 80, 160, 320, 640), "M": (5, 10, 20, 40, 80, 160, 320, 640),
            "replicates": 4, **options}
    return results_file(excess=planted(), **grid)


def test_rate_exponents_are_recovered_within_their_intervals(results_file):
    fit = analyse(results.load(planted_file(results_file, replicates=8)), draws=500)
    for axis, truth in (("N", A), ("M", C_M)):
        estimate = fit.rates[f"a_{axis}"].values
        lo, hi = fit.rates[f"a_{axis}_lo"].values, fit.rates[f"a_{axis}_hi"].values
        np.testing.assert_allclose(estimate, truth, atol=0.03)
        assert (hi - lo > 0).all()
        assert ((lo <= truth) & (truth <= hi)).mean() >= 0.8, (axis, lo, hi)  # nominal 0.95
    assert (fit.rates.N_for_M_fit == 640).all()


def test_verdict_slope_recovers_the_planted_d_exponent(results_file):
    status = np.ones((2, 5, 2, 8, 1, 4), dtype=np.int8)  # model, d, k, N, R, replicate
    status[:, 0, 0] = 0  # d=10 at k=2 never ran: the pooled fit must not mix up levels
    fit = analyse(results.load(planted_file(results_file, status=status)), draws=500)
    table = verdict_table(fit)
    pooled = table[(table.axis == "d") & table.held.str.startswith("pooled")].set_index("model")
    for model, b in B.items():
        row = pooled.loc[model]
        assert row.lo <= b / A <= row.hi, row
        assert row.hi - row.lo < 0.1
        assert row.draws_used > 0.95
    assert not pooled.loc["linear"].lo <= B["mle"] / A <= pooled.loc["linear"].hi
    assert pooled.loc["linear"].reading == "dimension-independent"
    assert pooled.loc["mle"].reading == "faster than linear in d"  # 1/0.8 = 1.25
    k_rows = table[(table.axis == "k") & table.held.str.startswith("pooled")]
    assert (k_rows.lo <= 1).all() and (k_rows.hi >= 1).all()
    lines = sentences(table)
    assert lines[0].startswith("trained linear attention (ε = ")
    assert "N* grows as d^" in lines[0] and "— dimension-independent" in lines[0]


def test_nstar_interpolates_power_laws_exactly_and_flags_the_grid_edges():
    N = np.array([10, 20, 40])
    curves = np.array([1 / N, 1 / N, 1 / N, [np.nan] * 3, [0.2, np.nan, 0.01],
                       [0.2, 0.1, -0.1]])
    value, flag = n_star(N, curves, np.array([0.04, 0.5, 0.01, 0.04, 0.05, 0.05]))
    assert value[0] == pytest.approx(25)  # 1/N = 0.04 at N = 25
    assert flag.tolist() == [INSIDE, BELOW_GRID, NOT_REACHED, NO_DATA, INSIDE, INSIDE]
    assert np.isnan(value[1:4]).all()
    # across the missing N=20: log-log between (10, 0.2) and (40, 0.01): N = 10·4^(log 4/log 20)
    assert value[4] == pytest.approx(10 * 4 ** (np.log(4) / np.log(20)))
    # into a negative (noisy) error: linear in the error, 1/4 of the way from N=20 to 40
    assert value[5] == pytest.approx(np.exp(np.log(20) + 0.25 * np.log(2)))


def test_default_eps_is_the_geometric_middle_of_the_shared_window():
    assert default_eps(np.array([[1.0, 0.1], [2.0, 0.2]])) == pytest.approx(np.sqrt(0.2))
    # no shared window: geometric middle of the median first and last points
    assert default_eps(np.array([[1.0, 0.5], [0.1, 0.05]])) == pytest.approx(
        np.sqrt(0.55 * 0.275))
    assert np.isnan(default_eps(np.full((2, 3), np.nan)))
    assert np.isnan(default_eps(np.array([[0.1], [0.2]])))  # one N: nothing to bracket
    assert n_star([40], [[0.1]], np.nan)[1].tolist() == [NO_DATA]


@pytest.mark.parametrize("lo, hi, words", [
    (-0.05, 0.11, "dimension-independent"), (0.93, 1.04, "linear in d"),
    (-0.2, 1.2, "inconclusive: the interval holds both 0 and 1"),
    (0.2, 0.6, "grows with d, slower than linear"), (1.2, 1.3, "faster than linear in d"),
    (0.02, 0.05, "nearly dimension-independent (within 0.1 of 0, but the interval excludes 0)"),
])
def test_reading_is_decided_by_whether_the_interval_holds_0_or_1(lo, hi, words):
    assert reading("d", lo, hi) == words


def test_partial_file_skips_pending_cells_and_counts_them(results_file, tmp_path, capsys):
    status = np.ones((2, 5, 1, 8, 1, 4), dtype=np.int8)  # model, d, k, N, R, replicate
    status[0, 4] = 0  # linear at d=160 never ran: 32 cells
    status[1, :, :, :, :, 3] = 0  # mle lost a replicate: 40 cells
    path = planted_file(results_file, k=(2,), status=status)
    assert main(["fit", str(path), "--draws", "200", "-o", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert "skipped 72 pending cells" in err
    assert "| linear | 0.0" in out and "| 160 | 2 | 2 | no data | no data |" in out
    verdict = json.loads((tmp_path / "out" / "fit.json").read_text())["verdict"]
    linear = next(row for row in verdict if row["model"] == "linear" and row["axis"] == "d")
    assert linear["points"] == 4 and linear["lo"] <= 0 <= linear["hi"]
    rates = json.loads((tmp_path / "out" / "fit.json").read_text())["rates"]
    assert {row["replicates"] for row in rates if row["model"] == "mle"} == {3}


def test_single_d_says_there_is_no_slope(results_file, capsys):
    path = planted_file(results_file, d=(40,), k=(2,))
    assert main(["fit", str(path), "--draws", "100"]) == 0
    out = capsys.readouterr().out
    assert "mle (ε = " in out and "no slope: one d value in the sweep" in out
    assert "| k | d=" not in out  # one k: no k rows either


def test_fit_writes_csv_and_strict_json_for_given_eps(results_file, tmp_path, capsys):
    path = planted_file(results_file, extra_axes={"alpha": (1.0,)})
    outdir = tmp_path / "out"
    assert main(["fit", str(path), "--eps", "0.01", "0.003", "--draws", "100",
                 "-o", str(outdir)]) == 0
    written = capsys.readouterr().out.splitlines()[-4:]
    assert written == [str(outdir / name) for name in
                       ("rates.csv", "nstar.csv", "verdict.csv", "fit.json")]
    lines = (outdir / "nstar.csv").read_text().splitlines()
    assert lines[0].split(",")[:6] == ["model", "d", "k", "R", "alpha", "eps"]
    assert len(lines) == 1 + 2 * 5 * 2 * 2  # model, d, k, eps levels
    sidecar = json.loads((outdir / "fit.json").read_text(),
                         parse_constant=lambda name: pytest.fail(f"JSON holds {name}"))
    assert sidecar["eps"] == {"linear": [0.01, 0.003], "mle": [0.01, 0.003]}
    assert sidecar["bootstrap_draws"] == 100 and sidecar["fingerprint"] == "0123456789abcdef"
