/* The training methods on one small problem at any rank count (the ranks of PETSC_COMM_WORLD
 * are one group, the tasks split by rows): gd and kernel give the same W for both losses, and
 * gd and kernel in single precision the same to float rounding (relative 1e-5); tao
 * (lmvm, and nls with the Hessian) reaches the least-squares optimum, solved independently from the normal equations
 * with LAPACK; kernel and tao report divergence and cancellation as gd does; auto's choice
 * and the cost model follow the method; the registry finds methods by name and alias. */
#include <petscsys.h>
#include <petscblaslapack.h>

#include "check.h"
#include "bilinear_gd_single.h"
#include "bilinear_train.h"
#include "dual_gd.h"
#include "method_gd.h"
#include "rng.h"
#include "tao_train.h"

/* B over 2 ICL_GRAM_BLOCKs: K is formed in several blocks per rank; on 2 ranks a row block of
 * 1200 is over one tile of K's off-diagonal rectangles (1024 rows), and 3 ranks (odd) hold
 * whole rectangles, 2 and 4 (even) halves too. */
enum { B = 2400, d = 4, T = 40 };

static PetscBool Always(void) { return PETSC_TRUE; }

/* max |x - y| / max |y| */
static PetscReal RelDiff(const PetscReal *x, const PetscReal *y, PetscInt n)
{
  PetscReal diff = 0.0, size = 0.0;
  for (PetscInt i = 0; i < n; i++) diff = PetscMax(diff, PetscAbsReal(x[i] - y[i])), size = PetscMax(size, PetscAbsReal(y[i]));
  return diff / size;
}

/* argmin_W (1/B) sum_tau (a_tau^T W b_tau - y_tau)^2: the normal equations for vec(W), whose
 * feature row for task tau is vec(a_tau b_tau^T), by Cholesky. */
static PetscErrorCode LeastSquares(const PetscReal *A, const PetscReal *V, const PetscReal *y, PetscReal *W)
{
  enum { n = d * d };
  PetscReal       Phi[B * n], H[n * n];
  PetscBLASInt    bB = B, bn = n, one_i = 1, info;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  for (int t = 0; t < B; t++)
    for (int j = 0; j < d; j++)
      for (int i = 0; i < d; i++) Phi[(j * d + i) * B + t] = A[t * d + i] * V[t * d + j];
  PetscCallBLAS("BLASsyrk", BLASsyrk_("U", "T", &bn, &bB, &one, Phi, &bB, &zero, H, &bn));
  PetscCallBLAS("BLASgemv", BLASgemv_("T", &bB, &bn, &one, Phi, &bB, y, &one_i, &zero, W, &one_i));
  PetscCallBLAS("LAPACKpotrf", LAPACKpotrf_("U", &bn, H, &bn, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "potrf: info %d", (int)info);
  PetscCallBLAS("LAPACKpotrs", LAPACKpotrs_("U", &bn, &one_i, H, &bn, W, &bn, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "potrs: info %d", (int)info);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  PetscReal          A[d * B], V[d * B], y[B], Wtrue[d * d], noise[B], work[d * B], grad[d * d], Wg[d * d], Wk[d * d], Wt[d * d], Ws[d * d], Wf[d * d];
  PetscReal          lg, lk, lt, lf;
  PetscInt           sg, sk, st, sf, evals;
  ICLTrainOutcome       og, ok, ot, of;
  PetscMPIInt        rank, size;
  ICLStream          s;
  const MPI_Comm     comm = PETSC_COMM_WORLD;
  static const char *names[] = {"logistic", "squared"};

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  /* Every rank draws all tasks and keeps its rows, as linear.c splits them. */
  ICLStreamInit(&s, 5, ICL_PURPOSE_TASK, 0, 0, 0);
  ICLStreamNormals(&s, d * B, A);
  ICLStreamNormals(&s, d * B, V);
  ICLStreamNormals(&s, d * d, Wtrue);
  ICLStreamNormals(&s, B, noise);
  for (int t = 0; t < B; t++) {
    y[t] = 0.1 * noise[t];
    for (int j = 0; j < d; j++)
      for (int i = 0; i < d; i++) y[t] += A[t * d + i] * Wtrue[j * d + i] * V[t * d + j];
  }
  const PetscInt     b0 = B * rank / size, nb = B * (rank + 1) / size - b0;
  ICLBilinearProblem p  = {.comm = comm, .B = B, .B_local = nb, .d = d, .Mt = A + b0 * d, .Vt = V + b0 * d, .target = y + b0, .work = work, .grad = grad};

  for (ICLLoss loss = ICL_LOSS_LOGISTIC; loss <= ICL_LOSS_SQUARED; loss++) {
    const PetscReal lr = loss == ICL_LOSS_LOGISTIC ? 1.0 : 0.02;
    p.loss             = loss;
    PetscCall(PetscArrayzero(Wg, d * d));
    PetscCall(ICLBilinearGD(&p, T, lr, Wg, &lg, &sg, &og));
    PetscCall(ICLDualGD(&p, ICL_PRECISION_DOUBLE, T, lr, Wk, &lk, &sk, &ok));
    const PetscReal rel = RelDiff(Wk, Wg, d * d);
    CHECK(og == ICL_TRAIN_DONE && ok == ICL_TRAIN_DONE && sg == T && sk == T, "%s: outcomes gd %d kernel %d, steps %d %d", names[loss], (int)og, (int)ok, (int)sg, (int)sk);
    CHECK(rel <= 1e-10, "%s: kernel W differs from gd W by %.3g relative", names[loss], (double)rel);
    CHECK(PetscAbsReal(lk - lg) <= 1e-12 * lg, "%s: final loss gd %.17g kernel %.17g", names[loss], (double)lg, (double)lk);
    PetscCall(PetscPrintf(comm, "%d ranks, %s loss, %d steps: max|W_kernel - W_gd| / max|W_gd| = %.2e, loss %.12g vs %.12g\n", size, names[loss], T, (double)rel, (double)lg, (double)lk));
    PetscCall(PetscArrayzero(Wf, d * d));
    PetscCall(ICLBilinearGDSingle(&p, T, lr, Wf, &lf, &sf, &of));
    const PetscReal relf = RelDiff(Wf, Wg, d * d);
    CHECK(of == ICL_TRAIN_DONE && sf == T, "%s: single outcome %d, steps %d", names[loss], (int)of, (int)sf);
    CHECK(relf <= 1e-5 && PetscAbsReal(lf - lg) <= 1e-5 * lg, "%s: single W differs from gd W by %.3g relative, loss %.17g vs %.17g", names[loss], (double)relf, (double)lf, (double)lg);
    PetscCall(PetscPrintf(comm, "%d ranks, %s loss, single: max|W_single - W_gd| / max|W_gd| = %.2e, loss %.12g\n", size, names[loss], (double)relf, (double)lf));
    PetscCall(ICLDualGD(&p, ICL_PRECISION_SINGLE, T, lr, Wf, &lf, &sf, &of));
    const PetscReal relk = RelDiff(Wf, Wg, d * d);
    CHECK(of == ICL_TRAIN_DONE && sf == T, "%s: single kernel outcome %d, steps %d", names[loss], (int)of, (int)sf);
    CHECK(relk <= 1e-5 && PetscAbsReal(lf - lg) <= 1e-5 * lg, "%s: single kernel W differs from gd W by %.3g relative, loss %.17g vs %.17g", names[loss], (double)relk, (double)lf, (double)lg);
    PetscCall(PetscPrintf(comm, "%d ranks, %s loss, single kernel: max|W_single - W_gd| / max|W_gd| = %.2e, loss %.12g\n", size, names[loss], (double)relk, (double)lf));
  }

  /* tao on the squared loss against the closed form: quasi-Newton, and Newton with the
   * matrix-free Hessian */
  p.loss = ICL_LOSS_SQUARED;
  PetscCall(LeastSquares(A, V, y, Ws));
  for (int k = 0; k < 2; k++) {
    const char *type = k ? "nls" : "lmvm";
    PetscCall(PetscArrayzero(Wt, d * d));
    PetscCall(ICLTaoTrain(&p, type, 500, Wt, &lt, &st, &evals, &ot));
    const PetscReal rel = RelDiff(Wt, Ws, d * d);
    CHECK(ot == ICL_TRAIN_DONE && st < 500, "tao %s: outcome %d after %d iterations", type, (int)ot, (int)st);
    CHECK(rel <= 1e-6, "tao %s: W differs from the least-squares W* by %.3g relative", type, (double)rel);
    PetscCall(PetscPrintf(comm, "%d ranks, tao %s: %d iterations, %d evaluations, max|W_tao - W*| / max|W*| = %.2e, loss %.12g\n", size, type, (int)st, (int)evals, (double)rel, (double)lt));
  }

  /* A step too big overflows the squared loss: kernel stops where gd does. */
  PetscCall(PetscArrayzero(Wg, d * d));
  PetscCall(ICLBilinearGD(&p, 400, 1e3, Wg, &lg, &sg, &og));
  PetscCall(ICLDualGD(&p, ICL_PRECISION_DOUBLE, 400, 1e3, Wk, &lk, &sk, &ok));
  CHECK(og == ICL_TRAIN_DIVERGED && ok == ICL_TRAIN_DIVERGED && sg < 400 && PetscAbsInt(sk - sg) <= 1, "divergence: gd %d at step %d, kernel %d at step %d", (int)og, (int)sg, (int)ok, (int)sk);
  PetscCall(PetscPrintf(comm, "lr 1e3: gd diverged at step %d, kernel at step %d\n", (int)sg, (int)sk));

  /* A stop request ends both before their first step. */
  p.cancel = Always;
  PetscCall(ICLDualGD(&p, ICL_PRECISION_DOUBLE, T, 0.02, Wk, &lk, &sk, &ok));
  CHECK(ok == ICL_TRAIN_CANCELLED && sk == 0, "kernel cancelled: outcome %d, steps %d", (int)ok, (int)sk);
  PetscCall(PetscArrayzero(Wt, d * d));
  PetscCall(ICLTaoTrain(&p, "lmvm", T, Wt, &lt, &st, &evals, &ot));
  CHECK(ot == ICL_TRAIN_CANCELLED && st == 0, "tao cancelled: outcome %d, iterations %d", (int)ot, (int)st);

  /* the registry: names and aliases, auto is no method, and every method trains and costs */
  CHECK(ICLTrainMethodFind("kernel") == ICLTrainMethodFind("dual") && ICLTrainMethodFind("dual") && !ICLTrainMethodFind("auto") && !ICLTrainMethodFind("newton"), "kernel must name dual; auto and unknown names no method");
  for (PetscInt k = 0; k < ICLTrainMethodCount(); k++) {
    const ICLTrainMethodType *m = ICLTrainMethodAt(k);
    CHECK(ICLTrainMethodIndex(m) == k && ICLTrainMethodFind(m->name) == m && m->train && m->flops && m->step && (!m->shares) == (!m->train_shared), "method %s: incomplete registration", m->name);
  }
  CHECK(!strcmp(ICLTrainMethodName(NULL), "auto"), "a NULL method must be called auto");

  /* auto: the dual form where it is cheaper and fits; the cost model follows the method. */
  {
    ICLCell c = {.task = {.d = 500}, .B = 1000, .T = 300, .method = NULL};
    CHECK(ICLTrainMethodResolve(&c) == ICLTrainMethodFind("dual"), "auto with B = 1000, d = 500, T = 300 must pick dual");
    const PetscReal fk = ICLBilinearTrainFlops(&c), mk = ICLBilinearTrainMemory(&c, 1);
    c.method = &ICLTrainMethodGd;
    CHECK(ICLBilinearTrainFlops(&c) > fk && ICLBilinearTrainMemory(&c, 1) < mk, "kernel must cost fewer flop and more memory than gd here");
    const PetscReal mg = ICLBilinearTrainMemory(&c, 1);
    c.precision        = ICL_PRECISION_SINGLE; /* the float copies of the stacks */
    CHECK(ICLBilinearTrainMemory(&c, 1) > 1.4 * mg, "single gd must count its float stacks");
    c.precision = ICL_PRECISION_DOUBLE;
    c.method = NULL, c.B = 20000; /* MV protocol: B^2 doubles are 3.2 GB */
    CHECK(ICLTrainMethodResolve(&c) == ICLTrainMethodFind("dual"), "auto on the MV cell (B = 20000, d = 500, T = 300) must pick dual");
    c.B = 30000; /* K: 7.2 GB in doubles, 3.6 GB in floats */
    CHECK(ICLTrainMethodResolve(&c) == &ICLTrainMethodGd, "auto with B = 30000 must keep gd");
    c.precision = ICL_PRECISION_SINGLE;
    CHECK(ICLTrainMethodResolve(&c) == ICLTrainMethodFind("dual"), "auto with B = 30000 in single precision must pick dual");
    c.precision = ICL_PRECISION_DOUBLE;
    c.B = 1000, c.task.d = 5;
    CHECK(ICLTrainMethodResolve(&c) == &ICLTrainMethodGd, "auto with d = 5 must keep gd");
    c.method = ICLTrainMethodFind("kernel"), c.B = 200000;
    CHECK(ICLBilinearTrainMemory(&c, 2) > 8.0 * 200000.0 * 200000.0 / 4, "kernel memory must count a rank's half of K's upper triangle");
  }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_train_methods")
