/* Feature maps phi of kernelized linear attention (docs/models.md, models `kernel` and `distill`),
 * registered by name so -feature_map and -grid_feature_map accept names and results.nc
 * stores the index; and their math: phi of a batch and its pullback for training. */
#ifndef ICL_FEATURE_MAP_H
#define ICL_FEATURE_MAP_H

#include <petscsys.h>

typedef enum {
  ICL_PHI_IDENTITY = 0, /* phi(x) = x: plain linear attention */
  ICL_PHI_ELU1     = 1, /* elu(x) + 1 (Katharopoulos et al.) */
  ICL_PHI_RELU     = 2,
  ICL_PHI_EXP      = 3, /* elementwise exp */
  ICL_PHI_PRF      = 4, /* positive random features approximating the exp (softmax) kernel, D features */
  ICL_PHI_POLY2    = 5, /* second-order Taylor features of the exp kernel */
  ICL_PHI_COUNT
} ICLFeatureMapKind;

/* -1 when unknown. */
int         ICLFeatureMapFind(const char *name);
/* Comma-separated names in enum order. */
const char *ICLFeatureMapNames(void);

/* One feature map on R^d with `width` outputs:
 *   identity, elu1, relu, exp   elementwise, width d
 *   prf     phi(x)_j = exp(omega_j^T x - |x|^2/2) / sqrt(D), omega_j ~ N(0, I_d), width D, so
 *           E phi(q)^T phi(k) = exp(q^T k) (Choromanski et al., positive random features)
 *   poly2   [1, x, vec(x x^T)/sqrt 2], width 1 + d + d^2, so phi(q)^T phi(k) = 1 + q^T k + (q^T k)^2/2 */
typedef struct {
  ICLFeatureMapKind kind;
  PetscInt          d, width;
  PetscReal        *omega; /* prf: D x d column-major (row j is omega_j); NULL otherwise */
} ICLFeatureMap;

/* omega_j is drawn from its own keyed stream (seed, ICL_PURPOSE_FEATURES, d, replicate, j): the
 * same for every cell of a replicate with this d, and the first D are shared by every larger D. */
PetscErrorCode ICLFeatureMapCreate(ICLFeatureMapKind kind, PetscInt d, PetscInt D, uint64_t seed, uint64_t replicate, ICLFeatureMap *phi);
PetscErrorCode ICLFeatureMapDestroy(ICLFeatureMap *phi);

/* F = phi(Z) row by row: Z is n x d, F is n x width, both row-major. */
PetscErrorCode ICLFeatureMapApply(const ICLFeatureMap *phi, PetscInt n, const PetscReal *Z, PetscReal *F);

/* Pullback (transposed Jacobian-vector product) row by row: dZ_r = J_phi(Z_r)^T G_r, with
 * F = phi(Z) already computed. G (n x width) is used as scratch and destroyed; dZ is n x d. */
PetscErrorCode ICLFeatureMapPullback(const ICLFeatureMap *phi, PetscInt n, const PetscReal *Z, const PetscReal *F, PetscReal *G, PetscReal *dZ);

/* Number of features of phi on R^d (D: prf only), and the flops of Apply on one row (about
 * the same again for Pullback), for cost models that have no ICLFeatureMap yet. */
PetscInt  ICLFeatureMapWidth(ICLFeatureMapKind kind, PetscInt d, PetscInt D);
PetscReal ICLFeatureMapRowFlops(ICLFeatureMapKind kind, PetscInt d, PetscInt D);

#endif
