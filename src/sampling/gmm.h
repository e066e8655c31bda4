/* gmm: Gaussian-mixture classification in a k-dim subspace (Magen & Vardi; docs/families.md).
 *
 * Task mu = R U u with u uniform on the unit sphere of R^k and U the task subspace (the
 * first k coordinates, or a random one: subspace.h),
 * so ||mu|| = R exactly. Example: y uniform in {-1,+1}, x = y mu + z, z ~ N(0, I_d).
 * A context of N examples enters every model only through m = (1/N) sum y_i x_i
 * ~ N(mu, I/N), and the query only through v = y_q x_q = mu + z'; one task is (m, v).
 *
 * Common random numbers: u is keyed by k only, context/query noise by d only, and the
 * context noise is scaled by 1/sqrt(N), so cells that differ in N, d or R share draws. */
#ifndef ICL_GMM_H
#define ICL_GMM_H

#include "family.h"
#include "rng.h"

extern const ICLFamily ICLFamilyGmm;

/* mu (length d) of task `index` drawn for `purpose` (ICL_PURPOSE_TASK or _TEST_TASK). */
void ICLGmmTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *mu);

/* Training task tau at context length N, as its exact sufficient statistic (m, v). */
void ICLGmmTrainPair(const ICLTaskParams *p, int N, uint64_t tau, double *m, double *v);

/* Test task j: mu and the unit-variance context noise z; m = mu + z/sqrt(M) for any M. */
void ICLGmmTestTask(const ICLTaskParams *p, uint64_t j, double *mu, double *z);

/* Task tau as N explicit tokens (x: N x d row-major, y: N labels) plus the query (xq, yq);
 * purpose ICL_PURPOSE_TASK (training tasks: the same mu as ICLGmmTrainPair, independent noise)
 * or ICL_PURPOSE_TEST_TASK (the same mu as ICLGmmTestTask). */
void ICLGmmTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t tau, double *x, double *y, double *xq, double *yq);

/* The sufficient statistic (m, v) of explicit tokens. */
void ICLGmmStatFromTokens(int d, int N, const double *x, const double *y, const double *xq, double yq, double *m, double *v);

#endif
