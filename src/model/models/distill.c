/* distill (distreg; Liu & Zhou's linearization): the `kernel` model trained to match a fixed
 * softmax-attention teacher instead of the data,
 *   teacher(x_q) = c sum_i y_i softmax_i(x_i^T A x_q),   A = I / d, c = 1,
 * attention at temperature d, not trained (so distill does not depend on how the softmax model
 * trains). Temperature d rather than sqrt(d): the student starts at W_K^T W_Q = A (kernel.c), and
 * the prf estimate of the teacher's weights exp(x_i^T A x_q) has finite variance only when A is
 * this small (for x ~ N(c, I) and A = a I, E exp(|W_K x_i + W_Q x_q|^2) is finite iff a < 1/4,
 * i.e. d > 4 here; a = 1/sqrt(d) would need d > 16). The residual gap
 * is the teacher's normalization and, for prf, the D^(-1/2) feature noise.
 *
 * Where the results go: test_error is the student's mean squared error to the true y_q, as for
 * every distreg model; train_loss is the final distillation loss, the mean (student - teacher)^2
 * on the B training tasks; the gap to the teacher on the test tasks, E (student - teacher)^2 with
 * its standard error at every M, has no variable in results.nc and goes in the message. */
#include "distreg.h"
#include "kernel.h"
#include "softmax_attention.h"

typedef struct {
  PetscInt   d;
  PetscReal *A; /* d x d column-major */
} Teacher;

static PetscErrorCode TeacherPredict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  const Teacher *t = (const Teacher *)ctx;

  PetscFunctionBegin;
  ICLSoftmaxAttention(t->d, M, 1, X, Y, xq, t->A, 1.0, out);
  PetscFunctionReturn(0);
}

/* Teacher flops on one task of M tokens: A x_q, the M scores, their softmax and the sum. */
static PetscReal TeacherFlops(PetscReal d, PetscReal M) { return 2.0 * d * d + M * (2.0 * d + 25.0); }

static PetscBool DistillSupports(const ICLFamily *f) { return f == &ICLFamilyDistreg ? PETSC_TRUE : PETSC_FALSE; }

static PetscErrorCode DistillRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt d = cell->task.d;
  Teacher        teacher = {.d = d};
  ICLKernelFit   fit;
  PetscReal     *gap, *se;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1((size_t)d * d, &teacher.A));
  for (PetscInt i = 0; i < d; i++) teacher.A[i * (d + 1)] = 1.0 / d;
  PetscCall(PetscMalloc2(cell->nM, &gap, cell->nM, &se));
  PetscCall(ICLKernelFitCell(cell, TeacherPredict, &teacher, &fit, res));
  res->flops += cell->B * TeacherFlops(d, cell->N);
  if (res->status == ICL_STATUS_OK) {
    size_t len = 0;
    PetscCall(ICLMonteCarloGap(cell, ICLKernelFitPredict, &fit, TeacherPredict, &teacher, gap, se));
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "test gap to the teacher E(student-teacher)^2:"));
    /* as many M as the message holds */
    for (PetscInt a = 0; a < cell->nM; a++) {
      PetscCall(PetscStrlen(res->message, &len));
      if (sizeof res->message - len < 40) break;
      PetscCall(PetscSNPrintf(res->message + len, sizeof res->message - len, " M=%d %.4g+-%.2g", (int)cell->M[a], (double)gap[a], (double)se[a]));
    }
    for (PetscInt a = 0; a < cell->nM; a++) res->flops += cell->eval_tasks * (TeacherFlops(d, cell->M[a]) + ICLKernelAttentionFlops(fit.phi.kind, d, cell->features, cell->M[a], 1));
  }
  PetscCall(ICLKernelFitDestroy(&fit));
  PetscCall(PetscFree2(gap, se));
  PetscCall(PetscFree(teacher.A));
  PetscFunctionReturn(0);
}

static PetscReal DistillFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  PetscReal       gap = 0.0;
  for (PetscInt a = 0; a < cell->nM; a++) gap += cell->eval_tasks * (TeacherFlops(d, cell->M[a]) + ICLKernelAttentionFlops((ICLFeatureMapKind)cell->feature_map, cell->task.d, cell->features, cell->M[a], 1));
  return ICLKernelFitFlops(cell) + cell->B * TeacherFlops(d, cell->N) + gap + ICLMonteCarloSampleFlops(cell);
}

/* The kernel model's memory and the teacher's A. */
static PetscReal DistillMemory(const ICLCell *cell, PetscInt g) { return ICLKernelFitMemory(cell, g) + sizeof(PetscReal) * (PetscReal)cell->task.d * cell->task.d; }

/* The cost model's efficiency (ICLModelType): feature maps and sums over tokens of small d. */
static PetscReal DistillEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.6;
}

const ICLModelType ICLModelDistill = {
  .name        = "distill",
  .description = "kernel model trained to match a fixed softmax-attention teacher (A = I/sqrt(d), c = 1); gap to the teacher in the message",
  .supports    = DistillSupports,
  .run         = DistillRun,
  .flops       = DistillFlops,
  .efficiency  = DistillEfficiency,
  .memory      = DistillMemory,
  .reads       = ICL_READS_TRAINING,
  .params      = ICLKernelParams,
  .choices     = ICLKernelChoices,
};
