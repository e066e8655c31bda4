#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

PetscErrorCode ICLSyncPath(const char *path)
{
  int fd = open(path, O_RDONLY);
  PetscFunctionBegin;
  PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot open %s to sync it: %s", path, strerror(errno));
  if (fsync(fd)) {
    const int e = errno;
    close(fd);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "fsync of %s failed: %s", path, strerror(e));
  }
  close(fd);
  PetscFunctionReturn(0);
}
