#include "thread_jobs.h"

#include <pthread.h>
#include <stdatomic.h>

#include "blas_threads.h"

/* Written with pthreads: OpenMP is not otherwise linked, and its dynamic schedule would not
 * say which thread's scratch a job uses. */
typedef struct {
  ICLJobFn    fn;
  void       *ctx;
  PetscInt    njob;
  atomic_long next;
  atomic_int  ierr;
} Jobs;

typedef struct {
  Jobs    *jobs;
  PetscInt thread;
  double   seconds;
} Worker;

static void *Work(void *arg)
{
  Worker      *w  = arg;
  Jobs        *js = w->jobs;
  const double t0 = MPI_Wtime();
  long         j;

  while (!atomic_load(&js->ierr) && (j = atomic_fetch_add(&js->next, 1)) < js->njob) {
    const PetscErrorCode ierr = js->fn(js->ctx, (PetscInt)j, w->thread);
    int                  none = 0;
    if (ierr) atomic_compare_exchange_strong(&js->ierr, &none, (int)ierr);
  }
  w->seconds = MPI_Wtime() - t0;
  return NULL;
}

PetscErrorCode ICLThreadJobsRun(PetscInt nthreads, PetscInt njob, ICLJobFn fn, void *ctx, double *started_seconds)
{
  Jobs      js = {.fn = fn, .ctx = ctx, .njob = njob};
  Worker    w[ICL_MAX_THREADS];
  pthread_t thread[ICL_MAX_THREADS];
  PetscBool started[ICL_MAX_THREADS];

  PetscFunctionBegin;
  nthreads = PetscMax(1, PetscMin(PetscMin(nthreads, njob), ICL_MAX_THREADS));
  for (PetscInt t = 0; t < nthreads; t++) {
    w[t]       = (Worker){.jobs = &js, .thread = t};
    started[t] = t > 0 && !pthread_create(&thread[t], NULL, Work, &w[t]);
  }
  Work(&w[0]);
  for (PetscInt t = 1; t < nthreads; t++)
    if (started[t]) {
      pthread_join(thread[t], NULL);
      if (started_seconds) *started_seconds += w[t].seconds;
    }
  PetscFunctionReturn((PetscErrorCode)atomic_load(&js.ierr));
}

PetscInt ICLThreadJobsClaim(PetscInt most) { return ICLBlasThreadsGet() == 1 ? ICLThreadsClaim(PetscMin(most, ICL_MAX_THREADS)) : 1; }

PetscErrorCode ICLThreadJobsRunLent(PetscInt nthreads, PetscInt njob, ICLJobFn fn, void *ctx)
{
  double         seconds = 0;
  PetscErrorCode ierr    = ICLThreadJobsRun(nthreads, njob, fn, ctx, &seconds);

  ICLThreadsLentAdd(seconds);
  return ierr;
}
