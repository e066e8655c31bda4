/* A cell's large buffers (K's tiles, the task stacks, evaluation scratch) on huge pages.
 *
 * libsuperlu_dist, linked through PETSc, turns off malloc's mmap when it loads
 * (mallopt(M_MMAP_MAX, 0)), so every large malloc comes from the heap on small pages and
 * freed memory stays there. Touching such memory the first time costs one page fault per
 * 4 KB: about 0.3 s for 160 MB of task stacks on a virtual machine, and the faults of
 * several threads do not overlap. Large buffers are mapped afresh instead, advised to take
 * huge pages before any is touched (512 times fewer faults; the advice is a hint), and
 * returned to the system when freed. */
#ifndef ICL_HUGE_PAGES_H
#define ICL_HUGE_PAGES_H

#include <petscsys.h>

/* Buffers from this size on are mapped; smaller ones come from PetscMalloc. */
#define ICL_HUGE_MIN ((size_t)8 << 20)

/* *(void **)ptr = bytes of memory (contents undefined), or an error PETSC_ERR_MEM. */
PetscErrorCode ICLHugeMalloc(size_t bytes, void *ptr);
/* Frees *(void **)ptr (NULL: nothing), given the same bytes, and sets it to NULL. */
PetscErrorCode ICLHugeFree(size_t bytes, void *ptr);

#endif
