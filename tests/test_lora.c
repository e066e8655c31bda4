/* LoRA on linreg (docs/lro.md): closed forms against Monte Carlo and the trained model.
 *   - ICLLinregCovariances gives the sampler's Sigma_x (x_spectrum geometric, alignment 0.5):
 *     the Monte Carlo risk of a random W on tokens drawn with that factor is within 4 se of L(W),
 *     and 4 se away from the risk computed with Sigma_x = I (negative control);
 *   - the optimal correction of W_0 (the source optimum): r = 0 gives L(W_0) and W_0, r = d gives
 *     L* and W*, L_r falls with r, equals L(W_r), perturbing W_r's correction within rank r never
 *     lowers it, the unwhitened truncated SVD of W* - W_0 does worse (negative control), and
 *     the Monte Carlo risk of W_r is within 4 se of L_r;
 *   - the lora model (-lora_base optimal) at d = 4, N = 10, B = 20000: test risk at M = N within
 *     1% of the oracle's -oracle_lora optimum for r = 1, 2; r = d within 1% of L* (full
 *     retraining); r = 0 equal to L(W_0); and r = 1 trained 1% or more above the r = 2 optimum. */
#include <petscsys.h>

#include "check.h"
#include "check_linreg_risk.h"
#include "linreg.h"
#include "linreg_risk.h"
#include "method_gd.h"
#include "model.h"

enum { D = 4, NTR = 10, T = 100000 };

extern const ICLModelType ICLModelLora, ICLModelOracle;

/* One cell of model m at rank r (M = N only); its test error. */
static PetscErrorCode RunModel(const ICLModelType *m, ICLCell cell, PetscInt r, PetscReal *err)
{
  PetscReal     se;
  ICLCellResult res = {.test_error = err, .test_error_se = &se};

  PetscFunctionBegin;
  cell.w_rank = r;
  PetscCall(m->run(&cell, &res));
  PetscCheck(res.status == ICL_STATUS_OK, PETSC_COMM_SELF, PETSC_ERR_PLIB, "%s failed: %s", m->name, res.message);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  const double  sigma = 0.5, s2 = sigma * sigma;
  double        F[D * D], Sx[D * D], Sb[D * D], Sxs[D * D], Sbs[D * D], Id[D * D] = {0}, W[D * D], W0[D * D], Wr[D * D], Ws[D * D], Ls, L0, Lr[D + 1];
  PetscReal     mc, se, L, Lid;
  ICLStream     s;
  ICLTaskParams target = {.d = D, .k = D, .R = 1.0, .seed = 3, .sigma = sigma, .spectrum = ICL_SPECTRUM_GEOMETRIC, .spectrum_param = 0.3, .x_spectrum = ICL_SPECTRUM_GEOMETRIC, .x_spectrum_param = 0.5, .alignment = 0.5};
  ICLTaskParams source = target;

  PetscFunctionBegin;
  source.source = 1, source.spectrum = ICL_SPECTRUM_FLAT, source.alignment = 1.0;
  for (int i = 0; i < D; i++) Id[i * D + i] = 1.0;
  PetscCheck(ICLLinregFeatureFactor(&target, F) == 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "factor");
  PetscCall(ICLLinregCovariances(&target, Sx, Sb));
  target.factor_x = F;
  {
    double Sx2[D * D], Sb2[D * D], diff = 0;
    PetscCall(ICLLinregCovariances(&target, Sx2, Sb2));
    for (int i = 0; i < D * D; i++) diff = fmax(diff, fabs(Sx2[i] - Sx[i]));
    CHECK(diff < 1e-13, "Sigma_x from the options equals F F^T (%g)", diff);
  }

  /* A random W at length NTR. */
  ICLStreamInit(&s, 5, ICL_PURPOSE_TOKENS, 1, 0, 0);
  for (int i = 0; i < D * D; i++) W[i] = (0.3 * ICLStreamNormal(&s) + (i % (D + 1) == 0 ? 0.6 : 0.0)) / NTR;
  PetscCall(ICLLinregRisk(D, Sx, Sb, s2, NTR, W, &L));
  PetscCall(ICLLinregRisk(D, Id, Sb, s2, NTR, W, &Lid));
  CheckLinregRisk(&target, NTR, W, NULL, T, &mc, &se);
  printf("random W, Sigma_x geometric:0.5 at alignment 0.5: MC %.5f +- %.5f, closed form %.5f, with Sigma_x = I %.5f\n", mc, se, L, Lid);
  CHECK_NEAR(mc, L, 4 * se, "MC vs closed-form risk, non-identity Sigma_x");
  CHECK(fabs(mc - Lid) > 4 * se, "Sigma_x = I not rejected");

  /* Optimal corrections of W_0 = W*_source at NTR, on the target at NTR. */
  PetscCall(ICLLinregCovariances(&source, Sxs, Sbs));
  PetscCall(ICLLinregOptimal(PETSC_COMM_SELF, D, Sxs, Sbs, s2, NTR, W0, &L));
  PetscCall(ICLLinregOptimal(PETSC_COMM_SELF, D, Sx, Sb, s2, NTR, Ws, &Ls));
  PetscCall(ICLLinregRisk(D, Sx, Sb, s2, NTR, W0, &L0));
  for (int r = 0; r <= D; r++) {
    PetscCall(ICLLinregOptimalCorrectionWeighted(D, Sx, Sb, s2, NTR, NTR, W0, r, Wr, &Lr[r]));
    PetscCall(ICLLinregRisk(D, Sx, Sb, s2, NTR, Wr, &L));
    CHECK_NEAR(L, Lr[r], 1e-12, "L_r = L(W_r)");
    if (r == 0)
      for (int i = 0; i < D * D; i++) CHECK_NEAR(Wr[i], W0[i], 1e-13, "r = 0: W_0");
    if (r == D)
      for (int i = 0; i < D * D; i++) CHECK_NEAR(Wr[i], Ws[i], 1e-9, "r = d: W*");
    if (r > 0) CHECK(Lr[r] <= Lr[r - 1] + 1e-14, "L_r falls with r");
    if (r == 1) {
      /* perturb the rank-1 correction u v^T within rank 1, and compare the unwhitened SVD */
      double Dl[D * D], u[D], v[D], nv = 0, best = 1e300;
      for (int i = 0; i < D * D; i++) Dl[i] = Wr[i] - W0[i];
      for (int j = 0; j < D; j++) {
        double c = 0;
        for (int i = 0; i < D; i++) c += Dl[i + j * D] * Dl[i + j * D];
        if (c > nv) nv = c, memcpy(u, Dl + j * D, sizeof u);
      }
      for (int j = 0; j < D; j++) {
        double c = 0, nu = 0;
        for (int i = 0; i < D; i++) c += u[i] * Dl[i + j * D], nu += u[i] * u[i];
        v[j] = c / nu; /* Dl = u v^T exactly (rank 1) */
      }
      for (int t = 0; t < 10; t++) {
        double P[D * D], Lp, up[D], vp[D];
        for (int i = 0; i < D; i++) up[i] = u[i] * (1 + 1e-3 * ICLStreamNormal(&s)), vp[i] = v[i] * (1 + 1e-3 * ICLStreamNormal(&s));
        for (int i = 0; i < D; i++)
          for (int j = 0; j < D; j++) P[i + j * D] = W0[i + j * D] + up[i] * vp[j];
        PetscCall(ICLLinregRisk(D, Sx, Sb, s2, NTR, P, &Lp));
        best = fmin(best, Lp);
      }
      CHECK(best > Lr[1], "a rank-1 perturbation lowered the risk (%.12g < %.12g)", best, Lr[1]);
      {
        /* unwhitened: the best rank-1 approximation of W* - W_0 in Frobenius norm (power iteration) */
        double E[D * D], x[D] = {1, 1, 1, 1}, y[D], ny = 0, P[D * D], Lu;
        for (int i = 0; i < D * D; i++) E[i] = Ws[i] - W0[i];
        for (int it = 0; it < 500; it++) {
          double nx = 0;
          for (int j = 0; j < D; j++) {
            y[j] = 0;
            for (int i = 0; i < D; i++) y[j] += E[i + j * D] * x[i];
          }
          for (int i = 0; i < D; i++) {
            x[i] = 0;
            for (int j = 0; j < D; j++) x[i] += E[i + j * D] * y[j];
            nx += x[i] * x[i];
          }
          for (int i = 0; i < D; i++) x[i] /= sqrt(nx);
        }
        for (int j = 0; j < D; j++) {
          y[j] = 0;
          for (int i = 0; i < D; i++) y[j] += E[i + j * D] * x[i];
          ny += y[j] * y[j];
        }
        for (int i = 0; i < D; i++)
          for (int j = 0; j < D; j++) P[i + j * D] = W0[i + j * D] + x[i] * y[j];
        PetscCall(ICLLinregRisk(D, Sx, Sb, s2, NTR, P, &Lu));
        printf("rank 1: whitened optimum %.6f, unwhitened truncated SVD %.6f\n", Lr[1], Lu);
        CHECK(Lu > Lr[1] + 1e-6, "the unwhitened SVD is not the optimum");
      }
      CheckLinregRisk(&target, NTR, Wr, NULL, T, &mc, &se);
      printf("W_1: MC %.5f +- %.5f, closed form L_1 %.5f\n", mc, se, Lr[1]);
      CHECK_NEAR(mc, Lr[1], 4 * se, "MC vs closed-form risk of the optimal rank-1 correction");
    }
  }
  printf("L(W_0) %.5f, L_1..L_d %.5f %.5f %.5f %.5f, L* %.5f\n", L0, Lr[1], Lr[2], Lr[3], Lr[4], Ls);
  CHECK_NEAR(Lr[0], L0, 1e-12, "r = 0: L(W_0)");
  CHECK_NEAR(Lr[D], Ls, 1e-10, "r = d: L*");
  CHECK(L0 > Lr[1] * 1.02, "the shift must matter (L(W_0) %.5f vs L_1 %.5f)", L0, Lr[1]);

  /* The lora model against the oracle's optimum, one test length M = N. */
  {
    const PetscInt M[1] = {NTR};
    ICLCell        cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilyLinreg, .N = NTR, .eval_R = 1.0, .B = 20000, .T = 2000, .lr = 0.2, .M = M, .nM = 1, .eval_tasks = 100, .method = &ICLTrainMethodGd, .lora_base = 1};
    PetscReal      trained[D + 1], optimum[D + 1];
    cell.task           = target;
    cell.source         = source;
    cell.source.factor_x = NULL;
    for (PetscInt r = 0; r <= D; r++) {
      if (r == 3) continue;
      PetscCall(RunModel(&ICLModelLora, cell, r, &trained[r]));
      cell.oracle_lora = PETSC_TRUE;
      PetscCall(RunModel(&ICLModelOracle, cell, r, &optimum[r]));
      cell.oracle_lora = PETSC_FALSE;
      printf("r = %d: lora trained %.5f, optimum %.5f (closed form above %.5f), ratio %.4f\n", (int)r, trained[r], optimum[r], Lr[r], trained[r] / optimum[r]);
      CHECK_NEAR(optimum[r], Lr[r], 1e-10, "oracle -oracle_lora reports the closed form");
      CHECK(trained[r] >= optimum[r] * (1 - 1e-9) && trained[r] <= optimum[r] * 1.01, "trained lora within 1%% of its optimum at r = %d", (int)r);
    }
    CHECK_NEAR(trained[0], L0, 1e-10, "r = 0: lora is W_0");
    CHECK(trained[1] > optimum[2] * 1.01, "rank 1 must not reach the rank-2 optimum (negative control)");
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(Run());
  PetscCall(PetscFinalize());
  return CheckReport("test_lora");
}
