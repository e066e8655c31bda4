"""LRO, DSS and LZ figures and claim sentences, on synthetic files with planted values."""
import json
import re

import netCDF4
import numpy as np
import pytest

from analysis import families, lro, results
from analysis.__main__ import main
from analysis.fit import analyse

LAMBDA = np.array([3, 2, 1, 0.5, 0.25, 0.1])
R_LRO = float(np.sqrt(LAMBDA.sum()))  # iclsweep scales the spectrum to sum R^2
SIGMA = 0.5477
SIGMA2 = SIGMA ** 2
LRO_OPTIONS = ("-family linreg\n-grid_d 6\n-grid_k 6\n-grid_N 5,10,20,40\n-grid_R 1\n"
               "-grid_rank 1,2,3,4,5,6\n-replicates 3\n-models linear,lowrank,oracle,bayes\n"
               f"-sigma {SIGMA}\n-spectrum list:3,2,1,0.5,0.25,0.1\n-seed 1\n")


def planted_lstar(N, r):
    """L*_r written out independently of lro.optimal_risk: M0 - sum_{i<=r} gain_i."""
    N, r = np.broadcast_arrays(np.asarray(N, float), np.asarray(r, float))
    m0 = LAMBDA.sum() + SIGMA2
    total = np.full(N.shape, m0)
    for i, lam in enumerate(LAMBDA):  # LAMBDA is sorted descending
        total -= np.where(i < r, N * lam ** 2 / ((N + 1) * lam + m0), 0.0)
    return total


def lro_file(results_file, lowrank_scale=None, options=LRO_OPTIONS, family="linreg", **more):
    """linreg sweep: lowrank = L*_r·(1 + 1% noise) (or `lowrank_scale`), oracle = W*_r's
    risk L*_r exactly, bayes = σ², linear = L*·1.03."""
    rng = np.random.default_rng(5)

    def excess(model, N, rank, **_):
        full = planted_lstar(N, 6)
        risk = {"lowrank": planted_lstar(N, rank) * (1 + 0.01 * rng.standard_normal(N.shape)),
                "oracle": planted_lstar(N, rank), "bayes": SIGMA2 + 0 * N,
                "linear": full * 1.03}[model]
        if model == "lowrank" and lowrank_scale is not None:
            risk = lowrank_scale * full
        return risk - SIGMA2

    kwargs = dict(excess=excess, models=("linear", "lowrank", "oracle", "bayes"), d=(6,),
                  k=(6,), N=(5, 10, 20, 40), R=(R_LRO,), extra_axes={"rank": range(1, 7)},
                  replicates=3, M=(5, 10, 20, 40), se=0.0, family=family, options=options,
                  bayes=SIGMA2)
    return results_file(**{**kwargs, **more})


def report_text(path, outdir, capsys, draws="100"):
    assert main(["report", str(path), "--draws", draws, "-o", str(outdir)]) == 0
    return (outdir / "report.md").read_text(), capsys.readouterr().err


def claim(text, start):
    """The one claim line of report.md that starts with `start`."""
    found = [line[2:] for line in text.splitlines() if line.startswith(f"- {start}")]
    assert len(found) == 1, (start, text[:3000])
    return found[0]


def test_closed_form_matches_the_spec_check_value():
    # docs/models.md: Sigma_x = Sigma_beta = I_20, sigma = 0, N = 10 -> L* = 13.548
    assert lro.optimal_risk(np.ones(20), 0.0, 10) == pytest.approx(20 * (1 - 10 / 31))
    assert lro.optimal_risk(np.ones(20), 0.0, 10) == pytest.approx(13.548, abs=5e-4)
    np.testing.assert_allclose(lro.optimal_risk(LAMBDA, SIGMA2, [5, 40], 2),
                               planted_lstar([5, 40], 2))
    assert lro.optimal_risk(LAMBDA, SIGMA2, 1e9) == pytest.approx(SIGMA2, abs=1e-6)


@pytest.mark.parametrize("text, k, R, expected", (
    ("", 4, 2.0, [1, 1, 1, 1]),
    ("flat", 2, 1.0, [0.5, 0.5]),
    ("geometric:0.5", 3, 1.0, [4 / 7, 2 / 7, 1 / 7]),
    ("power:1", 3, 2.0, [4 * 6 / 11, 4 * 3 / 11, 4 * 2 / 11]),
    ("list:3,1,4,9", 3, 2.0, [1.5, 0.5, 2.0])))  # first k values, in order, sum R^2
def test_spectrum_as_iclsweep_builds_it(results_file, text, k, R, expected):
    path = results_file(excess=lambda model, N, **_: 0 * N, models=("oracle",), d=(4,),
                        k=(k,), N=(5,), R=(R,), replicates=1, M=(5,), family="linreg",
                        options=f"-family linreg\n-spectrum {text}\n" if text else None)
    np.testing.assert_allclose(lro.spectrum(results.load(path), k, R), expected)


def test_spectrum_read_from_the_stored_variable(results_file):
    # iclsweep stores the spectrum it resolved (per k, at R = 1); that wins over the options
    # text, which here says flat (the parser would give [1/3, 1/3, 1/3] R^2)
    path = results_file(excess=lambda model, N, **_: 0 * N, models=("oracle",), d=(4,),
                        k=(2, 3), N=(5,), R=(2.0,), replicates=1, M=(5,), family="linreg",
                        options="-family linreg\n-spectrum flat\n")
    with netCDF4.Dataset(path, "a") as nc:
        nc.createDimension("direction", 3)
        var = nc.createVariable("spectrum", "f8", ("k", "direction"))
        var[:] = [[0.75, 0.25, np.nan], [0.5, 0.3, 0.2]]
    np.testing.assert_allclose(lro.spectrum(results.load(path), 3, 2.0), [2.0, 1.2, 0.8])
    np.testing.assert_allclose(lro.spectrum(results.load(path), 2, 2.0), [3.0, 1.0])


def test_spectrum_too_short_is_said(results_file):
    path = results_file(excess=lambda model, N, **_: 0 * N, models=("oracle",), d=(4,),
                        k=(3,), N=(5,), R=(1.0,), replicates=1, M=(5,), family="linreg",
                        options="-family linreg\n-spectrum list:1,2\n-sigma 1\n")
    assert lro.claims(results.load(path), None) == [
        "oracle: no comparison with the closed-form optimum L*: -spectrum list:1,2 lists 2 "
        "values but k=3"]


def test_lro_report_says_lowrank_reaches_L_star_r(results_file, tmp_path, capsys):
    text, err = report_text(lro_file(results_file), tmp_path / "out", capsys)
    assert err == ""
    line = claim(text, "lowrank reaches the closed-form L*_r within ")
    within = float(re.search(r"within ([\d.]+)%", line).group(1))
    assert 0.5 < within < 3.5  # 1% Gaussian noise on 72 points, mean of 3 replicates
    assert (f"at every r (r = 1..6, N = 5..40, d = 6; 24 points, mean of 3 replicates; k=6, "
            f"R={R_LRO:g})") in line
    assert line.endswith(": not enough replicates to conclude (n = 3; need ≥ 4)")
    line = claim(text, "oracle reaches the closed-form L*_r within 0.0% at every r (r = 1..6,")
    line = claim(text, f"trained linear attention at N=40 (k=6, R={R_LRO:g}; mean of 3 "
                       f"replicates): risk ")
    assert line.endswith(f"vs L* = {planted_lstar(40, 6).item():.4g} (+3.0%, 95% CI [+3.0%, "
                         f"+3.0%]) at d=6: not enough "
                         f"replicates to conclude (n = 3; need ≥ 4)")
    for stem in ("lro_risk_vs_N", "lro_lowrank_vs_rank"):
        assert (tmp_path / "out" / f"{stem}.png").stat().st_size > 10_000
    sidecar = json.loads((tmp_path / "out" / "fit.json").read_text())
    assert [f"- {line}" for line in sidecar["paper_claims"]] == [
        line for line in text.split("## Paper claims\n\n")[1].split("\n\n")[0].splitlines()]


def claims_text(path, draws=100):
    """The claim lines report.md would hold, without drawing any figure."""
    ds = results.load(path)
    paper = families.paper(ds)
    fit = analyse(ds, draws=draws, metric=paper.METRIC)
    return "\n".join(f"- {line}" for line in paper.claims(ds, fit))


def paper_figures(ds):
    """(figures, notes) of the family's paper, as plot would draw them."""
    notes = families.notes(ds)
    fit = analyse(ds, draws=20, metric=families.paper(ds).METRIC)
    return families.paper(ds).figures(ds, fit, notes), notes


def test_lro_sentence_catches_a_lowrank_that_ignores_r(results_file):
    text = claims_text(lro_file(results_file, lowrank_scale=1.0))
    line = claim(text, "lowrank reaches the closed-form L*_r within ")
    within = float(re.search(r"within ([\d.]+)%", line).group(1))
    # risk L*_6 everywhere: the largest gap is at r = 1 and the largest N, as L*_r spreads
    worst = (planted_lstar(40, 6) - planted_lstar(40, 1)) / planted_lstar(40, 1)
    assert within == pytest.approx(100 * abs(worst).item(), abs=0.05)
    assert "largest gap -" in line and "at r=1, N=40" in line


def test_lro_figure_draws_the_closed_form_dotted(results_file):
    ds = results.load(lro_file(results_file))
    notes = []
    fig = lro.lowrank_vs_rank(ds, notes)
    assert notes == []
    (ax,) = fig.axes
    dotted = {line.get_label(): line for line in ax.lines if line.get_linestyle() == ":"}
    assert sorted(dotted) == ["L*_r, N=10", "L*_r, N=20", "L*_r, N=40", "L*_r, N=5"]
    np.testing.assert_allclose(dotted["L*_r, N=20"].get_ydata(),
                               planted_lstar(20, np.arange(1, 7)))
    assert ax.get_xlabel() == "rank r of W = ABᵀ"
    (ax,) = lro.risk_vs_N(ds, notes).axes
    styles = {line.get_label(): line.get_linestyle() for line in ax.lines}
    assert styles == {"linear": "-", "lowrank (r=6)": "-", "oracle (r=6)": ":", "bayes": ":",
                      "closed-form L*": ":"}
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_lro_family_from_options_and_flat_spectrum_without_sigma(results_file, tmp_path,
                                                                 capsys):
    options = LRO_OPTIONS.replace(f"-sigma {SIGMA}\n", "").replace(
        "-spectrum list:3,2,1,0.5,0.25,0.1\n", "")
    path = lro_file(results_file, options=options, family=None)
    text, err = report_text(path, tmp_path / "out", capsys)
    assert text.startswith("# iclsweep report: linreg sweep")
    assert ("lro_risk_vs_N: closed-form L* not drawn: no σ: the file has neither a sigma "
            "axis nor -sigma in its 'options' attribute") in err
    assert "- lowrank: no comparison with the closed-form L*_r: no σ" in text


def test_lro_partial_file(results_file, tmp_path, capsys):
    status = np.ones((4, 1, 1, 4, 1, 6, 3), dtype=np.int8)
    status[1, :, :, 3, :, 3:, :] = 0  # lowrank at N=40, r >= 4: pending
    status[0] = 0  # linear not run yet
    text, err = report_text(lro_file(results_file, status=status), tmp_path / "out", capsys)
    assert "skipped 81 pending cells" in err  # 9 lowrank + all 72 linear
    assert "24 points" not in claim(text, "lowrank reaches")
    assert "21 points" in claim(text, "lowrank reaches")
    assert claim(text, "linear: ") == ("linear: no ok cells at M = N to compare with the "
                                       "closed-form optimum L*")


def dss_file(results_file, softmax_gain=0.15, noise=0.003, replicates=4, name="results.nc",
             M=(5, 10, 20, 40), status=None):
    rng = np.random.default_rng(7)

    def excess(model, N, feature_map, **_):
        base = {"softmax": 0.45 - softmax_gain, "linear": 0.45, "gd1": 0.46,
                "kernel": 0.40 - 0.02 * feature_map}[model]
        return base * N ** -0.5 + noise * rng.standard_normal(N.shape)

    return results_file(name, excess=excess, models=("linear", "softmax", "kernel", "gd1"),
                        d=(8, 16), k=(4,), N=(5, 10, 20, 40), R=(1.0,),
                        extra_axes={"classes": (3,), "feature_map": (0, 2)},
                        replicates=replicates, M=M, se=0.002, bayes=0.0, status=status,
                        family="sphere", options="-family sphere\n-classes 3\n")


def test_dss_softmax_beats_linear(results_file):
    text = claims_text(dss_file(results_file))
    line = claim(text, "softmax beats linear on sphere at N=40 (d=8, classes=3): test error ")
    delta, lo, hi = map(float, re.search(r"Δ = linear's − softmax's = ([\d.]+), 95% CI "
                                         r"\[([-\d.]+), ([-\d.]+)\]", line).groups())
    assert lo < 0.15 * 40 ** -0.5 < hi and delta == pytest.approx(0.0237, abs=0.006)
    assert "4 paired replicates" in line
    assert line.endswith("over N = 5..40, softmax is ahead at N = 5, 10, 20, 40 and linear at "
                         "no N (intervals excluding 0)")
    claim(text, "softmax beats kernel (identity) on sphere at N=40 (d=16, classes=3)")
    claim(text, "kernel (relu) beats linear on sphere at N=40 (d=8, classes=3)")


def test_dss_equal_models_are_not_separated(results_file):
    text = claims_text(dss_file(results_file, softmax_gain=-0.1))  # softmax worse
    line = claim(text, "linear beats softmax on sphere at N=40 (d=8, classes=3): test error ")
    lo, hi = map(float, re.search(r"Δ = softmax's − linear's = [\d.]+, 95% CI "
                                  r"\[([-\d.]+), ([-\d.]+)\]", line).groups())
    assert 0 < lo < 0.1 * 40 ** -0.5 < hi  # said from the winner's side, interval too
    assert "softmax is ahead at no N and linear at N = 5, 10, 20, 40" in line
    text = claims_text(dss_file(results_file, softmax_gain=0.0))
    claim(text, "softmax and linear are not separated on sphere at N=40 (d=8, classes=3)")


def test_dss_figure_labels_feature_maps_by_name(results_file):
    from analysis import dss
    (ax8, ax16) = dss.error_vs_N(results.load(dss_file(results_file))).axes
    assert ax8.get_title() == "d=8, classes=3"
    assert [line.get_label() for line in ax16.lines] == [
        "softmax", "linear", "kernel (identity)", "kernel (relu)", "gd1"]
    assert ax8.get_ylabel() == "test error rate (misclassification)"


LZ_RATES = {0: 0.5, 4: 0.25}  # link code -> rate: tanh N^-0.5, sign N^-0.25


def lz_file(results_file, **more):
    rng = np.random.default_rng(11)

    def excess(model, N, link, features, feature_map, **_):
        rate = np.where(link == 0, LZ_RATES[0], LZ_RATES[4])
        noise = np.exp(0.05 * rng.standard_normal(N.shape))
        softmax = 0.8 * N ** -rate * noise
        return {"softmax": softmax, "kernel": 1.2 * N ** -rate * noise,
                "linear": 2.0 * N ** -rate * noise, "distill": 1.1 * softmax}[model]

    replicate_noise = np.exp(0.05 * np.random.default_rng(12).standard_normal(8))

    def gap(model, features, feature_map, replicate, **_):
        """distill's train_loss: its distillation loss against the fixed teacher; the noise is
        one factor per replicate, so every replicate's slope in D is exactly the planted one"""
        noise = replicate_noise[replicate.astype(int)]
        value = np.where(feature_map == 4, 0.5 * features ** -0.5, 0.1) * noise
        return value if model == "distill" else np.full(features.shape, np.nan)

    kwargs = dict(excess=excess, train_loss=gap, models=("linear", "kernel", "softmax", "distill"), d=(8,),
                  k=(4,), N=(5, 10, 20, 40, 80), R=(1.0,),
                  extra_axes={"features": (16, 64, 256), "feature_map": (0, 4),
                              "link": (0, 4)},
                  replicates=4, M=(5, 10, 20, 40, 80), se=0.001, bayes=0.25,
                  family="distreg", options="-family distreg\n-sigma 0.5\n")
    return results_file(**{**kwargs, **more})


def test_lz_rates_recovered_per_link(results_file):
    text = claims_text(lz_file(results_file), draws=300)
    for label in ("kernel (prf)", "linear", "softmax"):
        line = claim(text, f"{label}: excess error falls with N as ")
        found = re.findall(r"N\^-([\d.]+) \[([\d.]+), ([\d.]+)\] for link=(\w+)", line)
        assert [row[3] for row in found] == ["tanh", "sign"], line
        for a, lo, hi, link in found:
            truth = LZ_RATES[0] if link == "tanh" else LZ_RATES[4]
            assert float(lo) <= truth <= float(hi), line
            assert float(a) == pytest.approx(truth, abs=0.05)
        assert "are disjoint: the rate depends on the regularity" in line
    line = claim(text, "distill vs its softmax teacher (link=tanh, feature_map=prf) at N=80")
    slope, lo, hi = map(float, re.search(r"falling as D\^(-[\d.]+) \[(-[\d.]+), (-[\d.]+)\]",
                                         line).groups())
    assert lo - 1e-9 <= -0.5 <= hi + 1e-9 and slope == pytest.approx(-0.5, abs=1e-6)
    line = claim(text, "distill vs its softmax teacher (link=sign, feature_map=identity)")
    assert "no trend in D resolved" in line  # flat gap 0.1: slope 0


def test_lz_equal_rates_overlap(results_file):
    LZ_RATES[4] = 0.5
    try:
        text = claims_text(lz_file(results_file))
    finally:
        LZ_RATES[4] = 0.25
    assert "the intervals overlap" in claim(text, "kernel (prf): excess error")


def test_lz_figures_use_flag_names_even_without_flag_attributes(results_file, tmp_path,
                                                                capsys):
    from analysis import lz
    ds = results.load(lz_file(results_file, codes=True, flag_axes=False))
    fig = lz.by_model(ds, [("kernel (prf)", "kernel", {"feature_map": "prf"})])
    assert [line.get_label() for line in fig.axes[0].lines] == ["link=tanh", "link=sign"]
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_yscale() == "log"


def test_plot_writes_every_family_figure_as_png_and_pdf(results_file, tmp_path, capsys):
    for name, path, stems in (
            ("dss", dss_file(results_file, replicates=2, name="dss.nc"), ("dss_error_vs_N",)),
            ("lz", lz_file(results_file, replicates=2, name="lz.nc"),
             ("lz_error_vs_N", "lz_feature_maps", "lz_distill_gap_vs_D"))):
        figdir = tmp_path / name
        assert main(["plot", str(path), "--draws", "50", "-o", str(figdir)]) == 0
        for stem in stems:
            for suffix in (".png", ".pdf"):
                assert (figdir / f"{stem}{suffix}").stat().st_size > 10_000, (stem, suffix)
        assert not capsys.readouterr().err
    # LRO's PNGs are checked by the report test; here only that they render as PDF too
    figures, notes = paper_figures(results.load(lro_file(results_file, name="lro.nc")))
    assert [stem for stem, _ in figures] == ["lro_risk_vs_N", "lro_lowrank_vs_rank"]
    assert notes == []
    for stem, fig in figures:
        fig.savefig(tmp_path / f"{stem}.pdf")
        assert (tmp_path / f"{stem}.pdf").stat().st_size > 10_000


def test_rank_axis_outside_linreg_is_said_not_drawn(results_file):
    from .conftest import mv_like_excess
    path = results_file(excess=mv_like_excess, extra_axes={"rank": (1, 2)}, family="gmm")
    figures, notes = paper_figures(results.load(path))
    assert [stem for stem, _ in figures] == ["accuracy_vs_M", "excess_vs_N", "nstar_vs_d"]
    assert notes[:1] == [
        "rank axis in a gmm sweep: the low-rank risk vs r figure (LRO) compares with the "
        "closed-form L*_r of family linreg; not drawn (the other figures hold rank at its "
        "first value)"]  # plot prints each note as one stderr line (see the LRO sigma test)


def one_error_line(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err.strip()


def test_categorical_code_out_of_range_is_bad_input(results_file, capsys):
    path = lz_file(results_file, replicates=2, codes=True, extra_axes={  # an earlier file's codes
        "features": (16, 64, 256), "feature_map": (0, 4), "link": (0, 7)})
    assert main(["plot", str(path), "-o", "unused"]) == 2
    assert one_error_line(capsys) == (f"analysis: {path}: axis 'link' has value 7, not one of "
                                      f"its codes (0 tanh, 1 sin, 2 relu, 3 abs, 4 sign)")


def test_family_attribute_contradicting_options_is_bad_input(results_file, capsys):
    path = lro_file(results_file, family="sphere")
    assert main(["report", str(path), "-o", "unused"]) == 2
    assert one_error_line(capsys) == (f"analysis: {path}: global attribute family = sphere "
                                      f"but the options attribute says -family linreg")


def test_lowrank_without_rank_axis_uses_the_rank_option(results_file, tmp_path, capsys):
    def excess(model, N, **_):
        return planted_lstar(N, 2) * (1.001 if model == "lowrank" else 1) - SIGMA2

    options = LRO_OPTIONS.replace("-grid_rank 1,2,3,4,5,6\n", "-rank 2\n")
    path = results_file(excess=excess, models=("lowrank", "oracle"), d=(6,), k=(6,),
                        N=(10, 20), R=(R_LRO,), replicates=1, M=(10, 20), se=0.0,
                        family="linreg", options=options, bayes=SIGMA2)
    text, _ = report_text(path, tmp_path / "out", capsys)
    line = claim(text, "lowrank reaches the closed-form L*_r at r=2 within 0.1% at every point")
    assert "(N = 10..20, d = 6; 2 points, mean of 1 replicate;" in line
    claim(text, "oracle reaches the closed-form L*_r at r=2 within 0.0% at every point")
    assert not (tmp_path / "out" / "lro_lowrank_vs_rank.png").exists()


def test_dss_partial_file_and_N_without_its_M(results_file):
    status = np.ones((4, 2, 1, 4, 1, 1, 2, 4), dtype=np.int8)
    status[1, :, :, 3] = 0  # softmax at N=40 pending: the sentences fall back to N=20
    status[2, 1] = 3  # kernel at d=16 failed
    path = dss_file(results_file, M=(10, 20, 40), status=status)  # N=5 has no M <= 5
    assert results.status_counts(results.load(path))["failed"] == 32
    text = claims_text(path)
    line = claim(text, "softmax beats linear on sphere at N=20 (d=8, classes=3)")
    assert "; over N = 10..20, softmax is ahead at N = 10, 20 and linear at no N" in line
    assert claim(text, "softmax vs kernel (relu) (d=16, classes=3)") == (
        "softmax vs kernel (relu) (d=16, classes=3): no N with ok cells for both")
    (ax8, _) = __import__("analysis.dss").dss.error_vs_N(results.load(path)).axes
    np.testing.assert_array_equal(ax8.lines[1].get_xdata(), [10, 20, 40])


def test_lro_theory_follows_a_sigma_axis(results_file):
    """With a sigma axis (no -sigma), every slice is compared at its own σ; flat spectrum."""
    def flat_lstar(N, sigma):
        lam, m0 = 1.0 / 4, 1.0 + sigma ** 2  # R = 1, k = 4: λ = R²/k
        return m0 - 4 * N * lam ** 2 / ((N + 1) * lam + m0)

    def excess(model, N, sigma, **_):
        return flat_lstar(N, sigma) * (1.05 if model == "linear" else 1.0) - 0.0

    path = results_file(excess=excess, models=("linear", "oracle"), d=(4, 8), k=(4,),
                        N=(5, 10), R=(1.0,), extra_axes={"sigma": (0.5, 1.0)}, replicates=1,
                        M=(5, 10), se=0.0, family="linreg", bayes=0.0,
                        options="-family linreg\n-sigma 7\n")  # the axis wins over -sigma
    lines = lro.claims(results.load(path), None)
    assert lines[0].startswith("oracle reaches the closed-form optimum L* within 0.0% at "
                               "every point (N = 5..10, d = 4..8; 4 points; k=4, R=1, "
                               "sigma=0.5)")  # exact: no replicates caveat
    assert lines[1] == (f"trained linear attention at N=10 (k=4, R=1, sigma=0.5; mean of 1 "
                        f"replicate): risk "
                        f"{1.05 * flat_lstar(10, 0.5):.4g} vs L* = {flat_lstar(10, 0.5):.4g} "
                        f"(+5.0%, no interval) at d=4; risk {1.05 * flat_lstar(10, 0.5):.4g} "
                        f"vs L* = {flat_lstar(10, 0.5):.4g} (+5.0%, no interval) at d=8: not "
                        f"enough replicates "
                        "to conclude (n = 1; need ≥ 4)")


def test_lz_partial_file(results_file):
    status = np.ones((4, 1, 1, 5, 1, 3, 2, 2, 4), dtype=np.int8)
    status[3, :, :, 4] = 0  # distill at N=80 pending: the gap is read at N=40
    status[3, ..., 0, 1, :] = 3  # distill (identity) with link=sign failed everywhere
    status[1, ..., 1, :, :] = 0  # kernel (prf) not run yet
    text = claims_text(lz_file(results_file, status=status))
    assert claim(text, "kernel (prf): ") == (
        "kernel (prf): no rate (d=8, k=4, R=1, features=256): fewer than two N with ok "
        "cells and a positive excess error")
    claim(text, "distill vs its softmax teacher (link=tanh, feature_map=prf) at N=40: gap ")
    assert claim(text, "distill vs its softmax teacher (link=sign, feature_map=identity)") == (
        "distill vs its softmax teacher (link=sign, feature_map=identity): no N with ok "
        "cells for both at two D values")
    assert "N^-0.5" in claim(text, "kernel (identity): excess error falls with N as N^-")


def test_lro_closed_form_is_not_claimed_for_rag_contexts(results_file):
    def excess(model, N, **_):
        return planted_lstar(N, 6) - SIGMA2

    path = results_file(excess=excess, models=("oracle",), d=(6,), k=(6,), N=(5, 10),
                        R=(R_LRO,), extra_axes={"alpha": (0.5, 0.9)}, replicates=1, M=(5, 10),
                        se=0.0, family="linreg", options=LRO_OPTIONS, bayes=SIGMA2)
    ds = results.load(path)
    assert lro.claims(ds, None) == ["oracle: no comparison with the closed-form optimum L*: the "
                              "closed form is for independent, stationary examples, not "
                              "alpha=0.5"]
    notes = []
    (ax,) = lro.risk_vs_N(ds, notes).axes
    assert notes == ["lro_risk_vs_N: closed-form L* not drawn: the closed form is for "
                     "independent, stationary examples, not alpha=0.5"]
    assert [line.get_label() for line in ax.lines] == ["oracle"]


def test_lro_closed_form_is_not_claimed_for_a_single_drift_option(results_file):
    path = lro_file(results_file, options=LRO_OPTIONS + "-alpha 0\n-drift 0.25\n",
                    replicates=1)
    assert lro.claims(results.load(path), None)[0] == (
        "lowrank: no comparison with the closed-form L*_r: the closed form is for "
        "independent, stationary examples, not drift=0.25")
