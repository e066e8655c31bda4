"""The documented API: load (ok cells only, named categories, status names) and export
(one row per cell and M)."""
import importlib.util

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.__main__ import main

from .conftest import mv_like_excess


@pytest.mark.parametrize("codes", (False, True))  # names (iclsweep now), codes (earlier files)
def test_load_masks_cells_that_are_not_ok_and_names_categories(results_file, codes):
    status = np.ones((4, 2, 1, 3, 1, 2, 2), dtype=np.int8)  # model, d, k, N, R, link, rep
    status[0, 0, 0, 0, 0, 0, 1] = 3  # one failed cell: all its M values must be NaN
    path = results_file(excess=lambda model, d, N, M, link, **_: mv_like_excess(model, d, N, M)
                        + 0 * link, extra_axes={"link": (0, 4)}, status=status, codes=codes)
    ds = analysis.load(path)
    assert ds.link.values.tolist() == ["tanh", "sign"]
    assert float(ds.test_error.sel(link="sign", model="mle", d=40, N=20, M=40, replicate=1)) == \
        pytest.approx(0.0228 + 0.01)
    cell = dict(model="linear", d=10, N=10, link="tanh")
    assert np.isnan(ds.test_error.sel(**cell, replicate=1)).all()
    assert np.isfinite(ds.test_error.sel(**cell, replicate=0)).all()
    assert ds.status.sel(**cell).values.ravel().tolist() == ["ok", "failed"]


def test_export_has_one_row_per_cell_and_M(results_file, tmp_path, capsys):
    path = results_file(excess=mv_like_excess, extra_axes={"link": (0, 4)})
    out = tmp_path / "grid.csv"
    assert main(["export", str(path), "-o", str(out)]) == 0
    frame = pd.read_csv(out)
    cells = 4 * 2 * 1 * 3 * 1 * 2 * 2  # model d k N R link replicate
    assert len(frame) == cells * 5  # five M values
    assert {"model", "d", "N", "M", "link", "replicate", "test_error", "status"} <= set(frame)
    row = frame[(frame.model == "mle") & (frame.d == 40) & (frame.N == 20) & (frame.M == 40)
                & (frame.link == "sign") & (frame.replicate == 1)]
    assert row.test_error.item() == pytest.approx(0.0228 + 0.01 * 40 / 20 * 20 / 40)
    assert row.status.item() == "ok"
    assert main(["export", str(path), "-o", str(tmp_path / "grid.xlsx")]) == 2
    assert "export writes .csv or .parquet" in capsys.readouterr().err


def test_export_parquet_where_pyarrow_exists(results_file, tmp_path, capsys):
    path = results_file(excess=mv_like_excess)
    code = main(["export", str(path), "-o", str(tmp_path / "grid.parquet")])
    if importlib.util.find_spec("pyarrow") is None:
        assert code == 2 and "Parquet needs pyarrow" in capsys.readouterr().err
        return
    assert code == 0 and len(pd.read_parquet(tmp_path / "grid.parquet")) == 4 * 2 * 3 * 2 * 5
