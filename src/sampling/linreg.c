#include "linreg.h"

#include "subspace.h"

#include <math.h>
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
};

/* Sub-stream salts: independent streams for each kind of draw of one task. */
enum { SALT_X = 1, SALT_XI = 2, SALT_QX = 3, SALT_QXI = 4, SALT_DRIFT = 5 };

static uint64_t Key(uint64_t dim, uint64_t salt) { return ICLHashU64(ICLHashU64(ICLHashInit(), dim), salt); }

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
  ICLStreamInit(&s, p->seed, purpose, p->factor_beta ? Key((uint64_t)p->d, 0) : Key((uint64_t)p->k, 0), p->replicate, index);
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

  if (!(fabs(a) <= 1.0) || ICLLinregTask(p, purpose, index, beta)) return -1;
  if (p->drift != 0.0) {
    ICLStreamInit(&s, p->seed, purpose, Key(p->factor_beta ? (uint64_t)p->d : (uint64_t)p->k, SALT_DRIFT), p->replicate, index);
    if (DrawBeta(p, &s, delta)) return -1;
  } else memset(delta, 0, sizeof delta);

  /* Query first: it is shared by every N. */
  ICLStreamInit(&s, p->seed, query, Key((uint64_t)d, SALT_QX), p->replicate, index);
  ICLStreamNormals(&s, (size_t)d, g);
  ApplyFactor(d, p->factor_x, g, xq);
  ICLStreamInit(&s, p->seed, query, Key((uint64_t)d, SALT_QXI), p->replicate, index);
  {
    double t = 0.0;
    for (int j = 0; j < d; j++) t += (beta[j] + p->drift * delta[j]) * xq[j];
    *yq = t + p->sigma * ICLStreamNormal(&s);
  }
  if (beta_q)
    for (int j = 0; j < d; j++) beta_q[j] = beta[j] + p->drift * delta[j];

  ICLStreamInit(&sx, p->seed, context, Key((uint64_t)d, SALT_X), p->replicate, index);
  ICLStreamInit(&sxi, p->seed, context, Key((uint64_t)d, SALT_XI), p->replicate, index);
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
