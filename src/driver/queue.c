#include "queue.h"

/* Prior rate before any cell of a model has finished, and a per-cell floor (dispatch,
 * sampling) so cheap cells are not free: both refined as cells finish. */
#define ICL_PRIOR_SECONDS_PER_FLOP (1.0 / 20e9)
#define ICL_CELL_FLOOR_SECONDS     1e-4

struct ICLQueue_s {
  const ICLSweep *sw;
  PetscInt        nworkers, nlists;
  PetscBool       dynamic;
  PetscReal      *flops;         /* per cell: cost-model flops */
  PetscInt64    **list, *len, *head; /* dynamic: one list per model; static: one per worker */
  double          seconds[ICL_MAX_MODELS], measured_flops[ICL_MAX_MODELS];
};

static PetscInt ModelOf(ICLQueue q, PetscInt64 c)
{
  ICLCellIndex ix;
  ICLGridIndex(q->sw, c, &ix);
  return ix.model;
}

static double Rate(ICLQueue q, PetscInt m) { return q->measured_flops[m] > 0 ? q->seconds[m] / q->measured_flops[m] : ICL_PRIOR_SECONDS_PER_FLOP; }

static double Estimate(ICLQueue q, PetscInt64 c) { return q->flops[c] * Rate(q, ModelOf(q, c)) + ICL_CELL_FLOOR_SECONDS; }

PetscErrorCode ICLQueueCreate(const ICLSweep *sw, const ICLResults *res, PetscInt nworkers, PetscBool dynamic, ICLQueue *qp)
{
  ICLQueue   q;
  PetscInt64 n = 0, *order;
  PetscReal *key;
  PetscInt  *perm;

  PetscFunctionBegin;
  PetscCall(PetscNew(&q));
  q->sw       = sw;
  q->nworkers = nworkers;
  q->dynamic  = dynamic;
  q->nlists   = dynamic ? sw->nmodels : nworkers;
  PetscCall(PetscMalloc1(res->ncells, &q->flops));
  for (PetscInt64 c = 0; c < res->ncells; c++) q->flops[c] = ICLGridFlops(sw, c);
  /* pending cells, largest first (ties: grid order) */
  PetscCall(PetscMalloc3(res->ncells, &order, res->ncells, &key, res->ncells, &perm));
  for (PetscInt64 c = 0; c < res->ncells; c++)
    if (res->status[c] == ICL_STATUS_PENDING && res->mine[c]) key[n] = -q->flops[c] - 1e-9 * (double)(res->ncells - c) / res->ncells, perm[n] = (PetscInt)c, n++;
  PetscCall(PetscSortRealWithPermutation((PetscInt)n, key, perm));
  for (PetscInt64 i = 0; i < n; i++) order[i] = perm[i];
  PetscCall(PetscCalloc3(q->nlists, &q->list, q->nlists, &q->len, q->nlists, &q->head));
  for (PetscInt l = 0; l < q->nlists; l++) PetscCall(PetscMalloc1(PetscMax(n, 1), &q->list[l]));
  if (dynamic) {
    for (PetscInt64 i = 0; i < n; i++) {
      const PetscInt m = ModelOf(q, order[i]);
      q->list[m][q->len[m]++] = order[i];
    }
  } else {
    double *load;
    PetscCall(PetscCalloc1(nworkers, &load));
    for (PetscInt64 i = 0; i < n; i++) {
      PetscInt best = 0;
      for (PetscInt w = 1; w < nworkers; w++)
        if (load[w] < load[best]) best = w;
      q->list[best][q->len[best]++] = order[i];
      load[best] += Estimate(q, order[i]);
    }
    PetscCall(PetscFree(load));
  }
  PetscCall(PetscFree3(order, key, perm));
  *qp = q;
  PetscFunctionReturn(0);
}

PetscInt64 ICLQueueNext(ICLQueue q, PetscInt worker)
{
  PetscInt best = -1;
  if (!q->dynamic) return q->head[worker] < q->len[worker] ? q->list[worker][q->head[worker]++] : -1;
  /* Within a model the lists are largest first; across models compare refined estimates. */
  for (PetscInt m = 0; m < q->nlists; m++)
    if (q->head[m] < q->len[m] && (best < 0 || Estimate(q, q->list[m][q->head[m]]) > Estimate(q, q->list[best][q->head[best]]))) best = m;
  return best < 0 ? -1 : q->list[best][q->head[best]++];
}

PetscInt64 ICLQueueLeft(ICLQueue q)
{
  PetscInt64 left = 0;
  for (PetscInt l = 0; l < q->nlists; l++) left += q->len[l] - q->head[l];
  return left;
}

void ICLQueueObserve(ICLQueue q, PetscInt64 c, double seconds)
{
  const PetscInt m = ModelOf(q, c);
  if (q->flops[c] <= 0) return;
  q->seconds[m] += seconds;
  q->measured_flops[m] += q->flops[c];
}

double ICLQueueEta(ICLQueue q)
{
  double left = 0;
  for (PetscInt l = 0; l < q->nlists; l++)
    for (PetscInt64 i = q->head[l]; i < q->len[l]; i++) left += Estimate(q, q->list[l][i]);
  return left / q->nworkers;
}

PetscErrorCode ICLQueueDestroy(ICLQueue *qp)
{
  ICLQueue q = *qp;
  PetscFunctionBegin;
  if (!q) PetscFunctionReturn(0);
  for (PetscInt l = 0; l < q->nlists; l++) PetscCall(PetscFree(q->list[l]));
  PetscCall(PetscFree3(q->list, q->len, q->head));
  PetscCall(PetscFree(q->flops));
  PetscCall(PetscFree(*qp));
  PetscFunctionReturn(0);
}
