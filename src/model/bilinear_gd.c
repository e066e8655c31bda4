#include "bilinear_gd.h"

#include <petscblaslapack.h>

PetscErrorCode ICLBilinearLossGrad(const ICLBilinearProblem *p, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const PetscInt  B = p->B_local, d = p->d;
  PetscBLASInt    bd, bB, dd;
  const PetscReal one = 1.0, zero = 0.0;
  PetscReal       sum = 0.0;
  PetscMPIInt     size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(B, &bB));
  /* work = W^T A: column tau is W^T a_tau, so s_tau is its dot with b_tau. */
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bB, &bd, &one, W, &bd, p->Mt, &bd, &zero, p->work, &bd));
  for (PetscInt t = 0; t < B; t++) {
    const PetscReal *v = p->Vt + (size_t)t * d;
    PetscReal       *w = p->work + (size_t)t * d, s = 0.0;
    PetscReal        c; /* -dL/ds */
    for (PetscInt i = 0; i < d; i++) s += w[i] * v[i];
    sum += ICLBilinearPointLoss(p->loss, s, p->target ? p->target[t] : 0.0, &c);
    /* keep -dL/ds b_tau for the gradient */
    for (PetscInt i = 0; i < d; i++) w[i] = c * v[i];
  }
  if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPIU_REAL, MPI_SUM, p->comm));
  *loss = sum / p->B;
  if (!G) PetscFunctionReturn(0);
  /* grad = (1/B) sum_tau dL/ds_tau a_tau b_tau^T = -(1/B) A (c B)^T */
  const PetscReal a = -alpha / p->B;
  if (size == 1) PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bB, &a, p->Mt, &bd, p->work, &bd, &one, G, &bd));
  else {
    /* Each rank's share of the sum over tasks, then the group's sum: one d x d allreduce. */
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bB, &one, p->Mt, &bd, p->work, &bd, &zero, p->grad, &bd));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, p->grad, (PetscMPIInt)(d * d), MPIU_REAL, MPI_SUM, p->comm));
    PetscCall(PetscBLASIntCast(d * d, &dd));
    const PetscBLASInt inc = 1;
    PetscCallBLAS("BLASaxpy", BLASaxpy_(&dd, &a, p->grad, &inc, G, &inc));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearCancelled(const ICLBilinearProblem *p, PetscBool *stop)
{
  PetscFunctionBegin;
  *stop = p->cancel && p->cancel() ? PETSC_TRUE : PETSC_FALSE;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, stop, 1, MPIU_BOOL, MPI_LOR, p->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome)
{
  PetscFunctionBegin;
  *outcome = ICL_GD_DONE;
  for (PetscInt t = 0; t < T; t++) {
    PetscBool stop;
    PetscCall(ICLBilinearCancelled(p, &stop));
    if (stop) {
      *outcome = ICL_GD_CANCELLED;
      *steps   = t;
      PetscFunctionReturn(0);
    }
    PetscCall(ICLBilinearLossGrad(p, W, loss, -lr, W));
    if (PetscIsInfOrNanReal(*loss)) {
      *outcome = ICL_GD_DIVERGED;
      *steps   = t;
      PetscFunctionReturn(0);
    }
  }
  *steps = T;
  PetscCall(ICLBilinearLossGrad(p, W, loss, 0.0, NULL));
  if (PetscIsInfOrNanReal(*loss)) *outcome = ICL_GD_DIVERGED;
  PetscFunctionReturn(0);
}
