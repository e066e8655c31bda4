/* Error reporting for the command line: PETSc errors are caught by our handler, which
 * keeps the first (innermost) message so main() can print one clear line, and cells can
 * record why they failed. */
#ifndef ICL_ERROR_H
#define ICL_ERROR_H

#include <petscsys.h>

/* Bad input of any kind: options, option files, the output directory. Exit status 2. */
#define ICL_ERR_INPUT PETSC_ERR_USER_INPUT

PetscErrorCode ICLErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx);
const char    *ICLErrorMessage(void);
/* The first error's own text, without where it happened. */
const char    *ICLErrorDetail(void);
void           ICLErrorClear(void);
/* Process exit status for an error code (docs/usage.md): 2 for bad input, 1 otherwise. */
int ICLExitStatus(PetscErrorCode ierr);

#endif
