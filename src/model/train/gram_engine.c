#include "gram_engine.h"

#include <stdlib.h>

#include "bilinear_tasks.h"
#include "dual_gd.h"
#include "gmm.h"
#include "gram_accuracy.h"
#include "group.h"
#include "train_method.h"
#include "wishart.h"

/* Degrees of freedom of the orthogonal noise's Gram matrices: d - k. The environment variable
 * ICLSWEEP_TEST_GRAM_DOF_SHIFT adds to it, for the equal-in-law test's negative control only
 * (a wrong law that the two-sample tests must reject). */
static long GramDof(const ICLCell *cell)
{
  const char *shift = getenv("ICLSWEEP_TEST_GRAM_DOF_SHIFT");
  return (long)cell->task.d - cell->task.k + (shift ? atol(shift) : 0);
}

static PetscInt GramRank(const ICLCell *cell) { return (PetscInt)PetscMin(GramDof(cell), (long)cell->B); }

void ICLGramCell(const ICLCell *cell, ICLCell *reduced)
{
  *reduced          = *cell;
  reduced->task.d   = (int)(cell->task.k + GramRank(cell));
  reduced->task.U   = NULL;
  reduced->engine   = ICL_ENGINE_EXPLICIT;
}

/* x[0..k) += scale g (k normals), x[k..k+r) += scale (Bartlett column tau): one stream per
 * (side, task). */
static void AddReducedNoise(const ICLCell *cell, uint64_t side, uint64_t tau, double scale, PetscReal *x, PetscReal *col)
{
  const int k = cell->task.k, r = (int)GramRank(cell);
  ICLStream s;
  ICLStreamInit(&s, cell->task.seed, ICL_PURPOSE_GRAM, ICLHashU64(ICLHashU64(ICLHashU64(ICLHashInit(), (uint64_t)cell->task.d), (uint64_t)k), side), cell->task.replicate, tau);
  for (int i = 0; i < k; i++) x[i] += scale * ICLStreamNormal(&s);
  ICLBartlettColumn(&s, GramDof(cell), r, (int)tau, col);
  for (int i = 0; i < r; i++) x[k + i] += scale * col[i];
}

/* The reduced vectors of tasks [t0, t0 + n): m~ into Mt, v~ into Vt (D x n each). col:
 * scratch of r. */
static PetscErrorCode DrawTasks(const ICLCell *cell, const ICLCell *red, PetscInt t0, PetscInt n, PetscReal *Mt, PetscReal *Vt, PetscReal *col)
{
  const PetscInt D = red->task.d;

  PetscFunctionBegin;
  for (PetscInt t = 0; t < n; t++) {
    const uint64_t tau = (uint64_t)(t0 + t);
    PetscReal     *m = Mt + (size_t)t * D, *v = Vt + (size_t)t * D;
    /* the task's direction is the explicit engine's (keyed by k), in the first k coordinates */
    ICLGmmTask(&red->task, ICL_PURPOSE_TASK, tau, m);
    PetscCall(PetscArraycpy(v, m, D));
    AddReducedNoise(cell, 0, tau, 1.0 / PetscSqrtReal((PetscReal)cell->N), m, col);
    AddReducedNoise(cell, 1, tau, 1.0, v, col);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckCell(const ICLCell *cell)
{
  PetscFunctionBegin;
  PetscCheck(cell->family == &ICLFamilyGmm, PETSC_COMM_SELF, PETSC_ERR_SUP, "-engine gram: family gmm only, not %s", cell->family->name);
  PetscCheck(GramDof(cell) >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "-engine gram: negative degrees of freedom");
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGramProblemCreate(const ICLCell *cell, ICLMergedProblem *p)
{
  ICLCell         red;
  PetscInt        b0, nb, D;
  PetscReal      *Mt, *Vt, *work, *grad = NULL, *col;
  PetscMPIInt     size;

  PetscFunctionBegin;
  PetscCall(CheckCell(cell));
  ICLGramCell(cell, &red);
  D = red.task.d;
  PetscCall(ICLGroupShare(cell->comm, cell->B, &b0, &nb));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  PetscCall(ICLBilinearStacksCreate(nb, D, &Mt, &Vt, &work));
  if (size > 1) PetscCall(PetscMalloc1((size_t)D * D, &grad));
  PetscCall(PetscMalloc1(PetscMax(D, 1), &col));
  PetscCall(DrawTasks(cell, &red, b0, nb, Mt, Vt, col));
  PetscCall(PetscFree(col));
  *p                = (ICLMergedProblem){0};
  p->bilinear       = (ICLBilinearProblem){.comm = cell->comm, .loss = ICL_LOSS_LOGISTIC, .B = cell->B, .B_local = nb, .d = D, .cancel = cell->cancel, .history = cell->history, .Mt = Mt, .Vt = Vt, .work = work, .grad = grad};
  p->f              = ICLBilinearLossGradCtx;
  p->ctx            = &p->bilinear;
  PetscFunctionReturn(0);
}

PetscBool ICLGramWFree(const ICLCell *cell)
{
  const PetscReal D = (PetscReal)cell->task.k + GramRank(cell);
  if (cell->engine == ICL_ENGINE_WFREE) return PETSC_TRUE;
  return cell->precision == ICL_PRECISION_DOUBLE && (!cell->method || cell->method == ICLTrainMethodFind("dual")) && sizeof(PetscReal) * D * D > ICL_GRAM_W_BYTES ? PETSC_TRUE : PETSC_FALSE;
}

static PetscErrorCode WFreeDraw(void *ctx, PetscInt t0, PetscInt n, PetscReal *a, PetscReal *b)
{
  ICLGramWFreeProblem *w = ctx;
  return DrawTasks(&w->cell, &w->reduced, t0, n, a, b, w->col);
}

/* Bartlett column tau has min(tau + 1, r) entries above its zeros. */
static PetscInt WFreeLength(void *ctx, PetscInt tau)
{
  const ICLGramWFreeProblem *w = ctx;
  return w->cell.task.k + PetscMin(tau + 1, GramRank(&w->cell));
}

PetscErrorCode ICLGramWFreeProblemCreate(const ICLCell *cell, ICLGramWFreeProblem *w)
{
  PetscInt  b0, nb, D;
  PetscReal *Mt, *Vt;

  PetscFunctionBegin;
  PetscCall(CheckCell(cell));
  *w = (ICLGramWFreeProblem){.cell = *cell};
  ICLGramCell(cell, &w->reduced);
  D = w->reduced.task.d;
  PetscCall(ICLGroupShare(cell->comm, cell->B, &b0, &nb));
  PetscCall(PetscMalloc2((size_t)nb * D, &Mt, (size_t)nb * D, &Vt));
  PetscCall(PetscMalloc1(PetscMax(D, 1), &w->col));
  PetscCall(DrawTasks(cell, &w->reduced, b0, nb, Mt, Vt, w->col));
  w->source = (ICLTaskSource){.draw = WFreeDraw, .length = WFreeLength, .ctx = w};
  w->p      = (ICLBilinearProblem){.comm = cell->comm, .loss = ICL_LOSS_LOGISTIC, .B = cell->B, .B_local = nb, .d = D, .cancel = cell->cancel, .history = cell->history, .Mt = Mt, .Vt = Vt, .source = &w->source};
  w->first  = b0;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGramWFreeProblemDestroy(ICLGramWFreeProblem *w)
{
  PetscReal *Mt = (PetscReal *)w->p.Mt, *Vt = (PetscReal *)w->p.Vt;

  PetscFunctionBegin;
  PetscCall(PetscFree2(Mt, Vt));
  PetscCall(PetscFree(w->col));
  *w = (ICLGramWFreeProblem){0};
  PetscFunctionReturn(0);
}

/* Sum over the pairs i <= j of K's upper triangle of the coordinates their products run over,
 * k + min(r, i + 1) (WFreeLength), in closed form: sum_i (B - i) (k + min(r, i + 1)). */
static PetscReal TrianglePairs(PetscReal B, PetscReal k, PetscReal r)
{
  const PetscReal q = PetscMin(r, B);
  return k * B * (B + 1) / 2 + (B + 1) * q * (q + 1) / 2 - q * (q + 1) * (2 * q + 1) / 6 + r * (B - q) * (B - q + 1) / 2;
}

PetscReal ICLGramWFreeFlops(const ICLCell *cell, PetscInt L, PetscInt T_max, PetscInt evaluations)
{
  const PetscReal B = cell->B;
  ICLCell         red;

  ICLGramCell(cell, &red);
  /* K: two Gram products over its triangle; L step sizes' K alpha a step; the evaluations */
  return 4.0 * TrianglePairs(B, cell->task.k, (PetscReal)GramRank(cell)) + L * 2.0 * B * B * (T_max + 1) + evaluations * ICLGramErrorOfAlphaFlops(&red);
}

PetscReal ICLGramWFreeMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal B = cell->B, b = PetscCeilReal(B / g), D = (PetscReal)cell->task.k + GramRank(cell);
  /* this rank's stacks; its share of K (its diagonal block and (g - 1)/2 rectangles, dual_gd.c);
   * alpha, the margins and, in a group, every rank's share of them */
  const PetscReal held = 2.0 * b * D + ICLDualKWords(B, b) + 2.0 * B + 2.0 * b;
  /* forming K: two Gram blocks and a block of drawn tasks; evaluating: ICLGramErrorOfAlpha */
  const PetscReal form = 2.0 * (b + 1) * ICL_GRAM_BLOCK + 2.0 * D * ICL_GRAM_BLOCK;
  return sizeof(PetscReal) * (held + PetscMax(form, ICLGramErrorOfAlphaWords(cell->task.k, D, b, g)));
}
