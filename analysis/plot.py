"""Write a sweep's figures: those its family's paper needs (families.py), as PNG and PDF.

A figure that cannot be drawn, or a panel that would be empty, is left out with one
line on stderr saying why; no empty panel is ever written.
"""
import sys
from pathlib import Path

from . import families


def write_figures(ds, figdir, fit, suffixes=(".png", ".pdf")):
    """Draw the family's figures into `figdir` in each format; return the paths written."""
    figdir = Path(figdir)
    figdir.mkdir(parents=True, exist_ok=True)
    notes = families.notes(ds)
    figures = families.paper(ds).figures(ds, fit, notes)
    written = []
    for stem, fig in figures:
        if not _without_empty_panels(stem, fig, notes):
            continue
        for suffix in suffixes:
            path = figdir / f"{stem}{suffix}"
            fig.savefig(path, dpi=150, bbox_inches="tight")
            written.append(path)
    for note in notes:
        print(note, file=sys.stderr)
    return written


def _without_empty_panels(stem, fig, notes):
    """Hide the panels of `fig` with no curve (one note each); False if none has one."""
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    empty = [ax for ax in shown if not ax.lines and not ax.collections]
    if len(empty) == len(shown):
        notes.append(f"{stem}: no panel has a curve with ok cells; not drawn")
        return False
    for ax in empty:
        ax.set_visible(False)
        notes.append(f"{stem}: panel '{ax.get_title()}' has no ok cells; left out")
    return True
