/* The cores a rank computes with beyond its own: the BLAS's thread count, set at run time (a
 * rank given several cores, hybrid MPI x threads or -tail_threads, spends them inside the BLAS
 * calls of the cell it trains), and the idle cores of its node that it claims for work whose
 * bits do not depend on the thread count. */
#ifndef ICL_BLAS_THREADS_H
#define ICL_BLAS_THREADS_H

#include <petscsys.h>
#include <stdatomic.h>

/* Sets the threads of the next BLAS calls of this process. Fails (with a message naming
 * the fix) when the linked BLAS has no run-time control: OpenBLAS and BLIS have. */
PetscErrorCode ICLBlasThreadsSet(PetscInt n);
/* The threads the BLAS uses now (1 when it cannot say). */
PetscInt       ICLBlasThreadsGet(void);

/* Cores lent by idle ranks to work whose bits do not depend on how many threads share it
 * (thread_jobs.h: drawing training tasks, gmm's test blocks, the dual form's K in fixed
 * blocks, each one single-threaded BLAS call, and its steps in fixed jobs over K's tiles,
 * sym_tiles.h). A threaded BLAS call does not qualify: OpenBLAS's split of a GEMM over threads
 * changes which edge kernel sums an entry (tests/test_blas_threads.c).
 *
 * A node's idle cores are a pool in memory its processes share (the runner maps it): a rank
 * with no work left adds its core, and a rank still working claims cores for one launch of
 * such jobs and gives them back after it. So a cell already running takes the cores that free
 * up while it runs, and cores go back to the pool whenever its work is not lent (a GEMM, an
 * SVD). A cell handed out when fewer cells were left than ranks free may also bring cores
 * reserved for it, of ranks that will get no cell: it holds them from its start, before those
 * ranks have said they are idle (the pool owes them meanwhile: free < 0). */
typedef struct {
  atomic_long free;  /* idle ranks' cores neither claimed nor reserved (< 0: owed) */
  atomic_long idle;  /* ranks with no work left */
  long        ranks; /* ranks on the node */
} ICLCorePool;

/* The pool this process claims from and idles into (NULL: none, every claim gets 1). */
void ICLThreadsPool(ICLCorePool *pool);
/* This process has no work left: its core joins the pool for the rest of the run. */
void ICLThreadsIdle(void);
/* The cores reserved for the unit this process runs now (0 between units), which every claim
 * includes; setting it gives back the ones reserved before. */
void ICLThreadsReserve(PetscInt cores);
/* Claims up to most - 1 idle cores for one launch: the reserved ones, then a fair share of the
 * pool's free ones among the node's ranks still working; returns 1 + the cores claimed. Give
 * them back with ICLThreadsRelease. */
PetscInt ICLThreadsClaim(PetscInt most);
void     ICLThreadsRelease(PetscInt claimed);
/* Core seconds the lent cores worked (busy fraction): added by the work, read by the runner. */
void     ICLThreadsLentAdd(double core_seconds);
double   ICLThreadsLentSeconds(void);

#endif
