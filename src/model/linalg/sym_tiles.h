/* A symmetric matrix held as a list of tiles of its upper triangle, and its product with a
 * vector whose bits do not depend on how many threads take part.
 *
 * The product is cut into a fixed list of jobs (consecutive tiles of about equal words),
 * each summing into a vector of its own; the jobs' vectors are then added in job order. The
 * list depends on the tiles only, so one thread and sixteen give the same y, bit for bit,
 * and the cores idle ranks lend a rank can join a cell's steps without changing its result
 * (a threaded symv of the BLAS would: OpenBLAS splits it by thread count). An off-diagonal
 * tile is read from memory once for both of its products (fused; no BLAS routine takes
 * A x and A^T y from one read of a general matrix, as symv does for the diagonal tiles). */
#ifndef ICL_SYM_TILES_H
#define ICL_SYM_TILES_H

#include <petscsys.h>

/* Jobs per product: enough to keep this many threads of a rank busy; their vectors (njob n
 * words) cost well under 1% of a step's reads at any n. */
#define ICL_SYM_JOBS 32

/* Rows [i, i + m) and columns [j, j + w) of the matrix, stored column-major (leading
 * dimension m) at word `at` of the storage. sym: a diagonal tile (i == j, m == w) of which
 * symv reads the upper triangle; otherwise a tile above the diagonal, standing for itself and
 * its transpose below. */
typedef struct {
  size_t       at;
  PetscInt     i, j;
  PetscBLASInt m, w;
  PetscBool    sym;
} ICLTile;

typedef struct {
  PetscInt  n; /* length of x and y */
  PetscInt  ntile, njob;
  ICLTile  *tile;
  PetscInt *first; /* job j: tiles [first[j], first[j + 1]) */
  size_t    words; /* of the storage */
  double   *kd;    /* the storage: doubles, or floats (kf) */
  float    *kf;
  void     *partial; /* njob vectors of n, in the storage's precision */
} ICLSymTiles;

/* Jobs for ntile tiles (copied; `at` assigned in list order, so a tile's words follow its
 * predecessor's) of an n x n matrix, and storage for them in doubles or (single) floats, on
 * huge pages where the system grants them (huge_pages.h; a cell's K is formed once and
 * streamed every step: small pages cost a page fault per 4 KB when it is formed and TLB
 * misses on every read). Storage that cannot be had returns PETSC_ERR_MEM with *t destroyed. */
PetscErrorCode ICLSymTilesCreate(PetscInt n, PetscInt ntile, const ICLTile *tile, PetscBool single, ICLSymTiles *t);
PetscErrorCode ICLSymTilesDestroy(ICLSymTiles *t);

/* y = K x (n words each, in the storage's precision) on up to nthreads threads (this one and
 * nthreads - 1 started here; the BLAS runs one thread meanwhile). Adds the started threads'
 * busy seconds to *lent_seconds. */
PetscErrorCode ICLSymTilesMult(const ICLSymTiles *t, const void *x, void *y, PetscInt nthreads, double *lent_seconds);

#endif
