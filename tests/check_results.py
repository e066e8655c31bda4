#!/usr/bin/python3
"""End-to-end checks of iclsweep's results.nc, read without any iclsweep code.

  check_results.py spec9 DIR           the MV Fig. 1 reference table of docs/models.md (MV Fig. 1 protocol)
  check_results.py same DIR DIR...     identical data in every variable, bit for bit
  check_results.py same_upgraded DIR DIR   the same but for the loss history (format 2 kept none)
  check_results.py schema DIR          the NetCDF schema of docs/output.md (ncdump, xarray, netCDF4)
  check_results.py close DIR DIR...    equal to rounding (relative 1e-9): groups reduce in another order
  check_results.py single DOUBLE SINGLE   -train_precision single equals double to float rounding
  check_results.py linreg DIR          trained linear attention reaches the closed-form optimum L*
  check_results.py lowrank DIR         lowrank reaches the optimal rank-r risk L*_r; oracle -rank r is W*_r
  check_results.py h3 DIR              h3 matches linear on i.i.d. tasks and beats it under drift
  check_results.py rag DIR             trained linear under RAG: the best isotropic risk, N_eff = (alpha^2 d + 1) N
  check_results.py subspace FIRST RANDOM   the same sweep with -subspace first and random
  check_results.py subset SMALL BIG    every cell of SMALL (fewer axis values) is bitwise in BIG
  check_results.py svm DIR             the svm baseline ran in every applicable cell, sensibly
"""
import pathlib
import subprocess
import sys

import netCDF4
import numpy as np
import xarray as xr

failures = []
passes = 0


def check(cond, message):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(message)
        print("FAIL:", message)


def spec9(directory):
    ds = xr.open_dataset(f"{directory}/results.nc")
    table = {
        "linear": ([.690, .837, .890, .925, .938, .945, .949, .957], 0.01),
        "mle": ([.570, .652, .706, .771, .810, .837, .857, .909], 0.005),
        "oracle": ([.743, .893, .934, .956, .963, .967, .969, .973], 0.005),
    }
    check(list(ds.M.values) == [1, 5, 10, 20, 30, 40, 50, 100], f"M axis {ds.M.values}")
    for model, (expected, tol) in table.items():
        acc = 1 - ds.test_error.sel(model=model).squeeze().values
        for m, a, e in zip(ds.M.values, acc, expected):
            check(abs(a - e) <= tol, f"{model} accuracy at M={m}: {a:.4f}, table {e} +- {tol}")
        print(model, " ".join(f"{a:.4f}" for a in acc))
    loss = float(ds.train_loss.sel(model="linear").squeeze())
    check(abs(loss - 0.324) <= 0.01, f"linear training loss {loss:.4f}, docs/models.md24")
    bayes = 1 - ds.test_error.sel(model="bayes").squeeze().values
    check(np.allclose(bayes, 0.977249868, atol=1e-8), f"bayes accuracy {bayes[0]}, Phi(2) = 0.97725")
    check(np.allclose(ds.excess_error.sel(model="bayes"), 0, atol=1e-15), "bayes excess error must be 0")
    check(int(ds.status.sel(model="linear")) == 1, "linear cell must be ok")
    print(f"linear training loss {loss:.4f}")


def named(var):
    """A variable's values; a categorical axis of integer codes (files of earlier iclsweep
    builds) as the names its CF flag attributes give them, as iclsweep now writes them."""
    values = var[...]
    if "flag_meanings" in var.ncattrs() and var.name != "status":
        names = dict(zip(np.atleast_1d(var.flag_values).tolist(), var.flag_meanings.split()))
        return np.array([names[int(v)] for v in values], dtype=object)
    return values


def same(directories, skip=("wall_seconds",)):
    """Every variable but wall_seconds (a measurement, not a result) must match exactly;
    categorical axes compare by name (earlier files stored codes)."""
    first = netCDF4.Dataset(f"{directories[0]}/results.nc")
    for other_dir in directories[1:]:
        other = netCDF4.Dataset(f"{other_dir}/results.nc")
        check(first.fingerprint == other.fingerprint, f"fingerprints differ: {directories[0]} vs {other_dir}")
        check(set(first.variables) == set(other.variables), "variable sets differ")
        for name, var in first.variables.items():
            if name in skip:
                continue
            a, b = named(var), named(other.variables[name])
            if a.dtype.kind in "fc" and b.dtype.kind in "fc":
                a, b = np.ma.filled(a, np.nan), np.ma.filled(b, np.nan)
                equal = a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))
            else:
                equal = np.array_equal(np.ma.filled(a), np.ma.filled(b))
            check(equal, f"{name} differs between {directories[0]} and {other_dir}")
        other.close()
    status = first.variables["status"][...]
    check((status == 1).sum() > 0, "the sweep must hold ok cells")
    first.close()


def close(directories, rtol=1e-9):
    """Results, status and fill pattern of every run equal the first's to rounding."""
    first = xr.open_dataset(f"{directories[0]}/results.nc")
    # messages of ok cells are notes, never failures
    check(("failures" in first.attrs) == bool(np.isin(first.status.values, (2, 3)).any()),
          "the failures attribute must be there exactly when cells failed or diverged")
    if "distill" in first.model.values:
        check("test gap to the teacher" in first.attrs.get("notes", ""), "distill's gap per M must be in the notes attribute")
    for other_dir in directories[1:]:
        other = xr.open_dataset(f"{other_dir}/results.nc")
        check(first.attrs["fingerprint"] == other.attrs["fingerprint"], f"fingerprints differ: {other_dir}")
        check(np.array_equal(first.status.values, other.status.values), f"status differs in {other_dir}")
        for name in ("test_error", "test_error_se", "excess_error", "train_loss", "subspace_alignment", "singular_values",
                     "gd_distance"):
            a, b = first[name].values, other[name].values
            same_fill = np.array_equal(np.isnan(a), np.isnan(b))
            ok = same_fill and np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=rtol, atol=rtol * 1e-3)
            check(ok, f"{name} differs beyond rounding between {directories[0]} and {other_dir}")
            if same_fill and np.isfinite(a).any():
                rel = np.nanmax(np.abs(a - b) / np.maximum(np.abs(a), 1e-300))
                print(f"{other_dir}: {name} max relative difference {rel:.2e}")


def single(double_dir, single_dir, tol=1e-4):
    """The same sweep trained in double and with -train_precision single: linear's test errors
    within tol absolute, its training loss within tol relative; every other model unchanged."""
    a, b = xr.open_dataset(f"{double_dir}/results.nc"), xr.open_dataset(f"{single_dir}/results.nc")
    check("-train_precision single" in b.attrs["options"], f"{single_dir} must record -train_precision single")
    check(a.attrs["fingerprint"] != b.attrs["fingerprint"], "single must be another sweep (fingerprint)")
    check(np.array_equal(a.status.values, b.status.values) and (a.status.values == 1).any(), "status must agree, with ok cells")
    for model in a.model.values:
        x, y = a.sel(model=model), b.sel(model=model)
        if model != "linear":
            check(np.array_equal(x.test_error.values, y.test_error.values, equal_nan=True), f"{model} must not depend on the precision")
            continue
        err = float(np.nanmax(np.abs(x.test_error.values - y.test_error.values)))
        loss = float(np.nanmax(np.abs(x.train_loss.values - y.train_loss.values) / np.abs(x.train_loss.values)))
        check(err <= tol, f"linear test error differs by {err:.2e} > {tol} between double and single")
        check(loss <= tol, f"linear training loss differs by {loss:.2e} relative > {tol}")
        print(f"linear, single vs double: test error max |difference| {err:.2e}, training loss max relative {loss:.2e}")


def linreg(directory):
    """At its own context length (M = N), squared-loss GD from W = 0 on B tasks ends within 1%
    of L* (the finite-B gap is ~0.2%); the oracle re-optimizes W* at every M."""
    ds = xr.open_dataset(f"{directory}/results.nc")
    check(ds.attrs["family"] == "linreg", "family must be linreg")
    diag = [ds.test_error.sel(N=n, M=n) for n in ds.N.values]
    lin = np.concatenate([t.sel(model="linear").values.ravel() for t in diag])
    star = np.concatenate([t.sel(model="oracle").values.ravel() for t in diag])
    bayes = ds.test_error.sel(model="bayes").values.ravel()
    sigma2 = 0.5 ** 2
    check(np.allclose(bayes, sigma2), f"bayes risk {bayes} must be sigma^2 = {sigma2}")
    check((star > sigma2).all() and (lin >= star * (1 - 1e-12)).all(), f"L* {star} must lie between sigma^2 and the trained risk {lin}")
    check((lin <= star * 1.01).all(), f"trained risk {lin} is not within 1% of L* {star}")
    print("trained risk", lin, "L*", star)


def lowrank(directory):
    """Issue 5 reference, spectrum (3, 2, 1, .5, .25, .1), N = M = 10, sigma^2 = 0.3, d = k = 6:
    L*_r = 7.150, 4.908, 3.536, 2.985, 2.788, 2.725, 2.712 (r = 0..6): the oracle's W*_r must give
    them to 1e-3. Trained lowrank cannot beat L*_r (the risk is
    exact) and must end within 0.6% above it: the finite-B gap of GD on B = 20000 tasks is
    about 0.3% (the same as linear's), and 0.6% still tells r = 5 (2.725) from r = 6 (2.712)."""
    expect = [7.150, 4.908, 3.536, 2.985, 2.788, 2.725, 2.712]
    ds = xr.open_dataset(f"{directory}/results.nc")
    err = ds.test_error.sel(M=10, N=10).squeeze()
    for r in ds["rank"].values:
        star = float(err.sel(model="oracle", rank=r))
        low = float(err.sel(model="lowrank", rank=r))
        print(f"r = {r}: L*_r reference {expect[r]:.3f}, oracle W*_r {star:.5f}, lowrank {low:.5f} ({(low / star - 1) * 100:+.2f}%)")
        check(abs(star - expect[r]) <= 1e-3, f"oracle rank {r}: {star:.5f} vs L*_r = {expect[r]}")
        check(star * (1 - 1e-9) <= low <= star * 1.006, f"lowrank rank {r}: {low:.5f} not within [L*_r, 1.006 L*_r], L*_r = {star:.5f}")
    # the spectrum as resolved is in the file (weights over their sum), and analysis reads it there
    weights = np.array([3, 2, 1, .5, .25, .1])
    stored = ds.spectrum.sel(k=6).values
    check(np.allclose(stored, weights / weights.sum(), rtol=1e-15, atol=0), f"stored spectrum {stored} is not the list over its sum")
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    from analysis import lro, results
    R = float(ds.R.values[0])
    lam = lro.spectrum(results.load(f"{directory}/results.nc"), 6, R)
    check(np.allclose(lam, R * R * weights / weights.sum(), rtol=1e-14, atol=0), f"analysis reads lambda {lam}, not R^2 times the stored spectrum")


def h3(directory):
    """drift 0 (exact risks): uniform weights are optimal for i.i.d. contexts (the risk depends
    on omega through S1 and S2 only, and S2 >= S1^2/N), so trained h3 must match trained linear
    within 1% at every M (the finite-B gaps are ~0.3%) and not beat the oracle's L* at M = N.
    drift > 0 (Monte Carlo, the same test tasks for both): h3 must beat linear at M = N by more
    than 4 standard errors of the difference, taken as sqrt(se_h3^2 + se_linear^2), which ignores
    the positive correlation of common random numbers and so overstates it."""
    ds = xr.open_dataset(f"{directory}/results.nc")
    err, se = ds.test_error.squeeze(), ds.test_error_se.squeeze()
    n = int(ds.N.values[0])
    iid = err.sel(drift=0)
    rel = np.abs(iid.sel(model="h3") / iid.sel(model="linear") - 1).values
    print("drift 0, M =", ds.M.values, "linear", iid.sel(model="linear").values, "h3", iid.sel(model="h3").values,
          "relative difference", rel)
    check((rel <= 0.01).all(), f"i.i.d.: h3 differs from linear by {rel} (> 1%)")
    star = float(iid.sel(model="oracle", M=n))
    check(float(iid.sel(model="h3", M=n)) >= star * (1 - 1e-9), f"i.i.d.: h3 below L* = {star}")
    for drift in ds.drift.values[ds.drift.values > 0]:
        lin, h = float(err.sel(drift=drift, model="linear", M=n)), float(err.sel(drift=drift, model="h3", M=n))
        s = float(np.hypot(se.sel(drift=drift, model="linear", M=n), se.sel(drift=drift, model="h3", M=n)))
        print(f"drift {drift}, M = N = {n}: linear {lin:.4f}, h3 {h:.4f}, margin {lin - h:.4f} +- {s:.4f} ({(lin - h) / s:.1f} se)")
        check(lin - h > 4 * s, f"drift {drift}: h3 {h:.4f} does not beat linear {lin:.4f} by 4 se ({s:.4f})")


def rag_best_isotropic(d, B, sigma2, N, alpha):
    """Best risk of W = c I under RAG (Sigma_x = I, tr Sigma_beta = B): B + sigma2 - num^2/den with
    the exact Gaussian moments num = E[y_q x_q^T X^T y], den = E[(x_q^T X^T y)^2] (derived in
    src/model/linreg_risk.c, checked there against Monte Carlo)."""
    a2, b2 = alpha * alpha, 1 - alpha * alpha
    num = N * B * (a2 * (d + 2) + b2)
    den = (N * (B * (d + 2) * (a2 * (d + 4) + b2) + sigma2 * d * (a2 * (d + 2) + b2))
           + N * (N - 1) * B * (a2 * a2 * (d + 2) * (d + 4) + 2 * a2 * b2 * (d + 2) + b2 * b2))
    return B + sigma2 - num * num / den


def rag(directory):
    """Flat Sigma_beta with k = d: the task law is rotation invariant, so the best W is isotropic
    even under RAG. At M = N, trained linear (Monte Carlo under alpha > 0) must be within 4 se +
    1% of the best isotropic risk (1%: the finite-B gap, 0.55% at alpha = 0 where it is exact),
    and within the same of the i.i.d. risk at N_eff = (alpha^2 d + 1) N where alpha^2 N <= 0.25
    (issue 4's rule for small alpha^2 N); it must beat the i.i.d. risk at N by more than 4 se."""
    ds = xr.open_dataset(f"{directory}/results.nc")
    d, n, R = int(ds.d.values[0]), int(ds.N.values[0]), float(ds.R.values[0])
    opts = dict(line.split(None, 1) for line in ds.attrs["options"].splitlines() if " " in line)
    sigma2 = float(opts["-sigma"]) ** 2
    err, se = ds.test_error.sel(model="linear", M=n).squeeze(), ds.test_error_se.sel(model="linear", M=n).squeeze()
    iid = rag_best_isotropic(d, R * R, sigma2, n, 0.0)
    for alpha in ds.alpha.values:
        e, s = float(err.sel(alpha=alpha)), float(se.sel(alpha=alpha))
        best, eff = rag_best_isotropic(d, R * R, sigma2, n, alpha), rag_best_isotropic(d, R * R, sigma2, (alpha ** 2 * d + 1) * n, 0.0)
        tol = 4 * s + 0.01 * best
        print(f"alpha {alpha}: trained {e:.5f} +- {s:.5f}, best isotropic {best:.5f}, iid at N_eff {eff:.5f}, iid at N {iid:.5f}")
        check(abs(e - best) <= tol, f"alpha {alpha}: trained {e:.5f} vs best isotropic {best:.5f} (tol {tol:.5f})")
        if alpha ** 2 * n <= 0.25:
            check(abs(e - eff) <= tol, f"alpha {alpha}: trained {e:.5f} vs iid at N_eff {eff:.5f} (tol {tol:.5f})")
        if alpha > 0:
            check(iid - e > 4 * s, f"alpha {alpha}: RAG gain {iid - e:.5f} not above 4 se ({s:.5f})")


def subspace(first_dir, random_dir):
    """Rotating the task subspace changes nothing in law: exact baselines are identical (gmm:
    bitwise, they see only R, k, d; linreg: to rounding, L* from the rotated Sigma_beta =
    U diag(lambda) U^T with Sigma_x = I), and the trained model's mean error over all cells
    agrees within 4 standard errors."""
    a = xr.open_dataset(f"{first_dir}/results.nc")
    b = xr.open_dataset(f"{random_dir}/results.nc")
    check(a.attrs["fingerprint"] != b.attrs["fingerprint"], "-subspace must change the fingerprint")
    rtol = 0 if a.attrs["family"] == "gmm" else 1e-12
    exact = [m for m in ("mle", "oracle", "bayes") if m in a.model.values]
    check("oracle" in exact and "bayes" in exact, f"the sweeps must hold oracle and bayes, hold {list(a.model.values)}")
    for model in exact:
        x, y = a.test_error.sel(model=model).values, b.test_error.sel(model=model).values
        check(np.allclose(x, y, rtol=rtol, atol=0, equal_nan=True), f"{model} must not depend on the subspace")
        if rtol:
            print(f"{model}: max relative change {np.nanmax(np.abs(x - y) / np.abs(x)):.1e} (tol {rtol})")
    x, y = a.test_error.sel(model="linear").values, b.test_error.sel(model="linear").values
    diff = (x - y)[np.isfinite(x - y)]
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    check(abs(diff.mean()) <= 4 * se, f"linear mean error differs by {diff.mean():.4f} (SE {se:.4f})")
    align = b.subspace_alignment.sel(model="linear").values
    check(np.nanmean(align) > 0.5, f"trained W must align with the random subspace (mean {np.nanmean(align):.3f})")
    print(f"linear mean error difference {diff.mean():.5f} +- {se:.5f}; alignment {np.nanmean(align):.3f}")


def subset(small_dir, big_dir):
    """Streams are keyed by coordinate values: adding values to an axis leaves every existing
    cell's results bitwise unchanged."""
    small = xr.open_dataset(f"{small_dir}/results.nc")
    big = xr.open_dataset(f"{big_dir}/results.nc")
    grown = [d for d in small.dims if big.sizes[d] > small.sizes[d]]
    check(bool(grown), "the big sweep must have more values on some axis")
    part = big.sel({d: small[d].values for d in small.dims if d != "model"}).sel(model=small.model.values)
    for name in ("test_error", "test_error_se", "train_loss", "subspace_alignment", "singular_values", "gd_distance", "status"):
        a, b = small[name].values, part[name].transpose(*small[name].dims).values
        same = a.shape == b.shape and (np.array_equal(a, b, equal_nan=True) if a.dtype.kind == "f" else np.array_equal(a, b))
        check(same, f"{name} of existing cells changed when axis {grown} grew")
    print(f"{small.status.size} cells unchanged after growing {grown}")


def svm(directory):
    """svm (gmm): ok in every k <= d cell; exactly 1/2 at M = 1 (one label in the context);
    better with more context; never better than the oracle, which knows the subspace."""
    ds = xr.open_dataset(f"{directory}/results.nc")
    s = ds.sel(model="svm")
    applicable = (ds.k <= ds.d).broadcast_like(s.status)
    check(bool((s.status.where(applicable) == 1).sum() == applicable.sum()), "svm must be ok in every k <= d cell")
    ok = s.test_error.where(s.status == 1)
    first = ok.sel(M=1)
    check(bool(((first == 0.5) | first.isnull()).all()) and float(s.test_error_se.sel(M=1).max()) == 0, "svm error at M = 1 must be exactly 1/2")
    acc = 1 - ok.mean([d for d in ok.dims if d != "M"])
    check(bool((acc.diff("M") > 0).all()), f"svm accuracy must grow with M: {acc.values}")
    gap = ((ok - ds.test_error.sel(model="oracle")) / np.maximum(s.test_error_se, 1e-12)).sel(M=ok.M[1:]).values
    check(bool((gap[np.isfinite(gap)] >= -4).all()), "svm must not beat the oracle by more than 4 standard errors")
    print("svm accuracy by M", " ".join(f"{a:.4f}" for a in acc.values))


def schema(directory):
    path = f"{directory}/results.nc"
    header = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
    check(header.returncode == 0 and "netcdf results" in header.stdout, f"ncdump -h failed: {header.stderr}")
    ds = xr.open_dataset(path)
    dims = ("model", "d", "k", "N", "R", "replicate", "M")
    for d in dims:
        check(d in ds.dims and d in ds.coords, f"dimension/coordinate {d} missing")
    check(ds.model.dtype.kind in "OU", f"model coordinate must hold strings, is {ds.model.dtype}")
    for name in ("link", "input_law", "feature_map"):  # categorical axes hold names, like model
        if name in ds.coords:
            check(ds[name].dtype.kind in "OU", f"categorical coordinate {name} must hold strings, is {ds[name].dtype}")
    for name in ("test_error", "test_error_se", "excess_error"):
        check(name in ds and ds[name].dims == dims, f"{name} must have dims {dims}")
    for name in ("train_loss", "subspace_alignment", "gd_distance", "status", "wall_seconds", "flops"):
        check(name in ds and ds[name].dims == dims[:6], f"{name} must have dims {dims[:6]}")
    check("singular_values" in ds and ds.singular_values.dims == dims[:6] + ("sv",), f"singular_values must have dims {dims[:6] + ('sv',)}")
    check(list(ds.sv.values) == list(range(1, 9)), f"sv coordinate {ds.sv.values} must be 1..8")
    for name in ("loss_history", "history_step"):
        check(name in ds and ds[name].dims == dims[:6] + ("history",) and ds.sizes["history"] == 64, f"{name} must have dims {dims[:6] + ('history',)} of 64 points")
    raw = netCDF4.Dataset(path)
    check(raw.data_model == "NETCDF4", f"data model {raw.data_model}")
    for name, var in raw.variables.items():
        attrs = var.ncattrs()
        check("long_name" in attrs, f"{name} has no long_name")
        check(name in ("model", "status") or var.dtype == str or "units" in attrs, f"{name} has no units")
        if var.dtype == np.float64 and var.ndim > 1:
            check("_FillValue" in attrs, f"{name} has no _FillValue")
    st = raw.variables["status"]
    check(list(st.flag_values) == [0, 1, 2, 3, 4], f"status flag_values {st.flag_values}")
    check(st.flag_meanings == "pending ok diverged failed not_applicable", f"status flag_meanings {st.flag_meanings}")
    for attr in ("Conventions", "options", "fingerprint", "iclsweep_version", "git_commit", "compiler", "compiler_flags",
                 "mpi_library", "petsc_version", "netcdf_version", "blas_library", "ranks", "group_size", "hosts",
                 "start_time", "end_time", "history", "load_imbalance", "busy_fraction", "dispatch_seconds_per_cell"):
        check(attr in raw.ncattrs(), f"global attribute {attr} missing")
    check(0 < raw.busy_fraction <= 1 and raw.load_imbalance >= 1, f"busy_fraction {raw.busy_fraction} must lie in (0, 1], load_imbalance {raw.load_imbalance} >= 1")
    check(raw.Conventions == "CF-1.10", "Conventions must be CF-1.10")
    # k > d cells are not_applicable and carry no values; ok cells carry values everywhere.
    status = ds.status.values
    err = ds.test_error.values
    na = status == 4
    check(na.any() and np.isnan(err[na]).all(), "not_applicable cells must be fill")
    ok = status == 1
    check(ok.any() and np.isfinite(err[ok]).all(), "ok cells must have finite test errors")
    kgrid = ds.k.values[None, None, :, None, None, None]
    dgrid = ds.d.values[None, :, None, None, None, None]
    check(np.array_equal(na, np.broadcast_to(kgrid > dgrid, na.shape)), "not_applicable must be exactly the k > d cells")
    # Diagnostics: trained linear cells have descending singular values up to d (fill past it) and
    # gd_distance in [0, 2]; untrained models have neither.
    sv, gd = ds.singular_values.values, ds.gd_distance.values
    lin = (ds.model.values == "linear")[:, None, None, None, None, None] & ok
    dsv = ds.d.values[None, :, None, None, None, None, None] > np.arange(8)
    have = lin[..., None] & dsv
    check(lin.any() and np.isfinite(sv[have]).all() and (sv[have] >= 0).all(), "trained cells must have finite singular values up to d")
    check(np.isnan(sv[~have]).all(), "singular_values must be fill past d and where no W was trained")
    check((np.diff(np.where(have, sv, -1.0), axis=-1) <= 0).all(), "singular_values must be descending")
    check(np.isfinite(gd[lin]).all() and (gd[lin] >= 0).all() and (gd[lin] <= 2).all(), "gd_distance must lie in [0, 2] for trained cells")
    check(np.isnan(gd[~lin]).all(), "gd_distance must be fill where no W was trained")
    raw.close()


def main(argv):
    one = {"spec9": spec9, "schema": schema, "linreg": linreg, "lowrank": lowrank, "h3": h3, "rag": rag, "svm": svm}
    # same_upgraded: the second directory's cells came from a journal of format 2, which kept no loss history
    many = {"same": same, "close": close, "same_upgraded": lambda dirs: same(dirs, ("wall_seconds", "loss_history", "history_step"))}
    two = {"subspace": subspace, "subset": subset, "single": single}
    if len(argv) < 3 or argv[1] not in {**one, **many, **two} or (argv[1] in two and len(argv) != 4):
        print(__doc__)
        return 2
    if argv[1] in one:
        one[argv[1]](argv[2])
    elif argv[1] in many:
        many[argv[1]](argv[2:])
    else:
        two[argv[1]](argv[2], argv[3])
    print(f"{passes} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
