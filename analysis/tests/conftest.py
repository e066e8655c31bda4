"""Synthetic results.nc files written the way iclsweep writes them (docs/output.md)."""
import os

import netCDF4
import numpy as np
import pytest

from analysis.results import CATEGORICAL_AXES

os.environ.setdefault("MPLBACKEND", "Agg")

FILL = 9.969209968386869e36
BAYES = 0.0228
FLAG_MEANINGS = "pending ok diverged failed not_applicable"


def write_results(path, *, excess, models=("linear", "mle", "oracle", "bayes"),
                  d=(10, 40), k=(2,), N=(10, 20, 40), R=(2.0,), extra_axes=None,
                  replicates=2, M=(1, 10, 20, 40, 80), se=0.001, status=None, omit=(),
                  family="gmm", options=None, bayes=BAYES, flag_axes=True, codes=False,
                  train_loss=None):
    """Write a results.nc and return its path.

    `excess(model, d=, k=, N=, R=, replicate=, M=, **extra_axes)` gets broadcastable
    arrays and returns the excess error; test_error is `bayes` + excess. `extra_axes`
    ({name: values}) go between R and replicate, as later sweep axes will; categorical
    ones (link, feature_map, input_law) take integer codes here and are written as their
    names (strings, as iclsweep writes them), or with `codes` as the codes, as earlier
    iclsweep builds did, with CF flag attributes unless `flag_axes` is false.
    `status` (all but M) defaults to all ok; cells neither ok nor diverged get fill
    values, as in the real file. `omit` names variables to leave out, to make a malformed
    file. `family` None leaves the global attribute out; `options` is the text of the
    global attribute 'options' (none if None). `train_loss(model, **axes but M)`, if given,
    fills the train_loss variable (NaN: fill).
    """
    axes = {"d": np.array(d), "k": np.array(k), "N": np.array(N), "R": np.array(R, float),
            **{name: np.array(values, float) for name, values in (extra_axes or {}).items()},
            "replicate": np.arange(replicates), "M": np.array(M)}
    grids = dict(zip(axes, np.meshgrid(*axes.values(), indexing="ij")))
    shape = grids["M"].shape
    values = np.stack([np.broadcast_to(excess(model, **grids), shape) for model in models])
    shape = values.shape
    if status is None:
        status = np.ones(shape[:-1], dtype=np.int8)
    written = np.broadcast_to(np.isin(status, (1, 2))[..., None], shape)
    with netCDF4.Dataset(path, "w") as nc:
        if family is not None:
            nc.family = family
        if options is not None:
            nc.options = options
        nc.fingerprint = "0123456789abcdef"
        nc.createDimension("model", len(models))
        var = nc.createVariable("model", str, ("model",))
        var[:] = np.array(models, dtype=object)
        for name, coord in axes.items():
            nc.createDimension(name, len(coord))
            if name in CATEGORICAL_AXES and not codes:
                var = nc.createVariable(name, str, (name,))
                var[:] = np.array([CATEGORICAL_AXES[name][int(c)] for c in coord], dtype=object)
                continue
            var = nc.createVariable(name, "f8" if coord.dtype.kind == "f" else "i4", (name,))
            var[:] = coord
            if flag_axes and name in CATEGORICAL_AXES:
                var.flag_values = np.arange(len(CATEGORICAL_AXES[name]), dtype=np.int8)
                var.flag_meanings = " ".join(CATEGORICAL_AXES[name])
        full = ("model", *axes)
        data = {"test_error": bayes + values, "test_error_se": np.full(shape, se),
                "excess_error": values}
        for name, array in data.items():
            if name not in omit:
                var = nc.createVariable(name, "f8", full, fill_value=FILL)
                var[:] = np.where(written, array, FILL)
        if train_loss is not None:
            cell = {name: grid[..., 0] for name, grid in grids.items() if name != "M"}
            loss = np.stack([np.broadcast_to(train_loss(model, **cell), shape[1:-1]) for model in models])
            var = nc.createVariable("train_loss", "f8", full[:-1], fill_value=FILL)
            var[:] = np.where(np.isfinite(loss) & written[..., 0], loss, FILL)
        if "status" not in omit:
            var = nc.createVariable("status", "i1", full[:-1])
            var.flag_values = np.arange(5, dtype=np.int8)
            var.flag_meanings = FLAG_MEANINGS
            var[:] = status
    return path


@pytest.fixture
def results_file(tmp_path):
    """Factory: results_file(name, **write_results options) -> path in tmp_path."""
    return lambda name="results.nc", **options: write_results(tmp_path / name, **options)


def mv_like_excess(model, d, N, M, **_):
    """Excess errors shaped like MV's claims, with values easy to check by hand.

    At M = N: linear 0.5/N·(1 + d/1000) (barely depends on d), mle 0.01·d/N (linear in d),
    oracle 0.2/N, bayes 0. Away from M = N the error scales like N/M.
    """
    base = {"linear": 0.5 / N * (1 + d / 1000), "mle": 0.01 * d / N, "oracle": 0.2 / N,
            "bayes": 0.0 * N}[model]
    return base * N / M
