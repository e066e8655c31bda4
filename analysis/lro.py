"""LRO (Li, Rawat & Oymak): linreg risk against the closed form, and low-rank risk vs r.

docs/models.md, for Σ_x = I and Σ_β = diag(λ_1 ≥ … ≥ λ_k), M₀ = Σλ + σ²: the optimal
rank-r risk of one-layer linear attention at context length N (test length M = N) is

    L*_r = M₀ − Σ_{i ≤ r} N λ_i² / ((N + 1) λ_i + M₀),

and r = k gives the optimum L* = L(W*). The theory here is computed from the file, not
read from it: λ from the 'spectrum' variable iclsweep writes (the eigenvalues it drew from, at
R = 1, scaled here by R²; older files: from -spectrum in the 'options' attribute), σ from the
sigma axis or -sigma, k and R from the cell, r
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
    """λ_1 … λ_k of Σ_β at (k, R): R² times the 'spectrum' variable, the eigenvalues
    iclsweep resolved for each k at R = 1 (summing to 1, so that E‖β‖² = R²).

    Files written before iclsweep stored it: from -spectrum in the 'options' attribute, as
    iclsweep builds it: weights w_i (i = 0..k−1) flat 1, geometric:q q^i, power:a (i+1)^−a,
    list:l1,l2,... the first k listed values; λ_i = R²·w_i / Σw; no -spectrum is flat.
    """
    if "spectrum" in ds.variables:
        lam = ds["spectrum"].sel(k=k).values[:int(k)]
        if not np.isfinite(lam).all():
            raise TheoryUnavailable(f"the stored spectrum at k={k} is incomplete")
        return R * R * lam
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
    x_spectrum = results.options(ds).get("x_spectrum", "flat").strip() or "flat"
    if "x_spectrum" in ds.variables and np.allclose(ds["x_spectrum"].values[np.isfinite(ds["x_spectrum"].values)], 1.0):
        x_spectrum = "flat"  # Sigma_x = I, however the option was written
    if x_spectrum != "flat":
        raise TheoryUnavailable(f"the closed form here is for Σ_x = I, not -x_spectrum "
                                f"{x_spectrum} (the oracle's curve is exact)")
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
    return out + extension_figures(ds, notes)


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
    return lines + extension_claims(ds)


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


# --- LoRA adaptation and task-feature alignment (docs/lro.md) -------------------------------
# Entry points: extension_figures(ds, notes) -> [(stem, Figure)] and extension_claims(ds) ->
# [sentence]; each draws or says nothing for a file without a lora model or an alignment axis.
# The closed forms for a general Σ_x are the oracle's (exact, computed by iclsweep), so these
# functions read them from the file instead of recomputing them.


def extension_figures(ds, notes):
    """[(stem, Figure)]: LoRA risk vs r when the file has lora, N*(ε) vs alignment when it
    has an alignment axis."""
    out = []
    if "lora" in ds.model.values and "rank" in ds.test_error.dims:
        out.append(("lro_lora_vs_rank", lora_vs_rank(ds, notes)))
    if "alignment" in ds.test_error.dims:
        out.append(("lro_alignment_risk_vs_N", alignment_risk_vs_N(ds, notes)))
        out.append(("lro_alignment_nstar", alignment_nstar(ds, notes)))
    return out


def extension_claims(ds):
    """Sentences for the LoRA and alignment figures (none for other files)."""
    lines = []
    if "lora" in ds.model.values and "rank" in ds.test_error.dims:
        lines += lora_claims(ds)
    if "alignment" in ds.test_error.dims:
        lines += alignment_claims(ds)
    return lines


def _rank_curve(ds, model, n, d):
    """Replicate band of `model` over the rank axis at M = N, and what was held."""
    return band(ds, model, keep=("rank",), at={"d": d, "N": n})


def lora_vs_rank(ds, notes):
    """lora's risk vs the rank r of its correction (r = 0: W_0), one colour per N; the
    oracle's exact optimum of W_0 + rank-r (-oracle_lora) dotted, linear retrained from
    scratch (full retraining) as a dashed level."""
    d_values, ranks = ds.d.values, ds["rank"].values
    colors = _colors_by(n_grid(ds))
    fig, axes = draw.panels(len(d_values), sharey=True)
    held = {}
    lora_oracle = "oracle_lora" in results.options(ds)
    if "oracle" in ds.model.values and not lora_oracle:
        notes.append("lro_lora_vs_rank: the oracle is W*_r, not the LoRA optimum (no "
                     "-oracle_lora): not drawn")
    for ax, d in zip(axes, d_values):
        for n in n_grid(ds):
            curve, held = _rank_curve(ds, "lora", n, d)
            if not draw.curve(ax, ranks, curve, colors[n], f"lora, N={n:g}"):
                continue
            if "oracle" in ds.model.values and lora_oracle:
                exact, _ = _rank_curve(ds, "oracle", n, d)
                ax.plot(ranks, exact["mean"].values, ":", color=colors[n], marker="x",
                        label=f"optimal rank-r correction (exact), N={n:g}")
            if "linear" in ds.model.values:
                full, _ = band(ds, "linear", keep=(), at={"d": d, "N": n})
                ax.axhline(float(full["mean"]), color=colors[n], linestyle="--",
                           linewidth=1, label=f"linear retrained, N={n:g}")
        draw.finish(ax, f"d={d:g}", "rank r of the correction A Bᵀ (r = 0: W₀)",
                    "target risk (test mean squared error)", ranks, ylog=False, xlog=False)
    draw.legend(axes)
    source = results.options(ds).get("source_spectrum", "flat")
    draw.suptitle(fig, f"LRO: LoRA W₀ + ABᵀ adapting from source Σ_β {source} to target "
                 f"Σ_β {results.options(ds).get('spectrum', 'flat')}, risk at M = N "
                 f"({_title_held(ds, held, drop=('d', 'N', 'rank'))}; dotted: exact "
                 f"optimum)")
    return fig


def lora_rows(ds):
    """[(d, N, r, lora risk, exact optimum)] at M = N for every rank with both ok."""
    rows = []
    for d in ds.d.values:
        for n in n_grid(ds):
            trained, _ = _rank_curve(ds, "lora", n, d)
            exact, _ = _rank_curve(ds, "oracle", n, d)
            for r, a, b in zip(ds["rank"].values, trained["mean"].values, exact["mean"].values):
                if np.isfinite(a) and np.isfinite(b):
                    rows.append((float(d), float(n), float(r), float(a), float(b)))
    return rows


def lora_claims(ds):
    """'lora reaches the exact rank-r LoRA optimum within x% at every r ...', plus W_0's
    risk, the smallest r within 5% of full retraining, and retrained linear."""
    if "oracle" not in ds.model.values or "oracle_lora" not in results.options(ds):
        return ["lora: no exact LoRA optimum in the file (run the oracle with -oracle_lora)"]
    rows = lora_rows(ds)
    if not rows:
        return ["lora: no ok cells at M = N"]
    gaps = [(a - b) / b for *_, a, b in rows]
    worst = int(np.argmax(np.abs(gaps)))
    d, n, r, a, b = rows[worst]
    lines = [f"lora reaches the exact optimum of W₀ + rank-r within {abs(gaps[worst]):.1%} "
             f"at every r (r = {_span([row[2] for row in rows])}, N = "
             f"{_span([row[1] for row in rows])}; {len(rows)} points); largest gap "
             f"{gaps[worst]:+.1%} at r={r:g}, N={n:g}, d={d:g}: risk {a:.4g} vs {b:.4g}"]
    for d in sorted(set(row[0] for row in rows)):
        for n in sorted(set(row[1] for row in rows)):
            mine = sorted((row[2], row[3], row[4]) for row in rows if row[0] == d and row[1] == n)
            base, full = mine[0], mine[-1]
            close = [r for r, _, exact in mine if exact <= 1.05 * full[2]]
            text = (f"at N={n:g}, d={d:g}: W₀ alone has target risk {base[1]:.4g} (exact "
                    f"{base[2]:.4g}); r = {full[0]:g} gives {full[1]:.4g} (exact {full[2]:.4g}); "
                    f"the exact optimum is within 5% of full retraining from r = {close[0]:g}")
            if "linear" in ds.model.values:
                lin, _ = band(ds, "linear", keep=(), at={"d": d, "N": n})
                text += f"; linear retrained from scratch: {float(lin['mean']):.4g}"
            lines.append(text)
    return lines


def _alignment_excess(ds, model, d):
    """Mean excess error at M = N, (alignment, N), and the N values."""
    value, _ = at_n(ds, "excess_error", model, keep=("alignment", "N"), at={"d": d})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = value.mean("replicate").transpose("alignment", "N")
    return mean.values, mean.N.values


def alignment_risk_vs_N(ds, notes):
    """Risk vs N, one colour per alignment; trained linear solid, the exact oracle dotted."""
    d_values, aligns = ds.d.values, ds["alignment"].values
    colors = _colors_by(aligns)
    fig, axes = draw.panels(len(d_values), sharey=True)
    held = {}
    for ax, d in zip(axes, d_values):
        for a in aligns:
            for model, style in (("linear", "-"), ("oracle", ":")):
                if model not in ds.model.values:
                    continue
                curve, held = band(ds, model, keep=("N",), at={"d": d, "alignment": a})
                draw.curve(ax, n_grid(ds), curve, colors[a], f"{model}, alignment={a:g}",
                      positive=True, linestyle=style)
        draw.finish(ax, f"d={d:g}", "context length N", "risk (test mean squared error)",
                n_grid(ds), ylog=True)
    draw.legend(axes)
    draw.suptitle(fig, f"LRO: task-feature alignment, risk vs N at M = N "
                 f"({_title_held(ds, held, drop=('d', 'N', 'alignment'))}; Σ_x "
                 f"{results.options(ds).get('x_spectrum', 'flat')}, Σ_β "
                 f"{results.options(ds).get('spectrum', 'flat')}; dotted: exact optimum)")
    return fig


def alignment_eps(ds, d):
    """The ε values of the N*(ε) figure: default_eps of the oracle's curves and a tenth of
    the smallest first point (two levels, both inside most curves)."""
    from .nstar import default_eps
    curves, _ = _alignment_excess(ds, "oracle" if "oracle" in ds.model.values else "linear", d)
    return [e for e in (default_eps(curves), 0.5 * default_eps(curves)) if np.isfinite(e)]


def alignment_nstar_table(ds):
    """[(model, d, ε, alignment, N*, flag name)] of the excess error at M = N."""
    from .nstar import FLAG_NAMES, n_star
    rows = []
    for d in ds.d.values:
        for eps in alignment_eps(ds, d):
            for model in ("linear", "oracle"):
                if model not in ds.model.values:
                    continue
                curves, N = _alignment_excess(ds, model, d)
                value, flag = n_star(N, curves, eps)
                for a, v, f in zip(ds["alignment"].values, value, flag):
                    rows.append((model, float(d), float(eps), float(a), float(v), FLAG_NAMES[int(f)]))
    return rows


def alignment_nstar(ds, notes):
    """N*(ε) of the excess error vs alignment, one panel per d, per model and ε."""
    rows = alignment_nstar_table(ds)
    d_values = ds.d.values
    fig, axes = draw.panels(len(d_values), sharey=True)
    for ax, d in zip(axes, d_values):
        levels = sorted(set(row[2] for row in rows if row[1] == d), reverse=True)
        for i, eps in enumerate(levels):
            for model, style in (("linear", "-"), ("oracle", ":")):
                mine = [(row[3], row[4]) for row in rows if row[0] == model and row[1] == d and row[2] == eps]
                if mine:
                    x, y = zip(*mine)
                    ax.plot(x, y, linestyle=style, marker="o", color=f"C{i}",
                            label=f"{model}, ε={eps:.3g}")
        ax.set_title(f"d={d:g}")
        ax.set_xlabel("alignment of Σ_x with Σ_β (1: same eigenvectors)")
        ax.set_ylabel("N*(ε) (excess risk ≤ ε at M = N)")
        ax.set_yscale("log")
        if not ax.lines:
            ax.text(0.5, 0.5, "no N* inside the grid", transform=ax.transAxes, ha="center")
    if any(row[5] != "interpolated" for row in rows):
        notes.append("lro_alignment_nstar: some N* lie outside the N grid and are not drawn")
    draw.legend(axes)
    draw.suptitle(fig, "LRO: sample complexity N*(ε) vs task-feature alignment "
                  "(solid: trained linear, dotted: exact optimum)")
    return fig


def alignment_claims(ds):
    """'N*(ε) of the oracle falls from x at alignment 0 to y at alignment 1 ...'."""
    rows = alignment_nstar_table(ds)
    lines = []
    for model in ("oracle", "linear"):
        for d in sorted(set(row[1] for row in rows)):
            for eps in sorted(set(row[2] for row in rows if row[1] == d), reverse=True):
                mine = sorted((row[3], row[4], row[5]) for row in rows
                              if row[0] == model and row[1] == d and row[2] == eps)
                if not mine:
                    continue
                parts = ", ".join(f"{v:.3g}" if f == "interpolated" else f"({f})" for _, v, f in mine)
                lines.append(f"{model}, d={d:g}, ε={eps:.3g}: N*(ε) at alignment "
                             f"{', '.join(f'{a:g}' for a, _, _ in mine)} = {parts}")
    return lines


def _colors_by(values):
    """One color per ordered value (N or alignment) along a sequential colormap."""
    return dict(zip(values, draw.ramp(len(values))))
