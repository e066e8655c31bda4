"""Reduce the sweep grid to the slice a figure or summary line is about."""
import numpy as np
import xarray as xr

# Held at their largest value: the most context, the most pretraining tasks.
LARGEST = ("N", "train_tasks")

def fix_other_axes(obj, keep):
    """Hold every dimension not in `keep` (other than 'replicate') at one value.

    N and the number of training tasks are held at their largest value, where learners are
    closest to their limit; every other sweep axis (k, R, and any added later) at its first
    value. Returns the slice and a {dim: value} dict of what was held, for titles.
    """
    picked = {}
    for dim in obj.dims:
        if dim in keep or dim == "replicate":
            continue
        index = int(np.argmax(obj[dim].values)) if dim in LARGEST else 0
        picked[dim] = obj[dim].values[index].item()
        obj = obj.isel({dim: index})
    return obj, picked


def describe(picked):
    """'k=30, N=40, R=2' from the dict fix_other_axes returns. A NaN value (the R axis of a
    sweep whose R is an expression of the cell: not a coordinate) is left out."""
    return ", ".join(f"{dim}={value:g}" if isinstance(value, (int, float)) else f"{dim}={value}"
                     for dim, value in picked.items()
                     if not (isinstance(value, float) and np.isnan(value)))


def at_M_equals_N(obj):
    """For every N, the value at test context length M = N: the in-distribution point.

    When N is not among the M values, the largest M <= N stands in; N values with no
    such M are dropped (results.load ensures some N has one). The M used is kept as
    coordinate 'M_used' along N.
    """
    m_values = obj.M.values
    pieces, used = [], []
    for n in obj.N.values:
        candidates = m_values[m_values <= n]
        if candidates.size:
            pieces.append(obj.sel(N=n, M=candidates.max()).drop_vars("M"))
            used.append(candidates.max())
    return xr.concat(pieces, dim="N").assign_coords(M_used=("N", used))


def substitutions(obj):
    """'N=50: M=40, ...' for the N where at_M_equals_N had to use M != N ('' if none)."""
    return ", ".join(f"N={n:g}: M={m:g}" for n, m in zip(obj.N.values, obj.M_used.values)
                     if n != m)
