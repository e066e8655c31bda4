#!/usr/bin/python3
"""check_svm.py DUMP: iclsweep's svm against sklearn's LinearSVC on the same test tasks.

DUMP is written by `test_svm -dump DUMP`: a header line, then per task mu (d), the tokens at the
largest M (X: M x d, y: M) and iclsweep's exact accuracy at each M, as float64. Each context
prefix is refitted with LinearSVC() at its defaults (C=1, squared hinge, dual, intercept as a
regularized bias feature) and scored with the same exact formula over the query x = y mu + z:
P(correct) = 1/2 [Phi((w.mu + b)/|w|) + Phi((w.mu - b)/|w|)].
A context with one label cannot be fitted (sklearn refuses; liblinear predicts that label for
every x): accuracy exactly 1/2, hence the svm's 1/2 at M = 1 (MV's plot, from 1000 Bernoulli
outcomes, shows .49-.50 there). Means must agree within 0.02, and every task within 1e-3 (both
solvers stop at the same tolerance 1e-4 on the same strictly convex problem).
"""
import sys
import warnings

import numpy as np
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC


def exact_accuracy(mu, w, b):
    norm_w = np.linalg.norm(w)
    if norm_w == 0:
        return 0.5
    return 0.5 * (norm.cdf((w @ mu + b) / norm_w) + norm.cdf((w @ mu - b) / norm_w))


def main(path):
    with open(path, "rb") as f:
        header = f.readline().split()
        n, d, nM = (int(v) for v in header[1:4])
        Ms = [int(v) for v in header[4:4 + nM]]
        maxM = Ms[-1]
        record = np.dtype([("mu", "<f8", d), ("X", "<f8", (maxM, d)), ("y", "<f8", maxM), ("acc", "<f8", nM)])
        tasks = np.fromfile(f, dtype=record)
    assert tasks.size == n, f"{tasks.size} tasks in {path}, header says {n}"
    warnings.simplefilter("ignore", ConvergenceWarning)
    failed = 0
    for a, M in enumerate(Ms):
        ours = tasks["acc"][:, a]
        ref = np.empty(n)
        refused = 0
        for j, t in enumerate(tasks):
            X, y = t["X"][:M], t["y"][:M]
            if np.unique(y).size < 2:
                try:
                    LinearSVC().fit(X, y)
                except ValueError:
                    refused += 1
                ref[j] = 0.5
                continue
            svc = LinearSVC(C=1.0, loss="squared_hinge", dual=True, tol=1e-4, fit_intercept=True,
                            intercept_scaling=1.0, max_iter=1000).fit(X, y)
            sign = 1.0 if svc.classes_[1] == 1 else -1.0  # decision_function > 0 predicts classes_[1]
            ref[j] = exact_accuracy(t["mu"], sign * svc.coef_[0], sign * svc.intercept_[0])
        single = int(sum(np.unique(t["y"][:M]).size < 2 for t in tasks))
        diff, worst = abs(ours.mean() - ref.mean()), np.abs(ours - ref).max()
        print(f"M = {M}: iclsweep {ours.mean():.4f}, LinearSVC {ref.mean():.4f} (|diff| {diff:.2e}, tol 0.02); "
              f"largest per-task |diff| {worst:.2e} (tol 1e-3); {single} one-label contexts, {refused} refused by sklearn")
        if diff > 0.02 or worst > 1e-3 or refused != single:
            failed += 1
            print(f"FAIL: M = {M}")
    print(f"{len(Ms) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
