/* A fixed list of jobs on the threads a rank has: the cores lent to it (blas_threads.h) run
 * work whose bits must not depend on how many share it. Each job writes outputs of its own
 * (or ones summed afterwards in job order by the caller), so any thread may run it. */
#ifndef ICL_THREAD_JOBS_H
#define ICL_THREAD_JOBS_H

#include <petscsys.h>

#include "blas_threads.h"

/* Job `job` on thread `thread` (0: the calling one; per-thread scratch is indexed by it). */
typedef PetscErrorCode (*ICLJobFn)(void *ctx, PetscInt job, PetscInt thread);

/* Runs jobs 0 .. njob - 1 on up to nthreads threads (the calling thread and nthreads - 1
 * started ones), each taken in list order by whichever thread is free: list the longest
 * first. A thread that cannot start leaves its jobs to the others. After a failed job no new
 * ones start, and the first failure's code is returned. *started_seconds (may be NULL) adds
 * the started threads' working seconds (the lent cores' busy time). */
PetscErrorCode ICLThreadJobsRun(PetscInt nthreads, PetscInt njob, ICLJobFn fn, void *ctx, double *started_seconds);

/* The threads work at most this many: enough for a node's cores, and bounds stack arrays. */
#define ICL_MAX_THREADS 256

/* Threads for one launch of such jobs, at most `most`: 1 + the idle cores claimed from the
 * node's pool while this rank's BLAS runs one thread (a job's own BLAS calls then keep their
 * one-thread bits), else 1. Give them back with ICLThreadsRelease once the jobs have run. */
PetscInt ICLThreadJobsClaim(PetscInt most);
/* ICLThreadJobsRun, with the started threads' seconds counted as lent (ICLThreadsLentAdd). */
PetscErrorCode ICLThreadJobsRunLent(PetscInt nthreads, PetscInt njob, ICLJobFn fn, void *ctx);

#endif
