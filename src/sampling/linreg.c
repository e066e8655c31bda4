#include "linreg.h"

#include "subspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The learner that knows beta_q predicts beta_q^T x_q: its risk is the noise variance. */
static double LinregBayesError(const ICLTaskParams *p) { return p->sigma * p->sigma; }

static int LinregTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq);

const ICLFamily ICLFamilyLinreg = {
  .name        = "linreg",
  .description = "in-context linear regression, E||beta||^2 = R^2 in a k-dim subspace (Li, Rawat & Oymak)",
  .kind        = ICL_OUTPUT_REGRESSION,
  .outputs     = ICLFamilyOneOutput,
  .tokens      = LinregTokens,
  .bayes_error = LinregBayesError,
  .params      = "sigma,alpha,drift,alignment,spectrum,x_spectrum,source_spectrum",
};

/* Sub-stream salts: independent streams for each kind of draw of one task. */
enum { SALT_X = 1, SALT_XI = 2, SALT_QX = 3, SALT_QXI = 4, SALT_DRIFT = 5 };

static uint64_t Key(uint64_t dim, uint64_t salt) { return ICLHashU64(ICLHashU64(ICLHashInit(), dim), salt); }

/* A stream of one task; the source law's streams are its own (linreg.h). */
static void TaskStream(ICLStream *s, const ICLTaskParams *p, ICLPurpose purpose, uint64_t key, uint64_t index)
{
  if (p->source) ICLStreamInit(s, p->seed, ICL_PURPOSE_SOURCE, ICLHashU64(key, (uint64_t)purpose), p->replicate, index);
  else ICLStreamInit(s, p->seed, purpose, key, p->replicate, index);
}

int ICLLinregSpectrum(ICLSpectrumKind kind, int k, double R, double param, const double *list, double *lambda)
{
  double w[k > 0 ? k : 1], sum = 0.0;
  if (k < 1) return -1;
  for (int i = 0; i < k; i++) {
    switch (kind) {
    case ICL_SPECTRUM_FLAT: w[i] = 1.0; break;
    case ICL_SPECTRUM_GEOMETRIC:
      if (!(param > 0.0 && param <= 1.0)) return -1;
      w[i] = pow(param, i);
      break;
    case ICL_SPECTRUM_POWER:
      if (!(param >= 0.0 && isfinite(param))) return -1;
      w[i] = pow(i + 1.0, -param);
      break;
    case ICL_SPECTRUM_LIST:
      if (!list || !(list[i] > 0.0 && isfinite(list[i]))) return -1;
      w[i] = list[i];
      break;
    default: return -1;
    }
    sum += w[i];
  }
  if (!(sum > 0.0 && isfinite(sum))) return -1;
  for (int i = 0; i < k; i++) lambda[i] = R * R * w[i] / sum;
  return 0;
}

/* LAPACK (Fortran interface, as in subspace.c). */
extern void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork, int *info);
extern void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau, double *work, const int *lwork, int *info);
extern void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a, const int *lda, double *s, double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *info);
extern void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha, const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c, const int *ldc);

/* Q (d x d, column-major) Haar on SO(d): Householder QR of a Gaussian matrix, columns signed so
 * that diag(R) > 0 (Haar on O(d)), then the first column flipped if det Q = -1. det of the
 * Householder product is (-1)^(reflectors with tau != 0). Returns LAPACK's info. */
static int RandomRotation(uint64_t seed, int d, uint64_t replicate, double *Q, double *work, int lwork)
{
  ICLStream s;
  double    tau[d], sign[d];
  int       info = 0, det = 1;

  ICLStreamInit(&s, seed, ICL_PURPOSE_X_BASIS, Key((uint64_t)d, 0), replicate, 0);
  ICLStreamNormals(&s, (size_t)d * (size_t)d, Q);
  dgeqrf_(&d, &d, Q, &d, tau, work, &lwork, &info);
  if (info) return info;
  for (int j = 0; j < d; j++) {
    sign[j] = Q[(size_t)j * d + j] < 0 ? -1.0 : 1.0;
    det *= (tau[j] != 0.0 ? -1 : 1) * (int)sign[j];
  }
  dorgqr_(&d, &d, &d, Q, &d, tau, work, &lwork, &info);
  if (det < 0) sign[0] = -sign[0];
  for (int j = 0; j < d; j++)
    for (int i = 0; i < d; i++) Q[(size_t)j * d + i] *= sign[j];
  return info;
}

/* V1 = [U, U_perp] (d x d, column-major): I_d for U NULL, else the Householder completion of U,
 * whose first k columns are +-U's (U has orthonormal columns, so R is diagonal +-1). */
static int AlignedBasis(const double *U, int d, int k, double *V1, double *work, int lwork)
{
  double tau[k > 0 ? k : 1];
  int    info = 0;

  memset(V1, 0, sizeof(double) * (size_t)d * (size_t)d);
  if (!U) {
    for (int i = 0; i < d; i++) V1[(size_t)i * d + i] = 1.0;
    return 0;
  }
  memcpy(V1, U, sizeof(double) * (size_t)d * (size_t)k);
  dgeqrf_(&d, &k, V1, &d, tau, work, &lwork, &info);
  if (!info) dorgqr_(&d, &d, &k, V1, &d, tau, work, &lwork, &info);
  return info;
}

int ICLLinregFeatureFactor(const ICLTaskParams *p, double *F)
{
  const int    d = p->d, dd = d * d, lwork = 64 * d;
  const double a = p->alignment, one = 1.0, zero = 0.0;
  double      *V1, *Q, *M, *Um, *Vt, *s, *work, mu[d];
  int          info = 0;

  if (d < 1 || !(a >= 0.0 && a <= 1.0) || p->k > d ||
      ICLLinregSpectrum((ICLSpectrumKind)p->x_spectrum, d, sqrt((double)d), p->x_spectrum_param, p->x_spectrum_list, mu))
    return -1;
  V1 = malloc(sizeof(double) * (size_t)(5 * dd + d + lwork));
  if (!V1) return -1;
  Q = V1 + dd, M = Q + dd, Um = M + dd, Vt = Um + dd, s = Vt + dd, work = s + d;
  info = AlignedBasis(p->U, d, p->k, V1, work, lwork);
  if (!info && a < 1.0) {
    /* V(a) = polar(a V1 + (1-a) Q V1) = Um Vt from the SVD */
    if (!(info = RandomRotation(p->seed, d, p->replicate, Q, work, lwork))) {
      const double b = 1.0 - a;
      dgemm_("N", "N", &d, &d, &d, &b, Q, &d, V1, &d, &zero, M, &d);
      for (int i = 0; i < dd; i++) M[i] += a * V1[i];
      dgesvd_("A", "A", &d, &d, M, &d, s, Um, &d, Vt, &d, work, &lwork, &info);
      if (!info) dgemm_("N", "N", &d, &d, &d, &one, Um, &d, Vt, &d, &zero, V1, &d);
    }
  }
  /* F[i][j] = V_ij sqrt(mu_j), row-major */
  for (int i = 0; i < d && !info; i++)
    for (int j = 0; j < d; j++) F[(size_t)i * d + j] = V1[(size_t)j * d + i] * sqrt(mu[j]);
  free(V1);
  return info ? -1 : 0;
}

/* y = F z for a d x d row-major F (NULL: identity), overwriting y; z is not modified. */
static void ApplyFactor(int d, const double *F, const double *z, double *y)
{
  if (!F) {
    memmove(y, z, sizeof(double) * (size_t)d);
    return;
  }
  for (int i = 0; i < d; i++) {
    double s = 0.0;
    for (int j = 0; j < d; j++) s += F[(size_t)i * (size_t)d + j] * z[j];
    y[i] = s;
  }
}

/* A draw from N(0, Sigma_beta) from stream s: the task beta, or the drift direction delta. */
static int DrawBeta(const ICLTaskParams *p, ICLStream *s, double *beta)
{
  const int d = p->d, k = p->k;
  if (p->factor_beta) {
    double z[d];
    ICLStreamNormals(s, (size_t)d, z);
    ApplyFactor(d, p->factor_beta, z, beta);
    return 0;
  }
  double lambda[k > 0 ? k : 1], c[k > 0 ? k : 1];
  memset(beta, 0, sizeof(double) * (size_t)d);
  if (k < 1 || k > d || ICLLinregSpectrum((ICLSpectrumKind)p->spectrum, k, p->R, p->spectrum_param, p->spectrum_list, lambda))
    return -1;
  for (int i = 0; i < k; i++) c[i] = sqrt(lambda[i]) * ICLStreamNormal(s);
  ICLSubspaceEmbed(p->U, d, k, c, beta);
  return 0;
}

int ICLLinregTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *beta)
{
  ICLStream s;
  TaskStream(&s, p, purpose, p->factor_beta ? Key((uint64_t)p->d, 0) : Key((uint64_t)p->k, 0), index);
  return DrawBeta(p, &s, beta);
}

int ICLLinregTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t index, double *X, double *y, double *xq,
                    double *yq, double *beta_q)
{
  const int        d       = p->d;
  const ICLPurpose context = purpose == ICL_PURPOSE_TEST_TASK ? ICL_PURPOSE_TEST_CONTEXT : ICL_PURPOSE_CONTEXT;
  const ICLPurpose query   = purpose == ICL_PURPOSE_TEST_TASK ? ICL_PURPOSE_TEST_CONTEXT : ICL_PURPOSE_QUERY;
  const double     a = p->alpha, b = sqrt(fmax(0.0, 1.0 - a * a));
  double           beta[d], delta[d], g[d], fg[d];
  ICLStream        sx, sxi, s;

  /* a non-flat Sigma_x is sampled through its factor: without one the law would be wrong */
  if (!(fabs(a) <= 1.0) || (p->x_spectrum != ICL_SPECTRUM_FLAT && !p->factor_x) || ICLLinregTask(p, purpose, index, beta)) return -1;
  if (p->drift != 0.0) {
    TaskStream(&s, p, purpose, Key(p->factor_beta ? (uint64_t)p->d : (uint64_t)p->k, SALT_DRIFT), index);
    if (DrawBeta(p, &s, delta)) return -1;
  } else memset(delta, 0, sizeof delta);

  /* Query first: it is shared by every N. */
  TaskStream(&s, p, query, Key((uint64_t)d, SALT_QX), index);
  ICLStreamNormals(&s, (size_t)d, g);
  ApplyFactor(d, p->factor_x, g, xq);
  TaskStream(&s, p, query, Key((uint64_t)d, SALT_QXI), index);
  {
    double t = 0.0;
    for (int j = 0; j < d; j++) t += (beta[j] + p->drift * delta[j]) * xq[j];
    *yq = t + p->sigma * ICLStreamNormal(&s);
  }
  if (beta_q)
    for (int j = 0; j < d; j++) beta_q[j] = beta[j] + p->drift * delta[j];

  TaskStream(&sx, p, context, Key((uint64_t)d, SALT_X), index);
  TaskStream(&sxi, p, context, Key((uint64_t)d, SALT_XI), index);
  for (int i = 0; i < N; i++) {
    double      *x = X + (size_t)i * (size_t)d, t = 0.0;
    const double w = p->drift * (i + 1.0) / (N + 1.0);
    ICLStreamNormals(&sx, (size_t)d, g);
    ApplyFactor(d, p->factor_x, g, fg);
    for (int j = 0; j < d; j++) {
      x[j] = a * xq[j] + b * fg[j];
      t += (beta[j] + w * delta[j]) * x[j];
    }
    y[i] = t + p->sigma * ICLStreamNormal(&sxi);
  }
  return 0;
}

void ICLLinregWeightedSum(int d, int N, const double *X, const double *y, const double *omega, double *g)
{
  memset(g, 0, sizeof(double) * (size_t)d);
  for (int i = 0; i < N; i++) {
    const double c = (omega ? omega[i] : 1.0) * y[i];
    for (int j = 0; j < d; j++) g[j] += c * X[(size_t)i * (size_t)d + j];
  }
}

void ICLLinregStat(int d, int N, const double *X, const double *y, double *h)
{
  ICLLinregWeightedSum(d, N, X, y, NULL, h);
  for (int j = 0; j < d; j++) h[j] /= N;
}

static int LinregTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq)
{
  return ICLLinregTokens(p, N, (ICLPurpose)purpose, index, X, Y, xq, yq, NULL);
}
