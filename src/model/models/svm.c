/* svm: MV's in-context-only baseline. At every test context length M, a linear SVM is fitted
 * to the M context points (x_i, y_i) of each test task (the explicit test tokens of
 * ICLGmmTokens, sharing mu with every other model's test tasks) and scored exactly over the
 * query (ICLGmmAccuracyOfAffine). Nothing is trained across tasks.
 *
 * The fit is sklearn's LinearSVC() with its defaults, through the library it wraps (liblinear):
 *   solver L2R_L2LOSS_SVC_DUAL (penalty='l2', loss='squared_hinge', dual=True), C = 1,
 *   eps = 1e-4 (tol), intercept as liblinear's bias feature of value 1 (fit_intercept=True,
 *   intercept_scaling=1: x becomes [x; 1], so b is regularized with w), 1000 iterations at
 *   most (liblinear's cap, sklearn's max_iter), i.e. the unique minimizer of
 *     1/2 (||w||^2 + b^2) + C sum_i max(0, 1 - y_i (w^T x_i + b))^2.
 * A context with a single label (always at M = 1; with probability 2^(1-M) otherwise) has no
 * second class: liblinear then predicts that label for every x (sklearn refuses to fit), the
 * constant classifier w = 0, whose accuracy is exactly 1/2. */
#include <linear.h>
#include <stdlib.h>

#include "gmm.h"
#include "group.h"
#include "gmm_accuracy.h"
#include "mc_eval.h"
#include "svm.h"

#define ICL_SVM_C   1.0
#define ICL_SVM_EPS 1e-4
#define ICL_SVM_ORDER_SEED 1u

static void Quiet(const char *s) { (void)s; }

PetscErrorCode ICLSvmFit(PetscInt d, PetscInt M, const PetscReal *X, const PetscReal *y, PetscReal *w, PetscReal *b)
{
  struct feature_node *nodes, **rows;
  struct parameter     param = {.solver_type = L2R_L2LOSS_SVC_DUAL, .eps = ICL_SVM_EPS, .C = ICL_SVM_C};
  struct problem       prob  = {.l = (int)M, .n = (int)d + 1, .bias = 1.0};
  struct model        *model;
  PetscInt             i = 1;
  const char          *bad;

  PetscFunctionBegin;
  PetscCheck(M >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "svm needs at least one context point, got M = %d", (int)M);
  bad = check_parameter(&prob, &param);
  PetscCheck(!bad, PETSC_COMM_SELF, PETSC_ERR_LIB, "liblinear rejects the svm parameters: %s", bad);
  for (PetscInt j = 0; j < M; j++) PetscCheck(y[j] == 1.0 || y[j] == -1.0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "svm labels must be -1 or +1, label %d is %g", (int)j, (double)y[j]);
  while (i < M && y[i] == y[0]) i++;
  if (i == M) {
    PetscCall(PetscArrayzero(w, d));
    *b = y[0];
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc3((size_t)M * (d + 2), &nodes, M, &rows, M, &prob.y));
  for (i = 0; i < M; i++) {
    struct feature_node *row = nodes + (size_t)i * (d + 2);
    for (PetscInt j = 0; j < d; j++) row[j] = (struct feature_node){.index = (int)j + 1, .value = X[(size_t)i * d + j]};
    row[d]     = (struct feature_node){.index = (int)d + 1, .value = prob.bias};
    row[d + 1] = (struct feature_node){.index = -1};
    rows[i]    = row;
    prob.y[i]  = y[i];
  }
  prob.x = rows;
  set_print_string_function(Quiet); /* liblinear prints its iterations to stdout otherwise */
  /* liblinear visits the points in an order drawn from rand(): a fixed seed per fit makes w a
   * function of the data alone, whichever rank fits it after whatever else. */
  srand(ICL_SVM_ORDER_SEED);
  model = train(&prob, &param);
  if (!model) {
    PetscCall(PetscFree3(nodes, rows, prob.y));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "liblinear train() failed on %d points", (int)M);
  }
  {
    /* Coefficients are reported per label: take those of the class +1. */
    int labels[2], pos;
    get_labels(model, labels);
    pos = labels[0] == 1 ? 0 : 1;
    for (PetscInt j = 0; j < d; j++) w[j] = get_decfun_coef(model, (int)j + 1, pos);
    *b = get_decfun_bias(model, pos);
  }
  free_and_destroy_model(&model);
  PetscCall(PetscFree3(nodes, rows, prob.y));
  PetscFunctionReturn(0);
}

static PetscBool SvmSupports(const ICLFamily *f) { return f == &ICLFamilyGmm ? PETSC_TRUE : PETSC_FALSE; }

/* Cost model of one fit: dual coordinate descent sweeps over the M points, each about
 * 4 M (d + 1) flop, after 2 M (d + 1) for the diagonal. Sweeps measured on gmm at R = 2 with
 * this file's settings (d = 50, 500; M = 5, 20, 100: 5 to 63) follow 5 + 30 M/d within ~40%. */
static PetscReal FitFlops(PetscReal M, PetscReal d) { return (4.0 * PetscMin(5.0 + 30.0 * M / d, 1000.0) + 2.0) * M * (d + 1); }

static PetscReal SvmFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  PetscReal       maxM = 1, fit = 0;
  for (PetscInt a = 0; a < cell->nM; a++) {
    maxM = PetscMax(maxM, cell->M[a]);
    fit += FitFlops(cell->M[a], d) + 4.0 * d;
  }
  return cell->eval_tasks * (fit + 10.0 * (maxM + 2) * d); /* fits and scores; sampling */
}

/* Per rank: the tokens of one test task at the largest M and liblinear's copy of them. */
static PetscReal SvmMemory(const ICLCell *cell, PetscInt group_size)
{
  PetscReal maxM = 1;
  (void)group_size;
  for (PetscInt a = 0; a < cell->nM; a++) maxM = PetscMax(maxM, cell->M[a]);
  return (maxM + 4) * cell->task.d * (sizeof(PetscReal) + sizeof(struct feature_node)) + 2 * maxM * sizeof(PetscReal);
}

static PetscErrorCode SvmRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt d = cell->task.d, n = cell->eval_tasks;
  ICLTaskParams  test = cell->task;
  PetscInt       maxM = 1;
  PetscReal     *X, *y, *xq, *mu, *w, *sums, yq, b, acc;
  PetscBool      stop = PETSC_FALSE;
  PetscInt       j0, nj;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  for (PetscInt a = 0; a < cell->nM; a++) maxM = PetscMax(maxM, cell->M[a]);
  PetscCall(PetscMalloc5((size_t)maxM * d, &X, maxM, &y, d, &xq, d, &mu, d, &w));
  PetscCall(PetscCalloc1(2 * cell->nM, &sums));
  /* A group shares the test tasks out by contiguous blocks and sums the per-task errors. */
  PetscCall(ICLGroupShare(cell->comm, n, &j0, &nj));
  for (PetscInt j = j0; j < j0 + nj && !stop; j++) {
    /* The first M tokens at the largest M are the tokens at M (query drawn first). */
    ICLGmmTokens(&test, (int)maxM, ICL_PURPOSE_TEST_TASK, (uint64_t)j, X, y, xq, &yq);
    ICLGmmTask(&test, ICL_PURPOSE_TEST_TASK, (uint64_t)j, mu);
    for (PetscInt a = 0; a < cell->nM; a++) {
      PetscCall(ICLSvmFit(d, cell->M[a], X, y, w, &b));
      PetscCall(ICLGmmAccuracyOfAffine(d, mu, w, b, &acc));
      sums[2 * a] += 1.0 - acc, sums[2 * a + 1] += (1.0 - acc) * (1.0 - acc);
    }
    stop = cell->cancel && cell->cancel() ? PETSC_TRUE : PETSC_FALSE;
  }
  /* Every rank reaches the reductions, whether or not it was cancelled. */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPIU_BOOL, MPI_LOR, cell->comm));
  PetscCall(ICLMonteCarloMean(cell->comm, n, cell->nM, sums, res->test_error, res->test_error_se));
  res->flops  = SvmFlops(cell);
  res->status = stop ? ICL_STATUS_PENDING : ICL_STATUS_OK;
  PetscCall(PetscFree5(X, y, xq, mu, w));
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(0);
}

/* The cost model's efficiency (ICLModelType): liblinear, one small problem per test task. */
static PetscReal SvmEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.055;
}

const ICLModelType ICLModelSvm = {
  .name        = "svm",
  .description = "linear SVM fitted to each test context (liblinear, sklearn LinearSVC defaults), scored exactly",
  .supports    = SvmSupports,
  .run         = SvmRun,
  .flops       = SvmFlops,
  .efficiency  = SvmEfficiency,
  .memory      = SvmMemory,
};
