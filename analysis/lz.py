"""LZ (Liu & Zhou): distribution regression, rate vs regularity and feature maps.

The claims: the error of linear transformers with a feature map φ falls with N at a rate
that trades the regularity of the data (the link g and the input law) against the
latent features, and a kernel model distilled from a softmax teacher approaches it as
the number of random features D grows. Errors are excess mean squared errors
(test − σ²) at M = N; the rates are the power-law fits of fit.py (bootstrap intervals).
"""
import warnings

import numpy as np

from . import draw, results
from .curves import MODEL_AXES, combos, entries, hold, n_grid, values
from .powerlaw import loglog_fit
from .selection import at_M_equals_N
from .stats import (bootstrap_means, caption, caveat, counted, percentile_interval,
                    replicate_band)
from .tables import format_estimate

METRIC = "excess_error"
METRIC_LABEL = "excess error (test MSE − σ²)"
TRAINED, BASELINES = "linear", ("softmax",)
# Axes that set the regularity of the task: one curve (or panel) per combination.
REGULARITY_AXES = ("link", "input_law")
# Models drawn first, in this order; every other model but the exact ones follows.
MODELS = ("kernel", "distill", "softmax", "linear")
NOT_DRAWN = ("bayes", "oracle")  # excess 0 or not a distreg learner: no rate to show
TEACHER, STUDENT = "softmax", "distill"


def _models(ds):
    rest = [model for model in ds.model.values if model not in MODELS + NOT_DRAWN]
    return [model for model in MODELS if model in ds.model.values] + rest


def figures(ds, fit, notes):
    curves = entries(ds, _models(ds))
    if not curves:
        notes.append("lz figures: no learner in the file; not drawn")
        return []
    out = [("lz_error_vs_N", by_model(ds, curves))]
    if ds.sizes.get("feature_map", 0) > 1:
        out.append(("lz_feature_maps", by_regularity(ds, curves)))
    if _has_gap(ds):
        out.append(("lz_distill_gap_vs_D", distill_gap(ds)))
    elif STUDENT in ds.model.values:
        notes.append(f"lz_distill_gap_vs_D needs model {STUDENT} and a features axis with "
                     f"two or more values; not drawn")
    return out


def _has_gap(ds):
    return STUDENT in ds.model.values and ds.sizes.get("features", 0) > 1


def _excess_band(ds, model, at):
    value, picked = hold(at_M_equals_N(values(ds, "excess_error", model)), ("N",), at)
    return replicate_band(value), picked


def _held_title(ds, picked, shown):
    rest = {dim: value for dim, value in picked.items() if dim not in (*shown, "N")}
    return results.describe(ds, rest)


def _caption_tail(ds, picked):
    count = ds.sizes["replicate"]
    return f"{_held_title(ds, picked, REGULARITY_AXES + ('feature_map',))}; {caption(count)}"


def by_model(ds, curves):
    """One panel per model (per feature map for kernel, distill), one curve per regularity."""
    regularities = combos(ds, REGULARITY_AXES)
    fig, _, picked = draw.band_panels(
        curves, regularities,
        lambda one, regularity: _excess_band(ds, one[1], {**one[2], **regularity}),
        n_grid(ds), titles=lambda one: one[0],
        labels=lambda regularity: results.describe(ds, regularity) or "all",
        ylabel=METRIC_LABEL, colors=draw.ramp(len(regularities), "plasma", 0.85))
    draw.suptitle(fig, f"LZ: excess error vs N at M = N per regularity "
                       f"({_caption_tail(ds, picked)})")
    return fig


def by_regularity(ds, curves):
    """One panel per regularity, one curve per model and feature map."""
    fig, _, picked = draw.band_panels(
        combos(ds, REGULARITY_AXES), curves,
        lambda regularity, one: _excess_band(ds, one[1], {**one[2], **regularity}),
        n_grid(ds), titles=lambda regularity: results.describe(ds, regularity) or "all",
        labels=lambda one: one[0], ylabel=METRIC_LABEL)
    draw.suptitle(fig, f"LZ: feature maps compared, excess error vs N at M = N "
                       f"({_caption_tail(ds, picked)})")
    return fig


def gap_values(ds):
    """Per replicate: distill's final training loss, which is its distillation loss
    E(student - teacher)^2 over the training tasks against the fixed softmax teacher of
    the distill model (not the trained `softmax` model). It has no M axis."""
    return values(ds, "train_loss", STUDENT)


def _gap_curves(ds):
    """[(label, {axis: value})] for the gap figure: per regularity and feature map."""
    maps = [at for _, model, at in entries(ds, (STUDENT,))]
    return [(results.describe(ds, {**regularity, **at}) or STUDENT, {**regularity, **at})
            for regularity in combos(ds, REGULARITY_AXES) for at in maps]


def distill_gap(ds):
    """Gap of distill to its softmax teacher vs features D at the largest N, log-log."""
    gap = gap_values(ds)
    x = ds.features.values
    curves = _gap_curves(ds)
    colors = draw.model_colors(range(len(curves)))
    fig, axes = draw.panels(1)
    picked = {}
    for i, (label, at) in enumerate(curves):
        value, picked = hold(gap, ("features",), at)
        draw.curve(axes[0], x, replicate_band(value), colors[i], label, index=i, positive=True)
    draw.finish(axes[0], "distill vs its softmax teacher", "random features D",
                "distillation loss E(student − teacher)²", x, ylog=True)
    draw.legend(axes)
    held = _held_title(ds, picked, ("features", *REGULARITY_AXES, "feature_map"))
    draw.suptitle(fig, f"LZ: distillation gap vs D ({held}, N={picked.get('N', float('nan')):g}; "
                       f"{caption(ds.sizes['replicate'])}; gaps ≤ 0 not drawn)")
    return fig


def claims(ds, fit):
    """Rates per regularity for every learner; the distillation gap's slope in D."""
    lines = [_rate_sentence(ds, fit, label, model, at)
             for label, model, at in entries(ds, _models(ds))]
    if _has_gap(ds):
        lines += [_gap_sentence(ds, fit, label, at) for label, at in _gap_curves(ds)]
    return lines


def _rate(fit, model, at):
    """(a, lo, hi, replicates, held) of excess ∝ N^-a for `model` at `at`, others held."""
    rates = fit.rates[["a_N", "a_N_lo", "a_N_hi", "replicates"]].sel(model=model, drop=True)
    ignored = [dim for dim, users in MODEL_AXES.items()
               if dim in rates.dims and model not in users]
    if ignored:  # copies (or not_applicable) along axes the model does not use
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            rates = rates.where(np.isfinite(rates.a_N)).mean(ignored)
    one, held = hold(rates, (), at)
    return (float(one.a_N), float(one.a_N_lo), float(one.a_N_hi), float(one.replicates),
            held)


def _rate_sentence(ds, fit, label, model, at):
    """'kernel (relu): excess error falls with N as N^-0.50 [0.47, 0.53] for link=tanh vs
    N^-0.25 [0.22, 0.27] for link=sign (...); the intervals are disjoint: ...'."""
    found, held, counts = [], {}, []
    for regularity in combos(ds, REGULARITY_AXES):
        a, lo, hi, count, held = _rate(fit, model, {**at, **regularity})
        found.append((results.describe(ds, regularity), a, lo, hi))
        counts.append(count)
    context = _held_title(ds, held, REGULARITY_AXES + ("feature_map",))
    parts = [("no rate" if np.isnan(a) else f"N^-{format_estimate(a, lo, hi)}")
             + (f" for {name}" if name else "") for name, a, lo, hi in found]
    usable = [row for row in found if not np.isnan(row[1])]
    if not usable:
        return (f"{label}: no rate ({context}): fewer than two N with ok cells and a positive "
                f"excess error")
    count = int(min(counts))
    text = (f"{label}: excess error falls with N as " + " vs ".join(parts)
            + f" ({context}; 95% CI, {counted(count)})")
    if len(usable) < len(found):
        text += "; no rate: fewer than two N with ok cells and a positive excess error"
    if len(usable) >= 2 and caveat(count):
        text += f"; {caveat(count)}"
    elif len(usable) >= 2 and not any(np.isnan(row[2]) for row in usable):
        fastest = max(usable, key=lambda row: row[1])
        slowest = min(usable, key=lambda row: row[1])
        if fastest[2] > slowest[3]:
            text += (f"; the intervals of {fastest[0]} and {slowest[0]} are disjoint: "
                     f"the rate depends on the regularity")
        else:
            text += "; the intervals overlap: no rate difference resolved"
    return text


def _gap_sentence(ds, fit, label, at):
    """'distill vs its softmax teacher (link=tanh, feature_map=prf) at N=40: gap 0.05 at
    D=16 → 0.01 at D=256, falling as D^-0.62 [-0.70, -0.55]', at the largest N where two D
    have ok cells for both models."""
    gap = gap_values(ds)
    x = ds.features.values.astype(float)
    for n in n_grid(ds)[::-1]:
        value, _ = hold(gap, ("features",), {**at, "N": n})
        per_replicate = value.transpose("replicate", "features").values
        mean, draws, count = bootstrap_means(per_replicate, fit.draws,
                                             np.random.default_rng([fit.seed, 9]))
        finite = np.isfinite(mean)
        if finite.sum() >= 2:
            break
    else:
        return (f"{STUDENT} vs its {TEACHER} teacher ({label}): no N with ok cells for both "
                f"at two D values")
    where = f"{STUDENT} vs its {TEACHER} teacher ({label}) at N={n:g}"
    slope = float(loglog_fit(x, mean)[0])
    lo = hi = float("nan")
    if draws is not None:
        lo, hi = percentile_interval(loglog_fit(x, draws)[0], count)
        lo, hi = float(lo), float(hi)
    first, last = np.flatnonzero(finite)[[0, -1]]
    text = (f"{where}: gap {mean[first]:.3g} at D={x[first]:g} → {mean[last]:.3g} at "
            f"D={x[last]:g}")
    if np.isnan(slope):
        return text + "; no slope (fewer than two positive gaps)"
    estimate = format_estimate(slope, lo, hi)
    if caveat(count):
        return text + f", D^{estimate} (95% CI, {counted(count)}): {caveat(count)}"
    text += f" ({counted(count)})"
    if not (np.isnan(lo) or hi < 0 or lo > 0):
        return text + f"; no trend in D resolved: D^{estimate} (the 95% CI holds 0)"
    return text + f", {'falling' if slope < 0 else 'growing'} as D^{estimate} (95% CI)"
