/* Matrices replicated on every rank of a group, distributed block-cyclically over a BLACS
 * process grid made from the group's communicator, for ScaLAPACK (docs/performance.md). Every rank
 * already holds the whole matrix, so each copies its own blocks out (no communication) and
 * one allreduce puts a distributed result back on every rank. */
#ifndef ICL_BLOCK_CYCLIC_H
#define ICL_BLOCK_CYCLIC_H

#include <petscsys.h>

typedef struct {
  MPI_Comm comm;
  int      handle, context; /* BLACS system handle of comm, and the grid on it */
  int      nprow, npcol, myrow, mycol;
} ICLBlacsGrid;

typedef struct {
  int        m, n, nb;   /* global size; square nb x nb blocks */
  int        desc[9];    /* ScaLAPACK array descriptor */
  int        mloc, nloc; /* this rank's part: mloc x nloc, leading dimension desc[8] */
  PetscReal *local;
} ICLBlockCyclic;

/* The squarest grid of all the ranks of comm. Collective over comm. */
PetscErrorCode ICLBlacsGridCreate(MPI_Comm comm, ICLBlacsGrid *g);
PetscErrorCode ICLBlacsGridDestroy(ICLBlacsGrid *g);
/* The block size for matrices of at most d rows and columns on g: ScaLAPACK's usual 64, less
 * when d is too small to give every process row and column a block. */
int            ICLBlockCyclicBlockSize(const ICLBlacsGrid *g, PetscInt d);
/* This rank's blocks of A (m x n column-major, lda = m, the same on every rank of g). */
PetscErrorCode ICLBlockCyclicCreate(const ICLBlacsGrid *g, PetscInt m, PetscInt n, int nb, const PetscReal *A, ICLBlockCyclic *bc);
/* The distributed matrix back into A (m x n column-major) on every rank. Collective over g. */
PetscErrorCode ICLBlockCyclicGather(const ICLBlacsGrid *g, const ICLBlockCyclic *bc, PetscReal *A);
PetscErrorCode ICLBlockCyclicDestroy(ICLBlockCyclic *bc);

#endif
