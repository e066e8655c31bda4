/* The exact sufficient statistic (m, v) and explicit tokens give the same law (docs/families.md):
 * per-coordinate moments of m - mu and v - mu, and a two-sample Kolmogorov-Smirnov test on
 * N ||m - mu||^2 (chi^2_d under both). A sampler with 10% too much variance must fail the
 * same checks, so the test has the power to see a wrong variance. */
#include <string.h>

#include "check.h"
#include "gmm.h"

enum { d = 6, k = 3, N = 5, n = 20000 };

typedef struct {
  double mean_m, var_m, mean_v, var_v, ks;
} Stats;

/* Statistics of (m, v) from the statistic sampler vs tokens, with the token m's deviation
 * from mu scaled by `inflate` (1: the real sampler; sqrt(1.1): a broken one). */
static Stats Compare(double inflate)
{
  static double q_stat[n], q_tok[n];
  const ICLTaskParams p = {.d = d, .k = k, .R = 1.5, .seed = 5, .replicate = 0};
  double              mu[d], m[d], v[d], x[N * d], y[N], xq[d], yq;
  double              sm = 0, sm2 = 0, sv = 0, sv2 = 0;
  Stats               s;

  for (int t = 0; t < n; t++) {
    double r2 = 0;
    ICLGmmTrainPair(&p, N, (uint64_t)t, m, v);
    ICLGmmTask(&p, ICL_PURPOSE_TASK, (uint64_t)t, mu);
    for (int i = 0; i < d; i++) r2 += (m[i] - mu[i]) * (m[i] - mu[i]);
    q_stat[t] = N * r2;
    ICLGmmTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, x, y, xq, &yq);
    ICLGmmStatFromTokens(d, N, x, y, xq, yq, m, v);
    r2 = 0;
    for (int i = 0; i < d; i++) {
      const double dm = inflate * (m[i] - mu[i]), dv = v[i] - mu[i];
      r2 += dm * dm;
      sm += dm, sm2 += dm * dm, sv += dv, sv2 += dv * dv;
    }
    q_tok[t] = N * r2;
  }
  s.mean_m = sm / (n * d), s.var_m = N * sm2 / (n * d), s.mean_v = sv / (n * d), s.var_v = sv2 / (n * d);
  s.ks = CheckKS(q_stat, q_tok, n, n);
  return s;
}

int main(void)
{
  const double se_mean = 1.0 / sqrt((double)n * d), se_var = sqrt(2.0 / (n * d));
  const double ks_crit = 1.95 * sqrt(2.0 / n); /* KS critical value at alpha = 0.001 */
  const ICLTaskParams p = {.d = d, .k = k, .R = 1.5, .seed = 5, .replicate = 0};
  double              mu[d];

  /* ||mu|| = R exactly and mu lives in the first k coordinates. */
  for (int t = 0; t < 100; t++) {
    double r2 = 0;
    ICLGmmTask(&p, ICL_PURPOSE_TASK, (uint64_t)t, mu);
    for (int i = 0; i < d; i++) r2 += mu[i] * mu[i];
    CHECK_NEAR(sqrt(r2), 1.5, 1e-14, "||mu||");
    CHECK(mu[k] == 0 && mu[d - 1] == 0, "mu must vanish off the subspace");
  }

  Stats s = Compare(1.0);
  CHECK_NEAR(s.mean_m, 0.0, 4 * se_mean / sqrt(N), "token m - mu mean");
  CHECK_NEAR(s.var_m, 1.0, 4 * se_var, "token N var(m - mu)");
  CHECK_NEAR(s.mean_v, 0.0, 4 * se_mean, "token v - mu mean");
  CHECK_NEAR(s.var_v, 1.0, 4 * se_var, "token var(v - mu)");
  CHECK(s.ks < ks_crit, "KS statistic %.4f >= critical %.4f: statistic and tokens differ in law", s.ks, ks_crit);

  /* Negative control: a 10% variance error must be caught by both checks. */
  Stats bad = Compare(sqrt(1.1));
  CHECK(fabs(bad.var_m - 1.0) > 4 * se_var, "the variance check missed a 10%% variance error (%.4f)", bad.var_m);
  CHECK(bad.ks > ks_crit, "the KS test missed a 10%% variance error (%.4f <= %.4f)", bad.ks, ks_crit);
  printf("KS %.4f (broken sampler %.4f), critical %.4f; N var(m-mu) %.4f\n", s.ks, bad.ks, ks_crit, s.var_m);
  return CheckReport("test_gmm_sampler");
}
