/* The Bartlett factor of wishart.h against brute force: Gram matrices Z^T Z of explicit nu x n
 * Gaussian matrices and F^T F of the column sampler, compared entry by entry (moments and a
 * two-sample Kolmogorov-Smirnov statistic) for a triangle (nu >= n) and a trapezoid (nu < n);
 * a factor drawn with nu + 2 degrees of freedom must fail the same checks. The chi^2 sampler:
 * mean and variance at small, half-integer and large degrees of freedom. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "wishart.h"

enum { n = 5, trials = 20000 };

/* Gram matrix (n x n) of trial t: brute force (explicit Z) or from the Bartlett columns drawn
 * with nu + shift degrees of freedom. */
static void Gram(int nu, int shift, int brute, int t, double *G)
{
  const int r = brute ? nu : (nu < n ? nu : n);
  double    F[n * 64];
  ICLStream s;
  ICLStreamInit(&s, 7, ICL_PURPOSE_GRAM, (uint64_t)nu, (uint64_t)brute, (uint64_t)t);
  for (int j = 0; j < n; j++) {
    if (brute) ICLStreamNormals(&s, (size_t)nu, F + j * r);
    else ICLBartlettColumn(&s, nu + shift, r, j, F + j * r);
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      G[i * n + j] = 0;
      for (int l = 0; l < r; l++) G[i * n + j] += F[i * r + l] * F[j * r + l];
    }
}

/* Worst KS statistic over the entries G_ij (i <= j) of the two samplers. */
static double WorstKS(int nu, int shift)
{
  double *a = malloc(sizeof(double) * trials * n * n), *b = malloc(sizeof(double) * trials * n * n), worst = 0;
  double  x[trials], y[trials];
  for (int t = 0; t < trials; t++) {
    Gram(nu, 0, 1, t, a + (size_t)t * n * n);
    Gram(nu, shift, 0, t, b + (size_t)t * n * n);
  }
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++) {
      double mean = 0, var = 0;
      for (int t = 0; t < trials; t++) x[t] = a[(size_t)t * n * n + i * n + j], y[t] = b[(size_t)t * n * n + i * n + j];
      for (int t = 0; t < trials; t++) mean += y[t] / trials;
      for (int t = 0; t < trials; t++) var += (y[t] - mean) * (y[t] - mean) / (trials - 1);
      if (!shift) { /* Wishart_n(nu, I): E G_ij = nu [i = j], Var G_ii = 2 nu, Var G_ij = nu */
        CHECK_NEAR(mean, i == j ? nu : 0.0, 5 * sqrt((i == j ? 2.0 : 1.0) * nu / trials), "E G_ij");
        CHECK_NEAR(var, (i == j ? 2.0 : 1.0) * nu, 0.1 * (i == j ? 2.0 : 1.0) * nu, "Var G_ij");
      }
      worst = fmax(worst, CheckKS(x, y, trials, trials));
    }
  free(a);
  free(b);
  return worst;
}

int main(void)
{
  /* critical KS value at level 1e-4 for two samples of m: sqrt(-log(1e-4 / 2) / m) */
  const double crit = sqrt(-0.5 * log(0.5e-4) * 2.0 / trials);
  for (int nu = 3; nu <= 40; nu += 37) { /* 3 < n: trapezoid; 40 >= n: triangle */
    const double good = WorstKS(nu, 0), bad = WorstKS(nu, 2);
    printf("nu = %d: worst KS %.4f (Bartlett), %.4f (nu + 2); critical %.4f\n", nu, good, bad, crit);
    CHECK(good < crit, "nu = %d: Bartlett Gram entries differ from brute force (KS %.4f)", nu, good);
    CHECK(bad > crit, "nu = %d: nu + 2 degrees of freedom pass as nu (KS %.4f): the test has no power", nu, bad);
  }
  const double dofs[] = {0.5, 1, 3.5, 1e6};
  for (int i = 0; i < 4; i++) {
    ICLStream s;
    double    mean = 0, m2 = 0;
    ICLStreamInit(&s, 7, ICL_PURPOSE_GRAM, 99, 0, (uint64_t)i);
    for (int t = 0; t < trials; t++) {
      const double c = ICLStreamChiSquare(&s, dofs[i]);
      mean += c / trials, m2 += c * c / trials;
    }
    CHECK_NEAR(mean, dofs[i], 5 * sqrt(2 * dofs[i] / trials), "chi^2 mean");
    CHECK_NEAR(m2 - mean * mean, 2 * dofs[i], 0.1 * 2 * dofs[i], "chi^2 variance");
  }
  return CheckReport("test_wishart");
}
