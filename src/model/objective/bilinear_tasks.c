#include "bilinear_tasks.h"

#include "linreg.h"

PetscErrorCode ICLBilinearProblemCreate(const ICLCell *cell, ICLBilinearProblem *p)
{
  const PetscInt  d = cell->task.d, B = cell->B, N = cell->N;
  const PetscBool exact = cell->family->train_pair ? PETSC_TRUE : PETSC_FALSE;
  PetscReal      *Mt, *Vt, *work, *grad = NULL, *y = NULL, *tokens = NULL;
  PetscInt        b0, nb;
  PetscMPIInt     size;

  PetscFunctionBegin;
  PetscCall(ICLGroupShare(cell->comm, B, &b0, &nb));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  PetscCall(PetscMalloc3((size_t)nb * d, &Mt, (size_t)nb * d, &Vt, (size_t)nb * d, &work));
  if (size > 1) PetscCall(PetscMalloc1((size_t)d * d, &grad));
  if (!exact) {
    PetscCall(PetscMalloc1(PetscMax(nb, 1), &y));
    PetscCall(PetscMalloc1((size_t)N * (d + 1), &tokens));
  }
  for (PetscInt t = 0; t < nb; t++) {
    PetscReal *a = Mt + (size_t)t * d, *b = Vt + (size_t)t * d;
    if (exact) cell->family->train_pair(&cell->task, (int)N, (uint64_t)(b0 + t), a, b);
    else {
      PetscCheck(cell->family->tokens(&cell->task, (int)N, ICL_PURPOSE_TASK, (uint64_t)(b0 + t), tokens, tokens + (size_t)N * d, a, y + t) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid %s options", cell->family->name);
      ICLLinregStat((int)d, (int)N, tokens, tokens + (size_t)N * d, b);
    }
  }
  PetscCall(PetscFree(tokens));
  *p = (ICLBilinearProblem){.comm    = cell->comm,
                            .loss    = cell->family->kind == ICL_OUTPUT_SIGN ? ICL_LOSS_LOGISTIC : ICL_LOSS_SQUARED,
                            .B       = B,
                            .B_local = nb,
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
  PetscReal *Mt = (PetscReal *)p->Mt, *Vt = (PetscReal *)p->Vt, *y = (PetscReal *)p->target;

  PetscFunctionBegin;
  PetscCall(PetscFree3(Mt, Vt, p->work));
  PetscCall(PetscFree(p->grad));
  PetscCall(PetscFree(y));
  *p = (ICLBilinearProblem){0};
  PetscFunctionReturn(0);
}
