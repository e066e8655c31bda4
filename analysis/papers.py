"""The figures and claim sentences of the papers other than MV, chosen from the file.

The family (results.family: the 'family' attribute, else -family in 'options') decides
which paper a sweep is about: linreg → LRO (lro.py), sphere → DSS (dss.py), distreg → LZ
(lz.py). gmm is MV, whose figures plot.py always draws. What cannot be drawn is said in
`notes`, one line each, never as an exception.
"""
from . import dss, lro, lz, results

PAPERS = {"linreg": lro, "sphere": dss, "distreg": lz}


def figures(ds):
    """([(stem, Figure)], notes) for the family's paper; ([], notes) for gmm and unknown."""
    notes = []
    name = results.family(ds)
    paper = PAPERS.get(name)
    out = paper.figures(ds, notes) if paper else []
    if name != "linreg" and "rank" in ds.test_error.dims:
        notes.append(f"rank axis in a {name} sweep: the low-rank risk vs r figure (LRO) "
                     f"compares with the closed-form L*_r of family linreg; not drawn "
                     f"(the other figures hold rank at its first value)")
    if name == "unknown":
        notes.append("family unknown (no 'family' attribute, no -family in 'options'): "
                     "only the MV figures are drawn")
    return out, notes


def claims(ds, fit):
    """Plain-language sentences computed from the data for the family's paper."""
    name = results.family(ds)
    if name == "linreg":
        return lro.claims(ds)
    if name == "sphere":
        return dss.claims(ds)
    if name == "distreg":
        return lz.claims(ds, fit)
    return []
