"""Read an iclsweep results.nc: figures, rate fits, the dimension verdict, a report.

Command line: ``iclsweep-analysis {plot,summary,fit,report,export} RESULTS.nc`` (or
``python3 -m analysis ...``); see ``__main__``. From Python: ``analysis.load(path)`` gives
the grid as an xarray Dataset (ok cells only, categorical axes by name) and
``analysis.export(ds, "grid.csv")`` a flat table, one row per (cell, M).

Modules: dataset (load, export), results (read, validate), selection (slices), stats
(the one interval method), powerlaw (log-log fits), nstar (N*(ε)), fit (every curve,
bootstrapped), verdict (slopes of N* vs d and k, in words), tables (CSV, JSON,
Markdown), draw (drawing helpers), families (the registry of papers: mv, lro, dss, lz),
plot, summary, report, html.
"""
from .dataset import export, load

__all__ = ["load", "export"]
