#include "distreg.h"

#include "subspace.h"

#include <math.h>
#include <string.h>

static double DistregBayesError(const ICLTaskParams *p) { return p->sigma * p->sigma; }

static int DistregTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq);

const ICLFamily ICLFamilyDistreg = {
  .name        = "distreg",
  .description = "two-stage sampling: task distribution (mean R U u, response g(beta^T x)), then its context (Liu & Zhou)",
  .kind        = ICL_OUTPUT_REGRESSION,
  .outputs     = ICLFamilyOneOutput,
  .tokens      = DistregTokens,
  .bayes_error = DistregBayesError,
  .params      = "sigma,link,input_law",
};

static const char *const link_names[ICL_LINK_COUNT]   = {"tanh", "sin", "relu", "abs", "sign"};
static const char *const input_names[ICL_INPUT_COUNT] = {"gauss", "laplace", "uniform"};

int ICLDistregLinkFind(const char *name)
{
  for (int i = 0; i < ICL_LINK_COUNT; i++)
    if (!strcmp(name, link_names[i])) return i;
  return -1;
}
const char *ICLDistregLinkNames(void) { return "tanh,sin,relu,abs,sign"; }

int ICLDistregInputFind(const char *name)
{
  for (int i = 0; i < ICL_INPUT_COUNT; i++)
    if (!strcmp(name, input_names[i])) return i;
  return -1;
}
const char *ICLDistregInputNames(void) { return "gauss,laplace,uniform"; }

double ICLDistregLinkApply(int link, double t)
{
  switch (link) {
  case ICL_LINK_TANH: return tanh(t);
  case ICL_LINK_SIN: return sin(t);
  case ICL_LINK_RELU: return t > 0 ? t : 0.0;
  case ICL_LINK_ABS: return fabs(t);
  case ICL_LINK_SIGN: return (t > 0) - (t < 0);
  default: return NAN;
  }
}

enum { SALT_X = 1, SALT_XI = 2, SALT_QX = 3, SALT_QXI = 4 };

static uint64_t Key(uint64_t dim, uint64_t salt) { return ICLHashU64(ICLHashU64(ICLHashInit(), dim), salt); }

void ICLDistregTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *c, double *beta)
{
  ICLStream s;
  ICLStreamInit(&s, p->seed, purpose, Key((uint64_t)p->k, 0), p->replicate, index);
  ICLSubspaceUniform(&s, p->U, p->d, p->k, p->R, c);
  ICLSubspaceUniform(&s, p->U, p->d, p->k, 1.0, beta);
}

/* One coordinate of zeta: mean 0, variance 1. */
static double Zeta(int law, ICLStream *s)
{
  switch (law) {
  case ICL_INPUT_LAPLACE: { /* scale b = 1/sqrt(2): variance 2 b^2 = 1 */
    const double u = ICLStreamUniform(s) - 0.5;
    return -(u < 0 ? -1.0 : 1.0) * log1p(-2.0 * fabs(u)) / M_SQRT2;
  }
  case ICL_INPUT_UNIFORM: return (2.0 * ICLStreamUniform(s) - 1.0) * sqrt(3.0);
  default: return ICLStreamNormal(s);
  }
}

static double Example(const ICLTaskParams *p, const double *c, const double *beta, ICLStream *sx, ICLStream *sxi, double *x)
{
  double t = 0;
  for (int j = 0; j < p->d; j++) {
    x[j] = c[j] + Zeta(p->input_law, sx);
    t += beta[j] * x[j];
  }
  return ICLDistregLinkApply(p->link, t) + p->sigma * ICLStreamNormal(sxi);
}

int ICLDistregTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t index, double *X, double *y, double *xq,
                     double *yq, double *c, double *beta)
{
  const int        d       = p->d;
  const ICLPurpose context = purpose == ICL_PURPOSE_TEST_TASK ? ICL_PURPOSE_TEST_CONTEXT : ICL_PURPOSE_CONTEXT;
  const ICLPurpose query   = purpose == ICL_PURPOSE_TEST_TASK ? ICL_PURPOSE_TEST_CONTEXT : ICL_PURPOSE_QUERY;
  double           ct[d > 0 ? d : 1], bt[d > 0 ? d : 1];
  ICLStream        sx, sxi;

  if (p->k < 1 || p->k > d || p->link < 0 || p->link >= ICL_LINK_COUNT || p->input_law < 0 || p->input_law >= ICL_INPUT_COUNT) return -1;
  ICLDistregTask(p, purpose, index, ct, bt);
  if (c) memcpy(c, ct, sizeof(double) * (size_t)d);
  if (beta) memcpy(beta, bt, sizeof(double) * (size_t)d);
  ICLStreamInit(&sx, p->seed, query, Key((uint64_t)d, SALT_QX), p->replicate, index);
  ICLStreamInit(&sxi, p->seed, query, Key((uint64_t)d, SALT_QXI), p->replicate, index);
  *yq = Example(p, ct, bt, &sx, &sxi, xq);
  ICLStreamInit(&sx, p->seed, context, Key((uint64_t)d, SALT_X), p->replicate, index);
  ICLStreamInit(&sxi, p->seed, context, Key((uint64_t)d, SALT_XI), p->replicate, index);
  for (int i = 0; i < N; i++) y[i] = Example(p, ct, bt, &sx, &sxi, X + (size_t)i * (size_t)d);
  return 0;
}

static int DistregTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq)
{
  return ICLDistregTokens(p, N, (ICLPurpose)purpose, index, X, Y, xq, yq, NULL, NULL);
}
