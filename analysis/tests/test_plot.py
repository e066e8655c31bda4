"""`plot` writes both figures, skips and counts cells that are not ok."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis import results
from analysis.__main__ import main
from analysis.mv import accuracy_vs_M

from .conftest import BAYES, mv_like_excess

REPO = Path(__file__).resolve().parents[2]
FIGURES = ("accuracy_vs_M.png", "accuracy_vs_M.pdf", "excess_vs_N.png", "excess_vs_N.pdf",
           "nstar_vs_d.png", "nstar_vs_d.pdf")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_plot_writes_png_and_pdf(results_file, tmp_path, capsys):
    figdir = tmp_path / "figs"
    assert main(["plot", str(results_file(excess=mv_like_excess)), "-o", str(figdir)]) == 0
    for name in FIGURES:
        assert (figdir / name).stat().st_size > 10_000, name
    assert (figdir / "accuracy_vs_M.png").read_bytes()[:8] == PNG_MAGIC
    out, err = capsys.readouterr()
    assert out.split() == [str(figdir / name) for name in FIGURES]
    assert err == ""


# docs/reference.md: MV Fig. 1 accuracies at d=500, k=30, N=40, R=2.
MV_M = (1, 5, 10, 20, 30, 40, 50, 100)
MV_ACCURACY = {"linear": (.690, .837, .890, .925, .938, .945, .949, .957),
               "mle": (.570, .652, .706, .771, .810, .837, .857, .909),
               "oracle": (.743, .893, .934, .956, .963, .967, .969, .973)}


def test_accuracy_figure_draws_the_MV_reference_numbers_with_se_band(results_file):
    def excess(model, M, **_):
        return 1 - np.array(MV_ACCURACY[model])[np.searchsorted(MV_M, M)] - BAYES

    path = results_file(excess=excess, models=tuple(MV_ACCURACY), d=(500,), k=(30,), N=(40,),
                        replicates=1, M=MV_M, se=0.0015)
    (ax,) = accuracy_vs_M(results.load(path)).axes
    assert ax.get_title() == "d=500"
    for line, band, (model, accuracy) in zip(ax.lines, ax.collections, MV_ACCURACY.items()):
        assert line.get_label() == model
        np.testing.assert_allclose(line.get_xdata(), MV_M)
        np.testing.assert_allclose(line.get_ydata(), accuracy, atol=1e-12)
        edge = band.get_paths()[0].vertices[:, 1]  # one replicate: band is ±1.96·se
        assert edge.max() == pytest.approx(max(accuracy) + 1.959964 * 0.0015, abs=1e-6)
        assert edge.min() == pytest.approx(min(accuracy) - 1.959964 * 0.0015, abs=1e-6)


def test_partial_file_plots_and_reports_skipped_cells(results_file, tmp_path, capsys):
    status = np.ones((4, 2, 1, 3, 1, 2), dtype=np.int8)
    status[:, 1, 0, 2, 0, :] = 0  # d=40, N=40 pending for all models: 8 cells
    status[1, 0, 0, 0, 0, 1] = 3  # one failed
    status[0, :, 0, :, 0, :] = 0  # linear entirely pending: 12 cells, 8 - 2 counted above
    path = results_file(excess=mv_like_excess, status=status, M=(1, 5, 15, 30))
    assert main(["plot", str(path), "-o", str(tmp_path / "figs")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "skipped 18 pending / 1 failed cells" in err
    assert any("N=10: M=5, N=20: M=15, N=40: M=30" in line for line in err)
    assert (tmp_path / "figs" / "excess_vs_N.png").stat().st_size > 10_000


def test_module_entry_point_runs_as_a_command(results_file, tmp_path):
    path = results_file(excess=mv_like_excess)
    done = subprocess.run([sys.executable, "-m", "analysis", "plot", str(path), "-o",
                           str(tmp_path / "figs")], cwd=REPO, capture_output=True, text=True,
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "figs" / "excess_vs_N.png").stat().st_size > 10_000
