/* linreg: in-context linear regression (Li, Rawat & Oymak; docs/families.md).
 *
 * Generator of one task (all options in ICLTaskParams, zero = default):
 *   task      beta = U diag(sqrt(lambda)) z, z ~ N(0, I_k), U = p->U (subspace.h; NULL: the
 *             first k coordinates), so
 *             Sigma_beta = U diag(lambda) U^T with sum(lambda) = R^2 = E||beta||^2;
 *             lambda from ICLLinregSpectrum (default flat: lambda_i = R^2/k). With
 *             p->factor_beta = F_b: beta = F_b z, z ~ N(0, I_d) (Sigma_beta = F_b F_b^T).
 *   query     x_q = F_x g_q, g_q ~ N(0, I_d) (F_x = p->factor_x, default I: Sigma_x = F_x F_x^T;
 *             a non-flat p->x_spectrum needs F_x from ICLLinregFeatureFactor, below),
 *             y_q = beta_q^T x_q + sigma xi_q.
 *   context   x_i = alpha x_q + sqrt(1 - alpha^2) F_x g_i (RAG correlation alpha = p->alpha;
 *             alpha = 0: i.i.d. x_i ~ N(0, Sigma_x); every x_i is N(0, Sigma_x) marginally),
 *             y_i = beta_i^T x_i + sigma xi_i, xi ~ N(0, 1), i = 1..N.
 *   drift     non-stationary tasks (H3), p->drift = D: delta ~ N(0, Sigma_beta) independent of
 *             beta, beta_i = beta + D (i/(N+1)) delta for context position i = 1..N and
 *             beta_q = beta + D delta at the query (position N+1). D = 0: beta_i = beta_q = beta.
 *
 * Predictor convention (matches the closed forms of docs/models.md and src/model/linreg_risk.h):
 * the model sees the statistic h = (1/N) sum_i y_i x_i and predicts the UNNORMALIZED
 *   yhat = x_q^T W (X^T y) = N x_q^T W h,
 * so L(W) = E(y_q - N x_q^T W h)^2. (the usual convention writes x^T W' h with W' = N W.)
 * With H3 weights omega: yhat = x_q^T W sum_i omega_i y_i x_i (ICLLinregWeightedSum).
 *
 * Common random numbers: z is keyed by k only (by d with factor_beta), the g_i, g_q and xi
 * by d only, drawn token by token from streams that do not depend on N, so cells differing
 * in N share their first tokens and the query; cells differing in R, sigma, alpha or the
 * spectrum share every normal. Training tasks use (ICL_PURPOSE_TASK, CONTEXT, QUERY),
 * test tasks (ICL_PURPOSE_TEST_TASK, TEST_CONTEXT): pass the task purpose. A source law
 * (p->source = 1, lora's W_0) draws every stream from ICL_PURPOSE_SOURCE with the purpose above
 * folded into the key: its task t is independent of the target's task t. */
#ifndef ICL_LINREG_H
#define ICL_LINREG_H

#include "family.h"
#include "rng.h"

extern const ICLFamily ICLFamilyLinreg;

typedef enum {
  ICL_SPECTRUM_FLAT      = 0, /* lambda_i = R^2/k */
  ICL_SPECTRUM_GEOMETRIC = 1, /* lambda_i proportional to q^(i-1), q = param in (0, 1] */
  ICL_SPECTRUM_POWER     = 2, /* lambda_i proportional to i^(-a), a = param >= 0 */
  ICL_SPECTRUM_LIST      = 3  /* lambda_i proportional to list[i-1] (> 0, any order) */
} ICLSpectrumKind;

/* lambda_1..lambda_k of Sigma_beta with sum = R^2 exactly (up to rounding); the shape comes
 * from (kind, param, list). Returns 0, or -1 for an invalid kind/param/list (lambda untouched). */
int ICLLinregSpectrum(ICLSpectrumKind kind, int k, double R, double param, const double *list, double *lambda);

/* Feature covariance (docs/lro.md): Sigma_x = V diag(mu) V^T with
 *   mu_1..mu_d     from (p->x_spectrum, x_spectrum_param, x_spectrum_list), sum mu = d
 *                  (tr Sigma_x = d: flat gives I_d whatever V);
 *   V1 = [U, U_perp], the task subspace's k directions first, in the order of lambda (U NULL:
 *                  I_d; otherwise the Householder completion of U, columns up to sign);
 *   Q in SO(d)     Haar, the sign-fixed Q factor of a Gaussian d x d matrix from
 *                  (seed, ICL_PURPOSE_X_BASIS, d, replicate), shared by every k, N, R, law;
 *   V(a)           the polar factor (orthogonal Procrustes) of a V1 + (1 - a) Q V1, a = p->alignment:
 *                  V(1) = V1 (mu_i on lambda_i's eigenvector, i <= k), V(0) = Q V1; each
 *                  rotation angle phi of Q shrinks to atan2((1-a) sin phi, a + (1-a) cos phi).
 * F (d x d row-major) = V diag(sqrt(mu)), so F F^T = Sigma_x: pass it as p->factor_x.
 * Returns 0, or -1 for invalid options (alignment outside [0, 1], bad spectrum, LAPACK). */
int ICLLinregFeatureFactor(const ICLTaskParams *p, double *F);

/* beta (length d) of task `index`; purpose ICL_PURPOSE_TASK or ICL_PURPOSE_TEST_TASK.
 * Returns -1 (and beta = 0) if p's spectrum options are invalid. */
int ICLLinregTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *beta);

/* One task as explicit tokens: X (N x d, row-major), y (N), query xq (d) and yq.
 * beta_q (d, may be NULL) receives the task at the query. Returns -1 on invalid options. */
int ICLLinregTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t index, double *X, double *y, double *xq,
                    double *yq, double *beta_q);

/* h = (1/N) sum_i y_i x_i (length d). */
void ICLLinregStat(int d, int N, const double *X, const double *y, double *h);

/* g = sum_i omega_i y_i x_i (length d); omega NULL means all ones (g = N h). */
void ICLLinregWeightedSum(int d, int N, const double *X, const double *y, const double *omega, double *g);

#endif
