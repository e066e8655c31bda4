#include "huge_pages.h"

#include <stdint.h>
#include <sys/mman.h>

#define ICL_HUGE_PAGE ((size_t)2 << 20)

/* A mapping's length: whole huge pages, so its last page may be huge too. */
static size_t Length(size_t bytes) { return (bytes + ICL_HUGE_PAGE - 1) / ICL_HUGE_PAGE * ICL_HUGE_PAGE; }

PetscErrorCode ICLHugeMalloc(size_t bytes, void *ptr)
{
  const size_t len = Length(bytes);
  char        *m, *k;
  size_t       head;

  PetscFunctionBegin;
  if (bytes < ICL_HUGE_MIN) {
    PetscCall(PetscMalloc(bytes, ptr));
    PetscFunctionReturn(0);
  }
  /* one huge page more than needed, then the unaligned ends cut off */
  m = mmap(NULL, len + ICL_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  PetscCheck(m != MAP_FAILED, PETSC_COMM_SELF, PETSC_ERR_MEM, "could not map %.3f GB of memory", (double)bytes / 1e9);
  head = (ICL_HUGE_PAGE - (uintptr_t)m % ICL_HUGE_PAGE) % ICL_HUGE_PAGE;
  k    = m + head;
  if (head) (void)munmap(m, head);
  (void)munmap(k + len, ICL_HUGE_PAGE - head);
  (void)madvise(k, len, MADV_HUGEPAGE);
  *(void **)ptr = k;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLHugeFree(size_t bytes, void *ptr)
{
  void **p = ptr;

  PetscFunctionBegin;
  if (bytes < ICL_HUGE_MIN) PetscCall(PetscFree(*p));
  else if (*p) PetscCheck(munmap(*p, Length(bytes)) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "could not unmap %.3f GB of memory", (double)bytes / 1e9);
  *p = NULL;
  PetscFunctionReturn(0);
}
