/* linreg sampler (docs/families.md): exact moments of large samples against the generator's law.
 *   - spectra: sum lambda = R^2 and the requested shape, invalid options rejected;
 *   - beta: E beta = 0, E beta beta^T = diag(lambda) in the first k coordinates, zero outside;
 *     with a random U (-subspace random), beta in span(U) and E beta beta^T = U diag(lambda) U^T;
 *   - tokens with a random Sigma_x = F F^T: E x = 0, E x x^T = Sigma_x, the residual
 *     y_i - beta^T x_i has mean 0 and variance sigma^2; E[h | beta] = Sigma_x beta;
 *   - RAG: E x_i x_q^T = alpha Sigma_x, E x_i x_j^T = alpha^2 Sigma_x (i != j);
 *   - drift: beta_i interpolates linearly from beta to beta_q (residual is pure noise);
 *   - common random numbers: N and R change nothing else.
 * Tolerances: 4 standard errors computed from the exact variances and the sample size.
 * Negative controls: a 10% error in lambda or in sigma^2, or ignoring U, must fail the same checks. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "linreg.h"
#include "subspace.h"

enum { d = 5, k = 3, N = 6, T = 20000 };

int main(void)
{
  double lambda[8], list[] = {3, 2, 1, .5, .25, .1};

  /* Spectra. */
  CHECK(ICLLinregSpectrum(ICL_SPECTRUM_FLAT, 4, 2.0, 0, NULL, lambda) == 0 && fabs(lambda[3] - 1.0) < 1e-15, "flat spectrum");
  CHECK(ICLLinregSpectrum(ICL_SPECTRUM_GEOMETRIC, 4, 2.0, 0.5, NULL, lambda) == 0, "geometric spectrum");
  CHECK_NEAR(lambda[0] + lambda[1] + lambda[2] + lambda[3], 4.0, 1e-14, "geometric sum");
  CHECK_NEAR(lambda[3] / lambda[2], 0.5, 1e-14, "geometric ratio");
  CHECK(ICLLinregSpectrum(ICL_SPECTRUM_POWER, 4, 2.0, 2.0, NULL, lambda) == 0, "power spectrum");
  CHECK_NEAR(lambda[0] / lambda[1], 4.0, 1e-13, "power-law ratio");
  CHECK(ICLLinregSpectrum(ICL_SPECTRUM_LIST, 6, sqrt(6.85), 0, list, lambda) == 0, "list spectrum");
  for (int i = 0; i < 6; i++) CHECK_NEAR(lambda[i], list[i], 1e-13, "explicit list with R^2 = its sum");
  CHECK(ICLLinregSpectrum(ICL_SPECTRUM_GEOMETRIC, 4, 2.0, 1.5, NULL, lambda) == -1, "ratio > 1 rejected");
  CHECK(ICLLinregSpectrum(ICL_SPECTRUM_LIST, 4, 2.0, 0, NULL, lambda) == -1, "missing list rejected");
  CHECK(ICLLinregSpectrum((ICLSpectrumKind)9, 4, 2.0, 0, NULL, lambda) == -1, "unknown kind rejected");

  /* beta moments, geometric spectrum. */
  const ICLTaskParams pb = {.d = d, .k = k, .R = 1.7, .seed = 11, .spectrum = ICL_SPECTRUM_GEOMETRIC, .spectrum_param = 0.5};
  ICLLinregSpectrum(ICL_SPECTRUM_GEOMETRIC, k, 1.7, 0.5, NULL, lambda);
  {
    double m1[d] = {0}, m2[d][d] = {{0}}, beta[d], off = 0;
    for (int t = 0; t < T; t++) {
      CHECK(ICLLinregTask(&pb, ICL_PURPOSE_TASK, (uint64_t)t, beta) == 0, "task");
      for (int i = k; i < d; i++) off += fabs(beta[i]);
      for (int i = 0; i < d; i++) {
        m1[i] += beta[i] / T;
        for (int j = 0; j < d; j++) m2[i][j] += beta[i] * beta[j] / T;
      }
    }
    CHECK(off == 0.0, "beta must vanish off the subspace");
    for (int i = 0; i < k; i++) {
      CHECK_NEAR(m1[i], 0.0, 4 * sqrt(lambda[i] / T), "E beta_i");
      CHECK_NEAR(m2[i][i], lambda[i], 4 * lambda[i] * sqrt(2.0 / T), "E beta_i^2 = lambda_i");
      for (int j = 0; j < i; j++) CHECK_NEAR(m2[i][j], 0.0, 4 * sqrt(lambda[i] * lambda[j] / T), "E beta_i beta_j");
      /* Negative control: lambda 10% too large is caught. */
      CHECK(fabs(m2[i][i] - 1.1 * lambda[i]) > 4 * 1.1 * lambda[i] * sqrt(2.0 / T), "lambda check too weak (i = %d)", i);
    }
  }

  /* -subspace random: beta = U diag(sqrt(lambda)) z stays in span(U) and E beta beta^T =
   * U diag(lambda) U^T (Var of an entry's estimate: (S_aa S_bb + S_ab^2)/T for Gaussian beta).
   * Negative control: diag(lambda) on the first k coordinates, i.e. U ignored, fails them. */
  {
    double        U[d * k], S[d][d] = {{0}}, m2[d][d] = {{0}}, beta[d], r[d], out = 0;
    int           missed = 0;
    ICLTaskParams pu = pb;
    pu.U             = U;
    CHECK(ICLSubspaceRandom(11, d, k, 0, U) == 0, "random U");
    for (int a = 0; a < d; a++)
      for (int b = 0; b < d; b++)
        for (int j = 0; j < k; j++) S[a][b] += U[j * d + a] * lambda[j] * U[j * d + b];
    for (int t = 0; t < T; t++) {
      CHECK(ICLLinregTask(&pu, ICL_PURPOSE_TASK, (uint64_t)t, beta) == 0, "task");
      memcpy(r, beta, sizeof r);
      ICLSubspaceComplement(U, d, k, r);
      for (int a = 0; a < d; a++) {
        out = fmax(out, fabs(r[a]));
        for (int b = 0; b < d; b++) m2[a][b] += beta[a] * beta[b] / T;
      }
    }
    CHECK(out < 1e-12, "beta leaves span(U) by %.3g", out);
    for (int a = 0; a < d; a++)
      for (int b = 0; b <= a; b++) {
        const double tol = 4 * sqrt((S[a][a] * S[b][b] + S[a][b] * S[a][b]) / T), first_k = a == b && a < k ? lambda[a] : 0;
        CHECK_NEAR(m2[a][b], S[a][b], tol, "E beta beta^T = U diag(lambda) U^T");
        missed += fabs(m2[a][b] - first_k) > tol;
      }
    CHECK(missed > 0, "a sampler ignoring U would pass the random-U moment checks");
  }

  /* Tokens under a random Sigma_x = F F^T (F lower triangular), sigma = 0.5. */
  double F[d * d] = {0}, Sx[d][d];
  {
    ICLStream s;
    ICLStreamInit(&s, 99, ICL_PURPOSE_TOKENS, 0, 0, 0);
    for (int i = 0; i < d; i++)
      for (int j = 0; j <= i; j++) F[i * d + j] = i == j ? 0.5 + ICLStreamUniform(&s) : 0.4 * ICLStreamNormal(&s);
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++) {
        Sx[i][j] = 0;
        for (int l = 0; l < d; l++) Sx[i][j] += F[i * d + l] * F[j * d + l];
      }
  }
  const double sigma = 0.5;
  {
    const ICLTaskParams p = {.d = d, .k = k, .R = 1.2, .seed = 3, .sigma = sigma, .factor_x = F};
    double X[N * d], y[N], xq[d], yq, beta[d], h[d];
    double mx[d] = {0}, Cx[d][d] = {{0}}, r1 = 0, r2 = 0, hdev[d] = {0}, hvar[d] = {0};
    const int n = T * (N + 1);
    for (int t = 0; t < T; t++) {
      CHECK(ICLLinregTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, y, xq, &yq, NULL) == 0, "tokens");
      ICLLinregTask(&p, ICL_PURPOSE_TASK, (uint64_t)t, beta);
      for (int i = 0; i <= N; i++) {
        const double *x = i < N ? X + i * d : xq, yi = i < N ? y[i] : yq;
        double        r = yi;
        for (int a = 0; a < d; a++) {
          r -= beta[a] * x[a];
          mx[a] += x[a] / n;
          for (int b = 0; b < d; b++) Cx[a][b] += x[a] * x[b] / n;
        }
        r1 += r / n, r2 += r * r / n;
      }
      /* h - Sigma_x beta, and its exact variance given beta (for the standard error). */
      ICLLinregStat(d, N, X, y, h);
      for (int a = 0; a < d; a++) {
        double e = 0, bsb = 0;
        for (int b = 0; b < d; b++) {
          e += Sx[a][b] * beta[b];
          for (int c = 0; c < d; c++) bsb += beta[b] * Sx[b][c] * beta[c];
        }
        hdev[a] += (h[a] - e) / T;
        /* Var(y x_a | beta) = (beta^T Sx beta + sigma^2) Sx_aa + (Sx beta)_a^2. */
        hvar[a] += ((bsb + sigma * sigma) * Sx[a][a] + e * e) / N / T;
      }
    }
    for (int a = 0; a < d; a++) {
      CHECK_NEAR(mx[a], 0.0, 4 * sqrt(Sx[a][a] / n), "E x");
      for (int b = 0; b <= a; b++)
        CHECK_NEAR(Cx[a][b], Sx[a][b], 4 * sqrt((Sx[a][a] * Sx[b][b] + Sx[a][b] * Sx[a][b]) / n), "E x x^T = Sigma_x");
      CHECK_NEAR(hdev[a], 0.0, 4 * sqrt(hvar[a] / T), "E[h - Sigma_x beta]");
    }
    CHECK_NEAR(r1, 0.0, 4 * sigma / sqrt(n), "residual mean");
    CHECK_NEAR(r2, sigma * sigma, 4 * sigma * sigma * sqrt(2.0 / n), "residual variance = sigma^2");
    CHECK(fabs(r2 - 1.1 * sigma * sigma) > 4 * 1.1 * sigma * sigma * sqrt(2.0 / n), "sigma check too weak (%.5f)", r2);
  }

  /* RAG correlations, Sigma_x = I. */
  {
    const double        alpha = 0.6;
    const ICLTaskParams p     = {.d = d, .k = k, .R = 1.0, .seed = 4, .alpha = alpha};
    double              X[N * d], y[N], xq[d], yq, cq = 0, cij = 0, cii = 0;
    const int           n = T * N * d;
    for (int t = 0; t < T; t++) {
      ICLLinregTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, y, xq, &yq, NULL);
      for (int i = 0; i < N; i++)
        for (int a = 0; a < d; a++) {
          cq += X[i * d + a] * xq[a] / n;
          cii += X[i * d + a] * X[i * d + a] / n;
          cij += X[i * d + a] * X[((i + 1) % N) * d + a] / n;
        }
    }
    /* Var of a product of two unit normals with correlation rho is 1 + rho^2; samples
     * within a task are correlated through x_q, so allow the (N-fold) worst case. */
    CHECK_NEAR(cq, alpha, 4 * sqrt((1 + alpha * alpha) * N / n), "E x_i x_q = alpha");
    CHECK_NEAR(cij, alpha * alpha, 4 * sqrt(2.0 * N / n), "E x_i x_j = alpha^2");
    CHECK_NEAR(cii, 1.0, 4 * sqrt(2.0 * N / n), "E x_i^2 = 1");
  }

  /* Drift: y_i - (beta + (i/(N+1))(beta_q - beta))^T x_i is the noise alone. */
  {
    const ICLTaskParams p = {.d = d, .k = k, .R = 1.0, .seed = 8, .drift = 0.7, .sigma = 0.1};
    double              X[N * d], y[N], xq[d], yq, beta[d], bq[d], r2 = 0, dd = 0;
    const int           n = T * N;
    for (int t = 0; t < T; t++) {
      ICLLinregTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, y, xq, &yq, bq);
      ICLLinregTask(&p, ICL_PURPOSE_TASK, (uint64_t)t, beta);
      for (int a = 0; a < d; a++) dd += (bq[a] - beta[a]) * (bq[a] - beta[a]) / T;
      for (int i = 0; i < N; i++) {
        double r = y[i];
        for (int a = 0; a < d; a++) r -= (beta[a] + (i + 1.0) / (N + 1) * (bq[a] - beta[a])) * X[i * d + a];
        r2 += r * r / n;
      }
    }
    CHECK_NEAR(r2, 0.01, 4 * 0.01 * sqrt(2.0 / n), "drift residual variance");
    /* ||D delta||^2 = D^2 chi^2_k R^2/k: mean D^2 R^2, variance D^4 R^4 2/k. */
    CHECK_NEAR(dd, 0.49, 4 * 0.49 * sqrt(2.0 / k / T), "E||beta_q - beta||^2 = drift^2 R^2");
  }

  /* Common random numbers: the first tokens and the query do not depend on N; R scales beta. */
  {
    const ICLTaskParams p1 = {.d = d, .k = k, .R = 1.0, .seed = 2, .sigma = 0.3}, p2 = {.d = d, .k = k, .R = 2.0, .seed = 2, .sigma = 0.3};
    double X1[8 * d], y1[8], X2[8 * d], y2[8], q1[d], q2[d], yq1, yq2, b1[d], b2[d];
    ICLLinregTokens(&p1, 5, ICL_PURPOSE_TASK, 7, X1, y1, q1, &yq1, NULL);
    ICLLinregTokens(&p1, 8, ICL_PURPOSE_TASK, 7, X2, y2, q2, &yq2, NULL);
    CHECK(!memcmp(X1, X2, sizeof(double) * 5 * d) && !memcmp(y1, y2, sizeof(double) * 5), "first tokens shared across N");
    CHECK(!memcmp(q1, q2, sizeof q1) && yq1 == yq2, "query shared across N");
    ICLLinregTask(&p1, ICL_PURPOSE_TASK, 7, b1);
    ICLLinregTask(&p2, ICL_PURPOSE_TASK, 7, b2);
    CHECK(b2[0] == 2 * b1[0] && b2[k - 1] == 2 * b1[k - 1], "beta shared across R");
    ICLLinregTask(&p1, ICL_PURPOSE_TEST_TASK, 7, b2);
    CHECK(b2[0] != b1[0], "test tasks differ from training tasks");
  }
  CHECK(ICLFamilyLinreg.bayes_error(&(ICLTaskParams){.sigma = 0.5}) == 0.25, "Bayes risk sigma^2");
  return CheckReport("test_linreg_sampler");
}
