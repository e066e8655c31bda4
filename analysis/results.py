"""Open a results.nc and check it has what the figures and summary rely on.

Everything that can be wrong with the input is reported as one ``InputError``
naming the file and the problem, so the CLI can print one line instead of a
traceback from deep inside xarray.
"""
from pathlib import Path

import numpy as np
import xarray as xr

# Variables the analysis reads; test_error_se also gives the band of a single replicate.
REQUIRED_VARIABLES = ("test_error", "test_error_se", "excess_error", "status")
# Axes the figures are drawn over; every other dimension is a sweep axis held fixed.
REQUIRED_DIMENSIONS = ("model", "d", "N", "replicate", "M")
# Used when the status variable lacks CF flag attributes (see SPEC section 6).
DEFAULT_FLAGS = {"pending": 0, "ok": 1, "diverged": 2, "failed": 3, "not_applicable": 4}


class InputError(Exception):
    """The results file is missing, unreadable, or lacks part of the schema."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")


def load(path):
    """Read the whole file into memory, validated, with numeric axes sorted ascending.

    A directory is taken to mean the results.nc inside it, as `iclsweep run -output DIR`
    writes it there.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "results.nc"
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        # No time decoding: wall_seconds (units "s") must stay a plain number.
        with xr.open_dataset(path, engine="netcdf4", decode_times=False,
                             decode_timedelta=False) as handle:
            ds = handle.load()
    except (OSError, ValueError, RuntimeError) as err:
        reason = getattr(err, "strerror", None) or err  # strerror omits the repeated path
        raise InputError(path, f"not a readable NetCDF file ({reason})") from None
    _validate(ds, path)
    numeric = [dim for dim in ds.test_error.dims if dim != "model" and dim in ds.coords]
    return ds.sortby(numeric)


def _validate(ds, path):
    for name in REQUIRED_VARIABLES:
        if name not in ds.data_vars:
            raise InputError(path, f"missing variable '{name}'")
    dims = ds.test_error.dims
    for dim in REQUIRED_DIMENSIONS:
        if dim not in dims:
            raise InputError(path, f"variable 'test_error' lacks dimension '{dim}'")
        if dim != "replicate" and dim not in ds.coords:
            raise InputError(path, f"dimension '{dim}' has no coordinate variable")
    for name in ("test_error_se", "excess_error"):
        if set(ds[name].dims) != set(dims):
            raise InputError(path, f"variable '{name}' has dimensions {ds[name].dims}, "
                                   f"expected those of test_error {dims}")
    if set(ds.status.dims) != set(dims) - {"M"}:
        raise InputError(path, f"variable 'status' has dimensions {ds.status.dims}, "
                               f"expected those of test_error without M")
    if not (ds.M.values[:, None] <= ds.N.values[None, :]).any():
        raise InputError(path, "no test context length M is <= any N, so M = N cannot be compared")
    if "ok" not in flags(ds):
        raise InputError(path, "variable 'status' has no 'ok' in its flag_meanings")


def flags(ds):
    """Status meaning -> code, from the CF flag attributes when present."""
    values = ds.status.attrs.get("flag_values")
    meanings = ds.status.attrs.get("flag_meanings")
    if values is None or meanings is None:
        return dict(DEFAULT_FLAGS)
    return {name: int(code) for name, code in zip(str(meanings).split(), np.atleast_1d(values))}


def status_counts(ds):
    """Number of cells per status meaning.

    A code outside the flags (or a fill value) is a cell nobody has written yet, so it
    is counted as pending.
    """
    codes = flags(ds)
    status = ds.status.values
    counts = {name: int((status == code).sum()) for name, code in codes.items()}
    counts["pending"] = counts.get("pending", 0) + int(status.size - sum(counts.values()))
    return counts


def ok_only(ds, name):
    """`ds[name]` with every cell whose status is not ok set to NaN.

    Diverged cells may carry numbers, but they are not results of a finished training.
    """
    return ds[name].where(ds.status == flags(ds)["ok"])


def family(ds):
    """Task family from the global attributes, or 'unknown' when the writer omitted it."""
    return str(ds.attrs.get("family", "unknown"))
