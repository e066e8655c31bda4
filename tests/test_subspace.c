/* -subspace random: U has orthonormal columns, is a pure function of (seed, d, k, replicate),
 * its complement projection is orthogonal to it, and gmm tasks live in it with ||mu|| = R and
 * E mu mu^T = (R^2/k) U U^T. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gmm.h"
#include "subspace.h"

enum { d = 12, k = 3, n = 20000 };

int main(void)
{
  double U[d * k], V[d * k], mu[d], S[k * k] = {0};
  const ICLTaskParams p = {.d = d, .k = k, .R = 2.0, .seed = 9, .replicate = 1, .U = U};

  CHECK(ICLSubspaceRandom(9, d, k, 1, U) == 0, "QR failed");
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) {
      double dot = 0;
      for (int i = 0; i < d; i++) dot += U[a * d + i] * U[b * d + i];
      CHECK_NEAR(dot, a == b ? 1.0 : 0.0, 1e-12, "U^T U");
    }
  CHECK(ICLSubspaceRandom(9, d, k, 1, V) == 0 && !memcmp(U, V, sizeof U), "same key, same subspace");
  CHECK(ICLSubspaceRandom(9, d, k, 2, V) == 0 && memcmp(U, V, sizeof U), "another replicate, another subspace");
  {
    int spread = 0; /* a random subspace is not the first k coordinates */
    for (int j = 0; j < k; j++)
      for (int i = k; i < d; i++) spread += fabs(U[j * d + i]) > 1e-3;
    CHECK(spread > k * (d - k) / 2, "U looks like the coordinate subspace (%d entries off it)", spread);
  }
  {
    /* The complement x - U U^T x: orthogonal to U, and ||x||^2 = ||U^T x||^2 + ||rest||^2. */
    double    x[d], r[d], c[k] = {0}, x2 = 0, c2 = 0, r2 = 0, ortho = 0;
    ICLStream s;
    ICLStreamInit(&s, 1, ICL_PURPOSE_TOKENS, 0, 0, 0);
    ICLStreamNormals(&s, d, x);
    memcpy(r, x, sizeof r);
    ICLSubspaceComplement(U, d, k, r);
    for (int j = 0; j < k; j++) {
      double dot = 0;
      for (int i = 0; i < d; i++) c[j] += U[j * d + i] * x[i], dot += U[j * d + i] * r[i];
      ortho = fmax(ortho, fabs(dot));
      c2 += c[j] * c[j];
    }
    for (int i = 0; i < d; i++) x2 += x[i] * x[i], r2 += r[i] * r[i];
    CHECK(ortho < 1e-14, "U^T (x - U U^T x) = %.3g", ortho);
    CHECK_NEAR(c2 + r2, x2, 1e-12, "Pythagoras");
    memcpy(r, x, sizeof r);
    ICLSubspaceComplement(NULL, d, k, r);
    CHECK(r[0] == 0 && r[k - 1] == 0 && r[k] == x[k] && r[d - 1] == x[d - 1], "first k coordinates: the complement zeroes them");
  }
  for (int t = 0; t < n; t++) {
    double c[k] = {0}, r2 = 0, out2 = 0;
    ICLGmmTask(&p, ICL_PURPOSE_TASK, (uint64_t)t, mu);
    for (int j = 0; j < k; j++)
      for (int i = 0; i < d; i++) c[j] += U[j * d + i] * mu[i];
    for (int i = 0; i < d; i++) {
      double proj = 0;
      for (int j = 0; j < k; j++) proj += U[j * d + i] * c[j];
      out2 += (mu[i] - proj) * (mu[i] - proj);
      r2 += mu[i] * mu[i];
    }
    if (t < 100) {
      CHECK_NEAR(sqrt(r2), 2.0, 1e-12, "||mu||");
      CHECK(out2 < 1e-24, "mu leaves the subspace by %g", sqrt(out2));
    }
    for (int a = 0; a < k; a++)
      for (int b = 0; b < k; b++) S[a * k + b] += c[a] * c[b] / n;
  }
  /* U^T mu = R u with u uniform on S^{k-1}: E = (R^2/k) I_k; Var of an entry (R^4/k^2) 2k/(k+2) at most */
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) CHECK_NEAR(S[a * k + b], a == b ? 4.0 / k : 0.0, 5 * 4.0 / k * sqrt(2.0 / n), "E (U^T mu)(U^T mu)^T");
  return CheckReport("test_subspace");
}
