"""Command line: `iclsweep-analysis {plot,summary,fit,report,export} RESULTS.nc ...`
(`python3 -m analysis ...` from the repository root is the same).

A bad input file ends with one line on stderr naming the file and the problem, and
exit code 2 (as for a usage error), never a traceback. Output into a closed pipe
(`fit | head`) ends quietly.
"""
import argparse
import importlib.util
import os
import sys
from pathlib import Path

from . import budget, dataset, families, results, tables
from .fit import analyse
from .stats import DRAWS
from .summary import summary_lines
from .verdict import sentences, verdict_table

EXIT_CANNOT_WRITE = 1
EXIT_BAD_INPUT = 2


def main(argv=None):
    """Run one subcommand; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        ds = results.load(args.results)
    except results.InputError as err:
        print(f"analysis: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if getattr(args, "output", False) is None and args.default_output:
        args.output = _beside(args.results, args.default_output)
    return args.command(ds, args)


def run():
    """The console command: main() with a reader that stops early (`| head`) taken quietly."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python's advice: point stdout at devnull so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)


def _beside(given, name):
    """`name` in the directory of the results file (the sweep directory itself if given)."""
    given = Path(given)
    return (given if given.is_dir() else given.parent) / name


def _source(given):
    """The input path for the record: as given when relative, relative to the working
    directory when under it, else just the file name (never a machine's absolute path)."""
    given = Path(given)
    if not given.is_absolute():
        return str(given)
    try:
        return str(given.relative_to(Path.cwd()))
    except ValueError:
        return given.name


def _plot(ds, args):
    from .plot import write_figures  # matplotlib is slow to import; summary does not need it

    _say_skipped(ds)
    return _writing(args.output, lambda: write_figures(ds, args.output, _fit_of(ds, args))
                    + budget.write_figures(ds, args.output, best_lr=args.best_lr, eps=args.eps_B))


def _fit(ds, args):
    _say_skipped(ds)
    fit = _fit_of(ds, args)
    table = verdict_table(fit)
    table, lines = budget.extend(table, sentences(table), ds, args.draws, args.best_lr, args.eps_B)
    bstar = budget.bstar_frame(ds, args.eps_B, args.draws, args.best_lr)
    print(tables.fit_markdown(fit, table, lines, budget.section(ds, bstar)))
    if args.output is None:
        return 0
    return _writing(args.output, lambda: tables.write(
        _made(args.output), fit, table, lines, _header(ds, args), {"bstar": bstar}))


def _report(ds, args):
    from .report import write_report  # imports matplotlib, as plot does

    _say_skipped(ds)
    if args.html and importlib.util.find_spec("markdown") is None:
        print("analysis: report --html needs Python-Markdown (Debian: python3-markdown)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    return _writing(args.output, lambda: write_report(ds, _made(args.output), _fit_of(ds, args),
                                                      _header(ds, args), as_html=args.html,
                                                      best_lr=args.best_lr, eps_B=args.eps_B))


def _export(ds, args):
    path = args.output if args.output.suffix else args.output.with_suffix(".csv")
    try:
        written = dataset.export(args.results, path)
    except ImportError:
        print(f"analysis: {path}: Parquet needs pyarrow (Debian: python3-pyarrow); "
              f"write .csv instead", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as err:
        print(f"analysis: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        print(f"analysis: cannot write {path}: {err.strerror or err}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    print(written)
    return 0


def _fit_of(ds, args):
    return analyse(ds, eps=args.eps, draws=args.draws, metric=families.paper(ds).METRIC)


def _header(ds, args):
    """Where the numbers come from, for the JSON sidecar."""
    return {"source": _source(args.results), "fingerprint": ds.attrs.get("fingerprint"),
            "status_counts": results.status_counts(ds)}


def _made(directory):
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _writing(directory, write):
    """Run `write`, print the paths it returns; an OSError is exit 1 with one line."""
    try:
        written = write()
    except OSError as err:
        print(f"analysis: cannot write to {directory}: {err.strerror or err}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    print("\n".join(map(str, written)))
    return 0


def _say_skipped(ds):
    """One stderr line counting the cells that are not ok and so not in any number."""
    counts = results.status_counts(ds)
    skipped = {name: count for name, count in counts.items() if name != "ok" and count}
    if skipped:
        print("skipped " + " / ".join(f"{count} {name}" for name, count in skipped.items())
              + " cells", file=sys.stderr)


def _summary(ds, args):
    print("\n".join(summary_lines(ds)))
    return 0


def _parser():
    parser = argparse.ArgumentParser(prog="iclsweep-analysis",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    commands = (
        ("plot", _plot, "write the figures the sweep's family needs (gmm: accuracy vs M, "
         "excess error vs N, N* vs d and k; linreg: risk vs N and vs rank against the "
         "closed form; sphere: softmax vs linear vs kernel error rate; distreg: error vs N "
         "per regularity and feature map) as PNG and PDF", "FIGDIR", "figures"),
        ("summary", _summary, "print three lines on what the sweep shows", None, None),
        ("fit", _fit, "print rate fits, N*(eps) and the verdict table; -o also writes CSV and "
         "JSON", "OUTDIR", None),
        ("report", _report, "write report.md (paper claims in plain words, fit tables) with "
         "its PNG figures, CSV and JSON; --html also a self-contained report.html", "OUTDIR",
         "report"),
        ("export", _export, "write the grid as a flat table, one row per (cell, M): .csv, or "
         ".parquet where pyarrow is installed", "FILE", "results.csv"),
    )
    for name, command, help_text, outdir, default in commands:
        one = sub.add_parser(name, help=help_text, description=help_text)
        one.add_argument("results", help="results.nc (or the sweep directory holding it)")
        one.set_defaults(command=command, default_output=default)
        if outdir is None:
            continue
        where = (f" (default: {default} beside the results file)" if default else "")
        one.add_argument("-o", "--output", type=Path, metavar=outdir,
                         help=f"where to write{where}; directories are created if missing")
        if name == "export":
            continue
        one.add_argument("--eps", type=_positive(float), nargs="+", metavar="E",
                         help="levels of the family's metric for N*(eps), for every model "
                              "(default: one per model, the geometric middle of the range its "
                              "curves cross); give it after RESULTS")
        one.add_argument("--eps-B", type=_positive(float), nargs="+", metavar="E",
                         help="levels of the excess error for B*(eps) over a train_tasks axis, "
                              "for every trained model (default: one per model, chosen as for "
                              "N*); give it after RESULTS")
        one.add_argument("--draws", type=_positive(int), default=DRAWS,
                         help=f"bootstrap draws over replicates (default {DRAWS})")
        if name == "report":
            one.add_argument("--html", action="store_true",
                             help="also write report.html, one file with the figures inside")
        one.add_argument("--best-lr", action="store_true",
                         help="B*(eps) over a train_lr axis: per cell the eta of lowest training "
                              "loss (never test error)")
    return parser


def _positive(kind):
    """argparse type: a number of `kind` above zero (an ε or a draw count of 0 means nothing)."""
    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, not {text}")
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


if __name__ == "__main__":
    run()
