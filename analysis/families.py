"""The registry: which paper's figures and claims answer a sweep, picked by its family.

Every paper module has the same face: `figures(ds, fit, notes)` -> [(stem, Figure)],
`claims(ds, fit)` -> [sentence], the metric its rates and N* are computed on (METRIC,
named METRIC_LABEL on axes), the trained model and the BASELINES of the reading across
d. gmm is MV (mv.py), linreg LRO (lro.py), sphere DSS (dss.py), distreg LZ (lz.py).
"""
from . import dss, lro, lz, mv, results

FAMILIES = {"gmm": mv, "linreg": lro, "sphere": dss, "distreg": lz}


def paper(ds):
    """The module answering this file's family; MV's for an unknown family."""
    return FAMILIES.get(results.family(ds), mv)


def notes(ds):
    """Lines for stderr about what the family choice leaves out."""
    name = results.family(ds)
    out = []
    if name != "linreg" and "rank" in ds.test_error.dims:
        out.append(f"rank axis in a {name} sweep: the low-rank risk vs r figure (LRO) "
                   f"compares with the closed-form L*_r of family linreg; not drawn "
                   f"(the other figures hold rank at its first value)")
    if name not in FAMILIES:
        out.append(f"family {name} (no 'family' attribute or -family option, or not one of "
                   f"{', '.join(FAMILIES)}): drawn as gmm (MV)")
    return out
