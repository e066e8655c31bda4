/* fsync of a path: file data, or a directory's entries, reach the disk before we go on. */
#ifndef ICL_DURABLE_H
#define ICL_DURABLE_H

#include <petscsys.h>

PetscErrorCode ICLSyncPath(const char *path);

#endif
