#include "feature_map.h"

#include <petscblaslapack.h>

#include "rng.h"

static const char *const names[ICL_PHI_COUNT] = {"identity", "elu1", "relu", "exp", "prf", "poly2"};

int ICLFeatureMapFind(const char *name)
{
  for (int i = 0; i < ICL_PHI_COUNT; i++)
    if (!strcmp(name, names[i])) return i;
  return -1;
}

const char *ICLFeatureMapNames(void) { return "identity,elu1,relu,exp,prf,poly2"; }

PetscInt ICLFeatureMapWidth(ICLFeatureMapKind kind, PetscInt d, PetscInt D)
{
  switch (kind) {
  case ICL_PHI_PRF: return D;
  case ICL_PHI_POLY2: return 1 + d + d * d;
  default: return d;
  }
}

PetscReal ICLFeatureMapRowFlops(ICLFeatureMapKind kind, PetscInt d, PetscInt D)
{
  /* prf is a d-dot per feature plus its exp; the others touch each feature a few times */
  const PetscReal w = (PetscReal)ICLFeatureMapWidth(kind, d, D);
  return kind == ICL_PHI_PRF ? w * (2.0 * d + 20.0) : 4.0 * w;
}

PetscErrorCode ICLFeatureMapCreate(ICLFeatureMapKind kind, PetscInt d, PetscInt D, uint64_t seed, uint64_t replicate, ICLFeatureMap *phi)
{
  PetscFunctionBegin;
  PetscCheck(kind >= 0 && kind < ICL_PHI_COUNT, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "unknown feature map %d; use one of %s", (int)kind, ICLFeatureMapNames());
  PetscCheck(d >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "feature map input dimension %d < 1", (int)d);
  PetscCheck(kind != ICL_PHI_PRF || D >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "prf needs D >= 1 features, got %d", (int)D);
  *phi = (ICLFeatureMap){.kind = kind, .d = d, .width = ICLFeatureMapWidth(kind, d, D)};
  if (kind == ICL_PHI_PRF) {
    const uint64_t coords = ICLHashU64(ICLHashInit(), (uint64_t)d);
    PetscReal     *w;
    PetscCall(PetscMalloc1((size_t)D * d, &phi->omega));
    PetscCall(PetscMalloc1(d, &w));
    for (PetscInt j = 0; j < D; j++) {
      ICLStream s;
      ICLStreamInit(&s, seed, ICL_PURPOSE_FEATURES, coords, replicate, (uint64_t)j);
      ICLStreamNormals(&s, (size_t)d, w);
      for (PetscInt i = 0; i < d; i++) phi->omega[j + D * i] = w[i];
    }
    PetscCall(PetscFree(w));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLFeatureMapDestroy(ICLFeatureMap *phi)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(phi->omega));
  PetscFunctionReturn(0);
}

/* prf: F^T = Omega Z^T by one GEMM (column-major, F^T is width x n), then the exponential. */
static PetscErrorCode PrfApply(const ICLFeatureMap *phi, PetscInt n, const PetscReal *Z, PetscReal *F)
{
  const PetscInt  d = phi->d, D = phi->width;
  const PetscReal one = 1.0, zero = 0.0, scale = 1.0 / PetscSqrtReal((PetscReal)D);
  PetscBLASInt    bD, bn, bd;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(D, &bD));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bD, &bn, &bd, &one, phi->omega, &bD, Z, &bd, &zero, F, &bD));
  for (PetscInt r = 0; r < n; r++) {
    const PetscReal *z = Z + (size_t)r * d;
    PetscReal       *f = F + (size_t)r * D, h = 0.0;
    for (PetscInt i = 0; i < d; i++) h += z[i] * z[i];
    for (PetscInt j = 0; j < D; j++) f[j] = scale * PetscExpReal(f[j] - 0.5 * h);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLFeatureMapApply(const ICLFeatureMap *phi, PetscInt n, const PetscReal *Z, PetscReal *F)
{
  const PetscInt  d = phi->d, w = phi->width;
  const PetscReal r2 = 1.0 / PetscSqrtReal(2.0);

  PetscFunctionBegin;
  if (phi->kind == ICL_PHI_PRF) {
    PetscCall(PrfApply(phi, n, Z, F));
    PetscFunctionReturn(0);
  }
  for (PetscInt r = 0; r < n; r++) {
    const PetscReal *z = Z + (size_t)r * d;
    PetscReal       *f = F + (size_t)r * w;
    switch (phi->kind) {
    case ICL_PHI_IDENTITY: PetscCall(PetscArraycpy(f, z, d)); break;
    case ICL_PHI_ELU1:
      for (PetscInt i = 0; i < d; i++) f[i] = z[i] > 0 ? z[i] + 1.0 : PetscExpReal(z[i]);
      break;
    case ICL_PHI_RELU:
      for (PetscInt i = 0; i < d; i++) f[i] = z[i] > 0 ? z[i] : 0.0;
      break;
    case ICL_PHI_EXP:
      for (PetscInt i = 0; i < d; i++) f[i] = PetscExpReal(z[i]);
      break;
    default: /* poly2 */
      f[0] = 1.0;
      PetscCall(PetscArraycpy(f + 1, z, d));
      for (PetscInt a = 0; a < d; a++)
        for (PetscInt b = 0; b < d; b++) f[1 + d + a * d + b] = r2 * z[a] * z[b];
    }
  }
  PetscFunctionReturn(0);
}

/* prf: d phi_j / dz = phi_j (omega_j - z), so dZ^T = Omega^T (G o F)^T - z (sum_j G_j F_j). */
static PetscErrorCode PrfPullback(const ICLFeatureMap *phi, PetscInt n, const PetscReal *Z, const PetscReal *F, PetscReal *G, PetscReal *dZ)
{
  const PetscInt  d = phi->d, D = phi->width;
  const PetscReal one = 1.0, zero = 0.0;
  PetscBLASInt    bD, bn, bd;

  PetscFunctionBegin;
  for (size_t e = 0; e < (size_t)n * D; e++) G[e] *= F[e];
  PetscCall(PetscBLASIntCast(D, &bD));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bn, &bD, &one, phi->omega, &bD, G, &bD, &zero, dZ, &bd));
  for (PetscInt r = 0; r < n; r++) {
    const PetscReal *g = G + (size_t)r * D, *z = Z + (size_t)r * d;
    PetscReal        s = 0.0;
    for (PetscInt j = 0; j < D; j++) s += g[j];
    for (PetscInt i = 0; i < d; i++) dZ[(size_t)r * d + i] -= s * z[i];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLFeatureMapPullback(const ICLFeatureMap *phi, PetscInt n, const PetscReal *Z, const PetscReal *F, PetscReal *G, PetscReal *dZ)
{
  const PetscInt  d = phi->d, w = phi->width;
  const PetscReal r2 = 1.0 / PetscSqrtReal(2.0);

  PetscFunctionBegin;
  if (phi->kind == ICL_PHI_PRF) {
    PetscCall(PrfPullback(phi, n, Z, F, G, dZ));
    PetscFunctionReturn(0);
  }
  for (PetscInt r = 0; r < n; r++) {
    const PetscReal *z = Z + (size_t)r * d, *f = F + (size_t)r * w, *g = G + (size_t)r * w;
    PetscReal       *dz = dZ + (size_t)r * d;
    switch (phi->kind) {
    case ICL_PHI_IDENTITY: PetscCall(PetscArraycpy(dz, g, d)); break;
    case ICL_PHI_ELU1: /* the derivative is 1 above 0 and exp(z) = phi(z) below */
      for (PetscInt i = 0; i < d; i++) dz[i] = z[i] > 0 ? g[i] : g[i] * f[i];
      break;
    case ICL_PHI_RELU:
      for (PetscInt i = 0; i < d; i++) dz[i] = z[i] > 0 ? g[i] : 0.0;
      break;
    case ICL_PHI_EXP:
      for (PetscInt i = 0; i < d; i++) dz[i] = g[i] * f[i];
      break;
    default: /* poly2: d (z_a z_b) / dz_c = delta_ac z_b + z_a delta_bc */
      for (PetscInt a = 0; a < d; a++) {
        PetscReal s = g[1 + a];
        for (PetscInt b = 0; b < d; b++) s += r2 * (g[1 + d + a * d + b] + g[1 + d + b * d + a]) * z[b];
        dz[a] = s;
      }
    }
  }
  PetscFunctionReturn(0);
}
