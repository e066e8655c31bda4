/* distreg: two-stage sampling / distribution regression (Liu & Zhou; docs/families.md).
 *
 *   stage 1   a task distribution P_t: u_t, w_t i.i.d. uniform on S^{k-1} (normalized Gaussians),
 *             mean c_t = R U u_t (||c_t|| = R exactly) and direction beta_t = U w_t (||beta_t|| = 1),
 *             U = p->U (subspace.h; NULL: the first k coordinates); response f_t(x) = g(beta_t^T x), g = p->link from the
 *             registry below (different smoothness).
 *   stage 2   N context pairs and one query from P_t: x = c_t + zeta, zeta with i.i.d. coordinates
 *             of mean 0 and variance 1 from the input law p->input_law (Gaussian: smooth
 *             density; Laplace: heavy tails, density kink at 0; uniform on [-sqrt 3, sqrt 3]:
 *             bounded, discontinuous density), y = f_t(x) + sigma xi, xi ~ N(0, 1), sigma = p->sigma.
 * ICL learns P_t -> f_t; g's smoothness and the input law are the regularity knobs (both
 * sweepable as integers: ICLDistregLink, ICLDistregInput).
 *
 * Common random numbers: (u_t, w_t) keyed by k; zeta and xi by d, token by token (shared
 * across N, R, sigma and g). Bayes risk (knows f_t): sigma^2. */
#ifndef ICL_DISTREG_H
#define ICL_DISTREG_H

#include "family.h"
#include "rng.h"

extern const ICLFamily ICLFamilyDistreg;

/* Nonlinearities g, from smooth to rough. */
typedef enum {
  ICL_LINK_TANH = 0, /* analytic, bounded */
  ICL_LINK_SIN  = 1, /* analytic, oscillating */
  ICL_LINK_RELU = 2, /* Lipschitz, kink at 0 */
  ICL_LINK_ABS  = 3, /* Lipschitz, kink at 0, even */
  ICL_LINK_SIGN = 4, /* discontinuous at 0 */
  ICL_LINK_COUNT
} ICLDistregLink;

typedef enum {
  ICL_INPUT_GAUSS   = 0,
  ICL_INPUT_LAPLACE = 1,
  ICL_INPUT_UNIFORM = 2,
  ICL_INPUT_COUNT
} ICLDistregInput;

/* Registry by name: -1 when unknown; Names are comma-separated in enum order. */
int         ICLDistregLinkFind(const char *name);
const char *ICLDistregLinkNames(void);
int         ICLDistregInputFind(const char *name);
const char *ICLDistregInputNames(void);
double      ICLDistregLinkApply(int link, double t);

/* Stage 1: c (d) and beta (d) of task `index`. */
void ICLDistregTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *c, double *beta);

/* Stage 2: X (N x d), y (N), query xq (d), yq. c, beta (may be NULL) receive the task.
 * Returns -1 on invalid options. */
int ICLDistregTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t index, double *X, double *y, double *xq,
                     double *yq, double *c, double *beta);

#endif
