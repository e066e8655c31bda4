/* The shape of a command line and of options files, checked before PETSc reads them: PETSc
 * drops stray words, keeps the empty items of a list and reports a bad options-file line as a
 * page of error trace. Plain C (no PETSc): it runs before PetscInitialize. */
#ifndef ICL_ARGS_H
#define ICL_ARGS_H

#include <stddef.h>

/* Checks words[0..n) (options and their values) and every -options_file they name. Returns 0,
 * or 2 with a one-line message naming the problem and the fix in msg. */
int ICLArgsCheck(int n, char **words, char *msg, size_t len);

#endif
