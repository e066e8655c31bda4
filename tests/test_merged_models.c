/* Models built on merged_problem.h, end to end (ICLModelType.run) on the families they were
 * extended to:
 *   - lowrank with r = d against linear, same cell (same B = 2000 training and 4000 test tasks):
 *     sphere (d = 6, k = 3, C = 3, R = 3, N = M = 6, T = 300, eta = 2): the factored GD reaches a
 *     lower cross-entropy (its effective step grows with |W|), but the test errors must agree
 *     within 3 sqrt(se_1^2 + se_2^2) (conservative: common test tasks correlate the two);
 *     distreg (R = 1, T = 1000, eta = 0.5): the squared loss is convex in W and both converge,
 *     so the training losses and the test errors must agree to 1e-3, relative (measured:
 *     1e-4 and 2e-4; at T = 300 lowrank is still 3e-3 above linear's loss); with r = 2 the
 *     diagnostics' singular values of W = A B^T vanish from the third on (<= 1e-12 of the first);
 *   - gd1 on linreg with Sigma_x = I and flat Sigma_beta (k = d = 5, R = 1, sigma = 0.5,
 *     N = M = 10): the population first step is prop. to I and so is W* here, so the best
 *     isotropic risk min_c L(c I) is L*; gd1's exact risk must lie in [L*, (1 + 1e-3) L*] at
 *     B = 200000 training tasks (measured: 2.3e-4), and its excess must be smaller there than
 *     at B = 2000 (4.4e-2): the finite-B scatter of W_1 about c I is what it measures. */
#include <petscsys.h>

#include "check.h"
#include "distreg.h"
#include "linreg.h"
#include "linreg_risk.h"
#include "model.h"
#include "sphere.h"

/* Runs model name on cell; err, se: length cell->nM. */
static PetscErrorCode RunModel(const char *name, const ICLCell *cell, PetscReal *err, PetscReal *se, ICLCellResult *res)
{
  const ICLModelType *model = ICLModelFind(name);

  PetscFunctionBegin;
  PetscCheck(model, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "no model %s", name);
  *res = (ICLCellResult){.test_error = err, .test_error_se = se};
  PetscCall(model->run(cell, res));
  CHECK(res->status == ICL_STATUS_OK, "%s on %s: status %d (%s)", name, cell->family->name, (int)res->status, res->message);
  PetscFunctionReturn(0);
}

static PetscErrorCode LowrankFullRank(void)
{
  const PetscInt M = 6;
  ICLCell        cell = {.comm = PETSC_COMM_SELF, .N = 6, .B = 2000, .T = 300, .M = &M, .nM = 1, .eval_tasks = 4000, .w_rank = 6};
  PetscReal      err[2], se[2];
  ICLCellResult  lin, low;

  PetscFunctionBegin;
  cell.family = &ICLFamilySphere, cell.task = (ICLTaskParams){.d = 6, .k = 3, .R = 3.0, .seed = 4, .classes = 3};
  cell.eval_R = cell.task.R, cell.lr = 2.0;
  PetscCall(RunModel("linear", &cell, &err[0], &se[0], &lin));
  PetscCall(RunModel("lowrank", &cell, &err[1], &se[1], &low));
  const PetscReal tol = 3 * PetscSqrtReal(se[0] * se[0] + se[1] * se[1]);
  printf("sphere: linear error %.5f +- %.5f (loss %.4f), lowrank r = d %.5f +- %.5f (loss %.4f), tolerance %.4f\n", err[0], se[0], lin.train_loss, err[1], se[1], low.train_loss, tol);
  CHECK_NEAR(err[1], err[0], tol, "sphere: lowrank r = d vs linear test error");

  cell.family = &ICLFamilyDistreg, cell.task = (ICLTaskParams){.d = 6, .k = 3, .R = 1.0, .seed = 4};
  cell.eval_R = cell.task.R, cell.lr = 0.5, cell.T = 1000;
  PetscCall(RunModel("linear", &cell, &err[0], &se[0], &lin));
  PetscCall(RunModel("lowrank", &cell, &err[1], &se[1], &low));
  printf("distreg: linear error %.6f +- %.6f (loss %.6f), lowrank r = d %.6f +- %.6f (loss %.6f)\n", err[0], se[0], lin.train_loss, err[1], se[1], low.train_loss);
  CHECK_NEAR(low.train_loss, lin.train_loss, 1e-3 * lin.train_loss, "distreg: lowrank r = d vs linear training loss");
  CHECK_NEAR(err[1], err[0], 1e-3 * err[0], "distreg: lowrank r = d vs linear test error");

  /* the diagnostics see W = A B^T: rank r, so singular values r.. vanish; NaN past d */
  cell.w_rank = 2;
  PetscCall(RunModel("lowrank", &cell, &err[1], &se[1], &low));
  printf("distreg lowrank r = 2: singular values %.3g %.3g %.3g, gd_distance %.3f\n", low.singular_values[0], low.singular_values[1], low.singular_values[2], low.gd_distance);
  CHECK(low.singular_values[1] > 0 && low.singular_values[2] <= 1e-12 * low.singular_values[0], "lowrank r = 2: singular values %g, %g, %g", low.singular_values[0], low.singular_values[1], low.singular_values[2]);
  CHECK(PetscIsNanReal(low.singular_values[6]) && low.gd_distance >= 0 && low.gd_distance <= 2, "lowrank r = 2: sv[6] %g (d = 6: NaN), gd_distance %g", low.singular_values[6], low.gd_distance);
  PetscFunctionReturn(0);
}

/* min_c L(c I) of the normalized predictor at M (S1 = 1, S2 = 1/M): L is quadratic in c, so
 * three values fix it. */
static PetscErrorCode BestIsotropicRisk(const ICLTaskParams *task, PetscInt M, PetscReal *best)
{
  const PetscInt d = task->d;
  PetscReal      Sx[d * d], Sb[d * d], W[d * d], L[3];

  PetscFunctionBegin;
  PetscCall(ICLLinregCovariances(task, Sx, Sb));
  for (PetscInt c = 0; c < 3; c++) {
    for (PetscInt i = 0; i < d * d; i++) W[i] = i % (d + 1) == 0 ? (PetscReal)c : 0.0;
    PetscCall(ICLLinregRiskWeighted(d, Sx, Sb, task->sigma * task->sigma, 1.0, 1.0 / M, W, &L[c]));
  }
  /* L(c) = L0 + b c + a c^2 */
  const PetscReal a = (L[2] - 2 * L[1] + L[0]) / 2, b = L[1] - L[0] - a;
  *best = L[0] - b * b / (4 * a);
  PetscFunctionReturn(0);
}

static PetscErrorCode Gd1Linreg(void)
{
  const PetscInt  M = 10, Bs[2] = {2000, 200000};
  ICLCell         cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilyLinreg, .N = 10, .eval_R = 1.0, .M = &M, .nM = 1, .eval_tasks = 1};
  PetscReal       best = 0.0, err = 0.0, se, excess[2];
  ICLCellResult   res;

  PetscFunctionBegin;
  cell.task = (ICLTaskParams){.d = 5, .k = 5, .R = 1.0, .seed = 11, .sigma = 0.5};
  PetscCall(BestIsotropicRisk(&cell.task, M, &best));
  for (PetscInt b = 0; b < 2; b++) {
    cell.B = Bs[b];
    PetscCall(RunModel("gd1", &cell, &err, &se, &res));
    excess[b] = err / best - 1;
    printf("linreg gd1, B = %d: risk %.6f, best isotropic %.6f (excess %.2e), training loss %.6f\n", (int)Bs[b], err, best, excess[b], res.train_loss);
    CHECK(err >= best * (1 - 1e-12), "gd1 risk %.10g below the best isotropic (= optimal) risk %.10g", err, best);
  }
  CHECK(excess[1] <= 1e-3, "gd1 at B = %d: excess %.3g over the best isotropic risk, tolerance 1e-3", (int)Bs[1], excess[1]);
  CHECK(excess[1] < excess[0], "gd1's excess did not fall with B: %.3g at B = %d, %.3g at B = %d", excess[0], (int)Bs[0], excess[1], (int)Bs[1]);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  PetscFunctionBegin;
  PetscCall(LowrankFullRank());
  PetscCall(Gd1Linreg());
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_merged_models")
