/* The BLAS's own thread count, set at run time: a rank given several cores (hybrid MPI x
 * threads, or an idle rank's core lent to a cell at the tail of a sweep) spends them inside
 * the BLAS calls of the cell it trains. */
#ifndef ICL_BLAS_THREADS_H
#define ICL_BLAS_THREADS_H

#include <petscsys.h>

/* Sets the threads of the next BLAS calls of this process. Fails (with a message naming
 * the fix) when the linked BLAS has no run-time control: OpenBLAS and BLIS have. */
PetscErrorCode ICLBlasThreadsSet(PetscInt n);
/* The threads the BLAS uses now (1 when it cannot say). */
PetscInt       ICLBlasThreadsGet(void);

/* Cores lent to this process by idle ranks for work whose bits do not depend on how many
 * threads share it (thread_jobs.h: drawing training tasks, gmm's test blocks, the dual form's
 * K in fixed blocks, each one single-threaded BLAS call, and its steps in fixed jobs over K's
 * tiles, sym_tiles.h). A threaded BLAS call does not qualify: OpenBLAS's split of a GEMM over
 * threads changes which edge kernel sums an entry (tests/test_blas_threads.c). Set by the
 * runner for a unit at the tail of a sweep (1: none lent). */
void     ICLThreadsLend(PetscInt n);
PetscInt ICLThreadsLent(void);
/* Core seconds the lent cores worked (busy fraction): added by the work, read by the runner. */
void     ICLThreadsLentAdd(double core_seconds);
double   ICLThreadsLentSeconds(void);

#endif
