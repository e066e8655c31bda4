/* A matrix replicated on every rank of a group, distributed block-cyclically over a BLACS
 * process grid made from the group's communicator, for ScaLAPACK (SPEC §5). Every rank
 * already holds the whole matrix, so each copies its own blocks: no communication. */
#ifndef ICL_BLOCK_CYCLIC_H
#define ICL_BLOCK_CYCLIC_H

#include <petscsys.h>

typedef struct {
  int        handle, context;          /* BLACS system handle of comm, and the grid on it */
  int        nprow, npcol, myrow, mycol;
  int        m, n, nb;                 /* global size; square nb x nb blocks */
  int        desc[9];                  /* ScaLAPACK array descriptor */
  int        mloc, nloc;               /* this rank's block: mloc x nloc, leading dimension desc[8] */
  PetscReal *local;
} ICLBlockCyclic;

/* Distributes A (m x n column-major, lda = m, the same on every rank of comm) over the
 * squarest grid of all the ranks of comm. Collective over comm. */
PetscErrorCode ICLBlockCyclicCreate(MPI_Comm comm, PetscInt m, PetscInt n, const PetscReal *A, ICLBlockCyclic *bc);
/* Frees the grid and the local block. Collective over the grid's ranks. */
PetscErrorCode ICLBlockCyclicDestroy(ICLBlockCyclic *bc);

#endif
