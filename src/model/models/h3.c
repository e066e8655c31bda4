/* h3 (linreg): see h3.h. Trained by full-batch GD on (W, theta) from W = 0, theta = 1 (so the
 * first iterates follow linear's) on the B training tasks linear sees, as explicit tokens.
 * Evaluated on any test length M with the weights extended by relative position
 * (linreg_eval.h): exactly for i.i.d. contexts and a fixed task, by Monte Carlo under drift
 * (the non-stationary tasks h3 is for) or RAG. */
#include "h3.h"

#include <petscblaslapack.h>

#include "alignment.h"
#include "gd.h"
#include "group.h"
#include "linreg.h"
#include "linreg_eval.h"
#include "model.h"
#include "train_method.h"

static PetscBool H3Supports(const ICLFamily *f) { return f == &ICLFamilyLinreg ? PETSC_TRUE : PETSC_FALSE; }

PetscErrorCode ICLH3LossGrad(const ICLH3Problem *p, const PetscReal *W, const PetscReal *theta, PetscReal *loss, PetscReal *gW, PetscReal *gtheta)
{
  const PetscInt     d = p->d, B = p->B_local, N = p->N;
  PetscBLASInt       bd, bB, bN, bdB;
  const PetscBLASInt inc = 1;
  const PetscReal    one = 1.0, zero = 0.0, invN = 1.0 / N, cW = 2.0 / p->B, ct = 2.0 / ((PetscReal)p->B * N);
  PetscReal          sum = 0.0;
  PetscMPIInt        size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(B, &bB));
  PetscCall(PetscBLASIntCast(N, &bN));
  PetscCall(PetscBLASIntCast(d * B, &bdB));
  /* g_tau = (1/N) Z_tau theta and u_tau = W^T x_q: yhat_tau = u_tau . g_tau */
  PetscCallBLAS("BLASgemv", BLASgemv_("N", &bdB, &bN, &invN, p->Z, &bdB, theta, &inc, &zero, p->g, &inc));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bB, &bd, &one, W, &bd, p->Xq, &bd, &zero, p->u, &bd));
  for (PetscInt t = 0; t < B; t++) {
    PetscReal *g = p->g + (size_t)t * d, *u = p->u + (size_t)t * d;
    /* the residual scales both, for the two gradients below */
    const PetscReal r = BLASdot_(&bd, u, &inc, g, &inc) - p->yq[t];
    sum += r * r;
    for (PetscInt i = 0; i < d; i++) g[i] *= r, u[i] *= r;
  }
  /* dL/dW = (2/B) sum r x_q g^T; dL/dtheta = (2/(B N)) sum r Z_tau^T u */
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bB, &cW, p->Xq, &bd, p->g, &bd, &zero, p->buf, &bd));
  PetscCallBLAS("BLASgemv", BLASgemv_("T", &bdB, &bN, &ct, p->Z, &bdB, p->u, &inc, &zero, p->buf + d * d, &inc));
  p->buf[d * d + N] = sum;
  if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, p->buf, (PetscMPIInt)(d * d + N + 1), MPIU_REAL, MPI_SUM, p->comm));
  PetscCall(PetscArraycpy(gW, p->buf, d * d));
  PetscCall(PetscArraycpy(gtheta, p->buf + d * d, N));
  *loss = p->buf[d * d + N] / p->B;
  PetscFunctionReturn(0);
}

/* This rank's tasks as tokens, the same draws as linear's training tasks (keyed by tau). */
static PetscErrorCode Sample(const ICLCell *cell, ICLH3Problem *p, PetscReal *Z, PetscReal *Xq, PetscReal *yq)
{
  const PetscInt d = cell->task.d, N = cell->N;
  PetscInt       b0, nb;
  PetscReal     *X, *y;

  PetscFunctionBegin;
  PetscCall(ICLGroupShare(cell->comm, cell->B, &b0, &nb));
  PetscCall(PetscMalloc2((size_t)N * d, &X, N, &y));
  for (PetscInt t = 0; t < nb; t++) {
    PetscCheck(ICLLinregTokens(&cell->task, (int)N, ICL_PURPOSE_TASK, (uint64_t)(b0 + t), X, y, Xq + (size_t)t * d, yq + t, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid linreg options");
    for (PetscInt j = 0; j < N; j++)
      for (PetscInt i = 0; i < d; i++) Z[(size_t)t * d + i + (size_t)j * d * nb] = y[j] * X[(size_t)j * d + i];
  }
  PetscCall(PetscFree2(X, y));
  p->B_local = nb;
  PetscFunctionReturn(0);
}

/* An ICLLossGradFn of x = (W, theta); p->grad holds (dL/dW, dL/dtheta). */
static PetscErrorCode H3GDLossGrad(void *ctx, const PetscReal *x, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const ICLH3Problem *p = ctx;
  const PetscInt      n = p->d * p->d;

  PetscFunctionBegin;
  PetscCall(ICLH3LossGrad(p, x, x + n, loss, p->grad, p->grad + n));
  if (G) PetscCall(ICLAxpy(n + p->N, alpha, p->grad, G));
  PetscFunctionReturn(0);
}

static PetscErrorCode H3Run(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt d = cell->task.d, N = cell->N, n = d * d;
  PetscMPIInt    size;
  PetscReal     *Z, *Xq, *yq, *x, *grad;
  ICLH3Problem   prob = {.comm = cell->comm, .B = cell->B, .d = d, .N = N};

  PetscFunctionBegin;
  PetscCall(ICLTrainMethodCheckGD(cell, "h3"));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  const PetscInt nmax = cell->B / size + 1; /* at least this rank's share */
  PetscCall(PetscMalloc6((size_t)nmax * d * N, &Z, (size_t)nmax * d, &Xq, nmax, &yq, (size_t)nmax * d, &prob.g, (size_t)nmax * d, &prob.u, n + N + 1, &prob.buf));
  PetscCall(PetscMalloc2(n + N, &x, n + N, &grad));
  PetscCall(Sample(cell, &prob, Z, Xq, yq));
  prob.Z = Z, prob.Xq = Xq, prob.yq = yq;
  PetscCall(PetscArrayzero(x, n)); /* W = 0 */
  for (PetscInt i = 0; i < N; i++) x[n + i] = 1.0; /* theta = 1 */
  prob.grad = grad;
  PetscCall(ICLGDTrainCell(cell, H3GDLossGrad, &prob, x, res));
  res->flops = 2.0 * cell->B * d * (N + 2.0 * d) * (res->steps + 1);
  if (res->status == ICL_STATUS_OK) {
    for (PetscInt i = 0; i < N; i++) x[n + i] /= N; /* now omega */
    PetscCall(ICLLinregErrorOfW(cell, x, x + n, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, x, &res->alignment));
    res->flops += ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * N * d;
  }
  PetscCall(PetscFree6(Z, Xq, yq, prob.g, prob.u, prob.buf));
  PetscCall(PetscFree2(x, grad));
  PetscFunctionReturn(0);
}

static PetscReal H3Flops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return 2.0 * cell->B * d * (cell->N + 2.0 * d) * (cell->T + 1) + ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * cell->N * d;
}

/* Per rank: B/g tasks as tokens (d N each) plus the query, target and two scratch columns. */
static PetscReal H3Memory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d;
  return sizeof(PetscReal) * ((cell->B / g + 1.0) * (d * cell->N + 3.0 * d + 1) + 3.0 * d * d + 4.0 * 2048 * d);
}

/* The cost model's efficiency (ICLModelType): per-position weights over N tokens of small d. */
static PetscReal H3Efficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.08;
}

const ICLModelType ICLModelH3 = {
  .name        = "h3",
  .description = "linear attention with learned per-position weights omega (linreg), GD from W = 0, omega = 1/N",
  .supports    = H3Supports,
  .run         = H3Run,
  .flops       = H3Flops,
  .efficiency  = H3Efficiency,
  .memory      = H3Memory,
  .reads       = ICL_READS_TRAINING,
};
