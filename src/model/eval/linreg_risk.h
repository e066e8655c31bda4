/* Closed-form risk of the linear-attention predictor on linreg (docs/models.md), for the
 * UNNORMALIZED predictor of src/sampling/linreg.h:
 *   yhat = x_q^T W sum_i omega_i y_i x_i      (omega_i = 1: yhat = x_q^T W X^T y = N x_q^T W h),
 * x_i ~ N(0, Sigma_x) i.i.d., beta ~ N(0, Sigma_beta), y = beta^T x + xi, xi ~ N(0, sigma2).
 * With S1 = sum omega_i, S2 = sum omega_i^2 (S1 = S2 = N without weights) and
 *   G = (S1^2 + S2) Sx Sb Sx + S2 (tr(Sx Sb) + sigma2) Sx       (= N[(N+1) Sx Sb Sx + (...)Sx]),
 *   L(W) = tr(Sx Sb) + sigma2 - 2 S1 tr(Sx W Sx Sb) + tr(W^T Sx W G),
 *   W*   = S1 Sb Sx G^{-1},   L* = tr(Sx Sb) + sigma2 - S1 tr(Sx W* Sx Sb).
 * Matrices are d x d, column-major (W[i + j d] = W_ij), as everywhere in src/model; Sx and
 * Sb symmetric (Sx SPD, Sb PSD). */
#ifndef ICL_LINREG_RISK_H
#define ICL_LINREG_RISK_H

#include <petscsys.h>

#include "family.h"

/* True when the closed forms hold for p: i.i.d. contexts (alpha = 0) and a fixed task (drift = 0). */
PetscBool ICLLinregExact(const ICLTaskParams *p);

/* The laws ICLLinregTokens samples when p has no RAG or drift (anything else is PETSC_ERR_SUP:
 * no closed form is used for it here):
 *   Sigma_x    = F_x F_x^T for p->factor_x, else that of ICLLinregFeatureFactor(p) (x_spectrum and
 *                alignment; I_d when flat);
 *   Sigma_beta = F_b F_b^T for p->factor_beta, else U diag(lambda) U^T for the task subspace
 *                U = p->U (NULL: the first k coordinates), lambda from p's spectrum, sum R^2. */
PetscErrorCode ICLLinregCovariances(const ICLTaskParams *p, PetscReal *Sx, PetscReal *Sb);

/* L(W) with H3 weights summarized by (S1, S2); S1 = S2 = N for the plain predictor. */
PetscErrorCode ICLLinregRiskWeighted(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                     PetscReal S2, const PetscReal *W, PetscReal *L);
PetscErrorCode ICLLinregRisk(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscInt N,
                             const PetscReal *W, PetscReal *L);

/* W* (d x d, may be NULL) and L*; weighted and plain. The d x d solve is LAPACK's on one rank
 * and ScaLAPACK's over comm's ranks when it has several (ICLDenseSolve; every rank gets W*
 * and L*). Collective over comm. */
PetscErrorCode ICLLinregOptimalWeighted(MPI_Comm comm, PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                        PetscReal S2, PetscReal *Wstar, PetscReal *Lstar);
PetscErrorCode ICLLinregOptimal(MPI_Comm comm, PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscInt N,
                                PetscReal *Wstar, PetscReal *Lstar);

/* N W* of the law p (i.i.d., fixed task) at context length N: the optimum of the normalized
 * predictor x_q^T W h, h = X^T y / N, that linear trains (lora's W_0 with -lora_base optimal). */
PetscErrorCode ICLLinregOptimalBase(MPI_Comm comm, const ICLTaskParams *p, PetscInt N, PetscReal *W0);

/* The best W of rank at most r, W*_r (d x d), and its risk L*_r, for any Sx (SPD) and Sb:
 * L(W) = L* + ||Sx^{1/2} W G^{1/2} - S1 Sx^{1/2} Sb Sx G^{-1/2}||_F^2, so W*_r comes from the
 * truncated SVD of the target (Eckart-Young). r >= d gives W*. */
PetscErrorCode ICLLinregOptimalRankWeighted(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                            PetscReal S2, PetscInt r, PetscReal *Wr, PetscReal *Lr);

/* LoRA (docs/lro.md): the best W = W0 + Delta with rank(Delta) <= r, and its risk. L is quadratic
 * in W: L(W0 + Delta) = L* + ||Sx^{1/2} (W0 + Delta - W*) G^{1/2}||_F^2, so Delta is the whitened
 * truncated SVD of W* - W0 and Lr = L* + (sum of the squared singular values past r of
 * Sx^{1/2} (W* - W0) G^{1/2}). r = 0: W0 and L(W0); r >= d: W* and L*. W0 NULL: W*_r. */
PetscErrorCode ICLLinregOptimalCorrectionWeighted(PetscInt d, const PetscReal *Sx, const PetscReal *Sb, PetscReal sigma2, PetscReal S1,
                                                  PetscReal S2, const PetscReal *W0, PetscInt r, PetscReal *Wr, PetscReal *Lr);

/* Optimal rank-r risk for Sx = I, Sb = diag(lambda_1..lambda_k) (any order), M0 = sum lambda + sigma2:
 *   L*_r = M0 - sum of the r largest N lambda_i^2 / ((N+1) lambda_i + M0)   (r >= k: L*). */
PetscReal ICLLinregOptimalRankRisk(PetscInt k, const PetscReal *lambda, PetscReal sigma2, PetscInt N, PetscInt r);

/* RAG (x_i = alpha x_q + sqrt(1-alpha^2) g_i), Sx = I_d, any Sb with tr Sb = B, isotropic
 * W = c I: E[y_q x_q^T X^T y] = N B (1 + alpha^2 (d+1)) =: num and E[(x_q^T X^T y)^2] =: den
 * (exact Gaussian moments, derived in linreg_risk.c; N may be fractional, e.g. an effective
 * sample size, with alpha = 0); the risk is B + sigma2 - 2 c num + c^2 den,
 * best at c = num/den with risk B + sigma2 - num^2/den. */
void ICLLinregRagIsotropicMoments(PetscInt d, PetscReal B, PetscReal sigma2, PetscReal N, PetscReal alpha, PetscReal *num,
                                  PetscReal *den);
PetscReal ICLLinregRagIsotropicBestRisk(PetscInt d, PetscReal B, PetscReal sigma2, PetscReal N, PetscReal alpha);

#endif
