/* Which cell runs next (docs/operations.md): largest first by the cost model, refined by the measured
 * time of finished cells. Dynamic: any worker takes the largest cell left. Static: cells
 * are dealt to workers up front (largest first onto the least-loaded worker). Results do not
 * depend on the schedule: every cell's random numbers are keyed by its values. */
#ifndef ICL_QUEUE_H
#define ICL_QUEUE_H

#include "results.h"

typedef struct ICLQueue_s *ICLQueue;

/* Queues the cells of this run's shard still pending in res, for nworkers workers. */
PetscErrorCode ICLQueueCreate(const ICLSweep *sw, const ICLResults *res, PetscInt nworkers, PetscBool dynamic, ICLQueue *q);
/* The next cell for a worker, or -1 when it has none left. */
PetscInt64     ICLQueueNext(ICLQueue q, PetscInt worker);
/* Cells not yet handed out. */
PetscInt64     ICLQueueLeft(ICLQueue q);
/* A cell took `seconds`: refine the model's rate. */
void           ICLQueueObserve(ICLQueue q, PetscInt64 cell, double seconds);
/* Estimated seconds of the work not yet handed out, spread over the workers. */
double         ICLQueueEta(ICLQueue q);
PetscErrorCode ICLQueueDestroy(ICLQueue *q);

#endif
