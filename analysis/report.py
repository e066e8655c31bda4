"""report.md: one self-contained Markdown page per sweep, with its PNG figures beside it.

It answers the sweep's question first (verdict sentences and tables, as `fit` prints
them), then shows the figures, then how much of the sweep ran and how it was produced,
so a reader can judge the answer without the results file.
"""
import re

from . import budget, families, html, results, tables
from .plot import write_figures
from .stats import method
from .verdict import sentences, verdict_table

# An absolute path outside /usr (where Debian's libraries live, worth naming in full).
ABSOLUTE_PATH = re.compile(r"(?<![^\s=:'\"`])/(?!usr/)(?:[^\s/]+/)+([^\s/]+)")
# Long provenance attributes, shown as code blocks instead of table cells.
BLOCK_ATTRIBUTES = ("options", "history")
CAPTIONS = {
    "accuracy_vs_M": "Accuracy (1 − error rate) against test context length M, every model.",
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
    "dss_error_vs_N": "DSS: test error rate (misclassification) against N at M = N for "
                      "softmax, linear, kernel (and gd1) attention on the sphere.",
    "lz_error_vs_N": "LZ: excess error (test MSE − σ²) against N at M = N, one panel per "
                     "learner (and feature map), one curve per regularity (link, input "
                     "law): different slopes are different rates.",
    "lz_feature_maps": "LZ: the same curves grouped by regularity, one curve per learner "
                       "and feature map.",
    "lz_distill_gap_vs_D": "LZ: distillation loss of the distilled kernel model against its "
                           "softmax teacher vs the number of random features D, log-log.",
}


def write_report(ds, outdir, fit, header, as_html=False, best_lr=False, eps_B=None):
    """Write report.md, its PNG figures, and the fit's CSV and JSON; return the paths.

    The paper claims (the family's claims, families.py) head the report and go to
    fit.json as 'paper_claims'. With `as_html`, report.html too: the same page with the
    figures inside it, one file to send. best_lr, eps_B: B*'s choice of η and ε levels
    along a train_tasks axis (budget.py).
    """
    figures = (write_figures(ds, outdir, fit, suffixes=(".png",))
               + budget.write_figures(ds, outdir, (".png",), best_lr, eps_B))
    table = verdict_table(fit)
    table, lines = budget.extend(table, sentences(table), ds, fit.draws, best_lr, eps_B)
    bstar = budget.bstar_frame(ds, eps_B, fit.draws, best_lr)
    claims = families.paper(ds).claims(ds, fit)
    written = tables.write(outdir, fit, table, lines, {**header, "paper_claims": claims},
                           {"bstar": bstar})
    uncertainty = method(ds.sizes["replicate"])
    text = "\n\n".join([
        f"# iclsweep report: {results.family(ds)} sweep {ds.attrs.get('fingerprint', '')}",
        f"From `{header['source']}`. Every number below comes from cells with status ok. "
        f"{uncertainty[0].upper()}{uncertainty[1:]}.",
        *(["## Paper claims", "\n".join(f"- {line}" for line in claims)] if claims else []),
        "## Results", tables.fit_markdown(fit, table, lines, budget.section(ds, bstar)),
        "## Figures", *(_figure(path.name, path.stem, uncertainty) for path in figures),
        "## Cells", _cells(ds),
        "## Provenance", _provenance(ds)]) + "\n"
    path = outdir / "report.md"
    path.write_text(text)
    pages = [path]
    if as_html:
        pages.append(html.write(outdir / "report.html", text, outdir))
    return [*pages, *figures, *written]


def _figure(name, stem, uncertainty):
    return f"![{stem}]({name})\n\n{CAPTIONS.get(stem, '')} Bands: {uncertainty}."


def _local(value):
    """str(value) stripped, with every absolute path /a/b/c written as c."""
    return ABSOLUTE_PATH.sub(r"\1", str(value).strip())


def _cells(ds):
    counts = results.status_counts(ds)
    rows = "\n".join(f"| {name} | {count} |" for name, count in counts.items())
    return (f"{sum(counts.values())} cells (model × every sweep axis × replicate).\n\n"
            f"| status | cells |\n|---|---|\n{rows}")


def _provenance(ds):
    """Every global attribute: short ones in a table, the long ones as code blocks.

    Absolute paths (the -output of the run, say) are cut to their last component: a
    report is shared, the machine it ran on is not. System paths under /usr stay.
    """
    short = {name: value for name, value in ds.attrs.items() if name not in BLOCK_ATTRIBUTES}
    rows = "\n".join(f"| {name} | {_local(value)} |" for name, value in short.items())
    blocks = [f"{name}:\n\n```\n{_local(ds.attrs[name])}\n```" for name in BLOCK_ATTRIBUTES
              if name in ds.attrs]
    return "\n\n".join([f"| attribute | value |\n|---|---|\n{rows}", *blocks])
