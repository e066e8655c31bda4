/* linreg feature covariance (docs/lro.md): Sigma_x from -x_spectrum and -alignment.
 *   - the factor: F F^T has trace d and eigenvalues mu (F diag(mu)^{-1/2} orthogonal); at
 *     alignment 1, Sigma_x u_i = mu_i u_i for the task directions u_1..u_k, in order (first k
 *     coordinates and a random U); at alignment 0 the rotation Q = F diag(mu)^{-1/2} V1^T is in
 *     SO(d) (det +1); tr(U^T Sigma_x U) (the Sigma_x mass on the task subspace) falls from
 *     sum mu_1..k as the alignment goes 1 -> 0.5 -> 0 (negative control: at alignment 0 the
 *     eigenvector check fails);
 *   - tokens: E x x^T = Sigma_x within 4 standard errors (exact variances), and the same test
 *     rejects mu 10% off (negative control); without the factor a non-flat x_spectrum is
 *     refused;
 *   - flat x_spectrum: tokens bitwise equal to the identity features of before, any alignment;
 *   - source law (p->source): its task t is independent of the target's task t (E beta_s^T beta_t
 *     within 4 se of 0; the negative control, the same law twice, gives R^2). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "linreg.h"
#include "subspace.h"

enum { d = 5, k = 2, N = 3, T = 20000 };

extern void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);

/* S = F F^T (F row-major). */
static void Product(const double *F, double *S)
{
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      S[i * d + j] = 0;
      for (int l = 0; l < d; l++) S[i * d + j] += F[i * d + l] * F[j * d + l];
    }
}

/* max_i<k ||S u_i - mu_i u_i|| over the task directions (U NULL: e_i). */
static double EigenResidual(const double *S, const double *U, const double *mu)
{
  double worst = 0;
  for (int c = 0; c < k; c++) {
    double u[d], r2 = 0;
    for (int i = 0; i < d; i++) u[i] = U ? U[c * d + i] : (i == c);
    for (int i = 0; i < d; i++) {
      double t = -mu[c] * u[i];
      for (int j = 0; j < d; j++) t += S[i * d + j] * u[j];
      r2 += t * t;
    }
    worst = fmax(worst, sqrt(r2));
  }
  return worst;
}

/* tr(U^T S U) */
static double SubspaceMass(const double *S, const double *U)
{
  double m = 0;
  for (int c = 0; c < k; c++)
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++) m += (U ? U[c * d + i] : (i == c)) * S[i * d + j] * (U ? U[c * d + j] : (j == c));
  return m;
}

int main(void)
{
  double mu[d], F[d * d], S[d * d], U[d * k];
  ICLTaskParams p = {.d = d, .k = k, .R = 1.3, .seed = 21, .sigma = 0.4, .x_spectrum = ICL_SPECTRUM_GEOMETRIC, .x_spectrum_param = 0.4, .alignment = 1.0};

  ICLLinregSpectrum(ICL_SPECTRUM_GEOMETRIC, d, sqrt((double)d), 0.4, NULL, mu);
  CHECK(ICLSubspaceRandom(4, d, k, 0, U) == 0, "random U");
  for (int withU = 0; withU < 2; withU++) {
    double mass[3];
    p.U = withU ? U : NULL;
    for (int a = 0; a < 3; a++) {
      double tr = 0;
      p.alignment = 1.0 - 0.5 * a;
      CHECK(ICLLinregFeatureFactor(&p, F) == 0, "factor");
      Product(F, S);
      for (int i = 0; i < d; i++) tr += S[i * d + i];
      CHECK_NEAR(tr, (double)d, 1e-12, "tr Sigma_x = d");
      /* F diag(mu)^{-1/2} has orthonormal columns */
      for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
          double g = 0;
          for (int l = 0; l < d; l++) g += F[l * d + i] * F[l * d + j] / sqrt(mu[i] * mu[j]);
          CHECK_NEAR(g, i == j ? 1.0 : 0.0, 1e-12, "V orthogonal");
        }
      mass[a] = SubspaceMass(S, p.U);
      if (a == 0) CHECK(EigenResidual(S, p.U, mu) < 1e-12, "alignment 1: Sigma_x u_i = mu_i u_i (U %s)", withU ? "random" : "first");
      if (a == 2) CHECK(EigenResidual(S, p.U, mu) > 0.1, "alignment 0 must rotate the eigenvectors (residual %g)", EigenResidual(S, p.U, mu));
      if (a == 2 && !withU) {
        /* V1 = I: Q = F diag(mu)^{-1/2}, det Q = +1 */
        double Q[d * d], det = 1;
        int    ipiv[d], info, n = d;
        for (int i = 0; i < d; i++)
          for (int j = 0; j < d; j++) Q[i + j * d] = F[i * d + j] / sqrt(mu[j]);
        dgetrf_(&n, &n, Q, &n, ipiv, &info);
        for (int i = 0; i < d; i++) det *= Q[i + i * d] * (ipiv[i] != i + 1 ? -1 : 1);
        CHECK(info == 0 && fabs(det - 1.0) < 1e-10, "Q in SO(d): det %g", det);
      }
    }
    printf("U %s: tr(U^T Sigma_x U) at alignment 1, 0.5, 0: %.4f %.4f %.4f (mu_1 + mu_2 = %.4f)\n", withU ? "random" : "first", mass[0], mass[1], mass[2], mu[0] + mu[1]);
    CHECK_NEAR(mass[0], mu[0] + mu[1], 1e-12, "aligned mass");
    CHECK(mass[0] > mass[1] && mass[1] > mass[2], "the mass on the task subspace falls with the alignment");
  }
  p.alignment = 0.3;
  p.U         = NULL;
  CHECK(ICLLinregFeatureFactor(&p, F) == 0, "factor");
  p.alignment = 1.5;
  CHECK(ICLLinregFeatureFactor(&p, F) == -1, "alignment > 1 rejected");
  p.alignment = 0.3;

  /* Tokens: E x x^T = Sigma_x; the variance of x_i x_j is S_ii S_jj + S_ij^2. */
  {
    double X[N * d], y[N], xq[d], yq, m2[d * d] = {0};
    Product(F, S);
    CHECK(ICLLinregTokens(&p, N, ICL_PURPOSE_TASK, 0, X, y, xq, &yq, NULL) == -1, "a non-flat x_spectrum without its factor is refused");
    p.factor_x = F;
    for (int t = 0; t < T; t++) {
      CHECK(ICLLinregTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, y, xq, &yq, NULL) == 0, "tokens");
      for (int n = 0; n < N; n++)
        for (int i = 0; i < d; i++)
          for (int j = 0; j < d; j++) m2[i * d + j] += X[n * d + i] * X[n * d + j] / ((double)T * N);
    }
    int caught = 0;
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++) {
        const double tol = 4 * sqrt((S[i * d + i] * S[j * d + j] + S[i * d + j] * S[i * d + j]) / ((double)T * N));
        CHECK_NEAR(m2[i * d + j], S[i * d + j], tol, "E x x^T = Sigma_x");
        if (i == j) caught += fabs(m2[i * d + j] - 1.1 * S[i * d + j]) > tol;
      }
    CHECK(caught == d, "Sigma_x 10%% too large not caught on %d of %d diagonals", d - caught, d);
    p.factor_x = NULL;
  }

  /* Flat x_spectrum: bitwise the identity features, whatever the alignment. */
  {
    const ICLTaskParams p0 = {.d = d, .k = k, .R = 1.3, .seed = 21, .sigma = 0.4};
    ICLTaskParams       p1 = p0;
    double              X0[N * d], y0[N], q0[d], yq0, X1[N * d], y1[N], q1[d], yq1;
    p1.alignment = 0.2;
    ICLLinregTokens(&p0, N, ICL_PURPOSE_TASK, 3, X0, y0, q0, &yq0, NULL);
    ICLLinregTokens(&p1, N, ICL_PURPOSE_TASK, 3, X1, y1, q1, &yq1, NULL);
    CHECK(!memcmp(X0, X1, sizeof X0) && !memcmp(y0, y1, sizeof y0) && !memcmp(q0, q1, sizeof q0) && yq0 == yq1, "flat x_spectrum must be bitwise unchanged");
  }

  /* Source law: independent tasks. */
  {
    const ICLTaskParams pt = {.d = d, .k = d, .R = 1.0, .seed = 8};
    ICLTaskParams       ps = pt;
    double              bt[d], bs[d], s = 0, s2 = 0, same = 0;
    ps.source = 1;
    for (int t = 0; t < T; t++) {
      double c = 0, c0 = 0;
      ICLLinregTask(&pt, ICL_PURPOSE_TASK, (uint64_t)t, bt);
      ICLLinregTask(&ps, ICL_PURPOSE_TASK, (uint64_t)t, bs);
      for (int i = 0; i < d; i++) c += bt[i] * bs[i], c0 += bt[i] * bt[i];
      s += c / T, s2 += c * c / T, same += c0 / T;
    }
    const double se = sqrt((s2 - s * s) / T);
    printf("source vs target task t: E beta_s^T beta_t = %.4f +- %.4f (same law twice: %.4f)\n", s, se, same);
    CHECK_NEAR(s, 0.0, 4 * se, "source tasks independent of target tasks");
    CHECK(fabs(same) > 4 * se, "negative control: equal streams are detected");
  }
  return CheckReport("test_linreg_features");
}
