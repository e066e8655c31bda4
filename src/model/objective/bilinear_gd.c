#include "bilinear_gd.h"

#include <petscblaslapack.h>

/* What one pass does with task t's margin s = a_t^T X b_t: returns its loss term and sets
 * c, its weight in the d x d sum of the pass (aux: per-task data of the caller). */
typedef PetscReal (*TaskRule)(const ICLBilinearProblem *p, PetscInt t, PetscReal s, PetscReal *aux, PetscReal *c);

static PetscReal LossRule(const ICLBilinearProblem *p, PetscInt t, PetscReal s, PetscReal *aux, PetscReal *c)
{
  (void)aux;
  return ICLBilinearPointLoss(p->loss, s, p->target ? p->target[t] : 0.0, c);
}

/* aux_t = d^2 L_t / ds^2 (logistic: sigmoid(s) sigmoid(-s), squared: 2) */
static PetscReal CurvatureRule(const ICLBilinearProblem *p, PetscInt t, PetscReal s, PetscReal *aux, PetscReal *c)
{
  const PetscReal e = exp(-PetscAbsReal(s));
  aux[t]            = p->loss == ICL_LOSS_LOGISTIC ? e / ((1.0 + e) * (1.0 + e)) : 2.0;
  *c                = 0.0;
  return 0.0;
}

/* s is the margin of the direction V: task t's share of H V is aux_t s a_t b_t^T. */
static PetscReal HessianRule(const ICLBilinearProblem *p, PetscInt t, PetscReal s, PetscReal *aux, PetscReal *c)
{
  (void)p;
  *c = -aux[t] * s;
  return 0.0;
}

/* x[0 .. n) are all zero. */
static PetscBool Zero(size_t n, const PetscReal *x)
{
  for (size_t i = 0; i < n; i++)
    if (x[i] != 0.0) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* One pass over this rank's tasks under the d x d matrix X: s_t = a_t^T X b_t and rule(t, s);
 * if loss, *loss = (1/B) sum_t of the rule's terms over the group; if G, G += alpha * (-1/B)
 * sum_t c_t a_t b_t^T over the group. 2 B d^2 flop, 4 B d^2 with G, split over the group. */
static PetscErrorCode Pass(const ICLBilinearProblem *p, const PetscReal *X, TaskRule rule, PetscReal *aux, PetscReal *loss, PetscReal alpha, PetscReal *G)
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
  /* work = X^T A: column t is X^T a_t, so s_t is its dot with b_t. At X = 0 (a run's first
   * step, the one-step GD of the diagnostics) it is +0 whether formed or not (finite tasks). */
  if (Zero((size_t)d * d, X)) PetscCall(PetscArrayzero(p->work, (size_t)B * d));
  else PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bB, &bd, &one, X, &bd, p->Mt, &bd, &zero, p->work, &bd));
  for (PetscInt t = 0; t < B; t++) {
    const PetscReal *v = p->Vt + (size_t)t * d;
    PetscReal       *w = p->work + (size_t)t * d, s = 0.0;
    PetscReal        c;
    for (PetscInt i = 0; i < d; i++) s += w[i] * v[i];
    sum += rule(p, t, s, aux, &c);
    /* keep c b_t for the d x d sum */
    for (PetscInt i = 0; i < d; i++) w[i] = c * v[i];
  }
  if (loss) {
    if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPIU_REAL, MPI_SUM, p->comm));
    *loss = sum / p->B;
  }
  if (!G) PetscFunctionReturn(0);
  /* (1/B) sum_t c_t a_t b_t^T = (1/B) A (c B)^T, summed over the group */
  PetscCall(ICLGroupOuterSum(p->comm, d, B, -alpha / p->B, p->Mt, p->work, p->grad, G));
  PetscFunctionReturn(0);
}

/* With c = -dL/ds the pass's sum is -grad L. */
PetscErrorCode ICLBilinearLossGrad(const ICLBilinearProblem *p, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  PetscFunctionBegin;
  PetscCall(Pass(p, W, LossRule, NULL, loss, alpha, G));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearCurvature(const ICLBilinearProblem *p, const PetscReal *W, PetscReal *curv)
{
  PetscFunctionBegin;
  PetscCall(Pass(p, W, CurvatureRule, curv, NULL, 0.0, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearHessMult(const ICLBilinearProblem *p, const PetscReal *curv, const PetscReal *V, PetscReal alpha, PetscReal *G)
{
  PetscFunctionBegin;
  PetscCall(Pass(p, V, HessianRule, (PetscReal *)curv, NULL, alpha, G));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearLossGradCtx(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G) { return ICLBilinearLossGrad((const ICLBilinearProblem *)ctx, W, loss, alpha, G); }
