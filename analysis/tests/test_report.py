"""`report` writes one self-contained report.md whose figures and tables sit beside it."""
import json
import re

import numpy as np

from analysis.__main__ import main

from .conftest import mv_like_excess


def test_report_has_provenance_status_figures_and_verdict(results_file, tmp_path, capsys):
    status = np.ones((4, 2, 1, 5, 1, 4), dtype=np.int8)
    status[3] = 4  # bayes not applicable: 40 cells
    path = results_file(excess=mv_like_excess, status=status, N=(10, 20, 40, 80, 160),
                        M=(10, 20, 40, 80, 160), replicates=4)
    outdir = tmp_path / "report"
    assert main(["report", str(path), "--eps", "0.008", "--draws", "100",
                 "-o", str(outdir)]) == 0
    assert "skipped 40 not_applicable cells" in capsys.readouterr().err
    text = (outdir / "report.md").read_text()
    for heading in ("## Results", "### Verdict", "## Figures", "## Cells", "## Provenance"):
        assert f"\n{heading}\n" in text, heading
    assert "| fingerprint | 0123456789abcdef |" in text
    assert "| not_applicable | 40 |" in text
    # At ε = 0.008, mv_like_excess gives N* = 0.505/ε and 0.52/ε for linear at d = 10, 40
    # (slope log(1.04/1.01)/log 4), 0.1/ε and 0.4/ε for mle (slope 1), 0.2/ε for oracle;
    # the replicates are identical, so the intervals have zero width.
    assert ("- trained linear attention (ε = 0.008): N* grows as d^0.021 [0.021, 0.021] "
            "(95% CI, 4 replicates) — nearly dimension-independent" in text)
    assert ("- mle (ε = 0.008): N* grows as d^1.000 [1.000, 1.000] (95% CI, 4 replicates) — "
            "linear in d\n" in text)
    assert ("- oracle (ε = 0.008): N* grows as d^0.000 [0.000, 0.000] (95% CI, 4 replicates) "
            "— dimension-" in text)
    assert "| linear | 0.008 | 10 | 2 | 2 | 63.1 [63.1, 63.1] | interpolated |" in text
    assert "not enough replicates" not in text
    linked = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert linked == ["accuracy_vs_M.png", "excess_vs_N.png", "nstar_vs_d.png"]
    for name in linked:
        assert (outdir / name).stat().st_size > 10_000
    assert not list(outdir.glob("*.pdf"))
    sidecar = json.loads((outdir / "fit.json").read_text())
    assert sidecar["status_counts"]["not_applicable"] == 40
    assert sidecar["source"] == "results.nc"  # the path as given, relative, or the name only
    assert len(sidecar["sentences"]) == 3  # bayes has no excess error: no N*, no sentence
    assert "bayes" not in text.split("## Figures")[0]


def test_report_records_no_absolute_path(results_file, tmp_path, capsys):
    path = results_file(excess=mv_like_excess, options="-family gmm\n-output /scratch/me/run7\n")
    out = tmp_path / "report"
    assert main(["report", str(path), "--draws", "20", "-o", str(out)]) == 0
    text = (out / "report.md").read_text() + (out / "fit.json").read_text()
    assert "-output run7" in text and "`results.nc`" in text
    assert str(tmp_path) not in text and "/scratch" not in text
