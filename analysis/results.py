"""Open a results.nc and check it has what the figures and summary rely on.

Everything that can be wrong with the input is reported as one ``InputError``
naming the file and the problem, so the CLI can print one line instead of a
traceback from deep inside xarray.
"""
from pathlib import Path

import numpy as np
import xarray as xr

# Variables of the schema the analysis relies on (test_error_se is exported, not drawn:
# bands come from the spread of replicates).
REQUIRED_VARIABLES = ("test_error", "test_error_se", "excess_error", "status")
# Axes the figures are drawn over; every other dimension is a sweep axis held fixed.
REQUIRED_DIMENSIONS = ("model", "d", "N", "replicate", "M")
# Used when the status variable lacks CF flag attributes (see docs/output.md).
DEFAULT_FLAGS = {"pending": 0, "ok": 1, "diverged": 2, "failed": 3, "not_applicable": 4}
# Categorical sweep axes. iclsweep writes their names as string coordinates (like model);
# files of earlier versions hold integer codes, named by the coordinate's CF flag_values /
# flag_meanings, or by these lists where the writer left the attributes out. load gives
# names either way.
CATEGORICAL_AXES = {
    "feature_map": ("identity", "elu1", "relu", "exp", "prf", "poly2"),
    "link": ("tanh", "sin", "relu", "abs", "sign"),
    "input_law": ("gauss", "laplace", "uniform"),
}


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
    ds = _name_categories(ds)
    numeric = [dim for dim in ds.test_error.dims if dim in ds.coords and ds[dim].dtype.kind in "iuf"]
    return ds.sortby(numeric)


def _name_categories(ds):
    """Categorical axes as numpy strings: the names iclsweep writes, or those of the integer
    codes of earlier files."""
    for dim in CATEGORICAL_AXES:
        if dim in ds.coords:
            values = ds[dim].values
            if values.dtype.kind in "iuf":
                names = category_names(ds, dim)
                values = [names[int(value)] for value in values]
            ds = ds.assign_coords({dim: np.asarray(values, dtype=str)})
    return ds


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
    _validate_family(ds, path)
    for dim in CATEGORICAL_AXES:
        if dim in dims and dim in ds.coords:
            _validate_categorical(ds, dim, path)


def _validate_family(ds, path):
    """The family attribute and the -family option, when both are there, agree.

    An axis that belongs to another family (say `rank` in a gmm sweep) is not an error
    here: the MV figures hold it fixed, and the paper figures that need it say why they
    are not drawn (papers.py).
    """
    attribute, option = ds.attrs.get("family"), options(ds).get("family")
    if attribute is not None and option is not None and str(attribute) != option:
        raise InputError(path, f"global attribute family = {attribute} but the options "
                               f"attribute says -family {option}")


def _validate_categorical(ds, dim, path):
    if ds[dim].dtype.kind not in "iuf":
        return  # names already
    names = category_names(ds, dim)
    values = ds[dim].values
    unknown = [value for value in values
               if not float(value).is_integer() or int(value) not in names]
    if unknown:
        known = ", ".join(f"{code} {name}" for code, name in names.items())
        raise InputError(path, f"axis '{dim}' has value {unknown[0]:g}, not one of its codes "
                               f"({known})")


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


def options(ds):
    """The effective options from the global attribute 'options', as {name: text}.

    iclsweep writes them one per line in options-file form ("-family linreg\n-sigma 0.5\n
    ..."); a name given twice keeps its last value, as in PETSc. Missing: {}.
    """
    found = {}
    for line in str(ds.attrs.get("options", "")).splitlines():
        words = line.split(None, 1)
        if words and words[0].startswith("-") and len(words[0]) > 1:
            found[words[0][1:]] = words[1].strip() if len(words) > 1 else ""
    return found


def family(ds):
    """Task family: the global attribute 'family', else -family in the 'options' attribute,
    else 'unknown'."""
    if "family" in ds.attrs:
        return str(ds.attrs["family"])
    return options(ds).get("family", "unknown")


def category_names(ds, dim):
    """{code: name} of a categorical axis of integer codes (files of earlier iclsweep
    versions), from its CF flag attributes or CATEGORICAL_AXES."""
    attrs = ds[dim].attrs
    if "flag_values" in attrs and "flag_meanings" in attrs:
        return {int(code): name for code, name in zip(np.atleast_1d(attrs["flag_values"]),
                                                      str(attrs["flag_meanings"]).split())}
    return dict(enumerate(CATEGORICAL_AXES.get(dim, ())))


def axis_label(ds, dim, value):
    """'link=tanh' for a categorical axis, 'd=8' (or 'R=1.5') for a numeric one."""
    if isinstance(value, str):
        return f"{dim}={value}"
    return f"{dim}={float(value):g}"


def describe(ds, picked):
    """'k=2, link=tanh' for a {dim: value} dict, naming categorical values."""
    return ", ".join(axis_label(ds, dim, value) for dim, value in picked.items())
