#include "sphere.h"

#include "subspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int SphereTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq);

const ICLFamily ICLFamilySphere = {
  .name        = "sphere",
  .description = "C-class classification on the unit sphere, prototypes in a k-dim subspace, margin R (Dragutinovic, Saxe & Singh)",
  .kind        = ICL_OUTPUT_CLASS,
  .outputs     = ICLSphereClasses,
  .tokens      = SphereTokens,
  .bayes_error = NULL, /* no closed form */
  .params      = "classes,noise,prototypes_per_class",
};

enum { SALT_IN = 1, SALT_OFF = 2, SALT_LABELS = 3, SALT_QUERY = 4 };

static uint64_t Key(uint64_t a, uint64_t b, uint64_t salt) { return ICLHashU64(ICLHashU64(ICLHashU64(ICLHashInit(), a), b), salt); }

int ICLSphereClasses(const ICLTaskParams *p) { return p->classes > 0 ? p->classes : 2; }

int ICLSpherePrototypes(const ICLTaskParams *p) { return p->prototypes > 0 ? p->prototypes : 1; }

void ICLSphereTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *P)
{
  const int C = ICLSphereClasses(p), d = p->d, m = C * ICLSpherePrototypes(p);
  ICLStream s;
  /* not keyed by P: the first C prototypes are shared across P */
  ICLStreamInit(&s, p->seed, purpose, Key((uint64_t)p->k, (uint64_t)C, 0), p->replicate, index);
  for (int c = 0; c < m; c++) ICLSubspaceUniform(&s, p->U, d, p->k, 1.0, P + (size_t)c * (size_t)d);
}

/* Uniform integer in {0..n-1} (n small: the bias of the floor is below 2^-40). */
static int UniformInt(ICLStream *s, int n) { return (int)floor(ICLStreamUniform(s) * n); }

/* x = normalize(R p + U n/sqrt(k) + eps (I - UU^T) m/sqrt(d-k)), noise from the two streams.
 * With the first k coordinates, m is d - k normals on the last coordinates; with a random U,
 * (I - UU^T) g for d normals g, the same law N(0, I - UU^T). */
static void Example(const ICLTaskParams *p, const double *proto, ICLStream *sin, ICLStream *soff, double *x)
{
  const int d = p->d, k = p->k;
  double    n[k], n2 = 0;
  for (int i = 0; i < k; i++) n[i] = ICLStreamNormal(sin) / sqrt((double)k);
  ICLSubspaceEmbed(p->U, d, k, n, x);
  for (int i = 0; i < d; i++) x[i] = p->R * proto[i] + x[i];
  if (!p->U)
    for (int i = k; i < d; i++) x[i] = p->noise * ICLStreamNormal(soff) / sqrt((double)(d - k));
  else if (d > k) {
    double g[d];
    ICLStreamNormals(soff, (size_t)d, g);
    ICLSubspaceComplement(p->U, d, k, g);
    for (int i = 0; i < d; i++) x[i] += p->noise * g[i] / sqrt((double)(d - k));
  }
  for (int i = 0; i < d; i++) n2 += x[i] * x[i];
  const double scale = 1.0 / sqrt(n2);
  for (int i = 0; i < d; i++) x[i] *= scale;
}

int ICLSphereTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t index, double *X, int *labels, double *xq,
                    int *cq, double *P)
{
  const int        C = ICLSphereClasses(p), Pm = ICLSpherePrototypes(p), d = p->d, k = p->k;
  const ICLPurpose context = purpose == ICL_PURPOSE_TEST_TASK ? ICL_PURPOSE_TEST_CONTEXT : ICL_PURPOSE_CONTEXT;
  const ICLPurpose query   = purpose == ICL_PURPOSE_TEST_TASK ? ICL_PURPOSE_TEST_CONTEXT : ICL_PURPOSE_QUERY;
  ICLStream        sin, soff, sl;
  int              relabel[C > 0 ? C : 1], comp[N > 0 ? N : 1];

  if (k < 1 || k > d || C < 2 || Pm < 1 || N < 0) return -1;
  /* C P d reals can outgrow the stack (C and P up to 1001 each) */
  double *proto = P ? P : malloc(sizeof(double) * (size_t)C * (size_t)Pm * (size_t)d);
  if (!proto) return -1;
  ICLSphereTask(p, purpose, index, proto);

  /* Components: shuffled balanced sequence, then a random relabelling of the classes. */
  ICLStreamInit(&sl, p->seed, context, Key((uint64_t)C, (uint64_t)N, SALT_LABELS), p->replicate, index);
  for (int i = 0; i < N; i++) comp[i] = i % (C * Pm);
  for (int i = N - 1; i > 0; i--) {
    const int j = UniformInt(&sl, i + 1), t = comp[i];
    comp[i] = comp[j], comp[j] = t;
  }
  for (int c = 0; c < C; c++) relabel[c] = c;
  for (int c = C - 1; c > 0; c--) {
    const int j = UniformInt(&sl, c + 1), t = relabel[c];
    relabel[c] = relabel[j], relabel[j] = t;
  }
  for (int i = 0; i < N; i++) labels[i] = relabel[comp[i] % C], comp[i] = comp[i] - comp[i] % C + labels[i];

  /* Query, shared by every N. */
  ICLStreamInit(&sin, p->seed, query, Key((uint64_t)d, (uint64_t)k, SALT_QUERY), p->replicate, index);
  *cq = UniformInt(&sin, C);
  const int jq = Pm > 1 ? UniformInt(&sin, Pm) : 0;
  Example(p, proto + (size_t)(jq * C + *cq) * (size_t)d, &sin, &sin, xq);

  ICLStreamInit(&sin, p->seed, context, Key((uint64_t)d, (uint64_t)k, SALT_IN), p->replicate, index);
  ICLStreamInit(&soff, p->seed, context, Key((uint64_t)d, (uint64_t)k, SALT_OFF), p->replicate, index);
  for (int i = 0; i < N; i++) Example(p, proto + (size_t)comp[i] * (size_t)d, &sin, &soff, X + (size_t)i * (size_t)d);
  if (!P) free(proto);
  return 0;
}

void ICLSphereStat(int d, int C, int N, const double *X, const int *labels, double *H)
{
  memset(H, 0, sizeof(double) * (size_t)C * (size_t)d);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < d; j++) H[(size_t)labels[i] * (size_t)d + j] += X[(size_t)i * (size_t)d + j] / N;
}

/* Targets as one-hot rows. */
static int SphereTokens(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq)
{
  const int C = ICLSphereClasses(p);
  int       labels[N > 0 ? N : 1], cq;
  if (ICLSphereTokens(p, N, (ICLPurpose)purpose, index, X, labels, xq, &cq, NULL)) return -1;
  memset(Y, 0, sizeof(double) * (size_t)N * (size_t)C);
  for (int i = 0; i < N; i++) Y[(size_t)i * (size_t)C + labels[i]] = 1.0;
  memset(yq, 0, sizeof(double) * (size_t)C);
  yq[cq] = 1.0;
  return 0;
}
