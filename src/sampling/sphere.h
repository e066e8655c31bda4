/* sphere: C-class classification on the unit sphere (Dragutinovic, Saxe & Singh; docs/families.md,
 * docs/dss.md). The paper's generator is not public; this is ours, exactly:
 *
 *   task      C P prototypes p_{c,j} = U u_{c,j} (class c, j = 0..P-1), u i.i.d. uniform on the
 *             unit sphere S^{k-1} (normalized N(0, I_k)), U = p->U (subspace.h; NULL: the first
 *             k coordinates); C = p->classes (0: 2), P = p->prototypes (0: 1). Class c is the
 *             union of its P modes; the prototypes are drawn in the order j C + c, so the first
 *             C (j = 0) are the same for every P (common random numbers across P).
 *   example   class c and mode j, then z = R p_{c,j} + U n/sqrt(k) + epsilon (I - U U^T) m/sqrt(d-k),
 *             n ~ N(0, I_k), m ~ N(0, I_{d-k}), epsilon = p->noise (0: none; ignored if d = k),
 *             x = z/||z|| on S^{d-1}. The in-subspace noise has E||.||^2 = 1 and the
 *             off-subspace noise E||.||^2 = epsilon^2, so R is the class margin in units of
 *             the noise: R -> infinity puts every x of class c on p_c, R = 0 makes classes
 *             indistinguishable. Label y = e_c (one-hot in R^C).
 *   balance   the N context components are exactly balanced: a uniformly random permutation of
 *             (0, 1, ..., CP-1, 0, 1, ...) (length N), component r being class r mod C and mode
 *             floor(r/C), followed by a uniformly random relabelling of the classes. So every class
 *             appears floor(N/C) or ceil(N/C) times, which classes get the extra example is
 *             uniform, and within a class every mode appears floor or ceil of (its count)/P times
 *             (which modes get extras needs no shuffle: the modes are i.i.d.). The query's class
 *             is uniform on {0..C-1}, then (P > 1 only) its mode uniform on {0..P-1}, independent
 *             of the context. P = 1 draws exactly the random numbers of the one-mode sampler.
 *
 * Statistic of the linear model (docs/models.md: logits_c = (1/N) sum_i [y_i]_c x_i^T W x_q):
 * H (C x d) with row c = (1/N) sum_{i: c_i = c} x_i; logits = H W x_q.
 *
 * Common random numbers: prototypes keyed by (k, C); the noise vectors (n, m) of token i by
 * d only, drawn token by token (shared across N and R); the labels by (C, N). */
#ifndef ICL_SPHERE_H
#define ICL_SPHERE_H

#include "family.h"
#include "rng.h"

extern const ICLFamily ICLFamilySphere;

/* Number of classes of p (p->classes, 0 meaning 2). */
int ICLSphereClasses(const ICLTaskParams *p);

/* Number of prototypes (modes) per class (p->prototypes, 0 meaning 1). */
int ICLSpherePrototypes(const ICLTaskParams *p);

/* Prototypes P (C P x d, row-major, unit rows in the subspace; row j C + c is mode j of class c)
 * of task `index`. */
void ICLSphereTask(const ICLTaskParams *p, ICLPurpose purpose, uint64_t index, double *P);

/* One task as tokens: X (N x d), labels (N, in 0..C-1), query xq (d) and its label cq.
 * P (C P x d, may be NULL) receives the prototypes. Returns -1 on invalid options (or when
 * the prototypes do not fit in memory). */
int ICLSphereTokens(const ICLTaskParams *p, int N, ICLPurpose purpose, uint64_t index, double *X, int *labels, double *xq,
                    int *cq, double *P);

/* H (C x d): row c = (1/N) sum_{i: labels_i = c} x_i. */
void ICLSphereStat(int d, int C, int N, const double *X, const int *labels, double *H);

#endif
