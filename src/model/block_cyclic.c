#include "block_cyclic.h"

#include "scalapack.h"

/* ScaLAPACK's usual block size, smaller when the matrix is too small to give every process
 * row and column at least one block. */
static int BlockSize(int m, int n, int nprow, int npcol)
{
  const int span = PetscMax(m, n), procs = PetscMax(nprow, npcol);
  return PetscMax(1, PetscMin(64, (span + procs - 1) / procs));
}

/* Global index of local index l (rows or columns) on process coordinate p of np, blocks nb. */
static int GlobalIndex(int l, int nb, int p, int np) { return ((l / nb) * np + p) * nb + l % nb; }

PetscErrorCode ICLBlockCyclicCreate(MPI_Comm comm, PetscInt m, PetscInt n, const PetscReal *A, ICLBlockCyclic *bc)
{
  PetscMPIInt size;
  int         zero = 0, lld, info;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(bc, sizeof *bc));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMPIIntCast(m, &bc->m));
  PetscCall(PetscMPIIntCast(n, &bc->n));
  /* The squarest grid of all the ranks: nprow the largest divisor of size up to sqrt(size). */
  for (int p = 1; p * p <= size; p++)
    if (size % p == 0) bc->nprow = p;
  bc->npcol   = size / bc->nprow;
  bc->handle  = Csys2blacs_handle(comm);
  bc->context = bc->handle;
  Cblacs_gridinit(&bc->context, "Row", bc->nprow, bc->npcol);
  Cblacs_gridinfo(bc->context, &bc->nprow, &bc->npcol, &bc->myrow, &bc->mycol);
  bc->nb   = BlockSize(bc->m, bc->n, bc->nprow, bc->npcol);
  bc->mloc = numroc_(&bc->m, &bc->nb, &bc->myrow, &zero, &bc->nprow);
  bc->nloc = numroc_(&bc->n, &bc->nb, &bc->mycol, &zero, &bc->npcol);
  lld      = PetscMax(1, bc->mloc);
  descinit_(bc->desc, &bc->m, &bc->n, &bc->nb, &bc->nb, &zero, &zero, &bc->context, &lld, &info);
  if (info) PetscCall(ICLBlockCyclicDestroy(bc)); /* the grid is collective: never leak it */
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ScaLAPACK descinit failed (info %d) for a %d x %d matrix", info, (int)m, (int)n);
  PetscCall(PetscMalloc1((size_t)lld * PetscMax(1, bc->nloc), &bc->local));
  for (int jl = 0; jl < bc->nloc; jl++) {
    const PetscReal *col = A + (size_t)GlobalIndex(jl, bc->nb, bc->mycol, bc->npcol) * bc->m;
    for (int il = 0; il < bc->mloc; il++) bc->local[(size_t)jl * lld + il] = col[GlobalIndex(il, bc->nb, bc->myrow, bc->nprow)];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBlockCyclicDestroy(ICLBlockCyclic *bc)
{
  PetscFunctionBegin;
  if (bc->nprow > 0) {
    Cblacs_gridexit(bc->context);
    Cfree_blacs_system_handle(bc->handle);
  }
  PetscCall(PetscFree(bc->local));
  PetscCall(PetscMemzero(bc, sizeof *bc));
  PetscFunctionReturn(0);
}
