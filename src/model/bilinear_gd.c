#include "bilinear_gd.h"

#include <petscblaslapack.h>

PetscErrorCode ICLBilinearLossGrad(const ICLBilinearProblem *p, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const PetscInt  B = p->B_local, d = p->d;
  PetscBLASInt    bd, bB;
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
    if (p->loss == ICL_LOSS_LOGISTIC) {
      sum += s > 0 ? log1p(exp(-s)) : -s + log1p(exp(s));
      c = 1.0 / (1.0 + exp(s)); /* sigmoid(-s) */
    } else {
      const PetscReal r = s - p->target[t];
      sum += r * r;
      c = -2.0 * r;
    }
    /* keep -dL/ds b_tau for the gradient */
    for (PetscInt i = 0; i < d; i++) w[i] = c * v[i];
  }
  if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPIU_REAL, MPI_SUM, p->comm));
  *loss = sum / p->B;
  if (!G) PetscFunctionReturn(0);
  /* grad = (1/B) sum_tau dL/ds_tau a_tau b_tau^T = -(1/B) A (c B)^T */
  PetscCall(ICLGroupOuterSum(p->comm, d, B, -alpha / p->B, p->Mt, p->work, p->grad, G));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearLossGradCtx(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G) { return ICLBilinearLossGrad((const ICLBilinearProblem *)ctx, W, loss, alpha, G); }

PetscErrorCode ICLBilinearGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome)
{
  PetscFunctionBegin;
  PetscCall(ICLGradientDescent(p->comm, p->cancel, ICLBilinearLossGradCtx, (void *)p, T, lr, W, loss, steps, outcome));
  PetscFunctionReturn(0);
}
