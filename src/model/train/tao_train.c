#include "tao_train.h"

#include <petsctao.h>

#include "loss_history.h"

typedef struct {
  const ICLBilinearProblem *p;
  VecScatter                gather; /* the solution's pieces -> all of vec(W) on every rank */
  Vec                       all;    /* vec(W), d^2 entries on every rank */
  PetscReal                *G;      /* d x d gradient or Hessian product, whole on every rank */
  PetscReal                *curv;   /* l''(s_tau) of this rank's tasks at the Hessian's W */
  PetscInt                  evals;
  PetscReal                 initial; /* the loss at the start, TAO's first evaluation */
  PetscBool                 cancelled;
} TaoContext;

/* vec(W) on every rank (ICLBilinearLossGrad needs all of W) from x, split over the group. */
static PetscErrorCode Gather(TaoContext *ctx, Vec x)
{
  PetscFunctionBegin;
  PetscCall(VecScatterBegin(ctx->gather, x, ctx->all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(ctx->gather, x, ctx->all, INSERT_VALUES, SCATTER_FORWARD));
  PetscFunctionReturn(0);
}

/* Every rank holds the group's whole d x d result G; y keeps this rank's piece. */
static PetscErrorCode KeepPiece(const TaoContext *ctx, Vec y)
{
  PetscScalar *ya;
  PetscInt     lo, hi;

  PetscFunctionBegin;
  PetscCall(VecGetOwnershipRange(y, &lo, &hi));
  PetscCall(VecGetArrayWrite(y, &ya));
  PetscCall(PetscArraycpy(ya, ctx->G + lo, hi - lo));
  PetscCall(VecRestoreArrayWrite(y, &ya));
  PetscFunctionReturn(0);
}

static PetscErrorCode LossGrad(Tao tao, Vec x, PetscReal *f, Vec g, void *vctx)
{
  TaoContext        *ctx = vctx;
  const PetscInt     d2  = ctx->p->d * ctx->p->d;
  const PetscScalar *w;

  PetscFunctionBegin;
  (void)tao;
  PetscCall(Gather(ctx, x));
  PetscCall(PetscArrayzero(ctx->G, d2));
  PetscCall(VecGetArrayRead(ctx->all, &w));
  PetscCall(ICLBilinearLossGrad(ctx->p, w, f, 1.0, ctx->G));
  PetscCall(VecRestoreArrayRead(ctx->all, &w));
  PetscCall(KeepPiece(ctx, g));
  if (!ctx->evals++) ctx->initial = *f;
  PetscFunctionReturn(0);
}

/* TAO's Hessian at x: only the curvature of each task changes; H is a shell that applies it. */
static PetscErrorCode Hessian(Tao tao, Vec x, Mat H, Mat Hpre, void *vctx)
{
  TaoContext        *ctx = vctx;
  const PetscScalar *w;

  PetscFunctionBegin;
  (void)tao, (void)H, (void)Hpre;
  PetscCall(Gather(ctx, x));
  PetscCall(VecGetArrayRead(ctx->all, &w));
  PetscCall(ICLBilinearCurvature(ctx->p, w, ctx->curv));
  PetscCall(VecRestoreArrayRead(ctx->all, &w));
  PetscFunctionReturn(0);
}

/* y = H v, the direction gathered whole like the solution. */
static PetscErrorCode HessianMult(Mat H, Vec v, Vec y)
{
  TaoContext        *ctx;
  const PetscScalar *va;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(H, &ctx));
  PetscCall(Gather(ctx, v));
  PetscCall(PetscArrayzero(ctx->G, ctx->p->d * ctx->p->d));
  PetscCall(VecGetArrayRead(ctx->all, &va));
  PetscCall(ICLBilinearHessMult(ctx->p, ctx->curv, va, 1.0, ctx->G));
  PetscCall(VecRestoreArrayRead(ctx->all, &va));
  PetscCall(KeepPiece(ctx, y));
  PetscFunctionReturn(0);
}

/* Called by TAO once an iteration, before its convergence test: a cancelled group stops
 * together (TAO's default test keeps a reason already set); the iteration's loss, TAO's
 * own, goes to the history. */
static PetscErrorCode PollCancel(Tao tao, void *vctx)
{
  TaoContext *ctx = vctx;
  PetscInt    its;
  PetscReal   f;

  PetscFunctionBegin;
  PetscCall(TaoGetSolutionStatus(tao, &its, &f, NULL, NULL, NULL, NULL));
  ICLLossHistoryAdd(ctx->p->history, its, f);
  PetscCall(ICLGroupCancelled(ctx->p->comm, ctx->p->cancel, &ctx->cancelled));
  if (ctx->cancelled) PetscCall(TaoSetConvergedReason(tao, TAO_CONVERGED_USER));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLTaoTrain(const ICLBilinearProblem *p, const char *tao_type, PetscInt T, PetscReal *W, PetscReal *loss, PetscInt *steps, PetscInt *evals, ICLTrainOutcome *outcome)
{
  TaoContext         ctx = {.p = p};
  Tao                tao;
  Vec                x;
  Mat                H;
  PetscInt           d2, lo, hi;
  PetscScalar       *xa;
  const PetscScalar *w;
  TaoConvergedReason reason;

  PetscFunctionBegin;
  PetscCall(PetscIntMultError(p->d, p->d, &d2));
  PetscCall(VecCreate(p->comm, &x));
  PetscCall(VecSetSizes(x, PETSC_DECIDE, d2));
  PetscCall(VecSetFromOptions(x));
  PetscCall(VecGetOwnershipRange(x, &lo, &hi));
  PetscCall(VecGetArrayWrite(x, &xa));
  PetscCall(PetscArraycpy(xa, W + lo, hi - lo));
  PetscCall(VecRestoreArrayWrite(x, &xa));
  PetscCall(VecScatterCreateToAll(x, &ctx.gather, &ctx.all));
  PetscCall(PetscMalloc2(d2, &ctx.G, p->B_local, &ctx.curv));
  PetscCall(MatCreateShell(p->comm, hi - lo, hi - lo, d2, d2, &ctx, &H));
  PetscCall(MatShellSetOperation(H, MATOP_MULT, (void (*)(void))HessianMult));
  PetscCall(MatSetOption(H, MAT_SYMMETRIC, PETSC_TRUE));

  PetscCall(TaoCreate(p->comm, &tao));
  PetscCall(TaoSetType(tao, tao_type));
  PetscCall(TaoSetSolution(tao, x));
  PetscCall(TaoSetObjectiveAndGradient(tao, NULL, LossGrad, &ctx));
  PetscCall(TaoSetHessian(tao, H, H, Hessian, &ctx)); /* used by Newton types only */
  PetscCall(TaoSetMaximumIterations(tao, T));
  ICLLossHistoryStart(p->history, T);
  PetscCall(TaoSetMonitor(tao, PollCancel, &ctx, NULL));
  /* -train_tao_* would reach TAO here; the sweep accepts no such option (they would change
   * results without changing the sweep's fingerprint), so this keeps TAO's defaults. */
  PetscCall(TaoSetOptionsPrefix(tao, "train_"));
  PetscCall(TaoSetFromOptions(tao));
  {
    /* H is matrix-free: Newton types solve with it unpreconditioned (their default PC factors) */
    KSP ksp;
    PC  pc;
    PetscCall(TaoGetKSP(tao, &ksp));
    if (ksp) {
      PetscCall(KSPGetPC(ksp, &pc));
      PetscCall(PCSetType(pc, PCNONE));
    }
  }
  PetscCall(TaoSolve(tao));
  PetscCall(TaoGetIterationNumber(tao, steps));
  PetscCall(TaoGetConvergedReason(tao, &reason));

  /* The final loss where TAO stopped (its own record may be from a rejected trial point). */
  PetscCall(Gather(&ctx, x));
  PetscCall(VecGetArrayRead(ctx.all, &w));
  PetscCall(PetscArraycpy(W, w, d2));
  PetscCall(VecRestoreArrayRead(ctx.all, &w));
  PetscCall(ICLBilinearLossGrad(p, W, loss, 0.0, NULL));
  ICLLossHistoryEnd(p->history, *steps, *loss);
  *evals   = ctx.evals;
  /* the rule of the other methods (gd.h), and TAO's own verdict */
  *outcome = ctx.cancelled ? ICL_TRAIN_CANCELLED : reason == TAO_DIVERGED_NAN || ICLLossDiverged(*loss, ctx.evals ? ctx.initial : *loss, PETSC_TRUE) ? ICL_TRAIN_DIVERGED : ICL_TRAIN_DONE;

  PetscCall(TaoDestroy(&tao));
  PetscCall(MatDestroy(&H));
  PetscCall(PetscFree2(ctx.G, ctx.curv));
  PetscCall(VecScatterDestroy(&ctx.gather));
  PetscCall(VecDestroy(&ctx.all));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(0);
}
