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

#endif
