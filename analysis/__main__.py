"""Command line: `python3 -m analysis plot RESULTS.nc -o FIGDIR` and `... summary RESULTS.nc`.

A bad input file ends with one line on stderr naming the file and the problem, and
exit code 2 (as for a usage error), never a traceback.
"""
import argparse
import sys
from pathlib import Path

from . import results
from .summary import summary_lines

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

    counts = results.status_counts(ds)
    skipped = {name: count for name, count in counts.items() if name != "ok" and count}
    if skipped:
        print("skipped " + " / ".join(f"{count} {name}" for name, count in skipped.items())
              + " cells", file=sys.stderr)
    try:
        written = write_figures(ds, args.output)
    except OSError as err:
        print(f"analysis: cannot write figures to {args.output}: {err.strerror or err}",
              file=sys.stderr)
        return EXIT_CANNOT_WRITE
    print("\n".join(map(str, written)))
    return 0


def _summary(ds, args):
    print("\n".join(summary_lines(ds)))
    return 0


def _parser():
    parser = argparse.ArgumentParser(prog="python3 -m analysis", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    plot = sub.add_parser("plot", help="write accuracy_vs_M and excess_vs_N as PNG and PDF")
    plot.add_argument("results", help="results.nc (or the sweep directory holding it)")
    plot.add_argument("-o", "--output", type=Path, required=True, metavar="FIGDIR",
                      help="directory for the figures (created if missing)")
    plot.set_defaults(command=_plot)
    summary = sub.add_parser("summary", help="print three lines on what the sweep shows")
    summary.add_argument("results", help="results.nc (or the sweep directory holding it)")
    summary.set_defaults(command=_summary)
    return parser


if __name__ == "__main__":
    sys.exit(main())
