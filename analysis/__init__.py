"""Read an iclsweep results.nc: figures, rate fits, the dimension verdict, a report.

Run as ``python3 -m analysis {plot,summary,fit,report} RESULTS.nc``; see ``__main__``.
Modules: results (load, validate), selection (slices), stats (replicate intervals),
powerlaw (log-log fits), nstar (N*(ε)), fit (every curve, bootstrapped), verdict (slopes
of N* vs d and k, in words), tables (CSV, JSON, Markdown), plot, summary, report.
"""
