"""Slices used by the figures: held axes and the M = N point."""
import numpy as np
import xarray as xr

from analysis.selection import at_M_equals_N, describe, fix_other_axes, substitutions


def grid():
    dims = {"d": [10, 40], "k": [2, 3], "N": [10, 20, 40], "R": [1.0, 2.0], "M": [1, 10, 30]}
    shape = [len(v) for v in dims.values()]
    return xr.DataArray(np.arange(np.prod(shape), dtype=float).reshape(shape),
                        dims=list(dims), coords=dims)


def test_fix_other_axes_holds_largest_N_and_first_of_the_rest():
    da, picked = fix_other_axes(grid(), keep=("d", "M"))
    assert picked == {"k": 2, "N": 40, "R": 1.0}
    assert describe(picked) == "k=2, N=40, R=1"
    assert da.equals(grid().sel(k=2, N=40, R=1.0))


def test_M_equals_N_falls_back_to_largest_M_not_above_N():
    da = at_M_equals_N(grid())
    assert da.M_used.values.tolist() == [10, 10, 30]
    assert substitutions(da) == "N=20: M=10, N=40: M=30"
    assert da.sel(N=40).equals(grid().sel(N=40, M=30).drop_vars("M").assign_coords(M_used=30))
