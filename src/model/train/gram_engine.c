#include "gram_engine.h"

#include <stdlib.h>

#include "gmm.h"
#include "group.h"
#include "wishart.h"

/* Degrees of freedom of the orthogonal noise's Gram matrices: d - k. The environment variable
 * ICLSWEEP_TEST_GRAM_DOF_SHIFT adds to it, for the equal-in-law test's negative control only
 * (a wrong law that the two-sample tests must reject). */
static long GramDof(const ICLCell *cell)
{
  const char *shift = getenv("ICLSWEEP_TEST_GRAM_DOF_SHIFT");
  return (long)cell->task.d - cell->task.k + (shift ? atol(shift) : 0);
}

static PetscInt GramRank(const ICLCell *cell) { return (PetscInt)PetscMin(GramDof(cell), (long)cell->B); }

void ICLGramCell(const ICLCell *cell, ICLCell *reduced)
{
  *reduced          = *cell;
  reduced->task.d   = (int)(cell->task.k + GramRank(cell));
  reduced->task.U   = NULL;
  reduced->engine   = ICL_ENGINE_EXPLICIT;
}

/* x[0..k) += scale g (k normals), x[k..k+r) += scale (Bartlett column tau): one stream per
 * (side, task). */
static void AddReducedNoise(const ICLCell *cell, uint64_t side, uint64_t tau, double scale, PetscReal *x, PetscReal *col)
{
  const int k = cell->task.k, r = (int)GramRank(cell);
  ICLStream s;
  ICLStreamInit(&s, cell->task.seed, ICL_PURPOSE_GRAM, ICLHashU64(ICLHashU64(ICLHashU64(ICLHashInit(), (uint64_t)cell->task.d), (uint64_t)k), side), cell->task.replicate, tau);
  for (int i = 0; i < k; i++) x[i] += scale * ICLStreamNormal(&s);
  ICLBartlettColumn(&s, GramDof(cell), r, (int)tau, col);
  for (int i = 0; i < r; i++) x[k + i] += scale * col[i];
}

PetscErrorCode ICLGramProblemCreate(const ICLCell *cell, ICLMergedProblem *p)
{
  ICLCell         red;
  PetscInt        b0, nb, D;
  PetscReal      *Mt, *Vt, *work, *grad = NULL, *col;
  PetscMPIInt     size;

  PetscFunctionBegin;
  PetscCheck(cell->family == &ICLFamilyGmm, PETSC_COMM_SELF, PETSC_ERR_SUP, "-engine gram: family gmm only, not %s", cell->family->name);
  PetscCheck(GramDof(cell) >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "-engine gram: negative degrees of freedom");
  ICLGramCell(cell, &red);
  D = red.task.d;
  PetscCall(ICLGroupShare(cell->comm, cell->B, &b0, &nb));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  PetscCall(PetscMalloc3((size_t)nb * D, &Mt, (size_t)nb * D, &Vt, (size_t)nb * D, &work));
  if (size > 1) PetscCall(PetscMalloc1((size_t)D * D, &grad));
  PetscCall(PetscMalloc1(PetscMax(D, 1), &col));
  for (PetscInt t = 0; t < nb; t++) {
    const uint64_t tau = (uint64_t)(b0 + t);
    PetscReal     *m = Mt + (size_t)t * D, *v = Vt + (size_t)t * D;
    /* the task's direction is the explicit engine's (keyed by k), in the first k coordinates */
    ICLGmmTask(&red.task, ICL_PURPOSE_TASK, tau, m);
    PetscCall(PetscArraycpy(v, m, D));
    AddReducedNoise(cell, 0, tau, 1.0 / PetscSqrtReal((PetscReal)cell->N), m, col);
    AddReducedNoise(cell, 1, tau, 1.0, v, col);
  }
  PetscCall(PetscFree(col));
  *p                = (ICLMergedProblem){0};
  p->bilinear       = (ICLBilinearProblem){.comm = cell->comm, .loss = ICL_LOSS_LOGISTIC, .B = cell->B, .B_local = nb, .d = D, .cancel = cell->cancel, .history = cell->history, .Mt = Mt, .Vt = Vt, .work = work, .grad = grad};
  p->f              = ICLBilinearLossGradCtx;
  p->ctx            = &p->bilinear;
  PetscFunctionReturn(0);
}
