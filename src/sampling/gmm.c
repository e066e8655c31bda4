#include "gmm.h"

#include "subspace.h"

#include <math.h>
#include <string.h>

static double GmmBayesError(const ICLTaskParams *p) { return 0.5 * erfc(p->R / M_SQRT2); } /* 1 - Phi(R) */
static int    GmmTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq);

const ICLFamily ICLFamilyGmm = {
  .name        = "gmm",
  .description = "Gaussian mixture in a k-dim subspace, ||mu|| = R (Magen & Vardi)",
  .kind        = ICL_OUTPUT_SIGN,
  .outputs     = ICLFamilyOneOutput,
  .tokens      = GmmTokens,
  .bayes_error = GmmBayesError,
  .train_pair  = ICLGmmTrainPair,
};

static uint64_t KeyK(const ICLTaskParams *p) { return ICLHashU64(ICLHashInit(), (uint64_t)p->k); }
static uint64_t KeyD(const ICLTaskParams *p) { return ICLHashU64(ICLHashInit(), (uint64_t)p->d); }

void ICLGmmTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *mu)
{
  ICLStream s;
  ICLStreamInit(&s, p->seed, purpose, KeyK(p), p->replicate, index);
  ICLSubspaceUniform(&s, p->U, p->d, p->k, p->R, mu);
}

/* x += scale * z for unit-variance noise z of length d, one stream per (purpose, task). */
static void AddNoise(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double scale, double *x)
{
  ICLStream s;
  ICLStreamInit(&s, p->seed, purpose, KeyD(p), p->replicate, index);
  for (int i = 0; i < p->d; i++) x[i] += scale * ICLStreamNormal(&s);
}

void ICLGmmTrainPair(const ICLTaskParams *p, int N, uint64_t tau, double *m, double *v)
{
  ICLGmmTask(p, ICL_PURPOSE_TASK, tau, m);
  memcpy(v, m, sizeof(double) * (size_t)p->d);
  AddNoise(p, ICL_PURPOSE_CONTEXT, tau, 1.0 / sqrt((double)N), m);
  AddNoise(p, ICL_PURPOSE_QUERY, tau, 1.0, v);
}

void ICLGmmTestTask(const ICLTaskParams *p, uint64_t j, double *mu, double *z)
{
  ICLGmmTask(p, ICL_PURPOSE_TEST_TASK, j, mu);
  memset(z, 0, sizeof(double) * (size_t)p->d);
  AddNoise(p, ICL_PURPOSE_TEST_CONTEXT, j, 1.0, z);
}

void ICLGmmTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t tau, double *x, double *y, double *xq, double *yq)
{
  const int test = purpose == ICL_PURPOSE_TEST_TASK;
  double    mu[p->d];
  ICLStream s;
  ICLGmmTask(p, test ? ICL_PURPOSE_TEST_TASK : ICL_PURPOSE_TASK, tau, mu);
  /* keyed by d only and the query drawn first, so cells differing in N (or M) share tokens */
  ICLStreamInit(&s, p->seed, test ? ICL_PURPOSE_TEST_TOKENS : ICL_PURPOSE_TOKENS, KeyD(p), p->replicate, tau);
  for (int i = -1; i < N; i++) {
    const double label = ICLStreamUniform(&s) < 0.5 ? -1.0 : 1.0;
    double      *row   = i >= 0 ? x + (size_t)i * (size_t)p->d : xq;
    for (int j = 0; j < p->d; j++) row[j] = label * mu[j] + ICLStreamNormal(&s);
    if (i >= 0) y[i] = label;
    else *yq = label;
  }
}

static int GmmTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq)
{
  ICLGmmTokens(p, N, (ICLPurpose)purpose, index, X, Y, xq, yq);
  return 0;
}

void ICLGmmStatFromTokens(int d, int N, const double *x, const double *y, const double *xq, double yq, double *m, double *v)
{
  memset(m, 0, sizeof(double) * (size_t)d);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < d; j++) m[j] += y[i] * x[(size_t)i * (size_t)d + j];
  for (int j = 0; j < d; j++) {
    m[j] /= N;
    v[j] = yq * xq[j];
  }
}
