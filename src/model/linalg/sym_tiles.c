#include "sym_tiles.h"

#include <stdlib.h>
#include <string.h>

#include "blas_extra.h"
#include "blas_threads.h"
#include "huge_pages.h"
#include "thread_jobs.h"

/* Rows of y one thread adds up at a time, over the jobs' vectors. */
#define ICL_SYM_ROWS 2048
/* Words below which a product runs on this thread alone (about 0.1 ms of reading; starting
 * and joining a thread costs tens of microseconds). */
#define ICL_SYM_THREADED_WORDS (1 << 20)

/* The fused tile kernel, written here for the reason in the header. Explicit 32-byte vectors
 * in a fixed order of operations, and this file built without contraction into FMA: the AVX2
 * clone and the baseline one give the same bits, so a result does not depend on which the
 * machine runs. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  #define ICL_CLONES __attribute__((target_clones("avx2", "default")))
#else
  #define ICL_CLONES
#endif

/* yr (m) += A xc (w) and yc (w) += A^T xr (m), A m x w column-major: NAME for element type
 * T in vectors V of L lanes. Each column's dot product runs in two vectors of lanes, then
 * lane by lane, then the leftover rows. */
#define ICL_FUSED(NAME, T, V, L)                                                                                  \
  typedef T              V __attribute__((vector_size(32)));                                                      \
  ICL_CLONES static void NAME(PetscBLASInt m, PetscBLASInt w, const T *A, const T *xc, const T *xr, T *yr, T *yc) \
  {                                                                                                               \
    const PetscBLASInt mv = m - m % (2 * L);                                                                      \
    for (PetscBLASInt j = 0; j < w; j++) {                                                                        \
      const T     *a = A + (size_t)j * m, xj = xc[j];                                                             \
      V            X, t0, t1, a0, a1, r0, r1, y0, y1;                                                             \
      T            t = 0;                                                                                         \
      PetscBLASInt i;                                                                                             \
      for (int l = 0; l < L; l++) X[l] = xj, t0[l] = 0, t1[l] = 0;                                                \
      for (i = 0; i < mv; i += 2 * L) {                                                                           \
        memcpy(&a0, a + i, sizeof a0), memcpy(&a1, a + i + L, sizeof a1);                                         \
        memcpy(&r0, xr + i, sizeof r0), memcpy(&r1, xr + i + L, sizeof r1);                                       \
        memcpy(&y0, yr + i, sizeof y0), memcpy(&y1, yr + i + L, sizeof y1);                                       \
        y0 += a0 * X, y1 += a1 * X, t0 += a0 * r0, t1 += a1 * r1;                                                 \
        memcpy(yr + i, &y0, sizeof y0), memcpy(yr + i + L, &y1, sizeof y1);                                       \
      }                                                                                                           \
      t0 += t1;                                                                                                   \
      for (int l = 0; l < L; l++) t += t0[l];                                                                     \
      for (; i < m; i++) yr[i] += a[i] * xj, t += a[i] * xr[i];                                                   \
      yc[j] += t;                                                                                                 \
    }                                                                                                             \
  }
ICL_FUSED(FusedD, double, ICLVecD, 4)
ICL_FUSED(FusedF, float, ICLVecF, 8)

/* Tile `tile`'s products into y. */
static void TileMult(const ICLSymTiles *t, const ICLTile *tile, const void *x, void *y)
{
  const PetscBLASInt inc = 1;
  if (t->kd) {
    const double one = 1.0, *xd = x, *a = t->kd + tile->at;
    double      *yd = y;
    if (tile->sym) BLASdsymv_("U", &tile->m, &one, a, &tile->m, xd + tile->j, &inc, &one, yd + tile->i, &inc);
    else FusedD(tile->m, tile->w, a, xd + tile->j, xd + tile->i, yd + tile->i, yd + tile->j);
  } else {
    const float one = 1.0f, *xf = x, *a = t->kf + tile->at;
    float      *yf = y;
    if (tile->sym) BLASssymv_("U", &tile->m, &one, a, &tile->m, xf + tile->j, &inc, &one, yf + tile->i, &inc);
    else FusedF(tile->m, tile->w, a, xf + tile->j, xf + tile->i, yf + tile->i, yf + tile->j);
  }
}

static size_t Word(const ICLSymTiles *t) { return t->kd ? sizeof(double) : sizeof(float); }
/* The storage's bytes (ICLHugeMalloc's size), given its precision. */
static size_t Bytes(const ICLSymTiles *t, size_t word) { return PetscMax(t->words, 1) * word; }

typedef struct {
  const ICLSymTiles *t;
  const void        *x;
  void              *y;
} Product;

/* Job j's tiles into its own vector (y itself when there is one job). */
static PetscErrorCode JobMult(void *ctx, PetscInt j, PetscInt thread)
{
  const Product     *pr = ctx;
  const ICLSymTiles *t  = pr->t;
  char              *v  = t->njob == 1 ? pr->y : (char *)t->partial + (size_t)j * t->n * Word(t);

  (void)thread;
  if (t->njob > 1) memset(v, 0, (size_t)t->n * Word(t));
  for (PetscInt k = t->first[j]; k < t->first[j + 1]; k++) TileMult(t, &t->tile[k], pr->x, v);
  return 0;
}

/* Rows [c ICL_SYM_ROWS, (c + 1) ICL_SYM_ROWS) of y: the jobs' vectors added in job order, the
 * same sums whoever adds them. */
static PetscErrorCode RowsSum(void *ctx, PetscInt c, PetscInt thread)
{
  const Product     *pr = ctx;
  const ICLSymTiles *t  = pr->t;
  const PetscInt     lo = c * ICL_SYM_ROWS, hi = PetscMin(t->n, lo + ICL_SYM_ROWS);

  (void)thread;
  for (PetscInt i = lo; i < hi; i++) {
    if (t->kd) {
      const double *p = t->partial;
      double        s = p[i];
      for (PetscInt q = 1; q < t->njob; q++) s += p[(size_t)q * t->n + i];
      ((double *)pr->y)[i] = s;
    } else {
      const float *p = t->partial;
      float        s = p[i];
      for (PetscInt q = 1; q < t->njob; q++) s += p[(size_t)q * t->n + i];
      ((float *)pr->y)[i] = s;
    }
  }
  return 0;
}

PetscErrorCode ICLSymTilesMult(const ICLSymTiles *t, const void *x, void *y, PetscInt nthreads, double *lent_seconds)
{
  const PetscInt blas = ICLBlasThreadsGet();
  Product        pr   = {.t = t, .x = x, .y = y};

  PetscFunctionBegin;
  if (t->njob <= 1) PetscCall(PetscMemzero(y, (size_t)t->n * Word(t)));
  if (t->njob == 0) PetscFunctionReturn(0);
  /* a small product is done before threads would start: the bits are the same either way */
  if (t->words < ICL_SYM_THREADED_WORDS) nthreads = 1;
  if (blas > 1) PetscCall(ICLBlasThreadsSet(1)); /* a threaded symv of a diagonal tile would change its bits */
  PetscCall(ICLThreadJobsRun(nthreads, t->njob, JobMult, &pr, lent_seconds));
  if (t->njob > 1) PetscCall(ICLThreadJobsRun(nthreads, (t->n + ICL_SYM_ROWS - 1) / ICL_SYM_ROWS, RowsSum, &pr, lent_seconds));
  if (blas > 1) PetscCall(ICLBlasThreadsSet(blas));
  PetscFunctionReturn(0);
}

/* Consecutive tiles of about total/njob words each. */
static void Jobs(ICLSymTiles *t)
{
  size_t total = 0, acc = 0;
  for (PetscInt k = 0; k < t->ntile; k++) total += (size_t)t->tile[k].m * t->tile[k].w;
  t->njob     = PetscMin(ICL_SYM_JOBS, t->ntile);
  t->first[0] = 0;
  for (PetscInt j = 1, k = 0; j <= t->njob; j++) {
    while (k < t->ntile && (j == t->njob || (acc + (size_t)t->tile[k].m * t->tile[k].w / 2) * t->njob < total * j)) acc += (size_t)t->tile[k].m * t->tile[k].w, k++;
    t->first[j] = k;
  }
}

PetscErrorCode ICLSymTilesCreate(PetscInt n, PetscInt ntile, const ICLTile *tile, PetscBool single, ICLSymTiles *t)
{
  const size_t   word = single ? sizeof(float) : sizeof(double);
  void          *k    = NULL;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *t = (ICLSymTiles){.n = n, .ntile = ntile};
  PetscCall(PetscMalloc2(ntile, &t->tile, ntile + 1, &t->first));
  for (PetscInt i = 0; i < ntile; i++) t->tile[i] = tile[i], t->tile[i].at = t->words, t->words += (size_t)tile[i].m * tile[i].w;
  Jobs(t);
  ierr = ICLHugeMalloc(Bytes(t, word), &k);
  if (single) t->kf = k;
  else t->kd = k;
  if (!ierr && t->njob > 1) ierr = PetscMalloc((size_t)t->njob * n * word, &t->partial);
  if (ierr) {
    const double gb = (double)Bytes(t, word) / 1e9;
    PetscCall(ICLSymTilesDestroy(t));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_MEM, "could not allocate %.2f GB for a symmetric matrix's tiles", gb);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLSymTilesDestroy(ICLSymTiles *t)
{
  PetscFunctionBegin;
  if (t->kd) PetscCall(ICLHugeFree(Bytes(t, sizeof(double)), &t->kd));
  if (t->kf) PetscCall(ICLHugeFree(Bytes(t, sizeof(float)), &t->kf));
  PetscCall(PetscFree(t->partial));
  PetscCall(PetscFree2(t->tile, t->first));
  *t = (ICLSymTiles){0};
  PetscFunctionReturn(0);
}
