/* -train_method dual: the iterates of ICLBilinearGD computed in the B x B dual form.
 * From W_0 = 0 every GD iterate is W_t = sum_tau alpha_tau a_tau b_tau^T, so the margins are
 * s = K alpha with K = (A A^T) .* (B B^T) (A, B: the B x d stacks of a_tau, b_tau), and the
 * step W <- W + (eta/B) sum_tau c_tau a_tau b_tau^T, c = -dL/ds, is alpha <- alpha + (eta/B) c:
 *   logistic: c = sigmoid(-s);   squared: c = -2 (s - y).
 * K is formed once (two Gram products over its upper triangle, about 2 B^2 d flop) and each
 * step costs one symmetric K alpha (2 B^2 flop, streaming B^2/2 words) instead of 4 B d^2:
 * cheaper when B is small next to d^2. K takes B^2/2 words per group (doubles, or floats with
 * -train_precision single, which also halves the words a step streams). */
#ifndef ICL_DUAL_GD_H
#define ICL_DUAL_GD_H

#include "bilinear_gd.h"
#include "gd.h"
#include "sym_tiles.h"

/* Columns of K formed per pass: two B_local x ICL_GRAM_BLOCK Gram blocks are the only
 * scratch. */
#define ICL_GRAM_BLOCK 256

/* The side of the square tiles a rank's share of K is stored in: the fused product reads
 * 256 x 256 tiles at 31 GB/s on one thread here, 1024 x 32 tiles at 20 (sym_tiles.h). */
#define ICL_DUAL_TILE 256

/* Words of K a rank of a group of g holds for B tasks, b of them its own: its share of the
 * upper triangle, the diagonal tiles' lower halves, and a vector of B for each job of the
 * product (sym_tiles.h). */
#define ICLDualKWords(B, b) ((b) * (B) / 2.0 + (b) * ICL_DUAL_TILE / 2.0 + (double)ICL_SYM_JOBS * (B))

/* T steps from W = 0 (W's input value is ignored), the same contract as ICLBilinearGD: stops
 * at the first non-finite loss (DIVERGED) or when p->cancel says so (CANCELLED); *loss is the
 * loss at the final iterate and W (on every rank of p->comm) the final iterate. p->work and
 * p->grad are scratch. K's rows are split over p->comm as the tasks are; each rank gathers
 * the group's stacks to form its rows, or, with p->source, draws the other ranks' tasks it
 * needs (double precision only). Collective over p->comm. */
PetscErrorCode ICLDualGD(const ICLBilinearProblem *p, ICLTrainPrecision precision, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome);

/* The dual form with checkpoints (docs/budget.md), for L step sizes lr[0..L-1] at once on one
 * K: step size l runs to the last of its checkpoints cp[l] (gd.h) and ends each with W (d x d,
 * the scratch this function forms the iterate in, on every rank of p->comm) bit for bit the W
 * of a separate ICLDualGD run of that many steps; its iterate is formed only at its
 * checkpoints. K is formed once (2 B^2 d flop) instead of once per step size and
 * checkpoint; each step takes the active step sizes' products K alpha_l. A step size that
 * diverges stops its own iterates only. Checkpoints with at_alpha get alpha and the margins
 * instead, and no W is formed (W, p->work and p->grad may be NULL if all have it). Collective
 * over p->comm. */
PetscErrorCode ICLDualGDCheckpoints(const ICLBilinearProblem *p, ICLTrainPrecision precision, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W);

/* The same T steps for L step sizes lr[0..L-1] at once, sharing K: K is formed once (its
 * 2 B^2 d flop, the larger part of a cell when d is large) instead of L times, and each step
 * takes the L products K alpha_l. Double precision. W[l], loss[l], steps[l], outcome[l] are
 * those of ICLDualGD with lr[l], bit for bit; a step size that diverges stops its own
 * iterates only. Collective over p->comm. */
PetscErrorCode ICLDualGDBatch(const ICLBilinearProblem *p, PetscInt T, PetscInt L, const PetscReal *lr, PetscReal **W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome);

#endif
