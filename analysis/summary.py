"""Three lines that say what a results.nc shows about dimension independence.

Line 1: what the file holds (cells by status). Line 2: the excess error of trained
linear attention and of the MLE baseline across d at the largest N, at M = N. Line 3:
a plain reading of how each error changes from the smallest to the largest d.
"""
import math

from . import results
from .selection import at_M_equals_N, describe, fix_other_axes
from .stats import replicate_band

TRAINED, BASELINE = "linear", "mle"
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
    band = replicate_band(results.ok_only(ds, "excess_error"),
                          results.ok_only(ds, "test_error_se"))
    band, picked = fix_other_axes(band, keep=("model", "d", "N", "M"))
    at_largest_n = at_M_equals_N(band).isel(N=-1)
    n, m = at_largest_n.N.item(), at_largest_n.M_used.item()
    where = f"at the largest N={n:g}, M={m:g}" + (f" ({describe(picked)})" if picked else "")
    means = {model: _by_d(at_largest_n, model) for model in (TRAINED, BASELINE)}
    ranges = "; ".join(f"{model} {_range(model, by_d)}" for model, by_d in means.items())
    return f"{where}: excess error {ranges}", _reading(means)


def _by_d(band, model):
    """{d: mean excess error} over the d with an ok value, or None if the model is absent."""
    if model not in band.model.values:
        return None
    mean = band["mean"].sel(model=model)
    return {d.item(): v.item() for d, v in zip(mean.d, mean) if not math.isnan(v.item())}


def _range(model, by_d):
    """'low..high across d=a..b (n values; max/min r)', or why there is no range."""
    if by_d is None:
        return "not in file"
    if not by_d:
        return "has no ok cells"
    low, high = min(by_d.values()), max(by_d.values())
    ratio = f"{high / low:.3g}" if low > 0 else "n/a"
    return (f"{low:.3g}..{high:.3g} across d={min(by_d):g}..{max(by_d):g} "
            f"({len(by_d)} values; max/min {ratio})")


def _reading(means):
    """How each error changes from the smallest to the largest d both models share."""
    trained, baseline = means[TRAINED], means[BASELINE]
    if trained is None or baseline is None:
        return f"no reading across d: needs both '{TRAINED}' and '{BASELINE}' in the file"
    shared = sorted(d for d in trained.keys() & baseline.keys()
                    if trained[d] > 0 and baseline[d] > 0)
    if len(shared) < 2:
        return (f"no reading across d: fewer than two d values with a positive excess "
                f"error for both {TRAINED} and {BASELINE}")
    d0, d1 = shared[0], shared[-1]
    ratios = {TRAINED: trained[d1] / trained[d0], BASELINE: baseline[d1] / baseline[d0]}
    # s such that the error scales like d^s between d0 and d1
    exponents = {name: math.log(ratio) / math.log(d1 / d0) for name, ratio in ratios.items()}
    if abs(exponents[TRAINED]) >= FLAT_EXPONENT:
        verdict = (f"{TRAINED}'s error depends on d here, so this sweep does not show "
                   f"dimension independence")
    elif exponents[BASELINE] >= GROWING_EXPONENT:
        verdict = (f"{TRAINED} does not track d while {BASELINE} does, as dimension-independent "
                   f"learning predicts")
    else:
        verdict = "neither tracks d at this N, so this sweep does not separate them"
    return (f"from d={d0:g} to d={d1:g}, {TRAINED}'s excess error {_change(ratios[TRAINED])} "
            f"while {BASELINE}'s {_change(ratios[BASELINE])} "
            f"(like d^{exponents[TRAINED]:.2f} vs d^{exponents[BASELINE]:.2f}): {verdict}")


def _change(ratio):
    """'grows 4-fold', 'shrinks 3-fold', or 'changes by +8%' for modest changes."""
    if ratio >= 2:
        return f"grows {ratio:.3g}-fold"
    if ratio <= 0.5:
        return f"shrinks {1 / ratio:.3g}-fold"
    return f"changes by {100 * (ratio - 1):+.0f}%"
