"""report.md: one self-contained Markdown page per sweep, with its PNG figures beside it.

It answers the sweep's question first (verdict sentences and tables, as `fit` prints
them), then shows the figures, then how much of the sweep ran and how it was produced,
so a reader can judge the answer without the results file.
"""
from . import budget, papers, results, tables
from .plot import write_figures
from .verdict import sentences, verdict_table

# Long provenance attributes, shown as code blocks instead of table cells.
BLOCK_ATTRIBUTES = ("options", "history")
CAPTIONS = {
    "accuracy_vs_M": "Accuracy (or test error) against test context length M, every model.",
    "excess_vs_N": "Excess error against N at M = N, one curve per d: curves that collapse "
                   "across d show dimension-independent learning.",
    "nstar_vs_d": "N*(ε) against d, log-log: a flat line is dimension-independent, slope 1 "
                  "is N ~ d.",
    "nstar_vs_k": "N*(ε) against the subspace dimension k, log-log.",
    "lro_risk_vs_N": "LRO: risk (test MSE) against N at M = N, every model; exact models "
                     "(oracle, bayes) and the closed-form optimum L* computed from the "
                     "options are dotted.",
    "lro_lowrank_vs_rank": "LRO: low-rank attention's risk against its rank r, one colour "
                           "per N; dotted crosses: the closed-form optimal rank-r risk L*_r.",
    "dss_error_vs_N": "DSS: test error (misclassification) against N at M = N for "
                      "softmax, linear, kernel (and gd1) attention on the sphere.",
    "lz_error_vs_N": "LZ: excess error against N at M = N, one panel per learner (and "
                     "feature map), one curve per regularity (link, input law): different "
                     "slopes are different rates.",
    "lz_feature_maps": "LZ: the same curves grouped by regularity, one curve per learner "
                       "and feature map.",
    "lz_distill_gap_vs_D": "LZ: test-error gap of the distilled kernel model to its softmax "
                           "teacher against the number of random features D, log-log.",
}


def write_report(ds, outdir, fit, header):
    """Write report.md, its PNG figures, and the fit's CSV and JSON; return the paths.

    The paper claims (papers.claims) head the report and go to fit.json as 'paper_claims'.
    """
    figures = write_figures(ds, outdir, fit, suffixes=(".png",)) + budget.write_figures(ds, outdir, (".png",))
    table = verdict_table(fit)
    table, lines = budget.extend(table, sentences(table), ds, fit.draws)
    claims = papers.claims(ds, fit)
    written = tables.write(outdir, fit, table, lines, {**header, "paper_claims": claims})
    text = "\n\n".join([
        f"# iclsweep report: {results.family(ds)} sweep {ds.attrs.get('fingerprint', '')}",
        f"From `{header['source']}`. Every number below comes from cells with status ok.",
        *(["## Paper claims", "\n".join(f"- {line}" for line in claims)] if claims else []),
        "## Results", tables.fit_markdown(fit, table, lines),
        "## Figures", *(_figure(path.name, path.stem) for path in figures),
        "## Cells", _cells(ds),
        "## Provenance", _provenance(ds)]) + "\n"
    path = outdir / "report.md"
    path.write_text(text)
    return [path, *figures, *written]


def _figure(name, stem):
    return f"![{stem}]({name})\n\n{CAPTIONS.get(stem, '')}"


def _cells(ds):
    counts = results.status_counts(ds)
    rows = "\n".join(f"| {name} | {count} |" for name, count in counts.items())
    return (f"{sum(counts.values())} cells (model × every sweep axis × replicate).\n\n"
            f"| status | cells |\n|---|---|\n{rows}")


def _provenance(ds):
    """Every global attribute: short ones in a table, the long ones as code blocks."""
    short = {name: value for name, value in ds.attrs.items() if name not in BLOCK_ATTRIBUTES}
    rows = "\n".join(f"| {name} | {str(value).strip()} |" for name, value in short.items())
    blocks = [f"{name}:\n\n```\n{str(ds.attrs[name]).strip()}\n```" for name in BLOCK_ATTRIBUTES
              if name in ds.attrs]
    return "\n\n".join([f"| attribute | value |\n|---|---|\n{rows}", *blocks])
