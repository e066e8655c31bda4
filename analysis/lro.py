"""LRO (Li, Rawat & Oymak): linreg risk against the closed form, and low-rank risk vs r.

docs/models.md, for Σ_x = I and Σ_β = diag(λ_1 ≥ … ≥ λ_k), M₀ = Σλ + σ²: the optimal
rank-r risk of one-layer linear attention at context length N (test length M = N) is

    L*_r = M₀ − Σ_{i ≤ r} N λ_i² / ((N + 1) λ_i + M₀),

and r = k gives the optimum L* = L(W*). The theory here is computed from the file, not
read from it: λ from -spectrum in the 'options' attribute (scaled to Σλ = R² as iclsweep
does; flat R²/k when absent), σ from the sigma axis or -sigma, k and R from the cell, r
from the rank axis or -rank (the oracle on linreg is W*_r, lowrank is rank r). It is drawn dotted next to the
experiment, and the claim sentences say how far the experiment is from it.
"""
import warnings

import numpy as np

from . import draw, results
from .curves import at_n, band, n_grid
from .stats import caption, caveat, counted, interval_of_means

METRIC = "excess_error"
METRIC_LABEL = "excess risk (test MSE − σ²)"
# The reading across d: trained linear attention against the exact baselines of linreg.
TRAINED, BASELINES = "linear", ("oracle", "bayes")
RISK_LABEL = "risk (test mean squared error)"
# Models whose risk is exact (no training): drawn dotted, as the closed-form curves.
EXACT_MODELS = ("oracle", "bayes")
THEORY_COLOR = "black"


class TheoryUnavailable(Exception):
    """The closed form does not apply to this file (the message says why)."""


def spectrum(ds, k, R):
    """λ_1 … λ_k of Σ_β from -spectrum, as iclsweep's ICLLinregSpectrum builds it.

    Weights w_i (i = 0..k−1): flat 1, geometric:q q^i, power:a (i+1)^−a, list:l1,l2,...
    the first k listed values; then λ_i = R²·w_i / Σw, so that E‖β‖² = R². No -spectrum
    (or 'flat') is λ_i = R²/k.
    """
    text = results.options(ds).get("spectrum", "").strip() or "flat"
    kind, _, argument = text.partition(":")
    k = int(k)
    try:
        if kind == "flat" and not argument:
            weights = np.ones(k)
        elif kind == "geometric":
            weights = float(argument) ** np.arange(k)
        elif kind == "power":
            weights = (np.arange(k) + 1.0) ** -float(argument)
        elif kind == "list":
            weights = np.array([float(value) for value in argument.split(",")])
            if len(weights) < k:
                raise TheoryUnavailable(f"-spectrum {text} lists {len(weights)} values but "
                                        f"k={k}")
            weights = weights[:k]
        else:
            raise ValueError
    except ValueError:
        raise TheoryUnavailable(f"-spectrum {text}: not flat, geometric:q, power:a or "
                                f"list:l1,l2,...") from None
    if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
        raise TheoryUnavailable(f"-spectrum {text}: weights must be finite, >= 0, not all 0")
    return R * R * weights / weights.sum()


def noise_variance(ds, held):
    """σ² from the held sigma axis value, else from -sigma in the options attribute."""
    if "sigma" in held:
        return float(held["sigma"]) ** 2
    text = results.options(ds).get("sigma")
    try:
        return float(text) ** 2
    except (TypeError, ValueError):
        raise TheoryUnavailable("no σ: the file has neither a sigma axis nor -sigma in its "
                                "'options' attribute") from None


def optimal_risk(lam, sigma2, N, r=None):
    """L*_r (r=None: L*, every direction) for Σ_x = I, Σ_β = diag(lam); N may be an array."""
    lam = np.sort(np.asarray(lam, float))[::-1]
    m0 = lam.sum() + sigma2
    N = np.asarray(N, float)[..., None]
    gains = N * lam ** 2 / ((N + 1) * lam + m0)
    used = len(lam) if r is None else int(min(r, len(lam)))
    return m0 - gains[..., :used].sum(-1)


def theory(ds, held):
    """(λ, σ²) for a slice holding k and R (and maybe sigma, alpha, drift) at `held`."""
    for dim in ("k", "R"):
        if dim not in held:
            raise TheoryUnavailable(f"the file has no '{dim}' axis")
    for dim in ("alpha", "drift"):  # an axis value, else the single value in the options
        value = held.get(dim, results.options(ds).get(dim, 0))
        try:
            value = float(value)
        except ValueError:
            raise TheoryUnavailable(f"-{dim} {value}: not a number") from None
        if value != 0:
            raise TheoryUnavailable(f"the closed form is for independent, stationary "
                                    f"examples, not {dim}={value:g}")
    return spectrum(ds, held["k"], held["R"]), noise_variance(ds, held)


def figures(ds, fit, notes):
    """[(stem, Figure)]: risk vs N always; risk vs rank when a rank axis and lowrank exist."""
    out = [("lro_risk_vs_N", risk_vs_N(ds, notes))]
    if "rank" in ds.test_error.dims and "lowrank" in ds.model.values:
        out.append(("lro_lowrank_vs_rank", lowrank_vs_rank(ds, notes)))
    elif "rank" in ds.test_error.dims:
        notes.append("rank axis but no lowrank model: the risk vs rank figure is not drawn")
    return out


def _title_held(ds, held, drop=()):
    return results.describe(ds, {dim: value for dim, value in held.items() if dim not in drop})


def risk_vs_N(ds, notes):
    """Risk (test MSE) vs N at M = N, every model, one panel per d; exact models and the
    closed-form L* dotted."""
    d_values = ds.d.values
    n_values = n_grid(ds)
    colors = draw.model_colors(ds.model.values)
    fig, axes = draw.panels(len(d_values), sharey=True)
    held, extra = {}, ""
    for ax, d in zip(axes, d_values):
        for i, model in enumerate(ds.model.values):
            curve, picked = band(ds, model, keep=("N",), at={"d": d})
            held.update({dim: value for dim, value in picked.items() if dim != "rank"})
            label = f"{model} (r={picked['rank']:g})" if "rank" in picked else model
            draw.curve(ax, n_values, curve, colors[model], label, index=i, positive=True,
                       linestyle=":" if model in EXACT_MODELS else "-")
        try:
            lam, sigma2 = theory(ds, held)
            extra = "" if "sigma" in held else f", σ²={sigma2:.3g}"
            dense = np.geomspace(n_values[0], n_values[-1], 60)
            ax.plot(dense, optimal_risk(lam, sigma2, dense), ":", color=THEORY_COLOR,
                    linewidth=1.5, label="closed-form L*")
        except TheoryUnavailable as why:
            if d == d_values[0]:
                notes.append(f"lro_risk_vs_N: closed-form L* not drawn: {why}")
        draw.finish(ax, f"d={d:g}", "context length N", RISK_LABEL, n_values, ylog=True)
    draw.legend(axes)
    count = ds.sizes["replicate"]
    draw.suptitle(fig, f"LRO: in-context linear regression risk vs N at M = N "
                       f"({_title_held(ds, held, drop=('d',))}{extra}; "
                       f"{caption(count)}; dotted: exact)")
    return fig


def lowrank_vs_rank(ds, notes):
    """lowrank's risk vs its rank r, one curve per N, with the closed-form L*_r dotted."""
    d_values, ranks = ds.d.values, ds["rank"].values
    colors = dict(zip(n_grid(ds), draw.ramp(len(n_grid(ds)))))
    fig, axes = draw.panels(len(d_values), sharey=True)
    held, extra = {}, ""
    for ax, d in zip(axes, d_values):
        for i, n in enumerate(n_grid(ds)):
            curve, held = band(ds, "lowrank", keep=("rank",), at={"d": d, "N": n})
            if not draw.curve(ax, ranks, curve, colors[n], f"N={n:g}", index=i,
                              linestyle="-"):
                continue
            try:
                lam, sigma2 = theory(ds, held)
                extra = "" if "sigma" in held else f", σ²={sigma2:.3g}"
                ax.plot(ranks, [optimal_risk(lam, sigma2, n, r).item() for r in ranks], ":",
                        color=colors[n], marker="x", label=f"L*_r, N={n:g}")
            except TheoryUnavailable as why:
                if d == d_values[0] and n == n_grid(ds)[0]:
                    notes.append(f"lro_lowrank_vs_rank: closed-form L*_r not drawn: {why}")
        draw.finish(ax, f"d={d:g}", "rank r of W = ABᵀ", RISK_LABEL, ranks, ylog=False,
                    xlog=False)
    draw.legend(axes)
    draw.suptitle(fig, f"LRO: low-rank attention risk vs rank at M = N "
                       f"({_title_held(ds, held, drop=('d', 'N'))}{extra}; solid: lowrank, "
                       f"{caption(ds.sizes['replicate'])}; dotted: closed-form L*_r)")
    return fig


def claims(ds, fit):
    """Plain sentences: lowrank and oracle vs L*_r (or L*), trained linear vs L*."""
    lines = [_rank_claim(ds, model) for model in ("lowrank", "oracle")
             if model in ds.model.values]
    if "linear" in ds.model.values:
        lines.append(_linear_vs_optimum(ds))
    return lines


def _rank_claim(ds, model):
    """lowrank and the oracle (W*_r) against L*_r at every r of the rank axis, or at -rank.

    Without either, the oracle is W* (compared with L*) and lowrank has nothing to match.
    """
    if "rank" in ds.test_error.dims:
        return _against_theory(ds, model, ("rank",), "the closed-form L*_r", "every r")
    rank = _fixed_rank(ds)
    if rank is not None:
        return _against_theory(ds, model, (), f"the closed-form L*_r at r={rank:g}", "",
                               rank=rank)
    if model == "oracle":
        return _against_theory(ds, model, (), "the closed-form optimum L*", "")
    return (f"{model}: no comparison with the closed-form L*_r: no rank axis and no -rank "
            f"in the 'options' attribute")


def _fixed_rank(ds):
    """-rank from the options attribute when it is not swept; None if absent or 0 (full)."""
    try:
        rank = float(results.options(ds)["rank"])
    except (KeyError, ValueError):
        return None
    return rank if rank > 0 else None


def _compare(ds, model, keep, rank=None):
    """[(d, N, r or None, mean risk, L*_r, (lo, hi) of the mean)] for every ok point of
    `model`, others held, and the fewest replicates behind any of those points.

    Only points evaluated at M = N: the closed form is for the training context length,
    so an N whose M = N point is missing (a smaller M stood in) is left out. `rank`: the
    r of L*_r when no rank axis is kept.
    """
    rows, held, counts = [], {}, []
    for d in ds.d.values:
        value, held = at_n(ds, "test_error", model, keep=("N", *keep), at={"d": d})
        with warnings.catch_warnings():  # points with no ok replicate stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = value.mean("replicate").transpose("N", *keep)
        count = value.count("replicate").transpose("N", *keep).values
        per_replicate = value.transpose("N", *keep, "replicate").values
        lo, hi = interval_of_means(per_replicate.reshape(-1, value.sizes["replicate"]))
        lo, hi = lo.reshape(count.shape), hi.reshape(count.shape)
        lam, sigma2 = theory(ds, held)
        for index in np.ndindex(*mean.shape):
            risk = float(mean.values[index])
            n = float(mean.N.values[index[0]])
            if np.isfinite(risk) and float(mean.M_used.values[index[0]]) == n:
                r = float(mean[keep[0]].values[index[1]]) if keep else rank
                rows.append((d, n, r, risk, float(optimal_risk(lam, sigma2, n, r)),
                             (lo[index], hi[index])))
                counts.append(int(count[index]))
    return rows, held, min(counts, default=0)


def _against_theory(ds, model, keep, target, every, rank=None):
    """'lowrank reaches the closed-form L*_r within 2.1% at every r = 1..6 and N = ...'."""
    try:
        rows, held, count = _compare(ds, model, keep, rank)
    except TheoryUnavailable as why:
        return f"{model}: no comparison with {target}: {why}"
    if not rows:
        return f"{model}: no ok cells at M = N to compare with {target}"
    gaps = [(risk - theory_risk) / theory_risk for _, _, _, risk, theory_risk, _ in rows]
    worst = int(np.argmax(np.abs(gaps)))
    d, n, r, risk, theory_risk, interval = rows[worst]
    where = [f"N = {_span([row[1] for row in rows])}", f"d = {_span([row[0] for row in rows])}"]
    if keep:
        where.insert(0, f"r = {_span([row[2] for row in rows])}")
    point = f"r={r:g}, N={n:g}, d={d:g}" if keep else f"N={n:g}, d={d:g}"
    context = _title_held(ds, held, drop=("d", "N", "rank"))
    exact = model in EXACT_MODELS  # closed-form risks: the replicates agree exactly
    replicates = "" if exact else f", mean of {counted(count)}"
    text = (f"{model} reaches {target} within {abs(gaps[worst]):.1%} at "
            f"{(every + ' ') if every else 'every point '}"
            f"({', '.join(where)}; {len(rows)} points{replicates}; {context}); largest gap "
            f"{gaps[worst]:+.1%}{'' if exact else _gap_interval(interval, theory_risk)} at "
            f"{point}: risk {risk:.4g} vs {theory_risk:.4g}")
    return text if exact or not caveat(count) else f"{text}: {caveat(count)}"


def _linear_vs_optimum(ds):
    """'trained linear attention at N=40: risk 0.51 vs L* = 0.50 (+2.0%) at d=6; ...'."""
    try:
        rows, held, count = _compare(ds, "linear", ())
    except TheoryUnavailable as why:
        return f"linear: no comparison with the closed-form optimum L*: {why}"
    if not rows:
        return "linear: no ok cells at M = N to compare with the closed-form optimum L*"
    largest = max(row[1] for row in rows)
    parts = [f"risk {risk:.4g} vs L* = {theory_risk:.4g} "
             f"({(risk - theory_risk) / theory_risk:+.1%}"
             f"{_gap_interval(interval, theory_risk)}) at d={d:g}"
             for d, n, _, risk, theory_risk, interval in rows if n == largest]
    text = (f"trained linear attention at N={largest:g} "
            f"({_title_held(ds, held, drop=('d', 'N'))}; mean of {counted(count)}): "
            + "; ".join(parts))
    return f"{text}: {caveat(count)}" if caveat(count) else text


def _gap_interval(interval, theory_risk):
    """', 95% CI [+1.0%, +2.2%]': the interval of the mean risk as a relative gap."""
    lo, hi = interval
    if np.isnan(lo):
        return ", no interval"
    low, high = ((bound - theory_risk) / theory_risk for bound in (lo, hi))
    return f", 95% CI [{low:+.1%}, {high:+.1%}]"


def _span(values):
    values = sorted(set(float(value) for value in values))
    return f"{values[0]:g}" if len(values) == 1 else f"{values[0]:g}..{values[-1]:g}"
