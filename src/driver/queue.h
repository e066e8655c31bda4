/* Which unit of work runs next (docs/operations.md): largest first by the cost model, refined by
 * the measured time of finished cells. A unit (unit.h) is the pending cells of this run's shard
 * that one training run yields: usually one cell. Dynamic: any worker takes the largest unit
 * left. Static: units are dealt to workers up front (largest first onto the least-loaded
 * worker). Results do not depend on the schedule: every cell's random numbers are keyed by its
 * values. */
#ifndef ICL_QUEUE_H
#define ICL_QUEUE_H

#include "results.h"
#include "unit.h"

typedef struct ICLQueue_s *ICLQueue;

/* Queues the cells of this run's shard still pending in res, grouped into units, for nworkers
 * workers. */
PetscErrorCode ICLQueueCreate(const ICLSweep *sw, const ICLResults *res, PetscInt nworkers, PetscBool dynamic, ICLQueue *q);
/* The next unit for a worker: its cells into cells (ascending), their number returned; 0 when
 * the worker has none left. */
PetscInt       ICLQueueNext(ICLQueue q, PetscInt worker, PetscInt64 cells[ICL_MAX_UNIT]);
/* Units not yet handed out. */
PetscInt64     ICLQueueLeft(ICLQueue q);
/* A cell took `seconds` (its share of its unit's time): refine the model's rate. */
void           ICLQueueObserve(ICLQueue q, PetscInt64 cell, double seconds);
/* Estimated seconds of the work not yet handed out, spread over the workers. */
double         ICLQueueEta(ICLQueue q);
PetscErrorCode ICLQueueDestroy(ICLQueue *q);

#endif
