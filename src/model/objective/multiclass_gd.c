#include "multiclass_gd.h"

#include <petscblaslapack.h>

#include "sphere.h"
#include "training_loss.h"

PetscErrorCode ICLMulticlassProblemCreate(const ICLCell *cell, ICLMulticlassProblem *p)
{
  const PetscInt d = cell->task.d, N = cell->N, C = ICLSphereClasses(&cell->task);
  PetscInt       b0, nb;
  PetscReal     *X;
  int           *labels;
  PetscMPIInt    size;

  PetscFunctionBegin;
  PetscCall(ICLGroupShare(cell->comm, cell->B, &b0, &nb));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  *p = (ICLMulticlassProblem){.comm = cell->comm, .B = cell->B, .B_local = nb, .d = d, .C = C};
  PetscCall(PetscMalloc4((size_t)nb * C * d, &p->H, (size_t)nb * d, &p->Q, (size_t)nb * C, &p->Y, (size_t)nb * d, &p->work));
  if (size > 1) PetscCall(PetscMalloc1((size_t)d * d, &p->grad));
  PetscCall(PetscMalloc2((size_t)N * d, &X, PetscMax(N, 1), &labels));
  PetscCall(PetscArrayzero(p->Y, (size_t)nb * C));
  for (PetscInt t = 0; t < nb; t++) {
    int cq;
    PetscCheck(ICLSphereTokens(&cell->task, (int)N, ICL_PURPOSE_TASK, (uint64_t)(b0 + t), X, labels, p->Q + (size_t)t * d, &cq, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid sphere options (d %d, k %d, classes %d)", cell->task.d,
               cell->task.k, (int)C);
    ICLSphereStat((int)d, (int)C, (int)N, X, labels, p->H + (size_t)t * C * d);
    p->Y[(size_t)t * C + cq] = 1.0;
  }
  PetscCall(PetscFree2(X, labels));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLMulticlassProblemDestroy(ICLMulticlassProblem *p)
{
  PetscFunctionBegin;
  PetscCall(PetscFree4(p->H, p->Q, p->Y, p->work));
  PetscCall(PetscFree(p->grad));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLMulticlassLossGrad(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const ICLMulticlassProblem *p = (const ICLMulticlassProblem *)ctx;
  const PetscInt              B = p->B_local, d = p->d, C = p->C;
  PetscBLASInt                bd, bB, bC;
  const PetscBLASInt          inc = 1;
  const PetscReal             one = 1.0, zero = 0.0;
  PetscReal                   sum = 0.0, *logits, *g;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(B, &bB));
  PetscCall(PetscBLASIntCast(C, &bC));
  PetscCall(PetscMalloc2(C, &logits, C, &g));
  /* work = W Q: column tau is W x_q,tau */
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bd, &bB, &bd, &one, W, &bd, p->Q, &bd, &zero, p->work, &bd));
  for (PetscInt t = 0; t < B; t++) {
    const PetscReal *Ht = p->H + (size_t)t * C * d; /* H_tau^T as a d x C column-major matrix */
    PetscReal       *w  = p->work + (size_t)t * d;
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &bd, &bC, &one, Ht, &bd, w, &inc, &zero, logits, &inc));
    sum += ICLTrainingLoss(ICL_OUTPUT_CLASS, C, logits, p->Y + (size_t)t * C, g);
    /* keep H_tau^T dL/dlogits for the gradient; W x_q,tau is no longer needed */
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &bd, &bC, &one, Ht, &bd, g, &inc, &zero, w, &inc));
  }
  PetscCall(PetscFree2(logits, g));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPIU_REAL, MPI_SUM, p->comm));
  *loss = sum / p->B;
  if (G) PetscCall(ICLGroupOuterSum(p->comm, d, B, alpha / p->B, p->work, p->Q, p->grad, G));
  PetscFunctionReturn(0);
}
