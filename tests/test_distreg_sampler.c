/* distreg sampler (docs/families.md) against its documented two-stage law (distreg.h):
 *   - stage 1: ||c_t|| = R and ||beta_t|| = 1 exactly, both zero off the subspace, E c c^T = (R^2/k) I_k;
 *     the same in span(U) for a random U (-subspace random), where the first-k c_t must fail;
 *   - stage 2: zeta = x - c_t has mean 0, variance 1 and the fourth moment of its law
 *     (Gaussian 3, Laplace 6, uniform 9/5);
 *   - responses: y - g(beta^T x) has mean 0 and variance sigma^2; with Gaussian inputs
 *     beta^T x ~ N(m, 1), m = beta^T c_t, so E[y | task] is exact: relu m Phi(m) + phi(m),
 *     abs m (2 Phi(m) - 1) + 2 phi(m), sin sin(m) e^{-1/2}, sign 2 Phi(m) - 1; checked on the
 *     residual r = y - E[y | task] averaged over all tokens, and r E[y | task] (errors odd in m
 *     cancel in the plain mean);
 * Tolerances: 4 standard errors from the exact (or, for residual means, sample) variances.
 * Negative controls: a 5% variance error, and E[y | task] computed with Var(beta^T x) = 1.2,
 * must fail the same checks. */
#include <string.h>

#include "check.h"
#include "distreg.h"
#include "subspace.h"

enum { d = 6, k = 3, N = 5, T = 20000 };

static double Phi(double x) { return 0.5 * erfc(-x / M_SQRT2); }
static double phi(double x) { return exp(-x * x / 2) / sqrt(2 * M_PI); }

/* E g(m + sqrt(v) Z). */
static double CondMean(int link, double m, double v)
{
  const double s = sqrt(v), a = m / s;
  switch (link) {
  case ICL_LINK_RELU: return m * Phi(a) + s * phi(a);
  case ICL_LINK_ABS: return m * (2 * Phi(a) - 1) + 2 * s * phi(a);
  case ICL_LINK_SIN: return sin(m) * exp(-v / 2);
  case ICL_LINK_SIGN: return 2 * Phi(a) - 1;
  default: return NAN;
  }
}

/* Mean and standard error of r = y - E[y | task] and of r E[y | task] (which sees errors that
 * are odd in m and cancel in the plain mean), E computed at Var(beta^T x) = v. */
static void ResponseResidual(int link, double v, double mean[2], double se[2])
{
  const ICLTaskParams p = {.d = d, .k = k, .R = 1.3, .seed = 17, .sigma = 0.2, .link = link};
  double              X[N * d], y[N], xq[d], yq, c[d], b[d], s[2] = {0}, s2[2] = {0};
  for (int t = 0; t < T; t++) {
    double m = 0;
    ICLDistregTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, y, xq, &yq, c, b);
    for (int j = 0; j < d; j++) m += b[j] * c[j];
    const double e = CondMean(link, m, v);
    for (int i = 0; i <= N; i++) {
      const double r = (i < N ? y[i] : yq) - e;
      s[0] += r, s2[0] += r * r, s[1] += r * e, s2[1] += r * e * r * e;
    }
  }
  const int n = T * (N + 1);
  for (int a = 0; a < 2; a++) {
    mean[a] = s[a] / n;
    se[a]   = sqrt((s2[a] / n - mean[a] * mean[a]) / n);
  }
}

int main(void)
{
  const double mu4[ICL_INPUT_COUNT] = {3, 6, 1.8}, mu8[ICL_INPUT_COUNT] = {105, 2520, 9};
  const double R = 1.3, sigma = 0.2;

  CHECK(ICLDistregLinkFind("relu") == ICL_LINK_RELU && ICLDistregLinkFind("x") == -1, "link registry");
  CHECK(ICLDistregInputFind("laplace") == ICL_INPUT_LAPLACE && ICLDistregInputFind("t") == -1, "input registry");
  CHECK(!strcmp(ICLDistregLinkNames(), "tanh,sin,relu,abs,sign") && !strcmp(ICLDistregInputNames(), "gauss,laplace,uniform"), "names");

  for (int law = 0; law < ICL_INPUT_COUNT; law++) {
    const ICLTaskParams p = {.d = d, .k = k, .R = R, .seed = 9, .sigma = sigma, .link = ICL_LINK_TANH, .input_law = law};
    double              X[N * d], y[N], xq[d], yq, c[d], b[d], cc[k] = {0};
    double              z1 = 0, z2 = 0, z4 = 0, r1 = 0, r2 = 0, worst = 0, off = 0;
    const int           n = T * (N + 1) * d, nr = T * (N + 1);
    for (int t = 0; t < T; t++) {
      ICLDistregTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, y, xq, &yq, c, b);
      double nc = 0, nb = 0;
      for (int j = 0; j < d; j++) nc += c[j] * c[j], nb += b[j] * b[j];
      for (int j = k; j < d; j++) off += fabs(c[j]) + fabs(b[j]);
      for (int j = 0; j < k; j++) cc[j] += c[j] * c[j] / T;
      worst = fmax(worst, fmax(fabs(sqrt(nc) - R), fabs(sqrt(nb) - 1)));
      for (int i = 0; i <= N; i++) {
        const double *x = i < N ? X + i * d : xq;
        double        u = 0;
        for (int j = 0; j < d; j++) {
          const double z = x[j] - c[j];
          z1 += z / n, z2 += z * z / n, z4 += z * z * z * z / n;
          u += b[j] * x[j];
        }
        const double r = (i < N ? y[i] : yq) - tanh(u);
        r1 += r / nr, r2 += r * r / nr;
      }
    }
    printf("law %d: mean %.5f var %.5f mu4 %.4f (exact %.2f); residual var %.6f\n", law, z1, z2, z4, mu4[law], r2);
    CHECK(worst < 1e-14, "||c|| = R and ||beta|| = 1 exactly (%.3g)", worst);
    CHECK(off == 0, "c and beta must vanish off the subspace");
    /* c_a^2/R^2 = u_a^2, u uniform on S^{k-1}: Var u_a^2 = 3/(k(k+2)) - 1/k^2. */
    for (int j = 0; j < k; j++) CHECK_NEAR(cc[j], R * R / k, 4 * R * R * sqrt((3.0 / (k * (k + 2)) - 1.0 / (k * k)) / T), "E c_a^2 = R^2/k");
    CHECK_NEAR(z1, 0.0, 4 / sqrt((double)n), "E zeta");
    CHECK_NEAR(z2, 1.0, 4 * sqrt((mu4[law] - 1) / n), "Var zeta = 1");
    CHECK(fabs(z2 - 1.05) > 4 * sqrt((mu4[law] - 1) / n), "a 5%% variance error not detected (law %d)", law);
    CHECK_NEAR(z4, mu4[law], 4 * sqrt((mu8[law] - mu4[law] * mu4[law]) / n), "E zeta^4 of the law");
    CHECK_NEAR(r1, 0.0, 4 * sigma / sqrt((double)nr), "response noise mean");
    CHECK_NEAR(r2, sigma * sigma, 4 * sigma * sigma * sqrt(2.0 / nr), "response noise variance sigma^2");
  }

  /* Exact conditional means. Tokens of one task share m, so the residuals are not independent
   * within a task; their correlation is Cov(g(m+Z1), g(m+Z2)) = 0 given m (independent Z), so
   * given the task they are independent with mean 0: the i.i.d. standard error is valid. */
  const int links[] = {ICL_LINK_RELU, ICL_LINK_ABS, ICL_LINK_SIN, ICL_LINK_SIGN};
  for (int l = 0; l < 4; l++) {
    double mean[2], se[2], bad[2], sebad[2];
    ResponseResidual(links[l], 1.0, mean, se);
    ResponseResidual(links[l], 1.2, bad, sebad);
    printf("link %d: residual %.5f +- %.5f, weighted %.5f +- %.5f; with Var 1.2: %.5f, %.5f\n", links[l], mean[0], se[0], mean[1], se[1], bad[0], bad[1]);
    CHECK_NEAR(mean[0], 0.0, 4 * se[0], "E[y | task] exact");
    CHECK_NEAR(mean[1], 0.0, 4 * se[1], "E[(y - E[y | task]) E[y | task]] = 0");
    CHECK(fabs(bad[0]) > 4 * sebad[0] || fabs(bad[1]) > 4 * sebad[1], "a 20%% error in Var(beta^T x) not detected (link %d)", links[l]);
  }

  /* -subspace random: ||c_t|| = R and ||beta_t|| = 1 with both in span(U), E (U^T c)(U^T c)^T =
   * (R^2/k) I_k. Negative control: the first-k c_t (U ignored) are far from span(U). */
  {
    double              U[d * k], c[d], b[d], r[d], cc[k][k] = {{0}}, worst = 0, out = 0, far = 0;
    const ICLTaskParams pu = {.d = d, .k = k, .R = R, .seed = 9, .sigma = sigma, .U = U}, p0 = {.d = d, .k = k, .R = R, .seed = 9, .sigma = sigma};
    CHECK(ICLSubspaceRandom(9, d, k, 0, U) == 0, "random U");
    for (int t = 0; t < T; t++) {
      double nc = 0, nb = 0, uc[k];
      ICLDistregTask(&pu, ICL_PURPOSE_TASK, (uint64_t)t, c, b);
      for (int j = 0; j < d; j++) nc += c[j] * c[j], nb += b[j] * b[j];
      worst = fmax(worst, fmax(fabs(sqrt(nc) - R), fabs(sqrt(nb) - 1)));
      for (int v = 0; v < 2; v++) {
        memcpy(r, v ? b : c, sizeof r);
        ICLSubspaceComplement(U, d, k, r);
        for (int j = 0; j < d; j++) out = fmax(out, fabs(r[j]));
      }
      for (int a = 0; a < k; a++) {
        uc[a] = 0;
        for (int j = 0; j < d; j++) uc[a] += U[a * d + j] * c[j];
      }
      for (int a = 0; a < k; a++)
        for (int e = 0; e < k; e++) cc[a][e] += uc[a] * uc[e] / T;
    }
    CHECK(worst < 1e-14, "random U: ||c|| = R and ||beta|| = 1 exactly (%.3g)", worst);
    CHECK(out < 1e-13, "random U: c and beta leave span(U) by %.3g", out);
    for (int a = 0; a < k; a++) {
      CHECK_NEAR(cc[a][a], R * R / k, 4 * R * R * sqrt((3.0 / (k * (k + 2)) - 1.0 / (k * k)) / T), "random U: E (U^T c)_a^2 = R^2/k");
      for (int e = 0; e < a; e++) CHECK_NEAR(cc[a][e], 0.0, 4 * R * R * sqrt(1.0 / (k * (k + 2)) / T), "random U: E (U^T c)_a (U^T c)_b = 0");
    }
    ICLDistregTask(&p0, ICL_PURPOSE_TASK, 0, c, b);
    ICLSubspaceComplement(U, d, k, c);
    for (int j = 0; j < d; j++) far += c[j] * c[j];
    CHECK(sqrt(far) > 0.1 * R, "a sampler ignoring U would pass the span(U) check (%.3g off)", sqrt(far));
  }

  /* Common random numbers: the query is shared across N, the inputs across links. */
  {
    const ICLTaskParams p1 = {.d = d, .k = k, .R = R, .seed = 4, .sigma = sigma}, p2 = {.d = d, .k = k, .R = R, .seed = 4, .sigma = sigma, .link = ICL_LINK_ABS};
    double X1[9 * d], y1[9], X2[9 * d], y2[9], q1[d], q2[d], yq1, yq2;
    ICLDistregTokens(&p1, 4, ICL_PURPOSE_TASK, 3, X1, y1, q1, &yq1, NULL, NULL);
    ICLDistregTokens(&p1, 9, ICL_PURPOSE_TASK, 3, X2, y2, q2, &yq2, NULL, NULL);
    CHECK(!memcmp(q1, q2, sizeof q1) && yq1 == yq2 && !memcmp(X1, X2, sizeof(double) * 4 * d), "query and first tokens shared across N");
    ICLDistregTokens(&p2, 9, ICL_PURPOSE_TASK, 3, X1, y1, q1, &yq1, NULL, NULL);
    CHECK(!memcmp(X1, X2, sizeof(double) * 9 * d), "inputs shared across links");
    CHECK(ICLDistregTokens(&(ICLTaskParams){.d = d, .k = k, .link = 99}, 1, ICL_PURPOSE_TASK, 0, X1, y1, q1, &yq1, NULL, NULL) == -1, "bad link rejected");
  }
  CHECK(ICLFamilyDistreg.bayes_error(&(ICLTaskParams){.sigma = sigma}) == sigma * sigma, "Bayes risk sigma^2");
  return CheckReport("test_distreg_sampler");
}
