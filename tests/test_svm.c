/* svm model (gmm; svm.h):
 *   - liblinear's fit is LinearSVC's problem: on two 1-d points with known optima it gives
 *     the squared-hinge solution with C = 1 and a regularized intercept (hinge loss, or an
 *     unregularized intercept, give other optima); a one-label context is the constant w = 0;
 *   - ICLGmmAccuracyOfAffine against Monte Carlo over queries (4 standard errors) and at its
 *     exact points (w = 0: 1/2; w = mu, b = 0: Phi(R));
 *   - the model's test error at every M is the mean of the per-task errors computed here.
 * With -dump FILE, it also writes the first n test tasks (mu, the tokens at the largest M,
 * the per-task accuracy at each M) for check_svm.py, which refits them with sklearn. */
#include <petscsys.h>

#include "check.h"
#include "gmm.h"
#include "gmm_accuracy.h"
#include "linreg.h"
#include "model.h"
#include "svm.h"

enum { d = 20, k = 4, n = 300, nM = 3 };
static const PetscInt Ms[nM] = {1, 5, 20};

static PetscErrorCode KnownOptima(void)
{
  /* x = +-1 (d = 1): by symmetry b = 0, min 1/2 w^2 + 2 (1 - w)^2 at w = 4/5 (hinge: w = 1). */
  const PetscReal X1[] = {1, -1}, y1[] = {1, -1};
  /* x = 2 (y = +1), x = 0 (y = -1): both margins active, 9w + 4b = 4 and 4w + 5b = 0, so
   * w = 20/29, b = -16/29 (with b unregularized: w = 4/5, b = -4/5). */
  const PetscReal X2[] = {2, 0}, y2[] = {1, -1}, same[] = {-1, -1, -1};
  PetscReal       w[3], b;

  PetscFunctionBegin;
  PetscCall(ICLSvmFit(1, 2, X1, y1, w, &b));
  CHECK_NEAR(w[0], 0.8, 1e-3, "symmetric pair: w");
  CHECK_NEAR(b, 0.0, 1e-3, "symmetric pair: b");
  PetscCall(ICLSvmFit(1, 2, X2, y2, w, &b));
  CHECK_NEAR(w[0], 20.0 / 29, 1e-3, "regularized intercept: w");
  CHECK_NEAR(b, -16.0 / 29, 1e-3, "regularized intercept: b");
  PetscCall(ICLSvmFit(3, 1, same, same, w, &b));
  CHECK(w[0] == 0 && w[1] == 0 && w[2] == 0 && b == -1, "one label: the constant classifier");
  PetscFunctionReturn(0);
}

static PetscErrorCode AffineAccuracy(void)
{
  const PetscInt  dd = 5, T = 200000;
  const PetscReal mu[] = {1.0, -0.5, 0.3, 0, 0.2}, w[] = {0.7, 0.4, -0.2, 1.0, 0.1}, b = 0.6, zero[5] = {0};
  PetscReal       acc, hits = 0;
  ICLStream       s;

  PetscFunctionBegin;
  PetscCall(ICLGmmAccuracyOfAffine(dd, mu, zero, 0.3, &acc));
  CHECK(acc == 0.5, "w = 0: accuracy 1/2");
  PetscCall(ICLGmmAccuracyOfAffine(dd, mu, mu, 0.0, &acc));
  CHECK_NEAR(acc, ICLNormalCdf(PetscSqrtReal(1.38)), 1e-15, "w = mu, b = 0: Phi(||mu||)");
  PetscCall(ICLGmmAccuracyOfAffine(dd, mu, w, b, &acc));
  ICLStreamInit(&s, 5, ICL_PURPOSE_TOKENS, 0, 0, 0);
  for (PetscInt t = 0; t < T; t++) {
    const PetscReal y = ICLStreamUniform(&s) < 0.5 ? -1 : 1;
    PetscReal       score = b;
    for (PetscInt i = 0; i < dd; i++) score += w[i] * (y * mu[i] + ICLStreamNormal(&s));
    hits += score * y > 0;
  }
  CHECK_NEAR(hits / T, acc, 4 * PetscSqrtReal(acc * (1 - acc) / T), "affine accuracy vs Monte Carlo over queries");
  PetscFunctionReturn(0);
}

/* Per-task accuracies of the first n test tasks (and optionally their dump), against the model. */
static PetscErrorCode ModelAgrees(const char *path)
{
  const ICLModelType *svm = ICLModelFind("svm");
  ICLCell             cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilyGmm, .task = {.d = d, .k = k, .R = 1.0, .seed = 31}, .eval_R = 1.0, .M = Ms, .nM = nM, .eval_tasks = n};
  PetscReal           X[Ms[nM - 1] * d], y[Ms[nM - 1]], xq[d], yq, mu[d], w[d], b, acc[nM], mean[nM] = {0}, err[nM], se[nM];
  ICLCellResult       res = {.test_error = err, .test_error_se = se};
  FILE               *f = NULL;

  PetscFunctionBegin;
  CHECK(svm && svm->supports(&ICLFamilyGmm) && !svm->supports(&ICLFamilyLinreg), "svm registered for gmm only");
  if (path) {
    PetscCall(PetscFOpen(PETSC_COMM_SELF, path, "w", &f));
    PetscCall(PetscFPrintf(PETSC_COMM_SELF, f, "svm-dump %d %d %d %d %d %d\n", n, d, nM, (int)Ms[0], (int)Ms[1], (int)Ms[2]));
  }
  for (PetscInt j = 0; j < n; j++) {
    ICLGmmTokens(&cell.task, (int)Ms[nM - 1], ICL_PURPOSE_TEST_TASK, (uint64_t)j, X, y, xq, &yq);
    ICLGmmTask(&cell.task, ICL_PURPOSE_TEST_TASK, (uint64_t)j, mu);
    for (PetscInt a = 0; a < nM; a++) {
      PetscCall(ICLSvmFit(d, Ms[a], X, y, w, &b));
      PetscCall(ICLGmmAccuracyOfAffine(d, mu, w, b, &acc[a]));
      mean[a] += acc[a] / n;
    }
    CHECK(acc[0] == 0.5, "M = 1 has one label: accuracy 1/2 (task %d)", (int)j);
    if (f) {
      PetscCheck(fwrite(mu, sizeof mu, 1, f) == 1 && fwrite(X, sizeof X, 1, f) == 1 && fwrite(y, sizeof y, 1, f) == 1 && fwrite(acc, sizeof acc, 1, f) == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    }
  }
  if (f) PetscCall(PetscFClose(PETSC_COMM_SELF, f));
  PetscCall(svm->run(&cell, &res));
  CHECK(res.status == ICL_STATUS_OK, "svm cell ok");
  for (PetscInt a = 0; a < nM; a++) {
    printf("M = %d: svm accuracy %.4f +- %.4f\n", (int)Ms[a], 1 - err[a], se[a]);
    CHECK_NEAR(1 - err[a], mean[a], 1e-12, "model = mean of the per-task accuracies");
  }
  CHECK(se[0] == 0 && err[0] == 0.5, "M = 1: error exactly 1/2");
  CHECK(mean[1] > 0.55 && mean[2] > mean[1], "accuracy grows with M (%.3f, %.3f)", mean[1], mean[2]);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  char      path[PETSC_MAX_PATH_LEN];
  PetscBool dump;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-dump", path, sizeof path, &dump));
  PetscCall(KnownOptima());
  PetscCall(AffineAccuracy());
  PetscCall(ModelAgrees(dump ? path : NULL));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_svm")
