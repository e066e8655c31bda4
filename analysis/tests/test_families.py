"""Each family's report: the figures its question needs and only those, none with an empty
panel, axes named with the family's metric, no advice the family cannot follow, and the
few-replicates caveat exactly when there are fewer than four replicates."""
import json
import re

import pytest

from analysis import families, results
from analysis.__main__ import main
from analysis.fit import analyse

from .conftest import mv_like_excess
from .test_papers import dss_file, lro_file, lz_file

CAVEAT = "not enough replicates to conclude (n = 2; need ≥ 4)"
# family -> (figure stems, y label of the family's curves, words that must not appear)
EXPECTED = {
    "gmm": ({"accuracy_vs_M", "excess_vs_N", "nstar_vs_d"},
            {"accuracy (1 − error rate)", "excess error (test error rate − Bayes)", "N*(ε)"},
            ()),
    "linreg": ({"lro_risk_vs_N", "lro_lowrank_vs_rank"}, {"risk (test mean squared error)"},
               ("mle", "needs both", "accuracy")),
    "sphere": ({"dss_error_vs_N"}, {"test error rate (misclassification)"},
               ("excess error", "mle", "needs both", "no ok cells")),
    "distreg": ({"lz_error_vs_N", "lz_feature_maps", "lz_distill_gap_vs_D"},
                {"excess error (test MSE − σ²)", "distillation loss E(student − teacher)²"},
                ("mle", "needs both", "accuracy")),
}


def sweep(family, results_file, replicates):
    name = f"{family}{replicates}.nc"
    if family == "gmm":
        return results_file(name, excess=mv_like_excess, replicates=replicates)
    if family == "linreg":
        return lro_file(results_file, replicates=replicates, name=name)
    if family == "sphere":
        return dss_file(results_file, replicates=replicates, name=name)
    return lz_file(results_file, replicates=replicates, name=name)


@pytest.mark.parametrize("family", EXPECTED)
def test_family_figures_have_no_empty_panel_and_the_family_metric(family, results_file):
    ds = results.load(sweep(family, results_file, 2))
    stems, labels, _ = EXPECTED[family]
    notes = families.notes(ds)
    paper = families.paper(ds)
    figures = dict(paper.figures(ds, analyse(ds, draws=20, metric=paper.METRIC), notes))
    assert set(figures) == stems and notes == []
    for stem, fig in figures.items():
        for ax in (ax for ax in fig.axes if ax.get_visible()):
            assert ax.lines, (stem, ax.get_title())  # every panel has a curve
            assert ax.get_ylabel() in labels, (stem, ax.get_ylabel())
        title = " ".join(fig._suptitle.get_text().split())
        assert "unreliable with 2 replicates (need ≥ 4)" in title, stem


@pytest.mark.parametrize("family", EXPECTED)
def test_report_claims_say_too_few_replicates_at_2_and_conclude_at_6(family, results_file,
                                                                      tmp_path, capsys):
    _, _, forbidden = EXPECTED[family]
    texts = {}
    for replicates in (2, 6):
        out = tmp_path / f"{family}{replicates}"
        assert main(["report", str(sweep(family, results_file, replicates)), "--draws", "50",
                     "-o", str(out)]) == 0
        err = capsys.readouterr().err
        assert "no ok cells" not in err and "not drawn" not in err, err
        texts[replicates] = (out / "report.md").read_text()
        claims = json.loads((out / "fit.json").read_text())["paper_claims"]
        assert claims
        for word in forbidden:
            assert word not in texts[replicates], (family, word)
    claims2 = texts[2].split("## Paper claims")[1].split("## Results")[0]
    claims6 = texts[6].split("## Paper claims")[1].split("## Results")[0]
    assert CAVEAT in claims2
    assert "not enough replicates" not in texts[6]
    assert "unreliable" not in texts[6] and "unreliable" in texts[2]
    for line in claims6.split("\n- ")[1:]:  # each names its effect, interval and replicates
        if not line.startswith("oracle") and "no slope" not in line:  # closed form, or no N*
            assert re.search(r"6 (paired )?replicates", line) and "95% CI" in line, line
