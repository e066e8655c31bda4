/* Shared by the linreg tests: the Monte-Carlo risk of x_q^T W sum_i omega_i y_i x_i (W
 * column-major; omega NULL: all ones) over `tasks` test tasks, its mean and standard error. */
#ifndef ICL_TEST_CHECK_LINREG_RISK_H
#define ICL_TEST_CHECK_LINREG_RISK_H

#include <math.h>

#include "linreg.h"
#include "linreg_risk.h"

static inline void CheckLinregRisk(const ICLTaskParams *p, int n, const double *W, const double *omega, int tasks, double *mean, double *se)
{
  const int dd = p->d;
  double    X[n * dd], y[n], xq[dd], yq, g[dd], s = 0, s2 = 0;
  for (int t = 0; t < tasks; t++) {
    double pred = 0;
    ICLLinregTokens(p, n, ICL_PURPOSE_TEST_TASK, (uint64_t)t, X, y, xq, &yq, NULL);
    ICLLinregWeightedSum(dd, n, X, y, omega, g);
    for (int i = 0; i < dd; i++)
      for (int j = 0; j < dd; j++) pred += xq[i] * W[i + j * dd] * g[j];
    const double l = (yq - pred) * (yq - pred);
    s += l, s2 += l * l;
  }
  *mean = s / tasks;
  *se   = sqrt((s2 / tasks - *mean * *mean) / tasks);
}

#endif
