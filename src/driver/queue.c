#include "queue.h"

/* Prior rate before any cell of a model has finished, and a per-cell floor (dispatch,
 * sampling) so cheap cells are not free: both refined as cells finish. */
#define ICL_PRIOR_SECONDS_PER_FLOP (1.0 / 20e9)
#define ICL_CELL_FLOOR_SECONDS     1e-4

struct ICLQueue_s {
  const ICLSweep *sw;
  PetscInt        nworkers, nlists;
  PetscBool       dynamic;
  PetscReal      *flops;         /* per cell: its share of its unit's cost-model flops */
  PetscInt64     *cells, *start; /* unit u: cells[start[u] .. start[u + 1]) */
  PetscInt64    **list, *len, *head; /* units; dynamic: one list per model; static: one per worker */
  double          seconds[ICL_MAX_MODELS], measured_flops[ICL_MAX_MODELS];
};

static PetscInt ModelOf(ICLQueue q, PetscInt64 c)
{
  ICLCellIndex ix;
  ICLGridIndex(q->sw, c, &ix);
  return ix.model;
}

static double Rate(ICLQueue q, PetscInt m) { return q->measured_flops[m] > 0 ? q->seconds[m] / q->measured_flops[m] : ICL_PRIOR_SECONDS_PER_FLOP; }

/* A unit's estimate: its cells' shares at their model's rate, and the floor per cell. */
static double Estimate(ICLQueue q, PetscInt64 u)
{
  double t = 0;
  for (PetscInt64 i = q->start[u]; i < q->start[u + 1]; i++) t += q->flops[q->cells[i]] * Rate(q, ModelOf(q, q->cells[i])) + ICL_CELL_FLOOR_SECONDS;
  return t;
}

/* The pending cells of this shard, unit by unit in grid order of their first cells. */
static PetscErrorCode GroupUnits(ICLQueue q, const ICLResults *res, PetscInt64 *nunits)
{
  PetscInt64     unit[ICL_MAX_UNIT], n = 0, u = 0;
  unsigned char *queued;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(res->ncells, &queued));
  PetscCall(PetscMalloc2(res->ncells, &q->cells, res->ncells + 1, &q->start));
  for (PetscInt64 c = 0; c < res->ncells; c++) {
    if (res->status[c] != ICL_STATUS_PENDING || !res->mine[c] || queued[c]) continue;
    const PetscInt m = ICLUnitCells(q->sw, c, unit);
    q->start[u++]    = n;
    /* a unit partly done runs its pending cells only */
    for (PetscInt j = 0; j < m; j++)
      if (res->status[unit[j]] == ICL_STATUS_PENDING && res->mine[unit[j]] && !queued[unit[j]]) queued[unit[j]] = 1, q->cells[n++] = unit[j];
  }
  q->start[u] = n;
  *nunits     = u;
  PetscCall(PetscFree(queued));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLQueueCreate(const ICLSweep *sw, const ICLResults *res, PetscInt nworkers, PetscBool dynamic, ICLQueue *qp)
{
  ICLQueue   q;
  PetscInt64 n, *order;
  PetscReal *key;
  PetscInt  *perm;

  PetscFunctionBegin;
  PetscCall(PetscNew(&q));
  q->sw       = sw;
  q->nworkers = nworkers;
  q->dynamic  = dynamic;
  q->nlists   = dynamic ? sw->nmodels : nworkers;
  PetscCall(PetscMalloc1(res->ncells, &q->flops));
  for (PetscInt64 c = 0; c < res->ncells; c++) PetscCall(ICLUnitFlops(sw, c, &q->flops[c]));
  PetscCall(GroupUnits(q, res, &n));
  /* units, largest first (ties: grid order) */
  PetscCall(PetscMalloc3(PetscMax(n, 1), &order, PetscMax(n, 1), &key, PetscMax(n, 1), &perm));
  for (PetscInt64 u = 0; u < n; u++) {
    key[u] = -1e-9 * (double)(res->ncells - q->cells[q->start[u]]) / res->ncells, perm[u] = (PetscInt)u;
    for (PetscInt64 i = q->start[u]; i < q->start[u + 1]; i++) key[u] -= q->flops[q->cells[i]];
  }
  PetscCall(PetscSortRealWithPermutation((PetscInt)n, key, perm));
  for (PetscInt64 i = 0; i < n; i++) order[i] = perm[i];
  PetscCall(PetscCalloc3(q->nlists, &q->list, q->nlists, &q->len, q->nlists, &q->head));
  for (PetscInt l = 0; l < q->nlists; l++) PetscCall(PetscMalloc1(PetscMax(n, 1), &q->list[l]));
  if (dynamic) {
    for (PetscInt64 i = 0; i < n; i++) {
      const PetscInt m = ModelOf(q, q->cells[q->start[order[i]]]);
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

PetscInt ICLQueueNext(ICLQueue q, PetscInt worker, PetscInt64 cells[ICL_MAX_UNIT])
{
  PetscInt64 u = -1;
  if (!q->dynamic) u = q->head[worker] < q->len[worker] ? q->list[worker][q->head[worker]++] : -1;
  else {
    PetscInt best = -1;
    /* Within a model the lists are largest first; across models compare refined estimates. */
    for (PetscInt m = 0; m < q->nlists; m++)
      if (q->head[m] < q->len[m] && (best < 0 || Estimate(q, q->list[m][q->head[m]]) > Estimate(q, q->list[best][q->head[best]]))) best = m;
    if (best >= 0) u = q->list[best][q->head[best]++];
  }
  if (u < 0) return 0;
  for (PetscInt64 i = q->start[u]; i < q->start[u + 1]; i++) cells[i - q->start[u]] = q->cells[i];
  return (PetscInt)(q->start[u + 1] - q->start[u]);
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
  PetscCall(PetscFree2(q->cells, q->start));
  PetscCall(PetscFree(q->flops));
  PetscCall(PetscFree(*qp));
  PetscFunctionReturn(0);
}
