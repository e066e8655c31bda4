"""Three lines that say what a results.nc shows about dimension independence.

Line 1: what the file holds (cells by status). Line 2: the family's metric (families.py:
excess error, or the error rate on the sphere) of trained linear attention and of the
family's baselines across d at the largest N, at M = N. Line 3: a plain reading of how
the trained model's error changes from the smallest to the largest d, against the first
baseline that has a positive error.
"""
import math

from . import families, results
from .selection import at_M_equals_N, describe, fix_other_axes
from .stats import caveat

# Reading of an error that scales like d^s between the smallest and the largest d:
# |s| < FLAT_EXPONENT is "does not track d"; s >= GROWING_EXPONENT is "grows with d".
# MV: in-context-only learners need Omega(d/R^4) examples, so the MLE should be near s = 1.
FLAT_EXPONENT = 0.25
GROWING_EXPONENT = 0.5


def summary_lines(ds):
    """The three lines, without trailing newlines."""
    return [_cells_line(ds), *_across_d_lines(ds)]


def _cells_line(ds):
    counts = results.status_counts(ds)
    parts = ", ".join(f"{count} {name}" for name, count in counts.items())
    return f"{results.family(ds)} sweep: {sum(counts.values())} cells ({parts})"


def _across_d_lines(ds):
    paper = families.paper(ds)
    name = paper.METRIC.replace("_", " ")
    mean = results.ok_only(ds, paper.METRIC).mean("replicate")
    mean, picked = fix_other_axes(mean, keep=("model", "d", "N", "M"))
    at_largest_n = at_M_equals_N(mean).isel(N=-1)
    n, m = at_largest_n.N.item(), at_largest_n.M_used.item()
    where = f"at the largest N={n:g}, M={m:g}" + (f" ({describe(picked)})" if picked else "")
    models = [model for model in (paper.TRAINED, *paper.BASELINES)
              if model in ds.model.values]
    means = {model: _by_d(at_largest_n, model) for model in models}
    ranges = "; ".join(f"{model} {_range(by_d)}" for model, by_d in means.items())
    reading = _reading(paper.TRAINED, means, name, ds.sizes["replicate"])
    return f"{where}: {name} {ranges or 'of no model the reading uses'}", reading


def _by_d(means, model):
    """{d: mean error} over the d with an ok value."""
    mean = means.sel(model=model)
    return {d.item(): v.item() for d, v in zip(mean.d, mean) if not math.isnan(v.item())}


def _range(by_d):
    """'low..high across d=a..b (n values; max/min r)', or why there is no range."""
    if not by_d:
        return "has no ok cells"
    low, high = min(by_d.values()), max(by_d.values())
    ratio = f"{high / low:.3g}" if low > 0 else "n/a"
    return (f"{low:.3g}..{high:.3g} across d={min(by_d):g}..{max(by_d):g} "
            f"({len(by_d)} values; max/min {ratio})")


def _reading(trained, means, name, replicates):
    """How the trained model's error changes from the smallest to the largest d, against
    the first baseline with a positive error at two shared d values; with too few
    replicates the numbers but no verdict."""
    if trained not in means:
        return f"no reading across d: no model '{trained}' in the file"
    compared = [model for model in means if model != trained and _shared(means, trained, model)]
    if not compared:
        return _alone(trained, means[trained], name)
    baseline = compared[0]
    shared = _shared(means, trained, baseline)
    d0, d1 = shared[0], shared[-1]
    ratios = {model: means[model][d1] / means[model][d0] for model in (trained, baseline)}
    # s such that the error scales like d^s between d0 and d1
    exponents = {model: math.log(ratio) / math.log(d1 / d0) for model, ratio in ratios.items()}
    if caveat(replicates):
        verdict = caveat(replicates)
    elif abs(exponents[trained]) >= FLAT_EXPONENT:
        verdict = (f"{trained}'s error depends on d here, so this sweep does not show "
                   f"dimension independence")
    elif exponents[baseline] >= GROWING_EXPONENT:
        verdict = (f"{trained} does not track d while {baseline} does, as dimension-independent "
                   f"learning predicts")
    else:
        verdict = "neither tracks d at this N"
    return (f"from d={d0:g} to d={d1:g}, {trained}'s {name} {_change(ratios[trained])} "
            f"while {baseline}'s {_change(ratios[baseline])} "
            f"(like d^{exponents[trained]:.2f} vs d^{exponents[baseline]:.2f}): {verdict}")


def _shared(means, a, b):
    """The d values where both models have a positive error, ascending (if two or more)."""
    shared = sorted(d for d in means[a].keys() & means[b].keys()
                    if means[a][d] > 0 and means[b][d] > 0)
    return shared if len(shared) >= 2 else []


def _alone(trained, by_d, name):
    """The reading with no baseline to compare: the trained model's change alone."""
    shown = sorted(d for d, value in by_d.items() if value > 0)
    if len(shown) < 2:
        return f"no reading across d: fewer than two d values with a positive {name}"
    ratio = by_d[shown[-1]] / by_d[shown[0]]
    exponent = math.log(ratio) / math.log(shown[-1] / shown[0])
    return (f"from d={shown[0]:g} to d={shown[-1]:g}, {trained}'s {name} {_change(ratio)} "
            f"(like d^{exponent:.2f}; no baseline with a positive {name} to compare)")


def _change(ratio):
    """'grows 4-fold', 'shrinks 3-fold', or 'changes by +8%' for modest changes."""
    if ratio >= 2:
        return f"grows {ratio:.3g}-fold"
    if ratio <= 0.5:
        return f"shrinks {1 / ratio:.3g}-fold"
    return f"changes by {100 * (ratio - 1):+.0f}%"
