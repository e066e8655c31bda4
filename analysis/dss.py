"""DSS (Dragutinović, Saxe & Singh): softmax vs linear vs kernel attention on the sphere.

The claim is that softmax attention classifies in context better than linear attention
(kernel GD with a context-adaptive step against one plain GD step). The figure puts test
error against N for each model, one panel per (d, classes); the sentences give the
paired difference of test error at the largest N, with its interval over replicates.
"""
import numpy as np

from . import draw, results
from .curves import at_n, band, combos, entries, hold, n_grid, paired_difference, values
from .stats import caption, caveat

METRIC = "test_error"  # no Bayes error on the sphere: rates and N* are on the error rate
METRIC_LABEL = "test error rate (misclassification)"
TRAINED, BASELINES = "linear", ("softmax", "gd1")
# Drawn in this order when present; kernel (and gd1) once per feature map if swept.
MODELS = ("softmax", "linear", "kernel", "gd1")
# (a, b): the sentence says whether a beats b. The first is the paper's headline.
PAIRS = (("softmax", "linear"), ("softmax", "kernel"), ("kernel", "linear"),
         ("linear", "gd1"))
PANEL_AXES = ("d", "classes")
CONSTRUCTIONS = ("gd1",)  # not trained: drawn dotted


def figures(ds, fit, notes):
    if not entries(ds, MODELS):
        notes.append(f"dss_error_vs_N: none of {', '.join(MODELS)} in the file; not drawn")
        return []
    return [("dss_error_vs_N", error_vs_N(ds))] + multimodal_figures(ds)


def error_vs_N(ds, models=MODELS, panel_axes=PANEL_AXES, constructions=None):
    """Test error rate vs N at M = N, one panel per (d, classes[, P]), one curve per model;
    the one-step constructions dotted."""
    constructions = CONSTRUCTIONS if constructions is None else constructions
    curves = entries(ds, models)
    fig, _, held = draw.band_panels(
        combos(ds, panel_axes), curves,
        lambda panel, one: band(ds, one[1], keep=("N",), at={**panel, **one[2]}),
        n_grid(ds), titles=lambda panel: results.describe(ds, panel) or "all",
        labels=lambda one: one[0], ylabel=METRIC_LABEL,
        linestyles=lambda one: ":" if one[1] in constructions else None)
    rest = {dim: value for dim, value in held.items()
            if dim not in (*panel_axes, "N", "feature_map")}
    if _classes_option(ds):
        rest["classes"] = results.options(ds)["classes"]
    names = " vs ".join(dict.fromkeys(model for _, model, _ in curves))
    count = ds.sizes["replicate"]
    draw.suptitle(fig, f"DSS: {names} on the sphere, test error rate vs N at M = N "
                       f"({results.describe(ds, rest)}; "
                       f"{caption(count)}; dotted: the one-step GD construction)")
    return fig


def _classes_option(ds):
    """'classes=3' from the -classes option when classes is not swept, else ''."""
    if "classes" in ds.test_error.dims or "classes" not in results.options(ds):
        return ""
    return f"classes={results.options(ds)['classes']}"


def claims(ds, fit):
    """One sentence per pair present and per panel, at the largest N both have ok."""
    labels = {label: (model, at) for label, model, at in entries(ds, MODELS)}
    lines = []
    for a_label, b_label in _label_pairs(labels):
        for panel in combos(ds, PANEL_AXES):
            lines.append(_sentence(ds, panel, (a_label, *labels[a_label]),
                                   (b_label, *labels[b_label])))
    return lines + (multimodal_claims(ds) if _multimodal(ds) else [])


def _multimodal(ds):
    """Whether the file is a multi-modal sweep: P swept, or an ablation or construction in it."""
    extra = set(MULTIMODAL_MODELS) - set(MODELS)
    return "prototypes_per_class" in ds.dims or any(m in ds.model.values for m in extra)


def _label_pairs(labels):
    """PAIRS spelled out over feature maps: ('softmax', 'kernel (relu)'), ..."""
    out = []
    for a, b in PAIRS:
        for a_label in (label for label, (model, _) in labels.items() if model == a):
            out += [(a_label, b_label) for b_label, (model, _) in labels.items() if model == b]
    return out


def _sentence(ds, panel, a, b):
    """'softmax beats linear on sphere at N=40 (d=8, classes=3): test error 0.12 vs 0.18,
    Δ = 0.06, 95% CI [...] over 6 paired replicates; over N = 5..40 ...', the headline at
    the largest N with ok cells for both; with too few replicates no conclusion."""
    (a_label, a_model, a_at), (b_label, b_model, b_at) = a, b
    where = ", ".join(part for part in (results.describe(ds, panel), _classes_option(ds))
                      if part)
    by_n = {}
    for n in n_grid(ds):
        a_cells, b_cells = (at_n(ds, "test_error", model, keep=(), at={**panel, **at, "N": n})
                            [0].values for model, at in ((a_model, a_at), (b_model, b_at)))
        found = paired_difference(a_cells, b_cells)
        if found is not None:
            by_n[n] = found
    if not by_n:
        return f"{a_label} vs {b_label} ({where}): no N with ok cells for both"
    n = max(by_n)
    mean, lo, hi, count, error_a, error_b = by_n[n]
    at = f"on sphere at N={n:g} ({where})"
    if hi < 0:  # b has the lower error: say it from b's side
        (a_label, error_a), (b_label, error_b) = (b_label, error_b), (a_label, error_a)
        mean, lo, hi = -mean, -hi, -lo
    interval = "no interval" if np.isnan(lo) else f"95% CI [{lo:.3g}, {hi:.3g}]"
    effect = (f"test error {error_a:.3g} vs {error_b:.3g}, Δ = {b_label}'s − {a_label}'s = "
              f"{mean:.3g}, {interval} over {count} paired replicate{'s' * (count > 1)}")
    too_few = caveat(count)
    if too_few:
        return f"{a_label} vs {b_label} {at}: {effect}: {too_few}"
    if lo > 0:
        text = f"{a_label} beats {b_label} {at}: {effect}"
    else:
        text = f"{a_label} and {b_label} are not separated {at}: {effect}"
    (a_label, _, _), (b_label, _, _) = a, b  # the per-N clause keeps the pair's order
    if len(by_n) < 2:
        return text
    ahead = {label: [f"{m:g}" for m, row in by_n.items() if sign * row[1] > 0 and
                     sign * row[2] > 0] for label, sign in ((a_label, 1), (b_label, -1))}
    (a_ns, b_ns) = (f"N = {', '.join(ns)}" if ns else "no N" for ns in ahead.values())
    return (f"{text}; over N = {min(by_n):g}..{max(by_n):g}, {a_label} is ahead at {a_ns} and "
            f"{b_label} at {b_ns} (intervals excluding 0)")


# Multi-modal classes (-prototypes_per_class, docs/dss.md): softmax against linear, the two
# ablations and the three one-step constructions, one panel per P.
MULTIMODAL_MODELS = ("softmax", "linear", "expkernel", "normpoly", "gd1", "gd1_kernel",
                     "gd1_adaptive")
# "softmax ≥ linear", then "both ingredients are critical" (softmax against each ablation),
# then the same questions for the constructions, then how far training gets past one step.
MULTIMODAL_PAIRS = (("softmax", "linear"), ("softmax", "expkernel"), ("softmax", "normpoly"),
                    ("gd1_adaptive", "gd1"), ("gd1_adaptive", "gd1_kernel"),
                    ("softmax", "gd1_adaptive"))
MULTIMODAL_PANEL_AXES = ("d", "classes", "prototypes_per_class")
MULTIMODAL_CONSTRUCTIONS = ("gd1", "gd1_kernel", "gd1_adaptive")


def multimodal_figures(ds):
    """[('dss_multimodal_error_vs_N', figure)], or [] without any of MULTIMODAL_MODELS."""
    if not _multimodal(ds) or not entries(ds, MULTIMODAL_MODELS):
        return []
    return [("dss_multimodal_error_vs_N", multimodal_error_vs_N(ds))]


def multimodal_error_vs_N(ds):
    """Test error vs N at M = N, one panel per (d, classes, P); constructions dotted."""
    return error_vs_N(ds, MULTIMODAL_MODELS, MULTIMODAL_PANEL_AXES, MULTIMODAL_CONSTRUCTIONS)


def multimodal_claims(ds):
    """One sentence per pair of MULTIMODAL_PAIRS present and per panel (P among the axes)."""
    labels = {label: (model, at) for label, model, at in entries(ds, MULTIMODAL_MODELS)}
    return [_sentence(ds, panel, (a, *labels[a]), (b, *labels[b]))
            for a, b in MULTIMODAL_PAIRS if a in labels and b in labels
            for panel in combos(ds, MULTIMODAL_PANEL_AXES)]


def construction_distances(ds):
    """Markdown table of the trained attention models' gd_distance (distance of their test
    predictions to the nearest one-step construction, docs/dss.md): mean over ok replicates
    per model, P and N."""
    models = [m for m in ("softmax", "expkernel", "normpoly") if m in ds.model.values]
    panels = combos(ds, MULTIMODAL_PANEL_AXES)
    head = [results.describe(ds, panel) or "all" for panel in panels]
    lines = ["| model | N | " + " | ".join(head) + " |",
             "|---|---|" + "---|" * len(panels)]
    for model in models:
        for n in n_grid(ds):
            row = []
            for panel in panels:
                cells = hold(values(ds, "gd_distance", model), keep=(), at={**panel, "N": n})[0]
                finite = np.asarray(cells.values, float).ravel()
                finite = finite[np.isfinite(finite)]
                row.append(f"{finite.mean():.3f}" if finite.size else "–")
            lines.append(f"| {model} | {n:g} | " + " | ".join(row) + " |")
    return lines
