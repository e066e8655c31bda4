#include "softmax_gd.h"

#include <petscblaslapack.h>

#include "rng.h"
#include "softmax_attention.h"
#include "training_loss.h"

PetscErrorCode ICLSoftmaxProblemCreate(const ICLCell *cell, ICLAttentionScore score, ICLSoftmaxProblem *p)
{
  const ICLFamily *fam = cell->family;
  const PetscInt   d = cell->task.d, N = cell->N, C = fam->outputs(&cell->task);
  PetscInt         b0, nb;
  PetscMPIInt      size;

  PetscFunctionBegin;
  PetscCall(ICLGroupShare(cell->comm, cell->B, &b0, &nb));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  /* softmax_attention.c casts sizes to BLAS integers unchecked: check them once here */
  PetscCheck((PetscInt64)N * PetscMax(d, C) <= PETSC_BLAS_INT_MAX, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "N %d x d %d too large for BLAS integers", (int)N, (int)d);
  *p = (ICLSoftmaxProblem){.comm = cell->comm, .kind = fam->kind, .score = score, .B = cell->B, .B_local = nb, .d = d, .C = C, .N = N};
  PetscCall(PetscMalloc5((size_t)nb * N * d, &p->X, (size_t)nb * N * C, &p->Y, (size_t)nb * d, &p->Q, (size_t)nb * C, &p->Yq, (size_t)nb * d, &p->work));
  PetscCall(PetscMalloc5(PetscMax(N, 1), &p->p, PetscMax(N, 1), &p->v, C, &p->out, C, &p->g, PetscMax(N, 1), &p->r));
  if (size > 1) PetscCall(PetscMalloc1((size_t)d * d, &p->grad));
  for (PetscInt t = 0; t < nb; t++)
    PetscCheck(fam->tokens(&cell->task, (int)N, ICL_PURPOSE_TASK, (uint64_t)(b0 + t), p->X + (size_t)t * N * d, p->Y + (size_t)t * N * C, p->Q + (size_t)t * d, p->Yq + (size_t)t * C) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE,
               "invalid %s options for training task %d", fam->name, (int)(b0 + t));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLSoftmaxProblemDestroy(ICLSoftmaxProblem *p)
{
  PetscFunctionBegin;
  PetscCall(PetscFree5(p->X, p->Y, p->Q, p->Yq, p->work));
  PetscCall(PetscFree5(p->p, p->v, p->out, p->g, p->r));
  PetscCall(PetscFree(p->grad));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLSoftmaxLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const ICLSoftmaxProblem *p = (const ICLSoftmaxProblem *)ctx;
  const PetscInt           B = p->B_local, d = p->d, C = p->C, N = p->N;
  const PetscReal          c = theta[d * d], one = 1.0, zero = 0.0;
  PetscReal                sums[2] = {0.0, 0.0}; /* loss, dL/dc */
  PetscBLASInt             bd, bB;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(B, &bB));
  /* work = A Q: column tau is A x_q,tau */
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bd, &bB, &bd, &one, theta, &bd, p->Q, &bd, &zero, p->work, &bd));
  for (PetscInt t = 0; t < B; t++) {
    const PetscReal *X = p->X + (size_t)t * N * d, *Y = p->Y + (size_t)t * N * C;
    PetscReal        gc;
    ICLAttentionOfQuery(p->score, d, N, C, X, Y, p->work + (size_t)t * d, c, p->p, p->r, p->out);
    sums[0] += ICLTrainingLoss(p->kind, C, p->out, p->Yq + (size_t)t * C, p->g);
    if (!G) continue;
    /* A x_q,tau is no longer needed: its column keeps u_tau */
    ICLAttentionBackward(p->score, d, N, C, X, Y, p->p, p->r, c, p->g, p->v, p->work + (size_t)t * d, &gc);
    sums[1] += gc;
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPIU_REAL, MPI_SUM, p->comm));
  *loss = sums[0] / p->B;
  if (!G) PetscFunctionReturn(0);
  PetscCall(ICLGroupOuterSum(p->comm, d, B, alpha / p->B, p->work, p->Q, p->grad, G));
  G[d * d] += alpha * sums[1] / p->B;
  PetscFunctionReturn(0);
}
