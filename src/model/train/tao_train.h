/* -train_method tao: a PETSc TAO solver (-tao_type, default lmvm) minimizes the objective of
 * ICLBilinearGD, L(W), over vec(W). The solution and TAO's own vectors are MPI Vecs of d^2
 * entries split over the group; the gradient is ICLBilinearLossGrad (tasks split over the
 * group, one d x d allreduce) at the W gathered from the solution.
 *
 * Stopping rule: at most T TAO iterations (TaoSetMaximumIterations); earlier at TAO's default
 * tests, ||grad L|| <= 1e-8 (gatol) or ||grad L|| <= 1e-8 |L| (grtol), or when the solver
 * itself gives up (e.g. a line search fails at the optimum to rounding). Only a non-finite
 * loss or W is divergence. Newton types (nls, ntr, ntl, tron, bnls, ...) get the exact
 * Hessian as a matrix-free shell (ICLBilinearHessMult, 4 B d^2 flop a product) and solve
 * with it unpreconditioned; quasi-Newton and first-order types (lmvm, blmvm, bqnls, cg, bncg)
 * use the gradient only. Constrained or least-squares-residual types do not apply.
 * The logistic loss of separable tasks (gmm with B well below d^2) has no minimizer: TAO
 * drives it towards 0 and stops at gatol with a large W, a different estimator from GD
 * stopped after T steps. */
#ifndef ICL_TAO_TRAIN_H
#define ICL_TAO_TRAIN_H

#include "bilinear_gd.h"
#include "gd.h"

/* Minimizes from the W given; W (on every rank of p->comm) is the solution. *steps is TAO's
 * iteration count and *evals the number of loss-and-gradient evaluations (4 B d^2 flop each).
 * p->cancel is polled once an iteration (CANCELLED). Collective over p->comm. */
PetscErrorCode ICLTaoTrain(const ICLBilinearProblem *p, const char *tao_type, PetscInt T, PetscReal *W, PetscReal *loss, PetscInt *steps, PetscInt *evals, ICLTrainOutcome *outcome);

#endif
