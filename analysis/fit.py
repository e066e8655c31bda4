"""Rate fits and sample complexity for every curve of a sweep, with bootstrap intervals.

A curve is one (model, d, k, R, any extra axis): its excess error against N at M = N,
and against M at its largest N. Each curve's replicates are resampled once (fixed seed,
SEED and the curve's position), and the same draws give the intervals of the power-law
exponents and of N*(ε), so the verdict slopes (verdict.py) can reuse them.
"""
from dataclasses import dataclass

import numpy as np
import xarray as xr

from . import results
from .nstar import as_bounds, default_eps, n_star
from .powerlaw import loglog_fit
from .selection import at_M_equals_N, substitutions
from .stats import DRAWS, SEED, bootstrap_means, percentile_interval


@dataclass
class Fit:
    """What `fit` found; every Dataset is indexed by model and the sweep axes but N and M.

    rates: exponent a of excess ∝ N^-a (at M = N) and ∝ M^-a (at the curve's largest N),
    with intervals. nstar: N*(ε) at every ε `level` (point, interval, flag, draws).
    eps: ε per (model, level), given on the command line or chosen by nstar.default_eps
    (eps_given). n_grid: the smallest and largest N at M = N. substitutions: N values
    whose M = N point used a smaller M.
    """
    rates: xr.Dataset
    nstar: xr.Dataset
    eps: xr.DataArray
    eps_given: bool
    n_grid: tuple
    draws: int
    seed: int
    substitutions: str
    metric: str = "excess_error"

    @property
    def single_n(self):
        """One N at M = N: no threshold crossing to find and no rate to fit."""
        return self.n_grid[0] == self.n_grid[1]


def curve_dims(ds):
    """The dimensions that tell curves apart: model first, then all but N, M and replicate."""
    return ["model"] + [dim for dim in ds.test_error.dims
                        if dim not in ("model", "N", "M", "replicate")]


def analyse(ds, eps=None, draws=DRAWS, seed=SEED, metric="excess_error"):
    """Fit every curve of `ds` on `metric` (excess_error, or test_error for a family with no
    Bayes error). `eps`: ε values for all models, or None to pick per model.

    Models whose metric is never positive at M = N (exact learners: bayes has excess 0)
    have no rate and no N*, so they are left out rather than tabled as 'no data'.
    """
    ds = ds.sel(model=_with_values(ds, metric))
    excess = results.ok_only(ds, metric)
    dims = curve_dims(ds)
    at_n = at_M_equals_N(excess)
    shape = tuple(excess.sizes[dim] for dim in dims)
    by_n = at_n.transpose(*dims, "replicate", "N").values.reshape(-1, at_n.sizes["replicate"],
                                                                   at_n.sizes["N"])
    by_m = excess.transpose(*dims, "replicate", "N", "M").values.reshape(
        -1, *(excess.sizes[dim] for dim in ("replicate", "N", "M")))
    n_values, m_values = at_n.N.values, excess.M.values
    count, width = len(by_n), len(n_values) + len(m_values)
    mean, boot = np.full((count, width), np.nan), np.full((count, draws, width), np.nan)
    replicates, n_for_m = np.zeros(count, int), np.full(count, np.nan)
    for curve in range(count):  # one resampling per curve serves both fits and N*
        vs_m, n_for_m[curve] = _at_largest_n(by_m[curve], excess.N.values)
        mean[curve], resampled, replicates[curve] = bootstrap_means(
            np.concatenate([by_n[curve], vs_m], axis=1), draws,
            np.random.default_rng([seed, curve]))
        if resampled is not None:
            boot[curve] = resampled
    mean_n, mean_m = np.split(mean, [len(n_values)], axis=1)
    boot_n, boot_m = np.split(boot, [len(n_values)], axis=2)

    coords = {dim: excess[dim].values for dim in dims}
    rates = xr.Dataset({"replicates": ("curve", replicates), "N_for_M_fit": ("curve", n_for_m),
                        **_rate_vars("N", n_values, mean_n, boot_n, replicates),
                        **_rate_vars("M", m_values, mean_m, boot_m, replicates)})
    curve_models = np.repeat(ds.model.values, count // len(ds.model))  # model is dims[0]
    eps_levels = _eps_levels(ds.model.values, curve_models, mean_n, eps)
    nstar = _nstar_vars(n_values, mean_n, boot_n, eps_levels.sel(model=curve_models).values,
                        replicates)
    return Fit(rates=_unflatten(rates, dims, shape, coords),
               nstar=_unflatten(nstar, dims, shape, coords), eps=eps_levels, eps_given=bool(eps),
               n_grid=(float(n_values[0]), float(n_values[-1])),
               draws=draws, seed=seed, substitutions=substitutions(at_n), metric=metric)


def _with_values(ds, metric):
    """The models with a positive ok value of `metric` at M = N (all if none has one)."""
    positive = (at_M_equals_N(results.ok_only(ds, metric)) > 0)
    models = [model for model in ds.model.values if positive.sel(model=model).any()]
    return models or list(ds.model.values)


def _unflatten(flat, dims, shape, coords):
    """Turn the 'curve' dimension back into the sweep axes it was flattened from."""
    return xr.Dataset({name: (dims + list(var.dims[1:]),
                              var.values.reshape(shape + var.shape[1:]))
                       for name, var in flat.data_vars.items()},
                      coords=coords)


def _at_largest_n(values, n_values):
    """(replicate, M) excess at the largest N holding any ok cell of this curve, and that N."""
    has_data = np.isfinite(values).any(axis=(0, 2))
    if not has_data.any():
        return values[:, -1, :], np.nan
    last = np.flatnonzero(has_data)[-1]
    return values[:, last, :], n_values[last]


def _rate_vars(axis, x, mean, boot, replicates):
    """Exponent a (excess ∝ x^-a), its interval, prefactor C and points used, vs `axis`."""
    slope, intercept, points = loglog_fit(x, mean)
    lo, hi = percentile_interval(np.moveaxis(loglog_fit(x, boot)[0], 1, 0), replicates)
    return {f"a_{axis}": ("curve", -slope), f"a_{axis}_lo": ("curve", -hi),
            f"a_{axis}_hi": ("curve", -lo), f"C_{axis}": ("curve", np.exp(intercept)),
            f"points_{axis}": ("curve", points)}


def _eps_levels(models, curve_models, mean_n, eps):
    """ε per (model, level): the given values for every model, or one default per model."""
    if eps:
        values = np.tile(np.asarray(eps, float), (len(models), 1))
    else:
        values = np.array([[default_eps(mean_n[curve_models == model])] for model in models])
    return xr.DataArray(values, dims=("model", "level"), coords={"model": models},
                        name="eps")


def _nstar_vars(n_values, mean_n, boot_n, eps, replicates):
    """N* per (curve, level): point, interval, flag, replicates and the draws themselves."""
    value, flag = n_star(n_values, mean_n[:, None, :], eps)
    boot_value, boot_flag = n_star(n_values, boot_n[:, None, :, :], eps[:, :, None])
    lo, hi = percentile_interval(np.moveaxis(as_bounds(boot_value, boot_flag), 2, 0),
                                 replicates[:, None])
    return xr.Dataset({
        "eps": (("curve", "level"), eps),
        "nstar": (("curve", "level"), value),
        "nstar_lo": (("curve", "level"), lo),
        "nstar_hi": (("curve", "level"), hi),
        "flag": (("curve", "level"), flag),
        "replicates": ("curve", replicates),
        "draw_value": (("curve", "level", "draw"), boot_value),
        "draw_flag": (("curve", "level", "draw"), boot_flag),
    })
