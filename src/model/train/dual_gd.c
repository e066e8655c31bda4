#include "dual_gd.h"

#include "blas_extra.h"
#include "blas_threads.h"
#include "huge_pages.h"
#include "loss_history.h"
#include "sym_tiles.h"
#include "thread_jobs.h"

/* A rank's diagonal block of K is stored as square tiles of its upper triangle, ICL_DUAL_TILE
 * on a side. Off the diagonal, K's upper triangle is cut into one rectangle per pair of ranks'
 * row blocks (rows of the lower block, columns of the higher), each held by one rank of the
 * pair, so a group stores B^2/2 words, B^2/(2g) a rank, as one rank does; a rectangle is cut
 * into the same tiles. Every tile lies column-major after the one before, and a step reads
 * each once (sym_tiles.h), on the cores lent to the rank. Measured, one thread: the fused
 * product of 256 x 256 tiles reads 31 GB/s where 1024 x 32 tiles read 20. */

typedef struct {
  PetscInt i0, h, j0, w; /* rows [i0, i0 + h), columns [j0, j0 + w) of K */
  size_t   at;           /* where its tiles start, after the diagonal block */
} Rect;

/* This rank's diagonal block K[r0:r0+b, r0:r0+b] (its upper triangle's tiles, tile column by
 * tile column, at the start of the storage), then its rectangles. Single precision stores
 * floats: half the words to stream. */
typedef struct {
  PetscInt           B, b, r0;
  PetscInt           lda;     /* max(b, 1): the stride of per-step-size vectors */
  ICLSymTiles        tiles;   /* and their storage, tiles.kd or tiles.kf */
  float             *af, *sf; /* single: alpha (B) and s (b alone, B in a group) as floats */
  PetscInt           nrect;
  Rect              *rect;  /* a group: g/2 at most */
  PetscReal         *sfull; /* a group: this rank's share of every margin (B), then summed */
  MPI_Comm           comm;
  const PetscMPIInt *counts; /* a group: every rank's row count */
} Dual;

/* Where element (i, j) lies within its tile column (relative to the block's corner), in a block
 * of h rows and w0 columns: the p tiles above its own (w words wide), then column-major in its
 * tile. Rows [i, i + run) lie contiguous. */
static size_t InColumn(PetscInt i, PetscInt j, PetscInt h, PetscInt w0, PetscInt *run)
{
  const PetscInt S = ICL_DUAL_TILE, p = i / S, w = PetscMin(S, w0 - j / S * S), m = PetscMin(S, h - p * S);

  *run = m - i % S;
  return (size_t)p * S * w + (size_t)(j % S) * m + i % S;
}

/* Where element (i, j), i < (j / ICL_DUAL_TILE + 1) ICL_DUAL_TILE, of the diagonal block is
 * stored: tile column q follows the q (q + 1)/2 full tiles of the columns before. */
static size_t DiagIndex(const Dual *k, PetscInt i, PetscInt j, PetscInt *run)
{
  const PetscInt q = j / ICL_DUAL_TILE;
  return (size_t)ICL_DUAL_TILE * ICL_DUAL_TILE * (q * (q + 1) / 2) + InColumn(i, j, k->b, k->b, run);
}

/* Where element (i, j) of rectangle r (relative to its corner) is stored: tiles column by
 * column of tiles, each of its tile columns r->h rows tall. */
static size_t RectIndex(const Rect *r, PetscInt i, PetscInt j, PetscInt *run) { return r->at + (size_t)(j / ICL_DUAL_TILE) * ICL_DUAL_TILE * r->h + InColumn(i, j, r->h, r->w, run); }

/* The group's whole d x B stacks of a_tau and b_tau (the Gram blocks need every task's): in
 * doubles, or in floats when K is (SGEMM forms the blocks at twice DGEMM's rate). With a task
 * source, this rank's own tasks only (from task `first` on): the others are drawn. */
typedef struct {
  const PetscReal *ad, *bd;
  float           *af, *bf;
  PetscReal       *gathered; /* a group's gathered doubles (2 d B), NULL alone */
  PetscInt         first;    /* the task of the stacks' first column */
} Stacks;

/* Task tau's a (side 0) or b (side 1) in the stacks, in K's precision. */
static const void *Column(const ICLBilinearProblem *p, const Dual *k, const Stacks *st, int side, PetscInt tau)
{
  const size_t at = (size_t)(tau - st->first) * p->d;
  if (k->tiles.kd) return (side ? st->bd : st->ad) + at;
  return (side ? st->bf : st->af) + at;
}

/* The coordinates the products of tasks up to rows and up to cols run over: all d, or, with a
 * task source, up to the shorter side's last nonzero. */
static PetscInt Length(const ICLBilinearProblem *p, PetscInt rows, PetscInt cols)
{
  if (!p->source) return p->d;
  return PetscMin(p->d, PetscMin(p->source->length(p->source->ctx, rows), p->source->length(p->source->ctx, cols)));
}

/* g1 = K[rows, cols] for m row tasks (a, b at ar, br) and n column tasks (at ac, bc), each d
 * long (column-major, leading dimension m), in K's precision: the entrywise product of the
 * two Gram blocks (a_i^T a_j)(b_i^T b_j) over the first len coordinates, each one GEMM. No
 * library has the Hadamard product of two Gram matrices, and PETSc's dense products have no
 * symmetric (syrk) form: forming blocks here computes only the triangle K's symmetry needs,
 * and never holds a second B x B matrix. g1, g2: scratch of m n doubles each. */
static PetscErrorCode GramBlock(const ICLBilinearProblem *p, const Dual *k, const void *ar, const void *br, PetscInt m, const void *ac, const void *bc, PetscInt n, PetscInt len, PetscReal *g1, PetscReal *g2)
{
  PetscBLASInt bm, bn, bd, bl;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(p->d, &bd));
  PetscCall(PetscBLASIntCast(len, &bl));
  if (k->tiles.kd) {
    const PetscReal one = 1.0, zero = 0.0;
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bm, &bn, &bl, &one, ar, &bd, ac, &bd, &zero, g1, &bm));
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bm, &bn, &bl, &one, br, &bd, bc, &bd, &zero, g2, &bm));
    for (size_t i = 0; i < (size_t)m * n; i++) g1[i] *= g2[i];
  } else {
    const float one = 1.0f, zero = 0.0f;
    float      *f1 = (float *)g1, *f2 = (float *)g2;
    PetscCallBLAS("BLASsgemm", BLASsgemm_("T", "N", &bm, &bn, &bl, &one, ar, &bd, ac, &bd, &zero, f1, &bm));
    PetscCallBLAS("BLASsgemm", BLASsgemm_("T", "N", &bm, &bn, &bl, &one, br, &bd, bc, &bd, &zero, f2, &bm));
    for (size_t i = 0; i < (size_t)m * n; i++) f1[i] *= f2[i];
  }
  PetscFunctionReturn(0);
}

/* K's storage at `at` = count entries of g (K's precision) from `from` on. */
static void Put(Dual *k, size_t at, const PetscReal *g, size_t from, PetscInt count)
{
  if (k->tiles.kd) memcpy(k->tiles.kd + at, g + from, (size_t)count * sizeof *k->tiles.kd);
  else memcpy(k->tiles.kf + at, (const float *)g + from, (size_t)count * sizeof *k->tiles.kf);
}

/* Rows [i0, i0 + m) x columns [j0, j0 + n) of rectangle R (relative to its corner; NULL:
 * the diagonal block, where each column stops at its tile's last row) = g (column-major,
 * leading dimension m), tile run by tile run. */
static void PutBlock(Dual *k, const Rect *R, PetscInt i0, PetscInt m, PetscInt j0, PetscInt n, const PetscReal *g)
{
  for (PetscInt j = 0; j < n; j++) {
    const PetscInt rows = R ? m : PetscMin(m, (j0 + j) / ICL_DUAL_TILE * ICL_DUAL_TILE + ICL_DUAL_TILE - i0);
    for (PetscInt i = 0, run; i < rows; i += run) {
      const size_t at = R ? RectIndex(R, i0 + i, j0 + j, &run) : DiagIndex(k, i0 + i, j0 + j, &run);
      run             = PetscMin(run, rows - i);
      Put(k, at, g, (size_t)j * m + i, run);
    }
  }
}

/* Bytes of the whole stacks of a_tau and b_tau, 2 d B words of `word` bytes (a group's
 * gathered doubles, or the float copies): what StacksCreate maps and each free gives back. */
static size_t StacksBytes(const ICLBilinearProblem *p, size_t word) { return 2 * (size_t)p->B * p->d * word; }

static PetscErrorCode StacksCreate(const ICLBilinearProblem *p, const Dual *k, Stacks *st)
{
  PetscMPIInt  size, count, offset, *counts, *offsets;
  const size_t n = (size_t)p->B * p->d;

  PetscFunctionBegin;
  *st = (Stacks){.ad = p->Mt, .bd = p->Vt};
  if (p->source) { /* the others' tasks are drawn where needed */
    PetscCheck(k->tiles.kd, PETSC_COMM_SELF, PETSC_ERR_SUP, "the dual form with a task source runs in double precision");
    st->first = k->r0;
    PetscFunctionReturn(0);
  }
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  if (size > 1) {
    PetscCheck(n <= PETSC_MPI_INT_MAX, PETSC_COMM_SELF, PETSC_ERR_SUP, "-train_method dual in a group: B d = %zu words overflow an MPI count; use -train_method gd", n);
    PetscCall(PetscMPIIntCast(p->B_local * p->d, &count));
    PetscCall(PetscMPIIntCast(k->r0 * p->d, &offset));
    PetscCall(ICLHugeMalloc(StacksBytes(p, sizeof(PetscReal)), &st->gathered));
    PetscCall(PetscMalloc2(size, &counts, size, &offsets));
    PetscCallMPI(MPI_Allgather(&count, 1, MPI_INT, counts, 1, MPI_INT, p->comm));
    PetscCallMPI(MPI_Allgather(&offset, 1, MPI_INT, offsets, 1, MPI_INT, p->comm));
    PetscCallMPI(MPI_Allgatherv(p->Mt, count, MPIU_REAL, st->gathered, counts, offsets, MPIU_REAL, p->comm));
    PetscCallMPI(MPI_Allgatherv(p->Vt, count, MPIU_REAL, st->gathered + n, counts, offsets, MPIU_REAL, p->comm));
    PetscCall(PetscFree2(counts, offsets));
    st->ad = st->gathered, st->bd = st->gathered + n;
  }
  if (k->tiles.kf) {
    PetscCall(ICLHugeMalloc(StacksBytes(p, sizeof(float)), &st->af));
    st->bf = st->af + n;
    for (size_t i = 0; i < n; i++) st->af[i] = (float)st->ad[i], st->bf[i] = (float)st->bd[i];
    PetscCall(ICLHugeFree(StacksBytes(p, sizeof(PetscReal)), &st->gathered));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode StacksDestroy(const ICLBilinearProblem *p, Stacks *st)
{
  PetscFunctionBegin;
  PetscCall(ICLHugeFree(StacksBytes(p, sizeof(PetscReal)), &st->gathered));
  PetscCall(ICLHugeFree(StacksBytes(p, sizeof(float)), &st->af));
  PetscFunctionReturn(0);
}

/* Rectangle r's rows (r >= 0) are drawn: with a task source, where they are the pair's other
 * rank's. Such a rectangle is cut by rows, any other block (r = -1: the diagonal) by columns:
 * Span is the extent cut. */
static PetscBool DrawnRows(const ICLBilinearProblem *p, const Dual *k, PetscInt r) { return r >= 0 && p->source && k->rect[r].i0 != k->r0 ? PETSC_TRUE : PETSC_FALSE; }
static PetscInt  Span(const ICLBilinearProblem *p, const Dual *k, PetscInt r) { return r < 0 ? k->b : DrawnRows(p, k, r) ? k->rect[r].h : k->rect[r].w; }

/* K's formation is a fixed list of jobs, each one block of GEMMs: the diagonal block's column
 * blocks, then each rectangle's column blocks, or, for a rectangle whose rows are another
 * rank's (only with a task source: gathered stacks hold every task), its row blocks, drawn
 * against this rank's columns. Job `job` forms and stores its block; `drawn`: scratch for
 * 2 ICL_GRAM_BLOCK drawn tasks with a source. */
static PetscErrorCode FormJob(const ICLBilinearProblem *p, Dual *k, const Stacks *st, PetscInt rect, PetscInt c0, PetscReal *drawn, PetscReal *g1, PetscReal *g2)
{
  const PetscInt nb     = ICL_GRAM_BLOCK;
  PetscReal     *bdrawn = drawn ? drawn + (size_t)nb * p->d : NULL;

  PetscFunctionBegin;
  if (rect < 0) {
    const PetscInt c = k->r0 + c0, n = PetscMin(nb, k->b - c0);
    PetscCall(GramBlock(p, k, Column(p, k, st, 0, k->r0), Column(p, k, st, 1, k->r0), c0 + n, Column(p, k, st, 0, c), Column(p, k, st, 1, c), n, Length(p, c + n - 1, c + n - 1), g1, g2));
    PutBlock(k, NULL, 0, c0 + n, c0, n, g1);
  } else if (DrawnRows(p, k, rect)) { /* row block c0 */
    const Rect    *R = &k->rect[rect];
    const PetscInt m = PetscMin(nb, R->h - c0);
    PetscCall(p->source->draw(p->source->ctx, R->i0 + c0, m, drawn, bdrawn));
    PetscCall(GramBlock(p, k, drawn, bdrawn, m, Column(p, k, st, 0, R->j0), Column(p, k, st, 1, R->j0), R->w, Length(p, R->i0 + c0 + m - 1, R->j0 + R->w - 1), g1, g2));
    PutBlock(k, R, c0, m, 0, R->w, g1);
  } else {
    const Rect    *R = &k->rect[rect];
    const PetscInt c = R->j0 + c0, n = PetscMin(nb, R->w - c0);
    const void    *ac = drawn, *bc = bdrawn;
    if (p->source) PetscCall(p->source->draw(p->source->ctx, c, n, drawn, bdrawn));
    else ac = Column(p, k, st, 0, c), bc = Column(p, k, st, 1, c);
    PetscCall(GramBlock(p, k, Column(p, k, st, 0, R->i0), Column(p, k, st, 1, R->i0), R->h, ac, bc, n, Length(p, R->i0 + R->h - 1, c + n - 1), g1, g2));
    PutBlock(k, R, 0, R->h, c0, n, g1);
  }
  PetscFunctionReturn(0);
}

/* K's formation on the threads lent to the rank (thread_jobs.h): every job is the same
 * single-threaded GEMMs whichever thread runs it, so K's bits do not depend on the thread count
 * (a threaded GEMM's do: OpenBLAS splits it over threads into blocks that change which kernel
 * sums an entry). The threads share no state but K's disjoint blocks (and, in a debug build of
 * PETSc only, its function stack). */
typedef struct {
  PetscInt rect, c0; /* FormJob's block */
  size_t   cost;     /* its entries: the diagonal block's grow with c0 */
} Job;

typedef struct {
  const ICLBilinearProblem *p;
  Dual                     *k;
  const Stacks             *st;
  const Job                *job;
  PetscReal                *g, *drawn;
  size_t                    hmax;
} Former;

static PetscErrorCode FormJobOn(void *ctx, PetscInt j, PetscInt thread)
{
  Former    *f  = ctx;
  PetscReal *g1 = f->g + 2 * (size_t)thread * f->hmax * ICL_GRAM_BLOCK;
  return FormJob(f->p, f->k, f->st, f->job[j].rect, f->job[j].c0, f->drawn, g1, g1 + f->hmax * ICL_GRAM_BLOCK);
}

/* Longest first, so no thread is left with a long job at the end; ties in list order. */
static int LongerFirst(const void *a, const void *b)
{
  const Job *x = a, *y = b;
  if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
  return x->rect != y->rect ? (x->rect < y->rect ? -1 : 1) : (x->c0 < y->c0 ? -1 : x->c0 > y->c0);
}

/* Forms this rank's diagonal block and rectangles, on the idle cores it claims (ICLThreadsClaim)
 * when its BLAS runs one thread. A task source draws other ranks' tasks into shared scratch,
 * so a rank with rectangles forms them on this thread alone; a rank alone has none, draws
 * nothing, and takes its lent cores. The jobs: the diagonal block's column blocks, then each
 * rectangle's column blocks, or, for a rectangle whose rows are drawn, its row blocks. */
static PetscErrorCode FormK(const ICLBilinearProblem *p, Dual *k)
{
  const PetscBool draws = p->source && k->nrect ? PETSC_TRUE : PETSC_FALSE; /* other ranks' tasks, into f.drawn */
  const size_t    nb    = ICL_GRAM_BLOCK;
  Former          f     = {.p = p, .k = k, .hmax = (size_t)k->b};
  Job            *job;
  PetscInt        njob = 0, nthreads;
  size_t         gbytes; /* f.g: two blocks of hmax x nb per thread */
  Stacks         st;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  for (PetscInt r = -1; r < k->nrect; r++) {
    if (r >= 0) f.hmax = PetscMax(f.hmax, (size_t)(p->source ? PetscMax(k->rect[r].h, k->rect[r].w) : k->rect[r].h));
    njob += (Span(p, k, r) + ICL_GRAM_BLOCK - 1) / ICL_GRAM_BLOCK;
  }
  PetscCall(PetscMalloc1(njob, &job));
  njob = 0;
  for (PetscInt r = -1; r < k->nrect; r++) {
    const PetscInt w = Span(p, k, r), across = r < 0 ? 0 : DrawnRows(p, k, r) ? k->rect[r].w : k->rect[r].h; /* the other extent; the diagonal's grows */
    for (PetscInt c0 = 0; c0 < w; c0 += ICL_GRAM_BLOCK) job[njob++] = (Job){.rect = r, .c0 = c0, .cost = (size_t)PetscMin(ICL_GRAM_BLOCK, w - c0) * (size_t)(r < 0 ? c0 + ICL_GRAM_BLOCK : across)};
  }
  qsort(job, njob, sizeof *job, LongerFirst);
  f.job = job;
  PetscCall(StacksCreate(p, k, &st));
  f.st     = &st;
  nthreads = draws ? 1 : ICLThreadJobsClaim(njob);
  gbytes   = 2 * nthreads * f.hmax * nb * sizeof(PetscReal);
  ierr     = ICLHugeMalloc(gbytes, &f.g);
  if (!ierr && draws) ierr = PetscMalloc1(2 * nb * p->d, &f.drawn);
  if (!ierr) ierr = ICLThreadJobsRunLent(nthreads, njob, FormJobOn, &f);
  ICLThreadsRelease(nthreads);
  PetscCall(PetscFree(f.drawn));
  PetscCall(ICLHugeFree(gbytes, &f.g));
  PetscCall(PetscFree(job));
  PetscCall(StacksDestroy(p, &st));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* s (this rank's b margins) = K alpha (all B): the tiles' products, on the cores lent to
 * this rank, with the same bits on any number of them; in a group into a B-vector that the
 * group sums and scatters by rows. Streams this rank's words of K once. */
static PetscErrorCode KMult(Dual *k, const PetscReal *alpha, PetscReal *s)
{
  const PetscInt base = ICLBlasThreadsGet(), lent = ICLThreadsClaim(PetscMax(k->tiles.njob / base, 1)), nthreads = base * lent;
  double         seconds = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  if (k->tiles.kd) ierr = ICLSymTilesMult(&k->tiles, alpha, k->sfull ? k->sfull : s, nthreads, &seconds);
  else {
    for (PetscInt j = 0; j < k->B; j++) k->af[j] = (float)alpha[j];
    ierr = ICLSymTilesMult(&k->tiles, k->af, k->sf, nthreads, &seconds);
    if (k->sfull)
      for (PetscInt i = 0; i < k->B; i++) k->sfull[i] = k->sf[i];
    else
      for (PetscInt i = 0; i < k->b; i++) s[i] = k->sf[i];
  }
  ICLThreadsRelease(lent);
  PetscCall(ierr);
  /* the lent cores' share of the started threads' time, in this rank's cores */
  if (nthreads > 1) ICLThreadsLentAdd(seconds * (lent - 1) / (nthreads - 1) / base);
  if (k->sfull) PetscCallMPI(MPI_Reduce_scatter(k->sfull, s, k->counts, MPIU_REAL, MPI_SUM, k->comm));
  PetscFunctionReturn(0);
}

/* alpha[r0 : r0 + b] += scale c, then every rank's share of alpha to every rank. */
static PetscErrorCode Step(const ICLBilinearProblem *p, const Dual *k, PetscReal scale, const PetscReal *c, PetscReal *alpha, PetscMPIInt *counts, PetscMPIInt *offsets)
{
  PetscMPIInt size;

  PetscFunctionBegin;
  for (PetscInt t = 0; t < k->b; t++) alpha[k->r0 + t] += scale * c[t];
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  if (size > 1) PetscCallMPI(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, alpha, counts, offsets, MPIU_REAL, p->comm));
  PetscFunctionReturn(0);
}

/* Tasks whose b_tau one job scales for FormW. */
#define ICL_SCALE_BLOCK 256

typedef struct {
  const ICLBilinearProblem *p;
  const PetscReal          *alpha; /* this rank's */
  PetscInt                  b;
} Scale;

static PetscErrorCode ScaleJob(void *ctx, PetscInt job, PetscInt thread)
{
  const Scale              *c = ctx;
  const ICLBilinearProblem *p = c->p;

  (void)thread;
  for (PetscInt t = job * ICL_SCALE_BLOCK; t < PetscMin(c->b, (job + 1) * ICL_SCALE_BLOCK); t++)
    for (PetscInt i = 0; i < p->d; i++) p->work[(size_t)t * p->d + i] = c->alpha[t] * p->Vt[(size_t)t * p->d + i];
  return 0;
}

/* W = sum over the group's tasks of alpha_tau a_tau b_tau^T: this rank's with one GEMM (the
 * scaled b_tau first, on the lent cores: entrywise, the same bits), then the group's sum
 * (every rank needs all of W to evaluate it). */
static PetscErrorCode FormW(const ICLBilinearProblem *p, const Dual *k, const PetscReal *alpha, PetscReal *W)
{
  const PetscInt njob = (k->b + ICL_SCALE_BLOCK - 1) / ICL_SCALE_BLOCK, nthreads = ICLThreadJobsClaim(njob);
  Scale          c = {.p = p, .alpha = alpha + k->r0, .b = k->b};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  ierr = ICLThreadJobsRunLent(nthreads, njob, ScaleJob, &c);
  ICLThreadsRelease(nthreads);
  PetscCall(ierr);
  PetscCall(PetscArrayzero(W, p->d * p->d));
  PetscCall(ICLGroupOuterSum(p->comm, p->d, k->b, 1.0, p->Mt, p->work, p->grad, W));
  PetscFunctionReturn(0);
}

/* K's rows are a cell's largest allocation: the group agrees that every rank has them, or a
 * rank that got them would wait forever in FormK for one that did not (HPL-style). */
static PetscErrorCode AllocK(const ICLBilinearProblem *p, ICLTrainPrecision precision, Dual *k)
{
  const PetscInt S = ICL_DUAL_TILE, nq = (k->b + S - 1) / S;
  PetscInt       ntile = nq * (nq + 1) / 2;
  size_t         words = 0;
  ICLTile       *tile;
  PetscErrorCode ierr;
  PetscMPIInt    failed, any;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < k->nrect; r++) ntile += (k->rect[r].w + S - 1) / S * ((k->rect[r].h + S - 1) / S);
  PetscCall(PetscMalloc1(ntile, &tile));
  ntile = 0;
  for (PetscInt q = 0; q < nq; q++) /* in DiagIndex's order */
    for (PetscInt t = 0; t <= q; t++) {
      tile[ntile] = (ICLTile){.i = k->r0 + t * S, .j = k->r0 + q * S, .m = (PetscBLASInt)PetscMin(S, k->b - t * S), .w = (PetscBLASInt)PetscMin(S, k->b - q * S), .sym = t == q};
      words += (size_t)tile[ntile].m * tile[ntile].w, ntile++;
    }
  for (PetscInt r = 0; r < k->nrect; r++) { /* in RectIndex's order */
    Rect *R = &k->rect[r];
    R->at   = words;
    for (PetscInt q = 0; q * S < R->w; q++)
      for (PetscInt t = 0; t * S < R->h; t++) {
        tile[ntile] = (ICLTile){.i = R->i0 + t * S, .j = R->j0 + q * S, .m = (PetscBLASInt)PetscMin(S, R->h - t * S), .w = (PetscBLASInt)PetscMin(S, R->w - q * S)};
        words += (size_t)tile[ntile].m * tile[ntile].w, ntile++;
      }
  }
  ierr = ICLSymTilesCreate(k->B, ntile, tile, precision == ICL_PRECISION_SINGLE ? PETSC_TRUE : PETSC_FALSE, &k->tiles);
  PetscCall(PetscFree(tile));
  failed = ierr != 0;
  PetscCallMPI(MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, p->comm));
  if (any) {
    PetscCall(ICLSymTilesDestroy(&k->tiles));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_MEM, "-train_method dual: K's rows (%.2f GB on a rank) could not be allocated on every rank of the group; use -train_method gd, or a larger -group_size",
            (double)(words * (precision == ICL_PRECISION_SINGLE ? sizeof(float) : sizeof(double))) / 1e9);
  }
  PetscFunctionReturn(0);
}

/* Rank `rank` of g holds the rectangle of each pair {rank, rank + j mod g}, j = 1 .. (g - 1)/2,
 * and for even g half the columns of the pair {rank, rank + g/2}: B^2/(2g) words each, give or
 * take one row block's rounding. */
static void Rects(Dual *k, PetscMPIInt rank, PetscMPIInt g, const PetscMPIInt *counts, const PetscMPIInt *offsets)
{
  for (PetscMPIInt j = 1; j <= g / 2; j++) {
    const PetscMPIInt o = (rank + j) % g, lo = PetscMin(rank, o), hi = PetscMax(rank, o);
    Rect              R = {.i0 = offsets[lo], .h = counts[lo], .j0 = offsets[hi], .w = counts[hi]};
    if (2 * j == g) { /* the pair's other rank holds the other half */
      const PetscInt half = counts[hi] / 2;
      if (rank == lo) R.w = half;
      else R.j0 += half, R.w -= half;
    }
    if (R.h > 0 && R.w > 0) k->rect[k->nrect++] = R;
  }
}

/* This rank's diagonal block and rectangles of K, formed, and the group's row counts and
 * offsets (for gathering alpha; NULL alone). */
static PetscErrorCode DualCreate(const ICLBilinearProblem *p, ICLTrainPrecision precision, Dual *k, PetscMPIInt **counts, PetscMPIInt **offsets)
{
  PetscMPIInt size, rank, count, offset;

  PetscFunctionBegin;
  *k      = (Dual){.B = p->B, .b = p->B_local, .comm = p->comm};
  *counts = *offsets = NULL;
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  PetscCallMPI(MPI_Exscan(&k->b, &k->r0, 1, MPIU_INT, MPI_SUM, p->comm));
  if (size == 1) k->r0 = 0; /* MPI_Exscan leaves rank 0's result undefined */
  k->lda = PetscMax(k->b, 1);
  if (size > 1) {
    PetscCallMPI(MPI_Comm_rank(p->comm, &rank));
    PetscCall(PetscMPIIntCast(k->b, &count));
    PetscCall(PetscMPIIntCast(k->r0, &offset));
    PetscCall(PetscMalloc2(size, counts, size, offsets));
    PetscCallMPI(MPI_Allgather(&count, 1, MPI_INT, *counts, 1, MPI_INT, p->comm));
    PetscCallMPI(MPI_Allgather(&offset, 1, MPI_INT, *offsets, 1, MPI_INT, p->comm));
    PetscCall(PetscMalloc1(size / 2, &k->rect));
    Rects(k, rank, size, *counts, *offsets);
    k->counts = *counts;
    PetscCall(PetscMalloc1(k->B, &k->sfull));
  }
  PetscCall(AllocK(p, precision, k));
  if (precision == ICL_PRECISION_SINGLE) PetscCall(PetscMalloc2(k->B, &k->af, size > 1 ? k->B : PetscMax(k->b, 1), &k->sf));
  PetscCall(FormK(p, k));
  PetscFunctionReturn(0);
}

static PetscErrorCode DualDestroy(Dual *k, PetscMPIInt **counts, PetscMPIInt **offsets)
{
  PetscFunctionBegin;
  PetscCall(PetscFree2(*counts, *offsets));
  PetscCall(PetscFree(k->sfull));
  PetscCall(PetscFree(k->rect));
  PetscCall(PetscFree2(k->af, k->sf));
  PetscCall(ICLSymTilesDestroy(&k->tiles));
  PetscFunctionReturn(0);
}

/* Checkpoint i of a run at step t: its history's end, then its callback, with W (formed by
 * the caller) or, W-free, with alpha and the margins s. */
static PetscErrorCode AtCheckpoint(const ICLCheckpoints *cp, PetscInt i, const PetscReal *alpha, const PetscReal *s, const PetscReal *W, PetscReal loss, PetscInt t, ICLTrainOutcome outcome)
{
  PetscFunctionBegin;
  ICLLossHistoryEnd(ICLCheckpointHistory(cp, i), t, loss);
  if (cp->at_alpha) PetscCall(cp->at_alpha(cp->ctx, i, alpha, s, loss, t, outcome));
  else PetscCall(cp->at(cp->ctx, i, W, loss, t, outcome));
  PetscFunctionReturn(0);
}

/* Step size l's run ends at step t for its checkpoints [from, n): W from its alpha (unless
 * W-free), then each checkpoint's callback. s: this rank's margins, K alpha where known. */
static PetscErrorCode EndRun(const ICLBilinearProblem *p, const Dual *k, const PetscReal *alpha, const PetscReal *s, const ICLCheckpoints *cp, PetscInt from, PetscReal loss, PetscInt t, ICLTrainOutcome outcome, PetscReal *W)
{
  PetscFunctionBegin;
  if (!cp->at_alpha) PetscCall(FormW(p, k, alpha, W));
  for (PetscInt i = from; i < cp->n; i++) PetscCall(AtCheckpoint(cp, i, alpha, s, W, loss, t, outcome));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLDualGDCheckpoints(const ICLBilinearProblem *p, ICLTrainPrecision precision, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W)
{
  Dual         k;
  PetscReal   *alpha, *S, *C, *sum;
  PetscMPIInt *counts, *offsets;
  PetscInt    *next, active = 0;
  PetscReal    initial = PETSC_INFINITY; /* every run starts from alpha = 0: one initial loss */

  PetscFunctionBegin;
  PetscCall(DualCreate(p, precision, &k, &counts, &offsets));
  PetscCall(PetscCalloc4((size_t)k.B * L, &alpha, (size_t)k.lda * L, &S, (size_t)k.lda * L, &C, L, &sum)); /* W_0 = 0 */
  PetscCall(PetscMalloc1(L, &next));                                                                       /* step size l's next checkpoint; cp[l].n: it has ended */
  for (PetscInt l = 0; l < L; l++) {
    next[l] = 0, active += cp[l].n > 0;
    for (PetscInt i = 0; i < cp[l].n; i++) ICLLossHistoryStart(ICLCheckpointHistory(&cp[l], i), cp[l].T[i]);
  }
  /* Step t evaluates the loss at alpha_t (as ICLBilinearGD does at W_t); a checkpoint at t
   * ends a run of t steps there, and the step sizes with checkpoints left move on. */
  for (PetscInt t = 0; active; t++) {
    PetscBool stop, steps_left = PETSC_FALSE;
    for (PetscInt l = 0; l < L; l++) steps_left = steps_left || (next[l] < cp[l].n && cp[l].T[cp[l].n - 1] > t);
    if (steps_left) {
      PetscCall(ICLGroupCancelled(p->comm, p->cancel, &stop));
      if (stop) {
        for (PetscInt l = 0; l < L; l++)
          if (next[l] < cp[l].n) PetscCall(EndRun(p, &k, alpha + (size_t)l * k.B, S + l * k.lda, &cp[l], next[l], NAN, t, ICL_TRAIN_CANCELLED, W));
        break;
      }
    }
    /* S = K [alpha_l] over the step sizes still running, one symv each: the products of
     * separate runs, bit for bit. One GEMM would stream K once instead of L times, but
     * OpenBLAS's dgemm packs K into panels on every call: at L = 8 a GEMM-batched run took
     * longer than 8 separate runs (docs/budget.md). What the step sizes share is K. */
    for (PetscInt l = 0; l < L; l++) {
      sum[l] = 0.0;
      if (next[l] == cp[l].n) continue;
      PetscCall(KMult(&k, alpha + (size_t)l * k.B, S + (size_t)l * k.lda));
      for (PetscInt i = 0; i < k.b; i++) sum[l] += ICLBilinearPointLoss(p->loss, S[l * k.lda + i], p->target ? p->target[i] : 0.0, &C[l * k.lda + i]);
    }
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sum, (PetscMPIInt)L, MPIU_REAL, MPI_SUM, p->comm));
    for (PetscInt l = 0; l < L; l++) {
      const PetscReal loss = sum[l] / p->B;
      PetscReal      *a    = alpha + (size_t)l * k.B;
      if (next[l] == cp[l].n) continue; /* ended: its iterate stays */
      if (t == 0) initial = loss;
      if (ICLLossDiverged(loss, initial, PETSC_FALSE)) {
        PetscCall(EndRun(p, &k, a, S + l * k.lda, &cp[l], next[l], loss, t, ICL_TRAIN_DIVERGED, W));
        next[l] = cp[l].n, active--;
        continue;
      }
      if (cp[l].T[next[l]] == t) {
        if (!cp[l].at_alpha) PetscCall(FormW(p, &k, a, W));
        for (; next[l] < cp[l].n && cp[l].T[next[l]] == t; next[l]++) PetscCall(AtCheckpoint(&cp[l], next[l], a, S + l * k.lda, W, loss, t, ICLLossDiverged(loss, initial, PETSC_TRUE) ? ICL_TRAIN_DIVERGED : ICL_TRAIN_DONE));
        if (next[l] == cp[l].n) {
          active--;
          continue;
        }
      }
      for (PetscInt i = next[l]; i < cp[l].n; i++) ICLLossHistoryAdd(ICLCheckpointHistory(&cp[l], i), t, loss);
      PetscCall(Step(p, &k, lr[l] / p->B, C + l * k.lda, a, counts, offsets));
    }
  }
  PetscCall(PetscFree(next));
  PetscCall(PetscFree4(alpha, S, C, sum));
  PetscCall(DualDestroy(&k, &counts, &offsets));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLDualGD(const ICLBilinearProblem *p, ICLTrainPrecision precision, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  ICLTrainEnd          end = {.T = T, .history = p->history};
  const ICLCheckpoints cp  = ICLCheckpointsOne(&end);

  PetscFunctionBegin;
  PetscCall(ICLDualGDCheckpoints(p, precision, 1, &lr, &cp, W));
  *loss = end.loss, *steps = end.steps, *outcome = end.outcome;
  PetscFunctionReturn(0);
}

/* ICLDualGDBatch's checkpoint: step size l's end, and its W copied out. */
typedef struct {
  ICLTrainEnd end;
  PetscReal  *W;
  PetscInt    d;
} BatchEnd;

static PetscErrorCode CopyEnd(void *ctx, PetscInt i, const PetscReal *W, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  BatchEnd *e = ctx;
  (void)i;
  e->end.loss = loss, e->end.steps = steps, e->end.outcome = outcome;
  return PetscArraycpy(e->W, W, (size_t)e->d * e->d);
}

PetscErrorCode ICLDualGDBatch(const ICLBilinearProblem *p, PetscInt T, PetscInt L, const PetscReal *lr, PetscReal **W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  BatchEnd       *e;
  ICLCheckpoints *cp;
  PetscReal      *scratch;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(L, &e, L, &cp, (size_t)p->d * p->d, &scratch));
  for (PetscInt l = 0; l < L; l++) {
    e[l]  = (BatchEnd){.end = {.T = T}, .W = W[l], .d = p->d};
    cp[l] = (ICLCheckpoints){.n = 1, .T = &e[l].end.T, .at = CopyEnd, .ctx = &e[l]};
  }
  PetscCall(ICLDualGDCheckpoints(p, ICL_PRECISION_DOUBLE, L, lr, cp, scratch));
  for (PetscInt l = 0; l < L; l++) loss[l] = e[l].end.loss, steps[l] = e[l].end.steps, outcome[l] = e[l].end.outcome;
  PetscCall(PetscFree3(e, cp, scratch));
  PetscFunctionReturn(0);
}
