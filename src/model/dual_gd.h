/* -train_method kernel: the iterates of ICLBilinearGD computed in the B x B dual form.
 * From W_0 = 0 every GD iterate is W_t = sum_tau alpha_tau a_tau b_tau^T, so the margins are
 * s = K alpha with K = (A A^T) .* (B B^T) (A, B: the B x d stacks of a_tau, b_tau), and the
 * step W <- W + (eta/B) sum_tau c_tau a_tau b_tau^T, c = -dL/ds, is alpha <- alpha + (eta/B) c:
 *   logistic: c = sigmoid(-s);   squared: c = -2 (s - y).
 * K is formed once (about 4 B^2 d flop with two GEMM-based Gram products) and each step costs
 * one K alpha (2 B^2 flop) instead of 4 B d^2: cheaper when B is small next to d^2/(d + T). */
#ifndef ICL_DUAL_GD_H
#define ICL_DUAL_GD_H

#include "bilinear_gd.h"

/* T steps from W = 0 (W's input value is ignored), the same contract as ICLBilinearGD: stops
 * at the first non-finite loss (DIVERGED) or when p->cancel says so (CANCELLED); *loss is the
 * loss at the final iterate and W (on every rank of p->comm) the final iterate. p->work and
 * p->grad are not used. The stacks are PETSc dense matrices on p->comm with the group's rows
 * of tasks, and K's rows are split the same way. Collective over p->comm. */
PetscErrorCode ICLDualGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome);

#endif
