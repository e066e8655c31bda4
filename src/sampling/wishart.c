#include "wishart.h"

#include <math.h>
#include <string.h>

/* Marsaglia and Tsang's squeeze method (ACM TOMS 26, 2000), as GSL's gsl_ran_gamma; written
 * here because every draw must come from a keyed Philox stream, which GSL's samplers (bound to
 * a gsl_rng) cannot read. Shape a < 1 by Gamma(a) = Gamma(a + 1) U^(1/a). */
static double StreamGamma(ICLStream *s, double a)
{
  if (a < 1.0) {
    const double u = ICLStreamUniform(s);
    return StreamGamma(s, a + 1.0) * pow(u, 1.0 / a);
  }
  const double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = ICLStreamNormal(s);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = ICLStreamUniform(s);
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return d * v;
  }
}

double ICLStreamChiSquare(ICLStream *s, double dof) { return 2.0 * StreamGamma(s, 0.5 * dof); }

void ICLBartlettColumn(ICLStream *s, long nu, int r, int j, double *col)
{
  const int above = j < r ? j : r;
  memset(col, 0, sizeof(double) * (size_t)r);
  ICLStreamNormals(s, (size_t)above, col);
  if (j < r) col[j] = sqrt(ICLStreamChiSquare(s, (double)(nu - j)));
}
