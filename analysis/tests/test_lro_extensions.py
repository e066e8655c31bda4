"""analysis/lro.py's LoRA and alignment additions on synthetic files with known answers."""
import numpy as np
import pytest

from analysis import lro, results

LORA_OPTIONS = "-family linreg\n-oracle_lora\n-source_spectrum flat\n-spectrum geometric:0.3\n"


def lora_excess(model, N, M, rank, **_):
    """oracle: the exact optimum 1/(1 + r) / N; lora 2% above it; linear at the r = 2 level."""
    exact = 1.0 / (1.0 + rank) / N * (N / M)
    return {"oracle": exact, "lora": 1.02 * exact, "linear": 0.0 * rank + 1.0 / 3 / M}[model]


def test_lora_claims_and_figure(results_file):
    path = results_file(models=("lora", "oracle", "linear"), d=(6,), N=(10, 20), M=(10, 20),
                        extra_axes={"rank": (0, 1, 2)}, family="linreg", options=LORA_OPTIONS,
                        bayes=0.25, excess=lora_excess)
    ds = results.load(path)
    rows = lro.lora_rows(ds)
    assert len(rows) == 6
    for d, n, r, trained, exact in rows:
        assert exact == pytest.approx(0.25 + 1 / (1 + r) / n)
        assert trained == pytest.approx(0.25 + 1.02 / (1 + r) / n)
    lines = lro.extension_claims(ds)
    assert lines[0].startswith("lora reaches the exact optimum of W₀ + rank-r within ")
    gap = max((0.25 + 1.02 / (1 + r) / n) / (0.25 + 1 / (1 + r) / n) - 1 for r in (0, 1, 2) for n in (10, 20))
    assert f"within {gap:.1%}" in lines[0]
    assert "W₀ alone has target risk" in lines[1] and "linear retrained from scratch" in lines[1]
    notes = []
    stems = [stem for stem, _ in lro.extension_figures(ds, notes)]
    assert stems == ["lro_lora_vs_rank"]


def test_lora_without_oracle_lora_says_so(results_file):
    path = results_file(models=("lora", "oracle"), d=(6,), N=(10,), M=(10,),
                        extra_axes={"rank": (0, 1)}, family="linreg", options="-family linreg\n",
                        excess=lambda model, N, **_: 0.1 / N)
    assert "no exact LoRA optimum" in lro.lora_claims(results.load(path))[0]


def alignment_excess(model, N, M, alignment, **_):
    """excess c(a)/N with c = 4 - 2a (oracle) and 1.1 c (linear): N*(ε) = c/ε exactly."""
    c = (4.0 - 2.0 * alignment) * (1.1 if model == "linear" else 1.0)
    return c / N * (N / M)


def test_alignment_nstar(results_file):
    N = (2, 4, 8, 16, 32, 64)
    path = results_file(models=("linear", "oracle"), d=(8,), N=N, M=N,
                        extra_axes={"alignment": (0.0, 0.5, 1.0)}, family="linreg",
                        options="-family linreg\n-x_spectrum geometric:0.5\n",
                        excess=alignment_excess)
    ds = results.load(path)
    rows = lro.alignment_nstar_table(ds)
    assert rows
    for model, d, eps, a, value, flag in rows:
        c = (4.0 - 2.0 * a) * (1.1 if model == "linear" else 1.0)
        if flag == "interpolated":
            assert value == pytest.approx(c / eps, rel=1e-9)
    oracle = sorted((a, v) for m, _, eps, a, v, f in rows if m == "oracle" and eps == max(r[2] for r in rows))
    assert [v for _, v in oracle] == sorted([v for _, v in oracle], reverse=True)  # falls with a
    notes = []
    stems = [stem for stem, _ in lro.extension_figures(ds, notes)]
    assert stems == ["lro_alignment_risk_vs_N", "lro_alignment_nstar"]
    assert any("N*(ε) at alignment 0, 0.5, 1" in line for line in lro.extension_claims(ds))


def test_theory_refuses_non_identity_features(results_file):
    path = results_file(models=("oracle",), d=(8,), k=(8,), N=(10,), M=(10,), family="linreg",
                        options="-family linreg\n-x_spectrum geometric:0.5\n-sigma 0.5\n",
                        excess=lambda model, N, **_: 0.1 / N)
    with pytest.raises(lro.TheoryUnavailable, match="x_spectrum"):
        lro.theory(results.load(path), {"k": 8, "R": 2.0})
