#include "gmm_accuracy.h"

#include <petscblaslapack.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>

#include "gmm.h"
#include "huge_pages.h"
#include "mc_eval.h"
#include "thread_jobs.h"

/* Test tasks are processed in blocks so memory stays O(block * d) for any eval_tasks. */
#define ICL_EVAL_BLOCK 2048

PetscReal ICLNormalCdf(PetscReal x) { return 0.5 * erfc(-x / PETSC_SQRT2); }

/* A rank's blocks of test tasks on the cores lent to it (thread_jobs.h): each block's errors
 * land in e, and the sums run over e in task order afterwards, so the bits do not depend on
 * the thread count. */
typedef struct {
  const ICLCell   *cell;
  ICLTaskParams    test;
  const PetscReal *W;
  PetscInt         rank, size;
  PetscReal       *scratch; /* 4 ICL_EVAL_BLOCK d per thread: mu, z, W^T mu, W^T z */
  PetscReal       *e;       /* nM per test task of this rank, in its order */
} Eval;

static PetscErrorCode EvalBlock(void *ctx, PetscInt job, PetscInt thread)
{
  const Eval     *v    = ctx;
  const ICLCell  *cell = v->cell;
  const PetscInt  d = cell->task.d, j0 = (job * v->size + v->rank) * ICL_EVAL_BLOCK, nb = PetscMin(ICL_EVAL_BLOCK, cell->eval_tasks - j0);
  PetscReal      *mu = v->scratch + (size_t)thread * 4 * ICL_EVAL_BLOCK * d, *z = mu + (size_t)ICL_EVAL_BLOCK * d, *Wmu = z + (size_t)ICL_EVAL_BLOCK * d, *Wz = Wmu + (size_t)ICL_EVAL_BLOCK * d;
  PetscReal      *e = v->e + (size_t)job * ICL_EVAL_BLOCK * cell->nM;
  PetscBLASInt    bd, bb;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(nb, &bb));
  for (PetscInt j = 0; j < nb; j++) ICLGmmTestTask(&v->test, (uint64_t)(j0 + j), mu + (size_t)j * d, z + (size_t)j * d);
  /* Columns of (d x nb) blocks: W^T mu_j and W^T z_j; then W^T m = W^T mu + W^T z / sqrt(M). */
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bb, &bd, &one, v->W, &bd, mu, &bd, &zero, Wmu, &bd));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bb, &bd, &one, v->W, &bd, z, &bd, &zero, Wz, &bd));
  for (PetscInt j = 0; j < nb; j++) {
    const PetscReal *pm = mu + (size_t)j * d, *pa = Wmu + (size_t)j * d, *pz = Wz + (size_t)j * d;
    for (PetscInt a = 0; a < cell->nM; a++) {
      const PetscReal s   = 1.0 / PetscSqrtReal((PetscReal)cell->M[a]);
      PetscReal       num = 0.0, den = 0.0;
      for (PetscInt i = 0; i < d; i++) {
        const PetscReal q = pa[i] + s * pz[i];
        num += q * pm[i];
        den += q * q;
      }
      /* W^T m = 0 predicts nothing: a fair coin. */
      e[j * cell->nM + a] = den > 0.0 ? 1.0 - ICLNormalCdf(num / PetscSqrtReal(den)) : 0.5;
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGmmErrorOfW(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se)
{
  const PetscInt n = cell->eval_tasks, d = cell->task.d;
  Eval           v = {.cell = cell, .test = cell->task, .W = W};
  PetscInt       nblock, mine = 0, nthreads;
  size_t         scratch; /* v.scratch's bytes */
  PetscErrorCode ierr;
  PetscReal     *sums;
  PetscMPIInt    rank, size;

  PetscFunctionBegin;
  v.test.R = cell->eval_R;
  PetscCallMPI(MPI_Comm_rank(cell->comm, &rank));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  v.rank = rank, v.size = size;
  /* A group shares the blocks of test tasks round-robin and sums its partial sums. */
  nblock = (n + ICL_EVAL_BLOCK - 1) / ICL_EVAL_BLOCK;
  nblock = nblock > rank ? (nblock - rank + size - 1) / size : 0;
  for (PetscInt b = 0; b < nblock; b++) mine += PetscMin(ICL_EVAL_BLOCK, n - (b * size + rank) * ICL_EVAL_BLOCK);
  PetscCall(PetscMalloc1((size_t)PetscMax(mine, 1) * cell->nM, &v.e));
  PetscCall(PetscCalloc1(2 * cell->nM, &sums));
  nthreads = ICLThreadJobsClaim(nblock); /* scratch for the threads that run */
  scratch  = (size_t)nthreads * 4 * ICL_EVAL_BLOCK * d * sizeof(PetscReal);
  ierr     = ICLHugeMalloc(scratch, &v.scratch);
  if (!ierr) ierr = ICLThreadJobsRunLent(nthreads, nblock, EvalBlock, &v);
  ICLThreadsRelease(nthreads);
  PetscCall(ICLHugeFree(scratch, &v.scratch));
  PetscCall(ierr);
  for (PetscInt a = 0; a < cell->nM; a++)
    for (PetscInt j = 0; j < mine; j++) {
      const PetscReal e = v.e[j * cell->nM + a];
      sums[2 * a] += e;
      sums[2 * a + 1] += e * e;
    }
  PetscCall(ICLMonteCarloMean(cell->comm, n, cell->nM, sums, err, se));
  PetscCall(PetscFree(v.e));
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGmmAccuracyOfAffine(PetscInt d, const PetscReal *mu, const PetscReal *w, PetscReal b, PetscReal *acc)
{
  PetscBLASInt bd, one = 1;
  PetscReal    wmu, norm;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCallBLAS("BLASdot", wmu = BLASdot_(&bd, w, &one, mu, &one));
  PetscCallBLAS("BLASnrm2", norm = BLASnrm2_(&bd, w, &one));
  *acc = norm > 0.0 ? 0.5 * (ICLNormalCdf((wmu + b) / norm) + ICLNormalCdf((wmu - b) / norm)) : 0.5;
  PetscFunctionReturn(0);
}

PetscReal ICLGmmErrorOfWFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, n = cell->eval_tasks;
  return 4.0 * n * d * d + 6.0 * n * d * cell->nM;
}

/* The two-scalar integrand has a step in g at R + g/sqrt(M) = 0 that sharpens as chi2 -> 0
 * (and is a true step for D = 1), where fixed Gauss rules lose digits; GSL's adaptive
 * Gauss-Kronrod with that point as a breakpoint stays exact to ~1e-10. */
typedef struct {
  double R, s, c, outer_dof; /* s = 1/sqrt(M), c = chi2 value */
  gsl_integration_workspace *inner, *outer;
  int status;
} Projection;

static double GIntegrand(double g, void *ctx)
{
  const Projection *p   = ctx;
  const double      a   = p->R + p->s * g;
  const double      den = sqrt(a * a + p->s * p->s * p->c);
  return exp(-0.5 * g * g) / sqrt(2 * M_PI) * (den > 0 ? ICLNormalCdf(p->R * a / den) : 0.5);
}

/* E_g Phi(...) at a fixed chi2 value c; g beyond +-12 carries < 1e-32 of the mass. */
static double OverG(double c, void *ctx)
{
  Projection  *p = ctx;
  gsl_function f = {GIntegrand, p};
  double       pts[3] = {-12.0, -p->R / p->s, 12.0}, result, abserr;
  size_t       npts   = 3;
  p->c = c;
  if (pts[1] <= pts[0]) pts[1] = pts[2], npts = 2; /* step outside the range */
  const int st = gsl_integration_qagp(&f, pts, npts, 1e-13, 1e-10, 200, p->inner, &result, &abserr);
  if (st) p->status = st;
  return result;
}

static double ChiIntegrand(double c, void *ctx)
{
  Projection *p = ctx;
  return OverG(c, p) * gsl_ran_chisq_pdf(c, p->outer_dof);
}

PetscErrorCode ICLGmmErrorOfProjection(PetscReal R, PetscInt D, PetscInt M, PetscReal *err)
{
  Projection p = {.R = R, .s = 1.0 / sqrt((double)M)};
  double     acc, abserr;

  PetscFunctionBegin;
  PetscCheck(D >= 1 && M >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "need D >= 1 and M >= 1, got D = %d, M = %d", (int)D, (int)M);
  gsl_set_error_handler_off();
  p.inner = gsl_integration_workspace_alloc(200);
  p.outer = gsl_integration_workspace_alloc(200);
  PetscCheck(p.inner && p.outer, PETSC_COMM_SELF, PETSC_ERR_MEM, "cannot allocate GSL integration workspaces");
  if (D == 1) acc = OverG(0.0, &p); /* m has no component off mu's line */
  else {
    /* chi2_{D-1} outside mean +- 40 sd (plus 40) carries no mass in double precision. */
    const double   dof = D - 1, sd = sqrt(2 * dof);
    gsl_function   f   = {ChiIntegrand, &p};
    p.outer_dof        = dof;
    const int st = gsl_integration_qags(&f, fmax(0.0, dof - 40 * sd), dof + 40 * sd + 40, 1e-12, 1e-10, 200, p.outer, &acc, &abserr);
    if (st) p.status = st;
  }
  gsl_integration_workspace_free(p.inner);
  gsl_integration_workspace_free(p.outer);
  PetscCheck(!p.status, PETSC_COMM_SELF, PETSC_ERR_LIB, "GSL integration failed for D = %d, M = %d: %s", (int)D, (int)M, gsl_strerror(p.status));
  *err = 1.0 - acc;
  PetscFunctionReturn(0);
}
