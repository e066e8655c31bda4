/* The dual form's step product (src/model/linalg/sym_tiles.c) against independent ground truth.
 * Asserted, for a symmetric matrix cut as a rank's diagonal block and as a group rank's
 * rectangles are (ragged edges included), in doubles and floats:
 * - y = K x to rounding, against a dense product over the whole square, in long double;
 * - the same bits on 1, 2, 3, 4 and 7 threads, and with the BLAS on 2 threads;
 * - the same bits as a scalar replay of the documented order of operations (the fused
 *   kernel's two vectors of lanes, its lane sums and leftover rows; the jobs' vectors added in
 *   job order), so that the bits do not depend on the vector instructions the machine has.
 * Negative control: a replay whose jobs' vectors are added in reverse order is told apart. */
#include <math.h>
#include <petscsys.h>
#include <string.h>

#include "blas_extra.h"
#include "blas_threads.h"
#include "check.h"
#include "sym_tiles.h"

#define S 256

/* K's entry (i, j), i <= j: any fixed function of the pair, symmetric by construction. */
static double Entry(PetscInt i, PetscInt j) { return sin(0.37 * i + 1.3 * j) / (1.0 + 0.01 * (j - i)); }

/* Tiles of n: the diagonal block [0, b) as dual_gd.c cuts it, and the rectangle
 * [0, b) x [b, n) in S x S tiles (n > b: a group rank's rectangle). */
static PetscInt Tiles(PetscInt n, PetscInt b, ICLTile *tile)
{
  const PetscInt nq = (b + S - 1) / S;
  PetscInt       nt = 0;
  for (PetscInt q = 0; q < nq; q++)
    for (PetscInt p = 0; p <= q; p++) tile[nt++] = (ICLTile){.i = p * S, .j = q * S, .m = (PetscBLASInt)PetscMin(S, b - p * S), .w = (PetscBLASInt)PetscMin(S, b - q * S), .sym = p == q};
  for (PetscInt q = 0; b + q * S < n; q++)
    for (PetscInt p = 0; p * S < b; p++) tile[nt++] = (ICLTile){.i = p * S, .j = b + q * S, .m = (PetscBLASInt)PetscMin(S, b - p * S), .w = (PetscBLASInt)PetscMin(S, n - b - q * S)};
  return nt;
}

static void Fill(ICLSymTiles *t)
{
  for (PetscInt k = 0; k < t->ntile; k++) {
    const ICLTile *T = &t->tile[k];
    for (PetscInt j = 0; j < T->w; j++)
      for (PetscInt i = 0; i < T->m; i++) {
        const size_t at = T->at + (size_t)j * T->m + i;
        const double v  = T->sym && i > j ? 0.0 : Entry(T->i + i, T->j + j); /* symv must not read below */
        if (t->kd) t->kd[at] = v;
        else t->kf[at] = (float)v;
      }
  }
}

/* The fused kernel's order, one scalar at a time: per column, lane l of vector v (rows i with
 * i % (2L) in [vL, vL + L)) sums its rows in turn; then lanes t0[l] + t1[l], added l = 0..L-1;
 * then the leftover rows. A template over the element type, as the kernel is. */
#define REPLAY(NAME, T, L)                                                                                              \
  static void NAME(const ICLTile *tile, const T *a, const T *x, T *y)                                                   \
  {                                                                                                                     \
    const PetscInt m = tile->m, mv = m - m % (2 * L);                                                                   \
    for (PetscInt j = 0; j < tile->w; j++) {                                                                            \
      const T *c = a + (size_t)j * m, xj = x[tile->j + j];                                                              \
      T        lane[2][L], t             = 0;                                                                           \
      memset(lane, 0, sizeof lane);                                                                                     \
      for (PetscInt i = 0; i < mv; i++) y[tile->i + i] += c[i] * xj, lane[(i / L) % 2][i % L] += c[i] * x[tile->i + i]; \
      for (int l = 0; l < L; l++) t += lane[0][l] + lane[1][l];                                                         \
      for (PetscInt i = mv; i < m; i++) y[tile->i + i] += c[i] * xj, t += c[i] * x[tile->i + i];                        \
      y[tile->j + j] += t;                                                                                              \
    }                                                                                                                   \
  }
REPLAY(ReplayD, double, 4)
REPLAY(ReplayF, float, 8)

/* y = K x by the documented order; reverse: the jobs' vectors added last job first. */
static PetscErrorCode Replay(const ICLSymTiles *t, const void *x, void *y, PetscBool reverse)
{
  const size_t       word = t->kd ? sizeof(double) : sizeof(float);
  const PetscBLASInt inc  = 1;
  char              *part;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1((size_t)t->njob * t->n * word, &part));
  for (PetscInt j = 0; j < t->njob; j++)
    for (PetscInt k = t->first[j]; k < t->first[j + 1]; k++) {
      const ICLTile *T = &t->tile[k];
      if (t->kd) {
        const double one = 1.0, *xd = x;
        double      *v = (double *)part + (size_t)j * t->n;
        if (T->sym) BLASdsymv_("U", &T->m, &one, t->kd + T->at, &T->m, xd + T->j, &inc, &one, v + T->i, &inc);
        else ReplayD(T, t->kd + T->at, xd, v);
      } else {
        const float one = 1.0f, *xf = x;
        float      *v = (float *)part + (size_t)j * t->n;
        if (T->sym) BLASssymv_("U", &T->m, &one, t->kf + T->at, &T->m, xf + T->j, &inc, &one, v + T->i, &inc);
        else ReplayF(T, t->kf + T->at, xf, v);
      }
    }
  for (PetscInt i = 0; i < t->n; i++)
    for (PetscInt q = 0; q < t->njob; q++) {
      const PetscInt j = reverse ? t->njob - 1 - q : q;
      if (t->kd) ((double *)y)[i] = q ? ((double *)y)[i] + ((double *)part)[(size_t)j * t->n + i] : ((double *)part)[(size_t)j * t->n + i];
      else ((float *)y)[i] = q ? ((float *)y)[i] + ((float *)part)[(size_t)j * t->n + i] : ((float *)part)[(size_t)j * t->n + i];
    }
  PetscCall(PetscFree(part));
  PetscFunctionReturn(0);
}

static PetscErrorCode Case(PetscInt n, PetscInt b, PetscBool single)
{
  const size_t word = single ? sizeof(float) : sizeof(double);
  ICLTile     *tile;
  ICLSymTiles  t;
  char        *x, *y, *y1, *yr;
  double       lent = 0, err = 0, scale = 0;
  const int    threads[] = {2, 3, 4, 7};

  PetscFunctionBegin;
  PetscCall(PetscMalloc1((n / S + 2) * (n / S + 2), &tile));
  PetscCall(ICLSymTilesCreate(n, Tiles(n, b, tile), tile, single, &t));
  Fill(&t);
  PetscCall(PetscMalloc4(n * word, &x, n * word, &y, n * word, &y1, n * word, &yr));
  for (PetscInt i = 0; i < n; i++) {
    if (single) ((float *)x)[i] = (float)cos(0.7 * i);
    else ((double *)x)[i] = cos(0.7 * i);
  }
  PetscCall(ICLSymTilesMult(&t, x, y1, 1, &lent));
  /* against the dense product: rows < b take the whole row, rows >= b only the rectangle's
   * transpose (the diagonal block of rows b.. is another rank's) */
  for (PetscInt i = 0; i < n; i++) {
    long double s = 0;
    for (PetscInt j = 0; j < n; j++) {
      if (i >= b && j >= b) continue;
      const PetscInt lo = PetscMin(i, j), hi = PetscMax(i, j);
      const double   kij = single ? (double)(float)Entry(lo, hi) : Entry(lo, hi);
      s += (long double)kij * (single ? (double)((float *)x)[j] : ((double *)x)[j]);
    }
    err   = PetscMax(err, fabs((double)s - (single ? (double)((float *)y1)[i] : ((double *)y1)[i])));
    scale = PetscMax(scale, fabs((double)s));
  }
  CHECK(err <= (single ? 2e-5 : 1e-13) * scale * sqrt((double)n), "n = %d, b = %d, %s: |y - K x| = %.3g of %.3g", (int)n, (int)b, single ? "single" : "double", err, scale);
  for (size_t k = 0; k < sizeof threads / sizeof *threads; k++) {
    PetscCall(ICLSymTilesMult(&t, x, y, threads[k], &lent));
    CHECK(!memcmp(y, y1, n * word), "n = %d, b = %d, %s: %d threads differ from one", (int)n, (int)b, single ? "single" : "double", threads[k]);
  }
  PetscCall(ICLBlasThreadsSet(2));
  PetscCall(ICLSymTilesMult(&t, x, y, 1, &lent));
  PetscCall(ICLBlasThreadsSet(1));
  CHECK(!memcmp(y, y1, n * word), "n = %d, %s: the BLAS on 2 threads changes the bits", (int)n, single ? "single" : "double");
  PetscCall(Replay(&t, x, yr, PETSC_FALSE));
  CHECK(!memcmp(yr, y1, n * word), "n = %d, b = %d, %s: not the documented order's bits", (int)n, (int)b, single ? "single" : "double");
  if (t.njob > 2) {
    PetscCall(Replay(&t, x, yr, PETSC_TRUE));
    CHECK(memcmp(yr, y1, n * word), "n = %d, %s: the reversed order must be told apart (negative control)", (int)n, single ? "single" : "double");
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "n = %4d, b = %4d, %s: %3d tiles, %2d jobs, |y - Kx| %.2e of %.2e; 1-7 threads and the replay: same bits\n", (int)n, (int)b, single ? "single" : "double", (int)t.ntile, (int)t.njob, err, scale));
  PetscCall(PetscFree4(x, y, y1, yr));
  PetscCall(ICLSymTilesDestroy(&t));
  PetscCall(PetscFree(tile));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  PetscFunctionBegin;
  for (int single = 0; single < 2; single++) {
    PetscCall(Case(100, 100, single));   /* one tile: one job */
    PetscCall(Case(1500, 1500, single)); /* 21 tiles, ragged last tile column */
    PetscCall(Case(2900, 2900, single)); /* more tiles than jobs */
    PetscCall(Case(1300, 700, single));  /* a diagonal block and a rectangle */
  }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_sym_tiles")
