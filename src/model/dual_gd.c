#include "dual_gd.h"

#include <petscmat.h>

/* The B x d stack whose row tau is column tau of X (d x B_local, this rank's tasks one a
 * column): PETSc's dense storage is column-major over rows, so the rows are inserted. */
static PetscErrorCode Stack(const ICLBilinearProblem *p, const PetscReal *X, Mat *S)
{
  PetscInt *cols, r0;

  PetscFunctionBegin;
  PetscCall(MatCreateDense(p->comm, p->B_local, PETSC_DECIDE, p->B, p->d, NULL, S));
  PetscCall(MatGetOwnershipRange(*S, &r0, NULL));
  PetscCall(PetscMalloc1(p->d, &cols));
  for (PetscInt j = 0; j < p->d; j++) cols[j] = j;
  for (PetscInt t = 0; t < p->B_local; t++) {
    const PetscInt row = r0 + t;
    PetscCall(MatSetValues(*S, 1, &row, p->d, cols, X + (size_t)t * p->d, INSERT_VALUES));
  }
  PetscCall(PetscFree(cols));
  PetscCall(MatAssemblyBegin(*S, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*S, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* K = (A A^T) .* (B B^T), its rows split like the stacks'. */
static PetscErrorCode Gram(Mat A, Mat Bs, Mat *K)
{
  Mat                G;
  Vec                k, g;
  PetscScalar       *ka;
  const PetscScalar *ga;
  PetscInt           m, n, mn, lk, lg;

  PetscFunctionBegin;
  PetscCall(MatMatTransposeMult(A, A, MAT_INITIAL_MATRIX, PETSC_DEFAULT, K));
  PetscCall(MatMatTransposeMult(Bs, Bs, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &G));
  /* PETSc has no entrywise Mat product: multiply the local blocks (same layout) as Vecs. */
  PetscCall(MatGetLocalSize(*K, &m, NULL));
  PetscCall(MatGetSize(*K, NULL, &n));
  PetscCall(MatDenseGetLDA(*K, &lk));
  PetscCall(MatDenseGetLDA(G, &lg));
  PetscCheck(lk == m && lg == m, PETSC_COMM_SELF, PETSC_ERR_PLIB, "Gram blocks are not contiguous (lda %d, %d; %d rows)", (int)lk, (int)lg, (int)m);
  PetscCall(PetscIntMultError(m, n, &mn));
  PetscCall(MatDenseGetArray(*K, &ka));
  PetscCall(MatDenseGetArrayRead(G, &ga));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, mn, ka, &k));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, mn, ga, &g));
  PetscCall(VecPointwiseMult(k, k, g));
  PetscCall(VecDestroy(&k));
  PetscCall(VecDestroy(&g));
  PetscCall(MatDenseRestoreArrayRead(G, &ga));
  PetscCall(MatDenseRestoreArray(*K, &ka));
  PetscCall(MatDestroy(&G));
  PetscFunctionReturn(0);
}

/* s = K alpha and the loss there (summed over the group); c = -dL/ds for the next step. */
static PetscErrorCode Loss(const ICLBilinearProblem *p, Mat K, Vec alpha, Vec s, Vec c, PetscReal *loss)
{
  const PetscScalar *sa;
  PetscScalar       *ca;
  PetscReal          sum = 0.0;

  PetscFunctionBegin;
  PetscCall(MatMult(K, alpha, s));
  PetscCall(VecGetArrayRead(s, &sa));
  PetscCall(VecGetArrayWrite(c, &ca));
  for (PetscInt t = 0; t < p->B_local; t++) sum += ICLBilinearPointLoss(p->loss, sa[t], p->target ? p->target[t] : 0.0, &ca[t]);
  PetscCall(VecRestoreArrayWrite(c, &ca));
  PetscCall(VecRestoreArrayRead(s, &sa));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPIU_REAL, MPI_SUM, p->comm));
  *loss = sum / p->B;
  PetscFunctionReturn(0);
}

/* W = A^T diag(alpha) B = sum_tau alpha_tau a_tau b_tau^T: each rank's tasks with one GEMM
 * into W, then the group's sum (every rank needs all of W to evaluate it). Scales Bs. */
static PetscErrorCode FormW(const ICLBilinearProblem *p, Mat A, Mat Bs, Vec alpha, PetscReal *W)
{
  Mat         Al, Bl, Wl;
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCall(MatDiagonalScale(Bs, alpha, NULL));
  PetscCall(MatDenseGetLocalMatrix(A, &Al));
  PetscCall(MatDenseGetLocalMatrix(Bs, &Bl));
  PetscCall(PetscArrayzero(W, p->d * p->d)); /* a rank without tasks adds nothing */
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, p->d, p->d, W, &Wl));
  PetscCall(MatProductCreateWithMat(Al, Bl, NULL, Wl));
  PetscCall(MatProductSetType(Wl, MATPRODUCT_AtB));
  PetscCall(MatProductSetFromOptions(Wl));
  PetscCall(MatProductSymbolic(Wl));
  PetscCall(MatProductNumeric(Wl));
  PetscCall(MatDestroy(&Wl));
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, W, (PetscMPIInt)(p->d * p->d), MPIU_REAL, MPI_SUM, p->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLDualGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome)
{
  Mat A, Bs, K;
  Vec alpha, s, c;

  PetscFunctionBegin;
  PetscCall(Stack(p, p->Mt, &A));
  PetscCall(Stack(p, p->Vt, &Bs));
  PetscCall(Gram(A, Bs, &K));
  PetscCall(MatCreateVecs(K, &alpha, &s));
  PetscCall(VecDuplicate(s, &c));
  PetscCall(VecZeroEntries(alpha)); /* W_0 = 0 */
  *outcome = ICL_GD_DONE;
  *steps   = T;
  /* Step t evaluates the loss at alpha_t (as ICLBilinearGD does at W_t), then moves; t = T
   * only evaluates the final loss. */
  for (PetscInt t = 0; t <= T; t++) {
    if (t < T) {
      PetscBool stop;
      PetscCall(ICLGroupCancelled(p->comm, p->cancel, &stop));
      if (stop) {
        *outcome = ICL_GD_CANCELLED;
        *steps   = t;
        break;
      }
    }
    PetscCall(Loss(p, K, alpha, s, c, loss));
    if (PetscIsInfOrNanReal(*loss)) {
      *outcome = ICL_GD_DIVERGED;
      *steps   = t;
      break;
    }
    if (t < T) PetscCall(VecAXPY(alpha, lr / p->B, c));
  }
  PetscCall(FormW(p, A, Bs, alpha, W));
  PetscCall(VecDestroy(&c));
  PetscCall(VecDestroy(&s));
  PetscCall(VecDestroy(&alpha));
  PetscCall(MatDestroy(&K));
  PetscCall(MatDestroy(&Bs));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}
