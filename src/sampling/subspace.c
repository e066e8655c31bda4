#include "subspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK (Fortran interface; no C header is installed with the reference LAPACK). */
extern void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork, int *info);
extern void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau, double *work, const int *lwork, int *info);
extern void dgemv_(const char *trans, const int *m, const int *n, const double *alpha, const double *a, const int *lda, const double *x, const int *incx, const double *beta, double *y, const int *incy);

int ICLSubspaceRandom(uint64_t seed, int d, int k, uint64_t replicate, double *U)
{
  ICLStream s;
  int       info = 0, lwork = 64 * k;
  double   *tau = malloc(sizeof(double) * (size_t)k), *work = malloc(sizeof(double) * (size_t)lwork);

  if (!tau || !work) {
    free(tau);
    free(work);
    return -1;
  }
  ICLStreamInit(&s, seed, ICL_PURPOSE_SUBSPACE, ICLHashU64(ICLHashU64(ICLHashInit(), (uint64_t)d), (uint64_t)k), replicate, 0);
  ICLStreamNormals(&s, (size_t)d * (size_t)k, U);
  dgeqrf_(&d, &k, U, &d, tau, work, &lwork, &info);
  if (!info) dorgqr_(&d, &k, &k, U, &d, tau, work, &lwork, &info);
  free(tau);
  free(work);
  return info;
}

void ICLSubspaceEmbed(const double *U, int d, int k, const double *c, double *x)
{
  if (!U) {
    memcpy(x, c, sizeof(double) * (size_t)k);
    memset(x + k, 0, sizeof(double) * (size_t)(d - k));
    return;
  }
  memset(x, 0, sizeof(double) * (size_t)d);
  for (int j = 0; j < k; j++)
    for (int i = 0; i < d; i++) x[i] += U[(size_t)j * d + i] * c[j];
}

void ICLSubspaceUniform(ICLStream *s, const double *U, int d, int k, double r, double *x)
{
  double u[k], norm2 = 0.0;
  ICLStreamNormals(s, (size_t)k, u);
  for (int i = 0; i < k; i++) norm2 += u[i] * u[i];
  const double scale = r / sqrt(norm2);
  for (int i = 0; i < k; i++) u[i] *= scale;
  ICLSubspaceEmbed(U, d, k, u, x);
}

void ICLSubspaceComplement(const double *U, int d, int k, double *x)
{
  const int    one = 1;
  const double pos = 1.0, neg = -1.0, zero = 0.0;
  double       c[k];
  if (!U) {
    memset(x, 0, sizeof(double) * (size_t)k);
    return;
  }
  dgemv_("T", &d, &k, &pos, U, &d, x, &one, &zero, c, &one); /* c = U^T x */
  dgemv_("N", &d, &k, &neg, U, &d, c, &one, &pos, x, &one);  /* x -= U c */
}
