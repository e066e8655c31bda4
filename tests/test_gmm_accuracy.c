/* Exact gmm evaluation against independent ground truth: a closed form for D = 1,
 * the two-scalar quadrature against brute-force Monte Carlo, the reference table of docs/reference.md, and the
 * any-W evaluator against the quadrature for W = I and W = UU^T. */
#include <petscsys.h>

#include "check.h"
#include "gmm.h"
#include "gmm_accuracy.h"
#include "rng.h"

/* Brute force: sample (g, chi2_{D-1}) and average the conditional accuracy. */
static void MonteCarlo(double R, int D, int M, int n, double *err, double *se)
{
  ICLStream s;
  double    sum = 0, sum2 = 0;
  ICLStreamInit(&s, 99, ICL_PURPOSE_TEST_TASK, (uint64_t)D, (uint64_t)M, 0);
  for (int i = 0; i < n; i++) {
    const double a = R + ICLStreamNormal(&s) / sqrt((double)M);
    double       c = 0;
    for (int j = 0; j < D - 1; j++) {
      const double z = ICLStreamNormal(&s);
      c += z * z;
    }
    const double e = 1.0 - ICLNormalCdf(R * a / sqrt(a * a + c / M));
    sum += e, sum2 += e * e;
  }
  *err = sum / n;
  *se  = sqrt(fmax(0.0, sum2 / n - *err * *err) / n);
}

static PetscErrorCode Run(void)
{
  PetscFunctionBegin;
  /* D = 1 has a closed form: the sign of m along mu decides, P(correct) = Phi(R sqrt(M)) Phi(R)
   * + Phi(-R sqrt(M)) Phi(-R). */
  for (int M = 1; M <= 100; M *= 10) {
    PetscReal e;
    PetscCall(ICLGmmErrorOfProjection(2.0, 1, M, &e));
    const double q = ICLNormalCdf(2.0 * sqrt((double)M)), p = ICLNormalCdf(2.0);
    CHECK_NEAR(1 - e, q * p + (1 - q) * (1 - p), 1e-9, "D = 1 closed form");
  }

  /* Quadrature vs brute-force Monte Carlo, within 4 standard errors. */
  {
    const int D[] = {2, 3, 5, 30, 500}, M[] = {1, 10, 100};
    for (int i = 0; i < 5; i++)
      for (int j = 0; j < 3; j++) {
        PetscReal exact;
        double    mc, se;
        PetscCall(ICLGmmErrorOfProjection(2.0, D[i], M[j], &exact));
        MonteCarlo(2.0, D[i], M[j], D[i] > 100 ? 20000 : 400000, &mc, &se);
        CHECK(fabs(exact - mc) <= 4 * se + 1e-12, "D = %d, M = %d: quadrature %.5f vs Monte Carlo %.5f +- %.5f", D[i], M[j], exact, mc, se);
      }
  }

  /* docs/reference.md: MV Fig. 1, d = 500, k = 30, R = 2. */
  {
    const int    M[8]      = {1, 5, 10, 20, 30, 40, 50, 100};
    const double mle[8]    = {.570, .652, .706, .771, .810, .837, .857, .909};
    const double oracle[8] = {.743, .893, .934, .956, .963, .967, .969, .973};
    for (int a = 0; a < 8; a++) {
      PetscReal e;
      PetscCall(ICLGmmErrorOfProjection(2.0, 500, M[a], &e));
      CHECK_NEAR(1 - e, mle[a], 0.005, "reference mle accuracy");
      PetscCall(ICLGmmErrorOfProjection(2.0, 30, M[a], &e));
      CHECK_NEAR(1 - e, oracle[a], 0.005, "reference oracle accuracy");
    }
    PetscReal e;
    PetscCall(ICLGmmErrorOfProjection(2.0, 30, 100000000, &e));
    CHECK_NEAR(1 - e, 0.97725, 1e-4, "oracle at M -> infinity is the Bayes accuracy Phi(2)");
  }

  /* The any-W evaluator agrees with the quadrature for W = I (mle) and W = UU^T (oracle). */
  {
    enum { d = 20, k = 3 };
    const PetscInt M[3] = {1, 5, 25};
    ICLCell        cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilyGmm, .task = {.d = d, .k = k, .R = 1.0, .seed = 3}, .N = 10, .eval_R = 1.0, .M = M, .nM = 3, .eval_tasks = 40000};
    PetscReal      W[d * d], err[3], se[3];
    for (int D = k; D <= d; D += d - k) {
      PetscCall(PetscArrayzero(W, d * d));
      for (int i = 0; i < D; i++) W[i * d + i] = 1.0;
      PetscCall(ICLGmmErrorOfW(&cell, W, err, se));
      for (int a = 0; a < 3; a++) {
        PetscReal exact;
        PetscCall(ICLGmmErrorOfProjection(1.0, D, M[a], &exact));
        CHECK(fabs(err[a] - exact) <= 4 * se[a], "W = projection of rank %d, M = %d: %.5f +- %.5f vs exact %.5f", D, (int)M[a], err[a], se[a], exact);
        CHECK(se[a] > 0 && se[a] < 0.01, "standard error %.4g out of range", se[a]);
      }
    }
  }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_gmm_accuracy")
