#include "bilinear_tasks.h"

#include "huge_pages.h"
#include "linreg.h"
#include "thread_jobs.h"

/* Tasks drawn per job: keyed by index, so the cores lent to the rank may draw them in any
 * order and split (thread_jobs.h). */
#define ICL_DRAW_BLOCK 64

typedef struct {
  const ICLCell *cell;
  PetscInt       b0, nb;
  PetscReal     *Mt, *Vt, *y, *tokens; /* tokens: N (d + 1) doubles per thread (not exact) */
} Draw;

static PetscErrorCode DrawJob(void *ctx, PetscInt job, PetscInt thread)
{
  const Draw    *w    = ctx;
  const ICLCell *cell = w->cell;
  const PetscInt d = cell->task.d, N = cell->N;
  PetscReal     *tokens = w->tokens ? w->tokens + (size_t)thread * N * (d + 1) : NULL;

  PetscFunctionBegin;
  for (PetscInt t = job * ICL_DRAW_BLOCK; t < PetscMin(w->nb, (job + 1) * ICL_DRAW_BLOCK); t++) {
    PetscReal *a = w->Mt + (size_t)t * d, *b = w->Vt + (size_t)t * d;
    if (!tokens) cell->family->train_pair(&cell->task, (int)N, (uint64_t)(w->b0 + t), a, b);
    else {
      PetscCheck(cell->family->tokens(&cell->task, (int)N, ICL_PURPOSE_TASK, (uint64_t)(w->b0 + t), tokens, tokens + (size_t)N * d, a, w->y + t) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid %s options", cell->family->name);
      ICLLinregStat((int)d, (int)N, tokens, tokens + (size_t)N * d, b);
    }
  }
  PetscFunctionReturn(0);
}

static size_t StacksBytes(PetscInt nb, PetscInt d) { return 3 * (size_t)nb * d * sizeof(PetscReal); }

PetscErrorCode ICLBilinearStacksCreate(PetscInt nb, PetscInt d, PetscReal **Mt, PetscReal **Vt, PetscReal **work)
{
  PetscFunctionBegin;
  PetscCall(ICLHugeMalloc(StacksBytes(nb, d), Mt));
  *Vt = *Mt + (size_t)nb * d, *work = *Vt + (size_t)nb * d;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearProblemCreate(const ICLCell *cell, ICLBilinearProblem *p)
{
  const PetscInt  d = cell->task.d, B = cell->B, N = cell->N;
  const PetscBool exact    = cell->family->train_pair ? PETSC_TRUE : PETSC_FALSE;
  PetscInt        nthreads, njob;
  PetscErrorCode  ierr;
  PetscReal      *Mt, *Vt, *work, *grad = NULL, *y = NULL;
  Draw            w = {.cell = cell};
  PetscMPIInt     size;

  PetscFunctionBegin;
  PetscCall(ICLGroupShare(cell->comm, B, &w.b0, &w.nb));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  PetscCall(ICLBilinearStacksCreate(w.nb, d, &Mt, &Vt, &work));
  if (size > 1) PetscCall(PetscMalloc1((size_t)d * d, &grad));
  if (!exact) PetscCall(PetscMalloc1(PetscMax(w.nb, 1), &y));
  w.Mt = Mt, w.Vt = Vt, w.y = y;
  njob     = (w.nb + ICL_DRAW_BLOCK - 1) / ICL_DRAW_BLOCK;
  nthreads = ICLThreadJobsClaim(njob); /* ICLLinregStat's BLAS keeps its bits */
  ierr     = exact ? 0 : PetscMalloc1((size_t)nthreads * N * (d + 1), &w.tokens);
  if (!ierr) ierr = ICLThreadJobsRunLent(nthreads, njob, DrawJob, &w);
  ICLThreadsRelease(nthreads);
  PetscCall(PetscFree(w.tokens));
  PetscCall(ierr);
  *p = (ICLBilinearProblem){.comm    = cell->comm,
                            .loss    = cell->family->kind == ICL_OUTPUT_SIGN ? ICL_LOSS_LOGISTIC : ICL_LOSS_SQUARED,
                            .B       = B,
                            .B_local = w.nb,
                            .d       = d,
                            .cancel  = cell->cancel,
                            .history = cell->history,
                            .Mt      = Mt,
                            .Vt      = Vt,
                            .target  = y,
                            .work    = work,
                            .grad    = grad};
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearProblemDestroy(ICLBilinearProblem *p)
{
  PetscReal *Mt = (PetscReal *)p->Mt, *y = (PetscReal *)p->target;

  PetscFunctionBegin;
  PetscCall(ICLHugeFree(StacksBytes(p->B_local, p->d), &Mt));
  PetscCall(PetscFree(p->grad));
  PetscCall(PetscFree(y));
  *p = (ICLBilinearProblem){0};
  PetscFunctionReturn(0);
}
