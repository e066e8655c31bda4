"""The fit results as tables: raw numbers for CSV and JSON, readable Markdown for people.

The same Markdown goes to the terminal (`fit`) and into report.md, so what a reader
sees in the report is exactly what the command printed.
"""
import json
import math

import numpy as np

from .nstar import BELOW_GRID, FLAG_NAMES, INSIDE, NOT_REACHED
from .stats import LEVEL, caveat


def rate_frame(fit):
    """One row per curve: exponents vs N (at M = N) and vs M (at the largest N)."""
    return fit.rates.to_dataframe(dim_order=list(fit.rates.a_N.dims)).reset_index()


def nstar_frame(fit):
    """One row per curve and ε level: N*, its interval and where it lies on the grid."""
    points = fit.nstar.drop_vars(["draw_value", "draw_flag"])
    frame = (points.to_dataframe(dim_order=list(points.nstar.dims)).reset_index()
             .drop(columns="level"))
    frame["flag"] = frame["flag"].map(FLAG_NAMES)
    return frame


def format_estimate(value, lo, hi):
    """'0.98 [0.93, 1.04]'; three decimals when the interval is narrower than 0.05."""
    if math.isnan(value):
        return "n/a"
    digits = 3 if not math.isnan(lo) and hi - lo < 0.05 else 2
    interval = "" if math.isnan(lo) else f" [{lo:.{digits}f}, {hi:.{digits}f}]"
    return f"{value:.{digits}f}{interval}"


def markdown(frame):
    """A pipe table of the frame as it is (every cell through str)."""
    header = [str(column) for column in frame.columns]
    rows = [[_cell(value) for value in row] for row in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def rate_markdown(fit):
    """Readable rate table: exponent a of excess ∝ x^-a with its interval."""
    frame = rate_frame(fit)
    axes = list(fit.rates.a_N.dims)
    shown = frame[axes].copy()
    shown["replicates"] = frame["replicates"]
    shown["a vs N (M = N)"] = [format_estimate(*row) for row in
                               frame[["a_N", "a_N_lo", "a_N_hi"]].itertuples(index=False)]
    shown["a vs M"] = [format_estimate(*row) for row in
                       frame[["a_M", "a_M_lo", "a_M_hi"]].itertuples(index=False)]
    shown["at N"] = frame["N_for_M_fit"]
    return markdown(shown)


def nstar_markdown(fit):
    """Readable N* table; out-of-grid values and bounds written as '≤ 5' / '> 80'."""
    frame = nstar_frame(fit)
    axes = [dim for dim in fit.nstar.nstar.dims if dim != "level"]
    shown = frame[axes].copy()
    shown.insert(1, "ε", [f"{eps:.3g}" for eps in frame["eps"]])
    shown["N*"] = [threshold_cell(*row, fit.n_grid) for row in
                   frame[["flag", "nstar", "nstar_lo", "nstar_hi"]].itertuples(index=False)]
    shown["where"] = frame["flag"]
    return markdown(shown)


def verdict_markdown(table):
    """Readable verdict table: slope of log N* against log d (or k) with its interval."""
    shown = table[["model", "axis", "held", "points"]].copy()
    shown.insert(1, "ε", [f"{eps:.3g}" for eps in table["eps"]])
    shown["slope [95% CI]"] = [format_estimate(*row) for row in
                               table[["slope", "lo", "hi"]].itertuples(index=False)]
    shown["draws used"] = [f"{used:.0%}" if not math.isnan(used) else "" for used
                           in table["draws_used"]]
    shown["reading"] = table["reading"]
    return markdown(shown)


def write(outdir, fit, table, sentences, header, extra=None):
    """rates.csv, nstar.csv, verdict.csv and fit.json (all of it, plus `header`) in outdir;
    `extra` ({name: DataFrame}, e.g. B*'s table) adds NAME.csv for each non-empty one."""
    frames = {"rates": rate_frame(fit), "nstar": nstar_frame(fit), "verdict": table,
              **{name: frame for name, frame in (extra or {}).items() if len(frame)}}
    written = []
    for name, frame in frames.items():
        path = outdir / f"{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    sidecar = {**header, "bootstrap_draws": fit.draws, "seed": fit.seed, "level": LEVEL,
               "eps": {model: fit.eps.sel(model=model).values.tolist()
                       for model in fit.eps.model.values},
               "sentences": sentences,
               **{name: frame.to_dict(orient="records") for name, frame in frames.items()}}
    path = outdir / "fit.json"
    path.write_text(json.dumps(_jsonable(sidecar), indent=1, ensure_ascii=False) + "\n")
    return written + [path]


def threshold_cell(flag, value, lo, hi, n_grid):
    """N* (or B*) with its interval, or its bound when outside the grid (n_grid: its ends)."""
    if flag == FLAG_NAMES[BELOW_GRID]:
        return f"≤ {n_grid[0]:g}"
    if flag == FLAG_NAMES[NOT_REACHED]:
        return f"> {n_grid[-1]:g}"
    if flag != FLAG_NAMES[INSIDE]:
        return "no data"
    if math.isnan(lo):
        return f"{value:.3g}"
    low = f"< {n_grid[0]:g}" if lo == 0 else f"{lo:.3g}"
    high = f"> {n_grid[-1]:g}" if math.isinf(hi) else f"{hi:.3g}"
    return f"{value:.3g} [{low}, {high}]"


def _cell(value):
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _jsonable(value):
    """JSON has no NaN or infinity: NaN becomes null, ±inf the strings 'inf' / '-inf'."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) else (str(value) if math.isinf(value) else value)
    return value


def fit_markdown(fit, table, sentences, more=""):
    """The `fit` printout: verdict sentences, verdict table, N* table (then `more`, e.g. the
    B* table), rate table, notes."""
    name = fit.metric.replace("_", " ")
    eps_note = ", ".join(f"{model} {', '.join(f'{e:.3g}' for e in values)}" for model, values
                         in zip(fit.eps.model.values, fit.eps.values))
    chosen = ("given on the command line" if fit.eps_given else
              "chosen from the data: the geometric middle of the window where every curve "
              "of the model crosses inside the N grid (or of its typical range if none)")
    one_n = fit.single_n
    notes = [] if one_n else [
        f"ε per model ({chosen}): {eps_note}.",
        f"N*(ε): first crossing of the mean {name} at M = N, interpolated in "
        "log N vs log error; '≤ N_min' / '> N_max' when outside the grid."]
    notes += [f"Intervals (figures and tables alike): {LEVEL:.0%} expanded percentile "
             f"bootstrap over replicates ({fit.draws} draws, seed {fit.seed}); none with "
             f"one replicate. A zero-width interval means the replicates agree exactly "
             f"(closed-form baselines)."]
    fewest = int(fit.rates.replicates.min()) if fit.rates.replicates.size else 0
    if caveat(fewest):
        notes.append(f"Intervals are unreliable here: {caveat(fewest)}.")
    if fit.substitutions:
        notes.append(f"M = N not evaluated; the largest M ≤ N stood in ({fit.substitutions}).")
    verdict = ["### Verdict"]
    if one_n:  # no threshold crossing to find, no slope (B*'s rows may follow)
        verdict.append(f"One context length (N = {fit.n_grid[0]:g}): no N*(ε) and no slope "
                       f"of N* against d or k; the rates against M below and the claims above "
                       f"answer instead.")
    if len(table):
        verdict += ["\n".join(f"- {line}" for line in sentences), verdict_markdown(table)]
    if not one_n:
        verdict += ["### Sample complexity N*(ε)", nstar_markdown(fit)]
    return "\n\n".join([
        *verdict, *([more] if more else []),
        f"### Rate fits: {name} ∝ x^(−a)", rate_markdown(fit),
        "### Notes", "\n".join(f"- {note}" for note in notes)])
