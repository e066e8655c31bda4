/* Logistic- and squared-loss gradients against central finite differences of the loss,
 * Hessian-vector products against central differences of the gradient, and the first
 * logistic GD step from W = 0 against its closed form W_1 = (eta / 2B) sum_tau m_tau v_tau^T
 * (sigmoid(0) = 1/2). */
#include <petscsys.h>

#include "check.h"
#include "bilinear_gd.h"
#include "method_gd.h"
#include "rng.h"

enum { B = 7, d = 4 };

static PetscErrorCode Run(void)
{
  PetscReal          Mt[d * B], Vt[d * B], work[d * B], W[d * d], G[d * d], y[B], loss, lp, lm;
  PetscReal          D[d * d], HD[d * d], Gp[d * d], Gm[d * d], Wh[d * d], curv[B];
  ICLStream          s;
  ICLBilinearProblem p = {.comm = PETSC_COMM_SELF, .loss = ICL_LOSS_LOGISTIC, .B = B, .B_local = B, .d = d, .Mt = Mt, .Vt = Vt, .target = y, .work = work};

  PetscFunctionBegin;
  ICLStreamInit(&s, 11, ICL_PURPOSE_TASK, 0, 0, 0);
  ICLStreamNormals(&s, d * B, Mt);
  ICLStreamNormals(&s, d * B, Vt);
  ICLStreamNormals(&s, d * d, W);
  ICLStreamNormals(&s, B, y);
  ICLStreamNormals(&s, d * d, D);
  for (ICLLoss loss_kind = ICL_LOSS_LOGISTIC; loss_kind <= ICL_LOSS_SQUARED; loss_kind++) {
    p.loss = loss_kind;
    PetscCall(PetscArrayzero(G, d * d));
    PetscCall(ICLBilinearLossGrad(&p, W, &loss, 1.0, G));
    for (int e = 0; e < d * d; e++) {
      const PetscReal h = 1e-6, w0 = W[e];
      W[e] = w0 + h;
      PetscCall(ICLBilinearLossGrad(&p, W, &lp, 0.0, NULL));
      W[e] = w0 - h;
      PetscCall(ICLBilinearLossGrad(&p, W, &lm, 0.0, NULL));
      W[e] = w0;
      CHECK(fabs((lp - lm) / (2 * h) - G[e]) <= 1e-8 * (1 + fabs(G[e])), "loss %d, entry %d: finite difference %.10g vs gradient %.10g", (int)loss_kind, e, (lp - lm) / (2 * h), G[e]);
    }
    /* H D against (grad L(W + h D) - grad L(W - h D)) / 2h */
    const PetscReal h = 1e-5;
    PetscCall(ICLBilinearCurvature(&p, W, curv));
    PetscCall(PetscArrayzero(HD, d * d));
    PetscCall(ICLBilinearHessMult(&p, curv, D, 1.0, HD));
    for (int e = 0; e < d * d; e++) Wh[e] = W[e] + h * D[e];
    PetscCall(PetscArrayzero(Gp, d * d));
    PetscCall(ICLBilinearLossGrad(&p, Wh, &lp, 1.0, Gp));
    for (int e = 0; e < d * d; e++) Wh[e] = W[e] - h * D[e];
    PetscCall(PetscArrayzero(Gm, d * d));
    PetscCall(ICLBilinearLossGrad(&p, Wh, &lm, 1.0, Gm));
    for (int e = 0; e < d * d; e++) {
      const PetscReal fd = (Gp[e] - Gm[e]) / (2 * h);
      CHECK(fabs(fd - HD[e]) <= 1e-7 * (1 + fabs(HD[e])), "loss %d, entry %d: difference of gradients %.10g vs Hessian product %.10g", (int)loss_kind, e, fd, HD[e]);
    }
  }
  p.loss = ICL_LOSS_LOGISTIC;

  {
    PetscInt     steps;
    ICLTrainOutcome outcome;
    PetscCall(PetscArrayzero(W, d * d));
    PetscCall(ICLBilinearGD(&p, 1, 0.3, W, &loss, &steps, &outcome));
    CHECK(steps == 1 && outcome == ICL_TRAIN_DONE, "one step: steps %d, outcome %d", (int)steps, (int)outcome);
    for (int j = 0; j < d; j++)
      for (int i = 0; i < d; i++) {
        PetscReal w1 = 0;
        for (int t = 0; t < B; t++) w1 += Mt[t * d + i] * Vt[t * d + j];
        w1 *= 0.3 / (2.0 * B);
        CHECK(fabs(W[j * d + i] - w1) <= 1e-14, "W_1[%d,%d] = %.16g, closed form %.16g", i, j, W[j * d + i], w1);
      }
    /* An overflowed W (inf - inf in the margins) gives a non-finite loss: GD says so at once. */
    PetscCall(PetscArrayzero(W, d * d));
    W[0] = INFINITY, W[5] = -INFINITY;
    PetscCall(ICLBilinearGD(&p, 50, 0.1, W, &loss, &steps, &outcome));
    CHECK(outcome == ICL_TRAIN_DIVERGED && steps == 0, "a non-finite W must be reported as diverged at step 0 (steps %d, outcome %d)", (int)steps, (int)outcome);
  }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_bilinear_gd")
