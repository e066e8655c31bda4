"""Command line: `python3 -m analysis {plot,summary,fit,report} RESULTS.nc ...`.

A bad input file ends with one line on stderr naming the file and the problem, and
exit code 2 (as for a usage error), never a traceback.
"""
import argparse
import sys
from pathlib import Path

from . import budget, results, tables
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
    return args.command(ds, args)


def _plot(ds, args):
    from .plot import write_figures  # matplotlib is slow to import; summary does not need it

    _say_skipped(ds)
    return _writing(args.output, lambda: write_figures(ds, args.output, _fit_of(ds, args))
                    + budget.write_figures(ds, args.output, best_lr=args.best_lr))


def _fit(ds, args):
    _say_skipped(ds)
    fit = _fit_of(ds, args)
    table = verdict_table(fit)
    table, lines = budget.extend(table, sentences(table), ds, args.draws, args.best_lr)
    print(tables.fit_markdown(fit, table, lines))
    if args.output is None:
        return 0
    return _writing(args.output, lambda: tables.write(
        _made(args.output), fit, table, lines, _header(ds, args)))


def _report(ds, args):
    from .report import write_report  # imports matplotlib, as plot does

    _say_skipped(ds)
    return _writing(args.output, lambda: write_report(ds, _made(args.output), _fit_of(ds, args),
                                                      _header(ds, args)))


def _fit_of(ds, args):
    return analyse(ds, eps=args.eps, draws=args.draws)


def _header(ds, args):
    """Where the numbers come from, for the JSON sidecar."""
    return {"source": str(args.results), "fingerprint": ds.attrs.get("fingerprint"),
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
    parser = argparse.ArgumentParser(prog="python3 -m analysis", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    commands = (
        ("plot", _plot, "write the figures (accuracy vs M, excess vs N, N* vs d and k, and by "
         "family: linreg risk vs N and vs rank against the closed form, sphere softmax vs "
         "linear vs kernel, distreg error vs N per regularity and feature map) as PNG and PDF",
         "FIGDIR", True),
        ("summary", _summary, "print three lines on what the sweep shows", None, False),
        ("fit", _fit, "print rate fits, N*(eps) and the verdict table; -o also writes CSV and "
         "JSON", "OUTDIR", False),
        ("report", _report, "write report.md (paper claims in plain words, fit tables) with "
         "its PNG figures, CSV and JSON", "OUTDIR", True),
    )
    for name, command, help_text, outdir, required in commands:
        one = sub.add_parser(name, help=help_text, description=help_text)
        one.add_argument("results", help="results.nc (or the sweep directory holding it)")
        one.set_defaults(command=command)
        if outdir is None:
            continue
        one.add_argument("-o", "--output", type=Path, required=required, metavar=outdir,
                         help="directory for the output (created if missing)")
        one.add_argument("--eps", type=_positive(float), nargs="+", metavar="E",
                         help="excess-error levels for N*(eps), for every model (default: one "
                              "per model, the geometric middle of the range its curves "
                              "cross); give it after RESULTS")
        one.add_argument("--draws", type=_positive(int), default=DRAWS,
                         help=f"bootstrap draws over replicates (default {DRAWS})")
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
    sys.exit(main())
