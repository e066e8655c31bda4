#include "linreg_risk.h"

#include "dense_solve.h"
#include "linreg.h"

#include <petscblaslapack.h>

/* tr(A B) of two d x d column-major matrices. */
static PetscReal TraceProduct(PetscInt d, const PetscReal *A, const PetscReal *B)
{
  PetscReal t = 0.0;
  for (PetscInt i = 0; i < d; i++)
    for (PetscInt j = 0; j < d; j++) t += A[i + j * d] * B[j + i * d];
  return t;
}

/* C = op(A) B (d x d, column-major), op per ta ("N" or "T"). */
static PetscErrorCode Product(PetscInt d, const char *ta, const PetscReal *A, const PetscReal *B, PetscReal *C)
{
  PetscBLASInt    bd;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCallBLAS("BLASgemm", BLASgemm_(ta, "N", &bd, &bd, &bd, &one, A, &bd, B, &bd, &zero, C, &bd));
  PetscFunctionReturn(0);
}

/* C = A B */
static PetscErrorCode Mult(PetscInt d, const PetscReal *A, const PetscReal *B, PetscReal *C) { return Product(d, "N", A, B, C); }

/* XB = Sx Sb, G = (S1^2 + S2) Sx Sb Sx + S2 (tr(Sx Sb) + sigma2) Sx; returns M0 = tr(Sx Sb) + sigma2. */
static PetscErrorCode Moments(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1, PetscReal S2,
                              PetscReal *XB, PetscReal *G, PetscReal *M0)
{
  PetscReal tr = 0.0;

  PetscFunctionBegin;
  PetscCall(Mult(d, Sx, Sb, XB));
  PetscCall(Mult(d, XB, Sx, G));
  for (PetscInt i = 0; i < d; i++) tr += XB[i + i * d];
  *M0 = tr + sigma2;
  for (PetscInt i = 0; i < d * d; i++) G[i] = (S1 * S1 + S2) * G[i] + S2 * (*M0) * Sx[i];
  PetscFunctionReturn(0);
}

PetscErrorCode ICLLinregRiskWeighted(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                     PetscReal S2, const PetscReal *W, PetscReal *L)
{
  PetscReal *XB, *G, *XW, *T, M0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc4(d * d, &XB, d * d, &G, d * d, &XW, d * d, &T));
  PetscCall(Moments(d, Sx, Sb, sigma2, S1, S2, XB, G, &M0));
  PetscCall(Mult(d, Sx, W, XW)); /* Sx W */
  PetscCall(Mult(d, XW, G, T));  /* Sx W G */
  {
    PetscReal quad = 0.0;
    for (PetscInt i = 0; i < d * d; i++) quad += W[i] * T[i]; /* tr(W^T Sx W G) */
    *L = M0 - 2.0 * S1 * TraceProduct(d, XW, XB) + quad;
  }
  PetscCall(PetscFree4(XB, G, XW, T));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLLinregRisk(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscInt N,
                             const PetscReal *W, PetscReal *L)
{
  return ICLLinregRiskWeighted(d, Sx, Sb, sigma2, (PetscReal)N, (PetscReal)N, W, L);
}

PetscErrorCode ICLLinregOptimalWeighted(MPI_Comm comm, PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                        PetscReal S2, PetscReal *Wstar, PetscReal *Lstar)
{
  PetscReal *XB, *G, *Wt, *XW, M0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc4(d * d, &XB, d * d, &G, d * d, &Wt, d * d, &XW));
  PetscCall(Moments(d, Sx, Sb, sigma2, S1, S2, XB, G, &M0));
  /* G symmetric: (W*)^T = S1 G^{-1} Sx Sb. */
  for (PetscInt i = 0; i < d * d; i++) Wt[i] = S1 * XB[i];
  PetscCall(ICLDenseSolve(comm, d, d, G, Wt));
  for (PetscInt i = 0; i < d; i++)
    for (PetscInt j = 0; j < d; j++) G[i + j * d] = Wt[j + i * d]; /* G now holds W* */
  PetscCall(Mult(d, Sx, G, XW));
  *Lstar = M0 - S1 * TraceProduct(d, XW, XB);
  if (Wstar) PetscCall(PetscArraycpy(Wstar, G, d * d));
  PetscCall(PetscFree4(XB, G, Wt, XW));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLLinregOptimal(MPI_Comm comm, PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscInt N,
                                PetscReal *Wstar, PetscReal *Lstar)
{
  return ICLLinregOptimalWeighted(comm, d, Sx, Sb, sigma2, (PetscReal)N, (PetscReal)N, Wstar, Lstar);
}

PetscErrorCode ICLLinregOptimalBase(MPI_Comm comm, const ICLTaskParams *p, PetscInt N, PetscReal *W0)
{
  const PetscInt d = p->d;
  PetscReal     *Sx, *Sb, L;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(d * d, &Sx, d * d, &Sb));
  PetscCall(ICLLinregCovariances(p, Sx, Sb));
  PetscCall(ICLLinregOptimal(comm, d, Sx, Sb, p->sigma * p->sigma, N, W0, &L));
  for (PetscInt i = 0; i < d * d; i++) W0[i] *= N;
  PetscCall(PetscFree2(Sx, Sb));
  PetscFunctionReturn(0);
}

/* S^{1/2} and S^{-1/2} of a symmetric positive definite S (d x d), by its eigendecomposition. */
static PetscErrorCode SymmetricRoots(PetscInt d, const PetscReal *S, PetscReal *half, PetscReal *minus_half)
{
  PetscBLASInt    bd, lwork, info;
  PetscReal      *Q, *e, *work, *QE;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(PetscMax(1, 3 * d), &lwork));
  PetscCall(PetscMalloc4(d * d, &Q, d, &e, lwork, &work, d * d, &QE));
  PetscCall(PetscArraycpy(Q, S, d * d));
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &bd, Q, &bd, e, work, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK syev failed (info %d)", (int)info);
  PetscCheck(e[0] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "matrix is not positive definite (eigenvalue %g)", (double)e[0]);
  for (PetscInt p = 0; p < 2; p++) {
    for (PetscInt j = 0; j < d; j++)
      for (PetscInt i = 0; i < d; i++) QE[i + j * d] = Q[i + j * d] * PetscPowReal(e[j], p ? -0.5 : 0.5);
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bd, &one, QE, &bd, Q, &bd, &zero, p ? minus_half : half, &bd));
  }
  PetscCall(PetscFree4(Q, e, work, QE));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLLinregOptimalRankWeighted(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                            PetscReal S2, PetscInt r, PetscReal *Wr, PetscReal *Lr)
{
  return ICLLinregOptimalCorrectionWeighted(d, Sx, Sb, sigma2, S1, S2, NULL, r, Wr, Lr);
}

PetscErrorCode ICLLinregOptimalCorrectionWeighted(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                                  PetscReal S2, const PetscReal *W0, PetscInt r, PetscReal *Wr, PetscReal *Lr)
{
  PetscReal      *XB, *G, *Xh, *Xmh, *Gh, *Gmh, *T, *P, *U, *s, *Vt, *work, M0;
  PetscBLASInt    bd, lwork, info;
  const PetscReal zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(PetscMax(1, 5 * d), &lwork));
  PetscCall(PetscMalloc6(d * d, &XB, d * d, &G, d * d, &Xh, d * d, &Xmh, d * d, &Gh, d * d, &Gmh));
  PetscCall(PetscMalloc6(d * d, &T, d * d, &P, d * d, &U, d, &s, d * d, &Vt, lwork, &work));
  PetscCall(Moments(d, Sx, Sb, sigma2, S1, S2, XB, G, &M0));
  PetscCall(SymmetricRoots(d, Sx, Xh, Xmh));
  PetscCall(SymmetricRoots(d, G, Gh, Gmh));
  /* T = S1 Sx^{1/2} (Sx Sb)^T G^{-1/2} - Sx^{1/2} W0 G^{1/2}, the target of Z = Sx^{1/2} Delta G^{1/2}. */
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bd, &S1, Xh, &bd, XB, &bd, &zero, P, &bd));
  PetscCall(Mult(d, P, Gmh, T));
  if (W0) {
    const PetscReal minus = -1.0, one = 1.0;
    PetscCall(Mult(d, Xh, W0, P));
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bd, &bd, &bd, &minus, P, &bd, Gh, &bd, &one, T, &bd));
  }
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("A", "A", &bd, &bd, T, &bd, s, U, &bd, Vt, &bd, work, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK gesvd failed (info %d)", (int)info);
  /* Z_r = U_r diag(s_r) V_r^T: scale the first r columns of U, drop the rest. */
  for (PetscInt j = 0; j < d; j++)
    for (PetscInt i = 0; i < d; i++) U[i + j * d] *= j < r ? s[j] : 0.0;
  PetscCall(Mult(d, U, Vt, T));
  /* W_r = W0 + Sx^{-1/2} Z_r G^{-1/2} */
  PetscCall(Mult(d, Xmh, T, P));
  PetscCall(Mult(d, P, Gmh, Wr));
  if (W0)
    for (PetscInt i = 0; i < d * d; i++) Wr[i] += W0[i];
  PetscCall(ICLLinregRiskWeighted(d, Sx, Sb, sigma2, S1, S2, Wr, Lr));
  PetscCall(PetscFree6(XB, G, Xh, Xmh, Gh, Gmh));
  PetscCall(PetscFree6(T, P, U, s, Vt, work));
  PetscFunctionReturn(0);
}

/* With Sx = I and Sb diagonal, G is diagonal and L(W) = M0 - sum_i a_i + ||W G^{1/2} - N Sb G^{-1/2}||_F^2
 * with a_i = N lambda_i^2/((N+1) lambda_i + M0): the best rank-r W keeps the r largest a_i
 * (Eckart-Young on a diagonal matrix). a_i increases with lambda_i. */
PetscReal ICLLinregOptimalRankRisk(PetscInt k, const PetscReal *lambda, PetscReal sigma2, PetscInt N, PetscInt r)
{
  PetscReal M0 = sigma2, a[k > 0 ? k : 1];
  for (PetscInt i = 0; i < k; i++) M0 += lambda[i];
  for (PetscInt i = 0; i < k; i++) a[i] = N * lambda[i] * lambda[i] / ((N + 1) * lambda[i] + M0);
  /* Partial selection sort: r is at most k, k is small. */
  PetscReal L = M0;
  for (PetscInt t = 0; t < PetscMin(r, k); t++) {
    PetscInt best = t;
    for (PetscInt i = t + 1; i < k; i++)
      if (a[i] > a[best]) best = i;
    const PetscReal tmp = a[t];
    a[t] = a[best], a[best] = tmp;
    L -= a[t];
  }
  return L;
}

/* Derivation (Sx = I, beta fixed, b^2 = 1 - a^2, a = alpha; only ||beta||^2 enters, E||beta||^2 = B):
 * s_i = y_i x_q^T x_i are i.i.d. given x_q, with
 *   E[s_i | x_q] = (beta^T x_q)(a^2 ||x_q||^2 + b^2),
 *   E[y_q s_i]   = ||beta||^2 (a^2 (d+2) + b^2),
 *   E[s_i^2]     = ||beta||^2 (d+2)(a^2 (d+4) + b^2) + sigma2 d (a^2 (d+2) + b^2),
 *   E[s_i s_j]   = ||beta||^2 (a^4 (d+2)(d+4) + 2 a^2 b^2 (d+2) + b^4)   (i != j),
 * using E[(beta^T x)^2 ||x||^2] = (d+2)||beta||^2 and E[(beta^T x)^2 ||x||^4] = (d+2)(d+4)||beta||^2. */
void ICLLinregRagIsotropicMoments(PetscInt d, PetscReal B, PetscReal sigma2, PetscReal N, PetscReal alpha, PetscReal *num,
                                  PetscReal *den)
{
  const PetscReal a2 = alpha * alpha, b2 = 1.0 - a2, dd = (PetscReal)d, n = N;
  *num = n * B * (a2 * (dd + 2) + b2);
  *den = n * (B * (dd + 2) * (a2 * (dd + 4) + b2) + sigma2 * dd * (a2 * (dd + 2) + b2)) +
         n * (n - 1) * B * (a2 * a2 * (dd + 2) * (dd + 4) + 2 * a2 * b2 * (dd + 2) + b2 * b2);
}

PetscReal ICLLinregRagIsotropicBestRisk(PetscInt d, PetscReal B, PetscReal sigma2, PetscReal N, PetscReal alpha)
{
  PetscReal num, den;
  ICLLinregRagIsotropicMoments(d, B, sigma2, N, alpha, &num, &den);
  return B + sigma2 - num * num / den;
}

PetscBool ICLLinregExact(const ICLTaskParams *p) { return p->alpha == 0 && p->drift == 0 ? PETSC_TRUE : PETSC_FALSE; }

/* S = F F^T for a d x d row-major F (read column-major it is F^T: S = (F^T)^T F^T). */
static PetscErrorCode FactorProduct(PetscInt d, const PetscReal *F, PetscReal *S) { return Product(d, "T", F, F, S); }

/* Sigma_x: F_x F_x^T of the factor the sampler uses; without one, the factor of p's x_spectrum
 * and alignment (the same numbers: ICLLinregFeatureFactor is deterministic); I_d when flat. */
static PetscErrorCode FeatureCovariance(const ICLTaskParams *p, PetscReal *Sx)
{
  const PetscInt d = p->d;
  PetscReal     *F;

  PetscFunctionBegin;
  if (p->factor_x) PetscCall(FactorProduct(d, p->factor_x, Sx));
  else if (p->x_spectrum != ICL_SPECTRUM_FLAT) {
    PetscCall(PetscMalloc1(d * d, &F));
    if (ICLLinregFeatureFactor(p, F)) {
      PetscCall(PetscFree(F));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid linreg x_spectrum or alignment options");
    }
    PetscCall(FactorProduct(d, F, Sx));
    PetscCall(PetscFree(F));
  } else {
    PetscCall(PetscArrayzero(Sx, d * d));
    for (PetscInt i = 0; i < d; i++) Sx[i * d + i] = 1.0;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLLinregCovariances(const ICLTaskParams *p, PetscReal *Sx, PetscReal *Sb)
{
  const PetscInt d = p->d, k = p->k;
  PetscReal     *lambda, *UL;
  int            bad;

  PetscFunctionBegin;
  PetscCheck(ICLLinregExact(p), PETSC_COMM_SELF, PETSC_ERR_SUP, "closed-form linreg risk needs i.i.d. contexts and a fixed task");
  PetscCall(FeatureCovariance(p, Sx));
  if (p->factor_beta) {
    PetscCall(FactorProduct(d, p->factor_beta, Sb));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(k, &lambda));
  bad = ICLLinregSpectrum((ICLSpectrumKind)p->spectrum, (int)k, p->R, p->spectrum_param, p->spectrum_list, lambda);
  if (bad) {
    PetscCall(PetscFree(lambda));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid linreg spectrum options");
  }
  if (!p->U) {
    PetscCall(PetscArrayzero(Sb, d * d));
    for (PetscInt i = 0; i < k; i++) Sb[i * d + i] = lambda[i];
  } else {
    /* Sigma_beta = (U diag(lambda)) U^T, the law of beta = U diag(sqrt(lambda)) z. */
    PetscBLASInt    bd, bk;
    const PetscReal one = 1.0, zero = 0.0;
    PetscCall(PetscBLASIntCast(d, &bd));
    PetscCall(PetscBLASIntCast(k, &bk));
    PetscCall(PetscMalloc1(d * k, &UL));
    for (PetscInt j = 0; j < k; j++)
      for (PetscInt i = 0; i < d; i++) UL[i + j * d] = p->U[i + j * d] * lambda[j];
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bk, &one, UL, &bd, p->U, &bd, &zero, Sb, &bd));
    PetscCall(PetscFree(UL));
  }
  PetscCall(PetscFree(lambda));
  PetscFunctionReturn(0);
}
