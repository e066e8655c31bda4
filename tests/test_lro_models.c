/* Li-Rawat-Oymak models (lowrank, h3, oracle W*_r) and the linreg evaluation of any W:
 *   - gradients of lowrank (squared, logistic and sphere cross-entropy loss) and of h3 against central finite
 *     differences on random problems: relative error <= 1e-6 (the differences' own error is
 *     about 1e-9 at step 1e-5);
 *   - the Monte Carlo evaluator (mc_eval.h) with this test's own predictor for linear,
 *     x_q^T (W/M) X^T y, within 4 standard errors of the closed form L(W) at M = 4, 8, 16, and a
 *     closed form with N+1 for N rejected by the same test at M = 4 (at larger M the difference
 *     is below 4 se of 20000 tasks);
 *   - ICLLinregErrorOfW on its Monte Carlo path (forced by a drift of 1e-9, which changes the
 *     risk by ~1e-18) with non-uniform h3 weights within 4 se of its exact path;
 *   - RAG (issue 4): the Monte Carlo path at alpha = 0.3 for the best isotropic W = c I within
 *     4 se of the exact RAG risk B + sigma^2 - num^2/den, and 4 se away from the i.i.d. one
 *     (test_linreg_risk checks the formula and the effective-sample-size rule themselves);
 *   - W*_r: for Sx = I and a shuffled diagonal Sb equal to the independent formula L*_r to
 *     1e-10; for random SPD Sx, Sb: L*_r falls with r, L*_d = L*, and perturbing the factors of
 *     W*_r never lowers the risk. */
#include <petscsys.h>

#include "bilinear_gd.h"
#include "check_gradient.h"
#include "h3.h"
#include "linreg.h"
#include "linreg_eval.h"
#include "linreg_risk.h"
#include "lowrank.h"
#include "mc_eval.h"
#include "multiclass_gd.h"

enum { D = 4, R = 2, NB = 30, NH = 5 };

/* An ICLLossGradFn view (gd.h) of h3's gradient, for check_gradient.h. */
typedef struct {
  ICLH3Problem *p;
  PetscReal     grad[D * D + NH];
} H3Ctx;
static PetscErrorCode H3LossGrad(void *ctx, const PetscReal *x, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  H3Ctx *c = ctx;
  PetscFunctionBegin;
  PetscCall(ICLH3LossGrad(c->p, x, x + D * D, loss, c->grad, c->grad + D * D));
  if (G) PetscCall(ICLAxpy(D * D + NH, alpha, c->grad, G));
  PetscFunctionReturn(0);
}

/* Central differences with step 1e-5 (their own error is about 1e-9): relative error <= 1e-6. */
static PetscErrorCode GradientChecks(ICLStream *s)
{
  PetscFunctionBegin;
  {
    PetscReal Mt[D * NB], Vt[D * NB], y[NB], work[D * NB], AB[2 * D * R], W[D * D], G[D * D], grad[2 * D * R];
    ICLStreamNormals(s, D * NB, Mt);
    ICLStreamNormals(s, D * NB, Vt);
    ICLStreamNormals(s, NB, y);
    ICLStreamNormals(s, 2 * D * R, AB);
    for (int l = 0; l < 2; l++) {
      ICLBilinearProblem p = {.comm = PETSC_COMM_SELF, .loss = l ? ICL_LOSS_LOGISTIC : ICL_LOSS_SQUARED, .B = NB, .B_local = NB, .d = D, .Mt = Mt, .Vt = Vt, .target = y, .work = work};
      ICLLowrankProblem  c = {.f = ICLBilinearLossGradCtx, .ctx = &p, .d = D, .r = R, .W = W, .G = G, .grad = grad};
      PetscCall(CheckGradient(ICLLowrankLossGrad, &c, AB, 2 * D * R, 1e-5, 1e-6, l ? "lowrank (A, B), logistic loss" : "lowrank (A, B), squared loss"));
    }
    /* sphere: the cross-entropy of logits H A B^T x_q over C = 3 classes */
    {
      enum { C = 3 };
      PetscReal            H[NB * C * D], Y[C * NB] = {0};
      ICLMulticlassProblem p = {.comm = PETSC_COMM_SELF, .B = NB, .B_local = NB, .d = D, .C = C, .H = H, .Q = Mt, .Y = Y, .work = work};
      ICLLowrankProblem    c = {.f = ICLMulticlassLossGrad, .ctx = &p, .d = D, .r = R, .W = W, .G = G, .grad = grad};
      ICLStreamNormals(s, NB * C * D, H);
      for (int t = 0; t < NB; t++) Y[t * C + (t * 5) % C] = 1.0;
      PetscCall(CheckGradient(ICLLowrankLossGrad, &c, AB, 2 * D * R, 1e-5, 1e-6, "lowrank (A, B), sphere cross-entropy"));
    }
  }
  {
    PetscReal Z[D * NB * NH], Xq[D * NB], yq[NB], g[D * NB], u[D * NB], buf[D * D + NH + 1], x[D * D + NH];
    ICLStreamNormals(s, D * NB * NH, Z);
    ICLStreamNormals(s, D * NB, Xq);
    ICLStreamNormals(s, NB, yq);
    ICLStreamNormals(s, D * D + NH, x);
    ICLH3Problem p = {.comm = PETSC_COMM_SELF, .B = NB, .B_local = NB, .d = D, .N = NH, .Z = Z, .Xq = Xq, .yq = yq, .g = g, .u = u, .buf = buf};
    H3Ctx        c = {.p = &p};
    PetscCall(CheckGradient(H3LossGrad, &c, x, D * D + NH, 1e-5, 1e-6, "h3 (W, theta)"));
  }
  PetscFunctionReturn(0);
}

/* This test's own linear predictor: x_q^T (W/M) X^T y, plain loops. */
static PetscErrorCode LinearPredict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  const PetscReal *W = ctx;
  PetscReal        g[D] = {0};
  for (PetscInt i = 0; i < M; i++)
    for (PetscInt j = 0; j < D; j++) g[j] += Y[i] * X[i * D + j] / M;
  out[0] = 0.0;
  for (PetscInt i = 0; i < D; i++)
    for (PetscInt j = 0; j < D; j++) out[0] += xq[i] * W[i + j * D] * g[j];
  return 0;
}

static PetscErrorCode MonteCarloChecks(ICLStream *s)
{
  const PetscInt  M[3] = {4, 8, 16};
  const double    lambda[3] = {0.6, 0.3, 0.1};
  ICLCell         cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilyLinreg, .N = 8, .eval_R = 1.0, .M = M, .nM = 3, .eval_tasks = 20000};
  PetscReal       W[D * D], Sx[D * D], Sb[D * D], Wm[D * D], mc[3], se[3], ex[3], exse[3], L, Lbad;

  PetscFunctionBegin;
  cell.task = (ICLTaskParams){.d = D, .k = 3, .R = 1.0, .seed = 5, .sigma = 0.5, .spectrum = ICL_SPECTRUM_LIST, .spectrum_list = lambda};
  for (PetscInt i = 0; i < D * D; i++) W[i] = 0.3 * ICLStreamNormal(s) + (i % (D + 1) == 0 ? 0.5 : 0.0);
  PetscCall(ICLLinregCovariances(&cell.task, Sx, Sb));
  PetscCall(ICLMonteCarloError(&cell, LinearPredict, W, mc, se));
  for (PetscInt a = 0; a < 3; a++) {
    for (PetscInt i = 0; i < D * D; i++) Wm[i] = W[i] / M[a];
    PetscCall(ICLLinregRisk(D, Sx, Sb, 0.25, M[a], Wm, &L));
    PetscCall(ICLLinregRisk(D, Sx, Sb, 0.25, M[a] + 1, Wm, &Lbad));
    printf("mc_eval, linear, M = %d: MC %.5f +- %.5f, closed form %.5f (%+.1f se); N+1 for N %.5f\n", (int)M[a], mc[a], se[a], L, (mc[a] - L) / se[a], Lbad);
    CHECK_NEAR(mc[a], L, 4 * se[a], "Monte Carlo vs closed-form risk of linear");
    if (a == 0) CHECK(fabs(mc[a] - Lbad) > 4 * se[a], "N+1 for N not detected at M = %d", (int)M[a]);
  }

  /* ICLLinregErrorOfW: Monte Carlo path (drift 1e-9) against the exact path, with h3 weights. */
  {
    PetscReal omega[8];
    for (PetscInt i = 0; i < 8; i++) omega[i] = (0.5 + 0.25 * i) / 8;
    PetscCall(ICLLinregErrorOfW(&cell, W, omega, ex, exse));
    cell.task.drift = 1e-9;
    PetscCall(ICLLinregErrorOfW(&cell, W, omega, mc, se));
    cell.task.drift = 0.0;
    for (PetscInt a = 0; a < 3; a++) {
      printf("linreg_eval, h3 weights, M = %d: Monte Carlo path %.5f +- %.5f, exact path %.5f (%+.1f se)\n", (int)M[a], mc[a], se[a], ex[a], (mc[a] - ex[a]) / se[a]);
      CHECK(exse[a] == 0.0, "exact path must report se = 0");
      CHECK_NEAR(mc[a], ex[a], 4 * se[a], "Monte Carlo vs exact path of ICLLinregErrorOfW");
    }
  }

  /* RAG at alpha = 0.3, flat Sigma_beta = (1/d) I, W = c I with the best isotropic c at M. */
  {
    const PetscInt Mr[2] = {5, 20};
    const double   alpha = 0.3, s2 = 0.1;
    ICLCell        rag = {.comm = PETSC_COMM_SELF, .family = &ICLFamilyLinreg, .N = 5, .eval_R = 1.0, .nM = 1, .eval_tasks = 20000};
    rag.task = (ICLTaskParams){.d = D, .k = D, .R = 1.0, .seed = 9, .sigma = sqrt(s2), .alpha = alpha};
    for (PetscInt a = 0; a < 2; a++) {
      PetscReal num, den, Wc[D * D] = {0}, err, errse;
      ICLLinregRagIsotropicMoments(D, 1.0, s2, Mr[a], alpha, &num, &den);
      for (PetscInt i = 0; i < D; i++) Wc[i + i * D] = Mr[a] * num / den; /* normalized: (W/M) is c I */
      rag.M = &Mr[a];
      PetscCall(ICLLinregErrorOfW(&rag, Wc, NULL, &err, &errse));
      const PetscReal exact = ICLLinregRagIsotropicBestRisk(D, 1.0, s2, Mr[a], alpha), iid = ICLLinregRagIsotropicBestRisk(D, 1.0, s2, Mr[a], 0.0);
      printf("RAG alpha = %.1f, M = %d: Monte Carlo %.5f +- %.5f, exact %.5f (%+.1f se), i.i.d. %.5f\n", alpha, (int)Mr[a], err, errse, exact, (err - exact) / errse, iid);
      CHECK_NEAR(err, exact, 4 * errse, "RAG Monte Carlo vs exact best isotropic risk");
      CHECK(fabs(err - iid) > 4 * errse, "RAG had no detectable effect at M = %d", (int)Mr[a]);
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode RankChecks(ICLStream *s)
{
  enum { K = 6, DD = 7 };
  const PetscReal shuffled[K] = {.25, 3, .1, 1, 2, .5};
  PetscReal       Sx[DD * DD] = {0}, Sb[DD * DD] = {0}, Wr[DD * DD], F[DD * DD], L, prev = PETSC_MAX_REAL, Lstar;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < DD; i++) Sx[i + i * DD] = 1.0;
  for (PetscInt i = 0; i < K; i++) Sb[i + i * DD] = shuffled[i];
  for (PetscInt r = 1; r <= K; r++) {
    PetscCall(ICLLinregOptimalRankWeighted(DD, Sx, Sb, 0.3, 10, 10, r, Wr, &L));
    CHECK_NEAR(L, ICLLinregOptimalRankRisk(K, shuffled, 0.3, 10, r), 1e-10, "W*_r vs the diagonal L*_r formula");
  }
  /* Random SPD Sx = F F^T + I/2 and Sb = F' F'^T (rank 3) in dimension 4. */
  for (PetscInt i = 0; i < DD * DD; i++) F[i] = ICLStreamNormal(s);
  for (PetscInt i = 0; i < D; i++)
    for (PetscInt j = 0; j < D; j++) {
      Sx[i + j * D] = i == j ? 0.5 : 0.0, Sb[i + j * D] = 0.0;
      for (PetscInt l = 0; l < D; l++) Sx[i + j * D] += F[i + l * D] * F[j + l * D] / D;
      for (PetscInt l = 0; l < 3; l++) Sb[i + j * D] += F[i + (l + D) * D] * F[j + (l + D) * D] / D;
    }
  PetscCall(ICLLinregOptimal(PETSC_COMM_SELF, D, Sx, Sb, 0.2, 6, NULL, &Lstar));
  for (PetscInt r = 1; r <= D; r++) {
    PetscCall(ICLLinregOptimalRankWeighted(D, Sx, Sb, 0.2, 6, 6, r, Wr, &L));
    printf("random SPD: L*_%d = %.6f (L* = %.6f)\n", (int)r, L, Lstar);
    CHECK(L <= prev * (1 + 1e-12), "L*_r must not grow with r");
    CHECK(L >= Lstar * (1 - 1e-12), "L*_r below L*");
    prev = L;
    /* Rank-r perturbations W*_r + eps (a b^T) restricted to the column and row spaces keep the
     * rank; any W of rank <= r near W*_r is W*_r + such terms to first order. */
    for (PetscInt t = 0; t < 5 && r < D; t++) {
      PetscReal P[D * D], a0[D], b0[D], a[D] = {0}, b[D] = {0}, Lp;
      ICLStreamNormals(s, D, a0);
      ICLStreamNormals(s, D, b0);
      for (PetscInt i = 0; i < D; i++)
        for (PetscInt l = 0; l < D; l++) a[i] += Wr[i + l * D] * a0[l], b[i] += b0[l] * Wr[l + i * D];
      for (PetscInt j = 0; j < D; j++)
        for (PetscInt i = 0; i < D; i++) P[i + j * D] = Wr[i + j * D] + 1e-3 * (a[i] * b[j]);
      PetscCall(ICLLinregRiskWeighted(D, Sx, Sb, 0.2, 6, 6, P, &Lp));
      CHECK(Lp >= L * (1 - 1e-12), "a perturbation of W*_r lowered the risk (%.12g < %.12g)", Lp, L);
    }
  }
  CHECK_NEAR(prev, Lstar, 1e-10 * Lstar, "L*_d = L*");
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  ICLStream s;

  PetscFunctionBegin;
  ICLStreamInit(&s, 2026, ICL_PURPOSE_TOKENS, 3, 0, 0);
  PetscCall(GradientChecks(&s));
  PetscCall(MonteCarloChecks(&s));
  PetscCall(RankChecks(&s));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_lro_models")
