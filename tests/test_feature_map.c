/* Feature maps against their definitions, written out here independently of feature_map.c:
 *  - every map on random inputs against a brute-force formula (prf from its omega; poly2's
 *    inner product equals 1 + q^T k + (q^T k)^2 / 2);
 *  - every pullback against central finite differences of Apply;
 *  - prf: omega nested in D, and the RMSE of phi(q)^T phi(k) against exp(q^T k), over 400
 *    independent omega draws, falls like D^(-1/2): the least-squares slope of log RMSE vs
 *    log D over D = 16..4096 is within 0.1 of -1/2. */
#include <petscsys.h>

#include "check.h"
#include "feature_map.h"
#include "rng.h"

enum { n = 3, d = 3, Dsmall = 7 };

static PetscReal Dot(PetscInt m, const PetscReal *a, const PetscReal *b)
{
  PetscReal s = 0;
  for (PetscInt i = 0; i < m; i++) s += a[i] * b[i];
  return s;
}

/* phi(z)_j by its definition; omega (prf) is read from the map itself. */
static PetscReal Brute(const ICLFeatureMap *phi, const PetscReal *z, PetscInt j)
{
  switch (phi->kind) {
  case ICL_PHI_IDENTITY: return z[j];
  case ICL_PHI_ELU1: return z[j] > 0 ? z[j] + 1 : exp(z[j]);
  case ICL_PHI_RELU: return fmax(z[j], 0);
  case ICL_PHI_EXP: return exp(z[j]);
  case ICL_PHI_PRF: {
    PetscReal t = 0;
    for (PetscInt i = 0; i < d; i++) t += phi->omega[j + phi->width * i] * z[i] - 0.5 * z[i] * z[i];
    return exp(t) / sqrt((double)phi->width);
  }
  default: return j == 0 ? 1 : j <= d ? z[j - 1] : z[(j - 1 - d) / d] * z[(j - 1 - d) % d] / sqrt(2.0);
  }
}

static PetscErrorCode CheckMap(ICLFeatureMapKind kind, ICLStream *s)
{
  ICLFeatureMap phi;
  PetscReal     Z[n * d], V[n * d], Zp[n * d], Zm[n * d], dZ[n * d], *F, *Fp, *Fm, *G, *Gc;
  const PetscReal h = 1e-5;

  PetscFunctionBegin;
  PetscCall(ICLFeatureMapCreate(kind, d, Dsmall, 7, 0, &phi));
  const PetscInt w = phi.width;
  PetscCall(PetscMalloc5(n * w, &F, n * w, &Fp, n * w, &Fm, n * w, &G, n * w, &Gc));
  ICLStreamNormals(s, n * d, Z);
  ICLStreamNormals(s, n * d, V);
  ICLStreamNormals(s, n * w, G);
  PetscCall(ICLFeatureMapApply(&phi, n, Z, F));
  for (PetscInt r = 0; r < n; r++)
    for (PetscInt j = 0; j < w; j++)
      CHECK(fabs(F[r * w + j] - Brute(&phi, Z + r * d, j)) <= 1e-14 * (1 + fabs(F[r * w + j])), "map %d row %d feature %d: %.17g vs brute force %.17g", (int)kind, (int)r, (int)j, F[r * w + j], Brute(&phi, Z + r * d, j));
  if (kind == ICL_PHI_POLY2) {
    const PetscReal qk = Dot(d, Z, Z + d), exact = 1 + qk + qk * qk / 2;
    CHECK(fabs(Dot(w, F, F + w) - exact) <= 1e-14 * exact, "poly2: phi(q)^T phi(k) = %.17g, 1 + qk + qk^2/2 = %.17g", Dot(w, F, F + w), exact);
  }
  /* <G, (phi(Z + hV) - phi(Z - hV)) / 2h> against <J^T G, V> */
  for (PetscInt e = 0; e < n * d; e++) Zp[e] = Z[e] + h * V[e], Zm[e] = Z[e] - h * V[e];
  PetscCall(ICLFeatureMapApply(&phi, n, Zp, Fp));
  PetscCall(ICLFeatureMapApply(&phi, n, Zm, Fm));
  PetscReal fd = 0;
  for (PetscInt e = 0; e < n * w; e++) fd += G[e] * (Fp[e] - Fm[e]) / (2 * h);
  PetscCall(PetscArraycpy(Gc, G, n * w));
  PetscCall(ICLFeatureMapPullback(&phi, n, Z, F, Gc, dZ));
  CHECK(fabs(fd - Dot(n * d, dZ, V)) <= 1e-7 * (1 + fabs(fd)), "map %d pullback: finite difference %.12g vs %.12g", (int)kind, fd, Dot(n * d, dZ, V));
  PetscCall(PetscFree5(F, Fp, Fm, G, Gc));
  PetscCall(ICLFeatureMapDestroy(&phi));
  PetscFunctionReturn(0);
}

/* RMSE over `reps` omega draws of the prf estimate of exp(q^T k) at D features. */
static PetscErrorCode PrfRmse(PetscInt D, PetscInt reps, const PetscReal *q, const PetscReal *k, PetscReal *rmse)
{
  const PetscReal exact = exp(Dot(d, q, k));
  PetscReal       F[2 * 4096], sum = 0;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < reps; r++) {
    ICLFeatureMap phi;
    PetscReal     Z[2 * d];
    PetscCall(PetscArraycpy(Z, q, d));
    PetscCall(PetscArraycpy(Z + d, k, d));
    PetscCall(ICLFeatureMapCreate(ICL_PHI_PRF, d, D, 2026, (uint64_t)r, &phi));
    PetscCall(ICLFeatureMapApply(&phi, 2, Z, F));
    sum += (Dot(D, F, F + D) - exact) * (Dot(D, F, F + D) - exact);
    PetscCall(ICLFeatureMapDestroy(&phi));
  }
  *rmse = sqrt(sum / reps);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  ICLStream s;

  PetscFunctionBegin;
  ICLStreamInit(&s, 3, ICL_PURPOSE_TASK, 0, 0, 0);
  for (int kind = 0; kind < ICL_PHI_COUNT; kind++) PetscCall(CheckMap((ICLFeatureMapKind)kind, &s));

  {
    ICLFeatureMap a, b;
    PetscCall(ICLFeatureMapCreate(ICL_PHI_PRF, d, 16, 5, 1, &a));
    PetscCall(ICLFeatureMapCreate(ICL_PHI_PRF, d, 32, 5, 1, &b));
    PetscBool nested = PETSC_TRUE;
    for (PetscInt j = 0; j < 16; j++)
      for (PetscInt i = 0; i < d; i++) nested = nested && a.omega[j + 16 * i] == b.omega[j + 32 * i];
    CHECK(nested, "prf: the first 16 of 32 features must be the 16 features");
    PetscCall(ICLFeatureMapDestroy(&a));
    PetscCall(ICLFeatureMapDestroy(&b));
  }

  {
    const PetscReal q[d] = {0.4, -0.3, 0.5}, k[d] = {0.2, 0.6, -0.1};
    const PetscInt  nD = 9, reps = 400;
    PetscReal       lx[9], ly[9], mx = 0, my = 0, sxx = 0, sxy = 0, res = 0;
    for (PetscInt i = 0; i < nD; i++) {
      PetscReal rmse;
      PetscCall(PrfRmse((PetscInt)16 << i, reps, q, k, &rmse));
      lx[i] = log((double)(16 << i)), ly[i] = log(rmse);
      mx += lx[i] / nD, my += ly[i] / nD;
      printf("prf D = %4d: RMSE of phi(q)^T phi(k) vs exp(q^T k) = %.5f\n", 16 << i, rmse);
    }
    for (PetscInt i = 0; i < nD; i++) sxx += (lx[i] - mx) * (lx[i] - mx), sxy += (lx[i] - mx) * (ly[i] - my);
    const PetscReal slope = sxy / sxx;
    for (PetscInt i = 0; i < nD; i++) res += pow(ly[i] - my - slope * (lx[i] - mx), 2);
    /* 95% interval of the least-squares slope, t quantile with 7 degrees of freedom */
    const PetscReal half = 2.365 * sqrt(res / (nD - 2) / sxx);
    printf("prf: slope of log RMSE vs log D = %.4f, 95%% CI [%.4f, %.4f]\n", slope, slope - half, slope + half);
    CHECK(fabs(slope + 0.5) <= 0.1, "prf RMSE slope %.4f, expected -0.5 +- 0.1", slope);
  }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_feature_map")
