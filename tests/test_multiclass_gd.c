/* The cross-entropy gradient of linear attention on sphere logits H W x_q (multiclass_gd.h)
 * against central differences of its loss (h = 1e-6, 1e-8 relative), and its first GD step
 * from W = 0 against the closed form written with plain loops:
 *   softmax(0) is uniform, so W_1 = (eta/B) sum_tau H_tau^T (y_tau - 1/C) x_q,tau^T  (1e-14). */
#include <petscsys.h>

#include "check_gradient.h"
#include "multiclass_gd.h"
#include "rng.h"

enum { B = 6, d = 4, C = 3 };

static PetscErrorCode Run(void)
{
  PetscReal            H[B * C * d], Q[d * B], Y[C * B] = {0}, work[d * B], W[d * d], loss;
  const PetscReal      eta = 0.7;
  ICLMulticlassProblem p = {.comm = PETSC_COMM_SELF, .B = B, .B_local = B, .d = d, .C = C, .H = H, .Q = Q, .Y = Y, .work = work};
  ICLStream            s;

  PetscFunctionBegin;
  ICLStreamInit(&s, 17, ICL_PURPOSE_TASK, 0, 0, 0);
  ICLStreamNormals(&s, B * C * d, H);
  ICLStreamNormals(&s, d * B, Q);
  ICLStreamNormals(&s, d * d, W);
  for (int t = 0; t < B; t++) Y[t * C + (t * 5) % C] = 1.0;
  PetscCall(CheckGradient(ICLMulticlassLossGrad, &p, W, d * d, 1e-6, 1e-8, "cross-entropy"));

  PetscCall(PetscArrayzero(W, d * d));
  PetscCall(ICLMulticlassLossGrad(&p, W, &loss, -eta, W));
  CHECK_NEAR(loss, log((double)C), 1e-14, "loss at W = 0 is log C");
  for (int j = 0; j < d; j++)
    for (int i = 0; i < d; i++) {
      PetscReal w1 = 0.0;
      for (int t = 0; t < B; t++)
        for (int c = 0; c < C; c++) w1 += H[(t * C + c) * d + i] * (Y[t * C + c] - 1.0 / C) * Q[t * d + j];
      w1 *= eta / B;
      CHECK(fabs(W[j * d + i] - w1) <= 1e-14, "W_1[%d,%d] = %.16g, closed form %.16g", i, j, W[j * d + i], w1);
    }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_multiclass_gd")
