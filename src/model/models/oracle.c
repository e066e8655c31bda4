/* oracle: knows the task subspace. gmm: W = U U^T; linreg: the optimal preconditioner W* of
 * docs/models.md at each test context length M (its risk L*), or with -rank r the optimal W*_r of rank r;
 * with -oracle_lora the best LoRA W_0 + Delta, rank(Delta) <= r, W_0 the source law's optimum
 * (docs/lro.md). */
#include "gmm.h"
#include "linreg.h"
#include "linreg_eval.h"
#include "linreg_risk.h"
#include "projection.h"

static PetscBool OracleSupports(const ICLFamily *f) { return f == &ICLFamilyGmm || f == &ICLFamilyLinreg ? PETSC_TRUE : PETSC_FALSE; }
/* on linreg: W*_r, and the best LoRA correction of the source optimum */
static const char *OracleParams(const ICLFamily *f) { return f == &ICLFamilyLinreg ? "rank,oracle_lora" : NULL; }

/* linreg: at each test length M, W* (rank 0) or the best W of rank r, W*_r, for i.i.d.
 * contexts and a fixed task with the cell's covariances. Under RAG or drift no closed form is
 * known: the same matrices (optimal for the stationary law with the same marginals, not for
 * this one) are evaluated by Monte Carlo. */
static PetscErrorCode OracleLinreg(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt  d = cell->task.d;
  const PetscBool exact = ICLLinregExact(&cell->task);
  ICLTaskParams   iid = cell->task;
  PetscReal      *Sx, *Sb, *W, *W0 = NULL, L;

  PetscFunctionBegin;
  iid.R     = cell->eval_R;
  iid.alpha = 0.0;
  iid.drift = 0.0;
  PetscCall(PetscMalloc3((size_t)d * d, &Sx, (size_t)d * d, &Sb, (size_t)d * d, &W));
  if (cell->oracle_lora) {
    ICLTaskParams src = cell->source;
    src.alpha = src.drift = 0.0;
    PetscCall(PetscMalloc1((size_t)2 * d * d, &W0)); /* W_0, then W_0 / M */
    PetscCall(ICLLinregOptimalBase(cell->comm, &src, cell->N, W0));
  }
  PetscCall(ICLLinregCovariances(&iid, Sx, Sb));
  for (PetscInt a = 0; a < cell->nM; a++) {
    const PetscReal M = (PetscReal)cell->M[a], sigma2 = iid.sigma * iid.sigma;
    if (W0) {
      /* W_0 is normalized (x_q^T W_0 h): at length M the unnormalized base is W_0 / M */
      for (PetscInt i = 0; i < d * d; i++) W0[d * d + i] = W0[i] / M;
      PetscCall(ICLLinregOptimalCorrectionWeighted(d, Sx, Sb, sigma2, M, M, W0 + d * d, cell->w_rank, W, &L));
    } else if (cell->w_rank > 0) PetscCall(ICLLinregOptimalRankWeighted(d, Sx, Sb, sigma2, M, M, cell->w_rank, W, &L));
    else PetscCall(ICLLinregOptimal(cell->comm, d, Sx, Sb, sigma2, cell->M[a], W, &L));
    if (exact) {
      res->test_error[a]    = L;
      res->test_error_se[a] = 0.0;
    } else {
      ICLCell one = *cell; /* this M only: W depends on it */
      one.M  = &cell->M[a];
      one.nM = 1;
      for (PetscInt i = 0; i < d * d; i++) W[i] *= M; /* to the normalized predictor x_q^T W h */
      PetscCall(ICLLinregErrorOfW(&one, W, NULL, &res->test_error[a], &res->test_error_se[a]));
    }
  }
  PetscCall(PetscFree3(Sx, Sb, W));
  PetscCall(PetscFree(W0));
  res->status = ICL_STATUS_OK;
  PetscFunctionReturn(0);
}

static PetscErrorCode OracleRun(const ICLCell *cell, ICLCellResult *res)
{
  PetscFunctionBegin;
  if (cell->family == &ICLFamilyGmm) PetscCall(ICLProjectionRun(cell, cell->task.k, res));
  else PetscCall(OracleLinreg(cell, res));
  PetscFunctionReturn(0);
}

/* linreg: a d x d solve (an SVD and two eigendecompositions for W*_r) per M, and the evaluation. */
static PetscReal OracleFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  if (cell->family == &ICLFamilyGmm) return ICLProjectionFlops(cell);
  return (cell->w_rank > 0 || cell->oracle_lora ? 40.0 : 4.0) * cell->nM * d * d * d + (ICLLinregExact(&cell->task) ? 0.0 : ICLLinregErrorOfWFlops(cell));
}

static PetscReal OracleMemory(const ICLCell *cell, PetscInt group_size) { return cell->family == &ICLFamilyGmm ? ICLProjectionMemory(cell, group_size) : 16.0 * sizeof(PetscReal) * cell->task.d * cell->task.d; }

/* The cost model's efficiency (ICLModelType): closed forms per M (gmm: one-dimensional integrals), milliseconds a cell. */
static PetscReal OracleEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.065;
}

const ICLModelType ICLModelOracle = {
  .name        = "oracle",
  .description = "knows the subspace: gmm W = U U^T, linreg the optimal W* or, with -rank r, W*_r (exact); -oracle_lora: the best LoRA correction of the source optimum",
  .supports    = OracleSupports,
  .run         = OracleRun,
  .flops       = OracleFlops,
  .efficiency  = OracleEfficiency,
  .memory      = OracleMemory,
  .params      = OracleParams,
};
