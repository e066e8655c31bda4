/* h3: linear attention with learned per-position weights (docs/models.md),
 *   yhat = x_q^T W sum_i omega_i y_i x_i,   omega_i = theta_i / N,
 * trained on explicit tokens. theta is the parameter: at theta = 1 the predictor is linear's
 * x_q^T W h, and its curvature is that of W (omega itself would be N^2 times stiffer, and one
 * step size could not serve both). */
#ifndef ICL_H3_H
#define ICL_H3_H

#include <petscsys.h>

/* This rank's share of the B training tasks (a group splits them by rows, as linear does). */
typedef struct {
  MPI_Comm         comm;
  PetscInt         B, B_local, d, N;
  const PetscReal *Z;  /* (d B_local) x N column-major: rows tau d .. tau d + d-1 of column j hold y_j x_j of task tau */
  const PetscReal *Xq; /* d x B_local: the queries */
  const PetscReal *yq; /* B_local targets */
  PetscReal       *g, *u; /* d x B_local scratch */
  PetscReal       *buf;   /* d^2 + N + 1 scratch */
  PetscReal       *grad;  /* d^2 + N: (dL/dW, dL/dtheta) when trained through gd.h */
} ICLH3Problem;

/* loss = (1/B) sum_tau (yhat_tau - y_tau)^2 and its gradients gW (d x d column-major) and
 * gtheta (N). Costs about 2 B d (N + 2 d) flop, split over the group, plus an allreduce of
 * d^2 + N + 1 words. Collective over p->comm. */
PetscErrorCode ICLH3LossGrad(const ICLH3Problem *p, const PetscReal *W, const PetscReal *theta, PetscReal *loss, PetscReal *gW, PetscReal *gtheta);

#endif
