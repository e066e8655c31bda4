/* distill: the kernel student (phi = prf) of the fixed softmax teacher gets closer to it as D
 * grows. One small distreg cell (d = 8, k = 2, N = M = 20, B = 200, T = 30, lr = 0.1) per D = 4, 16, 64, 256, 1024, the
 * same training and test tasks: the distillation loss (train_loss) and the test gap
 * E(student - teacher)^2 (read from the message) must fall from each D to the next-but-one and
 * from the smallest to the largest by a factor of 4 or more. */
#include <petscsys.h>

#include "check.h"
#include "distreg.h"
#include "feature_map.h"
#include "method_gd.h"
#include "model.h"

static PetscErrorCode Run(void)
{
  const ICLModelType *distill = ICLModelFind("distill");
  const PetscInt      M[1] = {20}, Ds[] = {4, 16, 64, 256, 1024}, nD = 5;
  PetscReal           train[5], gap[5];

  PetscFunctionBegin;
  CHECK(distill != NULL, "distill is registered");
  if (!distill) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < nD; i++) {
    ICLCell        cell = {.comm        = PETSC_COMM_SELF,
                           .family      = &ICLFamilyDistreg,
                           .task        = {.d = 8, .k = 2, .R = 1, .seed = 42, .sigma = 0.1},
                           .N           = 20,
                           .eval_R      = 1,
                           .B           = 200,
                           .T           = 30,
                           .lr          = 0.1,
                           .M           = M,
                           .nM          = 1,
                           .eval_tasks  = 1000,
                           .method      = &ICLTrainMethodGd,
                           .features    = Ds[i],
                           .feature_map = ICL_PHI_PRF};
    PetscReal      err = NAN, se = NAN, gse = NAN;
    ICLCellResult  res = {.train_loss = NAN, .alignment = NAN, .test_error = &err, .test_error_se = &se};
    PetscLogDouble t0, t1;
    PetscCall(PetscTime(&t0));
    PetscCall(distill->run(&cell, &res));
    PetscCall(PetscTime(&t1));
    CHECK(res.status == ICL_STATUS_OK, "D = %d: status %d (%s)", (int)Ds[i], (int)res.status, res.message);
    const char *m = strstr(res.message, "M=20 ");
    CHECK(m && sscanf(m, "M=20 %lf+-%lf", &gap[i], &gse) == 2, "D = %d: no test gap at M = 20 in '%s'", (int)Ds[i], res.message);
    train[i] = res.train_loss;
    printf("distill prf D = %4d: train gap %.5f, test gap %.5f +- %.5f, test error %.5f +- %.5f, %.2f s\n", (int)Ds[i], train[i], gap[i], gse, err, se, t1 - t0);
  }
  for (PetscInt i = 0; i + 2 < nD; i++) {
    CHECK(train[i + 2] < train[i], "train gap D = %d: %.5f not below D = %d: %.5f", (int)Ds[i + 2], train[i + 2], (int)Ds[i], train[i]);
    CHECK(gap[i + 2] < gap[i], "test gap D = %d: %.5f not below D = %d: %.5f", (int)Ds[i + 2], gap[i + 2], (int)Ds[i], gap[i]);
  }
  CHECK(gap[nD - 1] * 4 <= gap[0], "test gap at D = %d (%.5f) should be 4x below D = %d (%.5f)", (int)Ds[nD - 1], gap[nD - 1], (int)Ds[0], gap[0]);
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_distill")
