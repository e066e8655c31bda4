#include "bilinear_gd_single.h"

#include "blas_extra.h"

typedef struct {
  const ICLBilinearProblem *p;
  float                    *Mt, *Vt, *work; /* d x B_local */
  float                    *W, *G;          /* d x d: this step's W, the gradient's sum */
  PetscBLASInt              bd, bB;         /* d and B_local for BLAS */
  PetscMPIInt               dd;             /* d^2 for the group's sum */
} SingleProblem;

/* An ICLLossGradFn: the pass of bilinear_gd.c (loss rule) with float GEMMs. */
static PetscErrorCode LossGradSingle(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const SingleProblem      *s = (const SingleProblem *)ctx;
  const ICLBilinearProblem *p = s->p;
  const PetscInt            B = p->B_local, d = p->d;
  const float               one = 1.0f, zero = 0.0f;
  PetscReal                 sum = 0.0;
  PetscMPIInt               size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  for (PetscInt i = 0; i < d * d; i++) s->W[i] = (float)W[i];
  /* work = W^T A: column t is W^T a_t, whose dot with b_t is the margin */
  PetscCallBLAS("BLASsgemm", BLASsgemm_("T", "N", &s->bd, &s->bB, &s->bd, &one, s->W, &s->bd, s->Mt, &s->bd, &zero, s->work, &s->bd));
  for (PetscInt t = 0; t < B; t++) {
    const float *v = s->Vt + (size_t)t * d;
    float       *w = s->work + (size_t)t * d;
    PetscReal    m = 0.0, c;
    for (PetscInt i = 0; i < d; i++) m += (PetscReal)w[i] * v[i];
    sum += ICLBilinearPointLoss(p->loss, m, p->target ? p->target[t] : 0.0, &c);
    for (PetscInt i = 0; i < d; i++) w[i] = (float)(c * v[i]);
  }
  if (loss) {
    if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPIU_REAL, MPI_SUM, p->comm));
    *loss = sum / p->B;
  }
  if (!G) PetscFunctionReturn(0);
  /* -grad L = (1/B) A (c B)^T, summed over the group, then added to G in double */
  PetscCallBLAS("BLASsgemm", BLASsgemm_("N", "T", &s->bd, &s->bd, &s->bB, &one, s->Mt, &s->bd, s->work, &s->bd, &zero, s->G, &s->bd));
  if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, s->G, s->dd, MPI_FLOAT, MPI_SUM, p->comm));
  const PetscReal scale = -alpha / p->B;
  for (PetscInt i = 0; i < d * d; i++) G[i] += scale * s->G[i];
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearGDSingleCheckpoints(const ICLBilinearProblem *p, PetscReal lr, const ICLCheckpoints *cp, PetscReal *W)
{
  const size_t  n = (size_t)p->B_local * p->d;
  SingleProblem s = {.p = p};

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(p->d, &s.bd));
  PetscCall(PetscBLASIntCast(p->B_local, &s.bB));
  PetscCheck((PetscInt64)p->d * p->d <= PETSC_MPI_INT_MAX, PETSC_COMM_SELF, PETSC_ERR_SUP, "single-precision GD: d = %d, d^2 overflows an MPI count", (int)p->d);
  s.dd = (PetscMPIInt)(p->d * p->d);
  PetscCall(PetscMalloc5(PetscMax(n, 1), &s.Mt, PetscMax(n, 1), &s.Vt, PetscMax(n, 1), &s.work, (size_t)p->d * p->d, &s.W, (size_t)p->d * p->d, &s.G));
  for (size_t i = 0; i < n; i++) s.Mt[i] = (float)p->Mt[i], s.Vt[i] = (float)p->Vt[i];
  PetscCall(ICLGradientDescentCheckpoints(p->comm, p->cancel, LossGradSingle, &s, lr, cp, W));
  PetscCall(PetscFree5(s.Mt, s.Vt, s.work, s.W, s.G));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearGDSingle(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  ICLTrainEnd          end = {.T = T, .history = p->history};
  const ICLCheckpoints cp  = ICLCheckpointsOne(&end);

  PetscFunctionBegin;
  PetscCall(ICLBilinearGDSingleCheckpoints(p, lr, &cp, W));
  *loss = end.loss, *steps = end.steps, *outcome = end.outcome;
  PetscFunctionReturn(0);
}
