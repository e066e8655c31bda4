/* Options that nothing read: a typo or an option of another command. */
#ifndef ICL_UNUSED_H
#define ICL_UNUSED_H

#include <petscsys.h>

/* Fails (bad input) on the first option no reader used, naming the closest option that the
 * readers (read(ctx), run again with PETSc's help printer listening) know. */
PetscErrorCode ICLOptionsCheckUnused(PetscErrorCode (*read)(void *), void *ctx);

#endif
