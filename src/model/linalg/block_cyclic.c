#include "block_cyclic.h"

#include "scalapack.h"

/* Global index of local index l (rows or columns) on process coordinate p of np, blocks nb. */
static int GlobalIndex(int l, int nb, int p, int np) { return ((l / nb) * np + p) * nb + l % nb; }

PetscErrorCode ICLBlacsGridCreate(MPI_Comm comm, ICLBlacsGrid *g)
{
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(g, sizeof *g));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  /* nprow: the largest divisor of size up to sqrt(size) */
  for (int p = 1; p * p <= size; p++)
    if (size % p == 0) g->nprow = p;
  g->npcol   = size / g->nprow;
  g->comm    = comm;
  g->handle  = Csys2blacs_handle(comm);
  g->context = g->handle;
  Cblacs_gridinit(&g->context, "Row", g->nprow, g->npcol);
  Cblacs_gridinfo(g->context, &g->nprow, &g->npcol, &g->myrow, &g->mycol);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBlacsGridDestroy(ICLBlacsGrid *g)
{
  PetscFunctionBegin;
  if (g->nprow > 0) {
    Cblacs_gridexit(g->context);
    Cfree_blacs_system_handle(g->handle);
  }
  PetscCall(PetscMemzero(g, sizeof *g));
  PetscFunctionReturn(0);
}

int ICLBlockCyclicBlockSize(const ICLBlacsGrid *g, PetscInt d)
{
  const PetscInt procs = PetscMax(g->nprow, g->npcol);
  return (int)PetscMax(1, PetscMin(64, (d + procs - 1) / procs));
}

PetscErrorCode ICLBlockCyclicCreate(const ICLBlacsGrid *g, PetscInt m, PetscInt n, int nb, const PetscReal *A, ICLBlockCyclic *bc)
{
  int zero = 0, lld, info;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(bc, sizeof *bc));
  PetscCall(PetscMPIIntCast(m, &bc->m));
  PetscCall(PetscMPIIntCast(n, &bc->n));
  bc->nb   = nb;
  bc->mloc = numroc_(&bc->m, &bc->nb, &g->myrow, &zero, &g->nprow);
  bc->nloc = numroc_(&bc->n, &bc->nb, &g->mycol, &zero, &g->npcol);
  lld      = PetscMax(1, bc->mloc);
  descinit_(bc->desc, &bc->m, &bc->n, &bc->nb, &bc->nb, &zero, &zero, &g->context, &lld, &info);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ScaLAPACK descinit failed (info %d) for a %d x %d matrix in blocks of %d", info, bc->m, bc->n, nb);
  PetscCall(PetscMalloc1((size_t)lld * PetscMax(1, bc->nloc), &bc->local));
  for (int jl = 0; jl < bc->nloc; jl++) {
    const PetscReal *col = A + (size_t)GlobalIndex(jl, nb, g->mycol, g->npcol) * bc->m;
    for (int il = 0; il < bc->mloc; il++) bc->local[(size_t)jl * lld + il] = col[GlobalIndex(il, nb, g->myrow, g->nprow)];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBlockCyclicGather(const ICLBlacsGrid *g, const ICLBlockCyclic *bc, PetscReal *A)
{
  const int    lld   = bc->desc[8];
  const size_t count = (size_t)bc->m * bc->n;

  PetscFunctionBegin;
  PetscCheck(count <= PETSC_MPI_INT_MAX, PETSC_COMM_SELF, PETSC_ERR_SUP, "a %d x %d matrix is too large for one MPI message", bc->m, bc->n);
  /* Each entry lives on exactly one rank: a sum over the others' zeros is exact. */
  PetscCall(PetscArrayzero(A, count));
  for (int jl = 0; jl < bc->nloc; jl++) {
    PetscReal *col = A + (size_t)GlobalIndex(jl, bc->nb, g->mycol, g->npcol) * bc->m;
    for (int il = 0; il < bc->mloc; il++) col[GlobalIndex(il, bc->nb, g->myrow, g->nprow)] = bc->local[(size_t)jl * lld + il];
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, A, (PetscMPIInt)count, MPIU_REAL, MPI_SUM, g->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBlockCyclicDestroy(ICLBlockCyclic *bc)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(bc->local));
  PetscFunctionReturn(0);
}
