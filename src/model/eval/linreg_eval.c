#include "linreg_eval.h"

#include <petscblaslapack.h>

#include "linreg_risk.h"
#include "mc_eval.h"

void ICLLinregWeightsAt(PetscInt N, const PetscReal *omega, PetscInt M, PetscReal *w)
{
  for (PetscInt i = 1; i <= M; i++) {
    if (!omega) {
      w[i - 1] = 1.0 / M;
      continue;
    }
    const PetscReal t = (PetscReal)i * N / M; /* position on the 1..N scale */
    const PetscInt  j = (PetscInt)PetscFloorReal(t);
    PetscReal       v;
    if (j < 1) v = omega[0];
    else if (j >= N) v = omega[N - 1];
    else v = omega[j - 1] + (t - j) * (omega[j] - omega[j - 1]);
    w[i - 1] = v * N / M;
  }
}

typedef struct {
  PetscInt         d, N, M; /* M: the test length w was last computed for */
  const PetscReal *W, *omega;
  PetscReal       *w, *wy, *g, *t;
} Predictor;

/* yhat = x_q^T W X^T (w .* y) */
static PetscErrorCode Predict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  Predictor      *p = ctx;
  PetscBLASInt    bd, bM;
  const PetscBLASInt inc = 1;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(p->d, &bd));
  PetscCall(PetscBLASIntCast(M, &bM));
  if (M != p->M) {
    ICLLinregWeightsAt(p->N, p->omega, M, p->w);
    p->M = M;
  }
  for (PetscInt i = 0; i < M; i++) p->wy[i] = p->w[i] * Y[i];
  /* X is M x d row-major, i.e. d x M column-major */
  PetscCallBLAS("BLASgemv", BLASgemv_("N", &bd, &bM, &one, X, &bd, p->wy, &inc, &zero, p->g, &inc));
  PetscCallBLAS("BLASgemv", BLASgemv_("N", &bd, &bd, &one, p->W, &bd, p->g, &inc, &zero, p->t, &inc));
  out[0] = BLASdot_(&bd, xq, &inc, p->t, &inc);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLLinregErrorOfW(const ICLCell *cell, const PetscReal *W, const PetscReal *omega, PetscReal *err, PetscReal *se)
{
  const PetscInt d = cell->task.d;
  PetscInt       maxM = 1;
  ICLTaskParams  test = cell->task;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  for (PetscInt a = 0; a < cell->nM; a++) maxM = PetscMax(maxM, cell->M[a]);
  if (ICLLinregExact(&test)) {
    PetscReal *Sx, *Sb, *w;
    PetscCall(PetscMalloc3((size_t)d * d, &Sx, (size_t)d * d, &Sb, maxM, &w));
    PetscCall(ICLLinregCovariances(&test, Sx, Sb));
    for (PetscInt a = 0; a < cell->nM; a++) {
      PetscReal S1 = 0.0, S2 = 0.0;
      ICLLinregWeightsAt(cell->N, omega, cell->M[a], w);
      for (PetscInt i = 0; i < cell->M[a]; i++) S1 += w[i], S2 += w[i] * w[i];
      PetscCall(ICLLinregRiskWeighted(d, Sx, Sb, test.sigma * test.sigma, S1, S2, W, &err[a]));
      se[a] = 0.0;
    }
    PetscCall(PetscFree3(Sx, Sb, w));
  } else {
    Predictor p = {.d = d, .N = cell->N, .M = 0, .W = W, .omega = omega};
    PetscCall(PetscMalloc4(maxM, &p.w, maxM, &p.wy, d, &p.g, d, &p.t));
    PetscCall(ICLMonteCarloError(cell, Predict, &p, err, se));
    PetscCall(PetscFree4(p.w, p.wy, p.g, p.t));
  }
  PetscFunctionReturn(0);
}

PetscReal ICLLinregErrorOfWFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  PetscReal       tokens = 0.0;

  if (ICLLinregExact(&cell->task)) return 6.0 * cell->nM * d * d * d;
  for (PetscInt a = 0; a < cell->nM; a++) tokens += cell->M[a];
  return ICLMonteCarloSampleFlops(cell) + cell->eval_tasks * (2.0 * tokens * d + 2.0 * cell->nM * d * d);
}
