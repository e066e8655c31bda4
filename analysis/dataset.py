"""The documented API for notebooks: `load` a results.nc as a tidy xarray Dataset and
`export` it as a flat table (CSV, or Parquet where pyarrow is installed).

    import analysis
    ds = analysis.load("runs/sweep/results.nc")   # only ok cells carry numbers
    ds.test_error.sel(model="linear", link="tanh").mean("replicate")
    analysis.export(ds, "sweep.csv")              # one row per (cell, M)
"""
from pathlib import Path

import numpy as np

from . import results

# Variables a cell (all axes but M) owns; numbers of cells that are not ok are NaN.
STATUS = "status"


def load(path):
    """results.nc (or the directory holding it) as an xarray Dataset, ready to use:

    - every number of a cell whose status is not ok is NaN (pending, failed, diverged and
      not_applicable cells carry no result);
    - `status` holds the status names ('ok', 'pending', ...) instead of codes;
    - categorical axes (feature_map, link, input_law) have their names as coordinate
      values ('tanh', 'relu', ...), as iclsweep writes them (files of earlier versions
      store integer codes: they are named here);
    - numeric axes sorted ascending.

    A missing, unreadable or malformed file raises results.InputError (one line).
    """
    ds = results.load(path)
    ok = ds[STATUS] == results.flags(ds)["ok"]
    for name, var in ds.data_vars.items():
        if name != STATUS and var.dtype.kind == "f" and set(ds[STATUS].dims) <= set(var.dims):
            ds[name] = var.where(ok)
    names = {code: name for name, code in results.flags(ds).items()}
    ds[STATUS] = ds[STATUS].copy(data=np.vectorize(lambda code: names.get(int(code), "pending"),
                                                   otypes=[object])(ds[STATUS].values))
    return ds


def export(ds, path):
    """Write `ds` (a Dataset from load, or a path to give load) as one row per (cell, M):
    every axis a column, then every variable of the grid (cell variables such as status
    and train_loss repeated along M). The format follows the suffix: .csv, or .parquet
    (needs pyarrow). Returns the path written."""
    if not hasattr(ds, "data_vars"):
        ds = load(ds)
    path = Path(path)
    dims = set(ds.test_error.dims)
    grid = [name for name, var in ds.data_vars.items() if set(var.dims) <= dims]
    frame = ds[grid].to_dataframe().reset_index()
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)  # ImportError without pyarrow
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: export writes .csv or .parquet, not '{path.suffix}'")
    return path
