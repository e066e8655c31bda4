/* -engine gram: a gmm cell of the linear model run exactly in law at a cost independent of d
 * (docs/engines.md has the derivation).
 *
 * From W_0 = 0 every iterate of GD, and everything reported about it, depends on the training
 * vectors only through the Gram matrices M M^T and V V^T (m_tau, v_tau: the B rows), and on a
 * test task (mu, m) only through m^T m_tau and v_tau^T mu. Write every noise vector as its
 * k coordinates in span(U) plus its part orthogonal to U. The orthogonal parts of the m's are
 * Z_m / sqrt(N) with Z_m a (d - k) x B Gaussian matrix; Z_m = Q_m F_m (wishart.h) with the
 * r x B factor F_m (r = min(d - k, B)) and orthonormal Q_m independent of it; likewise
 * Z_v = Q_v F_v, independent. So the vectors
 *   m~_tau = [ R u_tau + g_tau / sqrt(N) ; F_m[:, tau] / sqrt(N) ]
 *   v~_tau = [ R u_tau + h_tau           ; F_v[:, tau]           ]   (length D = k + r)
 * have exactly the Gram matrices of the m's and v's (g, h ~ N(0, I_k)). A test m's
 * orthogonal noise zeta enters only as Z_m^T zeta / sqrt(N M) = F_m^T (Q_m^T zeta) / sqrt(N M),
 * and Q_m^T zeta ~ N(0, I_r) given the training data: a test task is the gmm test task of
 * dimension D, mu~ = [R~ w; 0], z~ ~ N(0, I_D). Nothing reads m^T v, where the reduced vectors
 * (sharing coordinates k..D) differ from the true ones in law. Training, test error,
 * subspace alignment (the leading k x k block), the singular values of W (the nonzero ones
 * are those of (M M^T)^(1/2) diag(alpha) (V V^T)^(1/2)) and the distance to one-step GD are
 * functions of these Grams, so the explicit pipeline run on the reduced cell (d -> D, U = the
 * first k coordinates) reports every number with its explicit law. */
#ifndef ICL_GRAM_ENGINE_H
#define ICL_GRAM_ENGINE_H

#include "merged_problem.h"
#include "model.h"

/* The reduced cell: the cell with d = D = k + min(d - k, B) and the first k coordinates as
 * the subspace. Its test tasks are the gmm test tasks of that dimension. */
void ICLGramCell(const ICLCell *cell, ICLCell *reduced);

/* Samples this rank's share of the cell's B training tasks as the reduced vectors (m~, v~),
 * a bilinear problem of dimension D: p is destroyed with ICLMergedProblemDestroy. Streams
 * are keyed by (seed, d, k, replicate, task), so groups of any size and cells with fewer tasks
 * draw the same columns. Collective over cell->comm. */
PetscErrorCode ICLGramProblemCreate(const ICLCell *cell, ICLMergedProblem *p);

/* The W-free path (-engine wfree; gram and auto take it where ICLGramWFree says): the same
 * reduced cell, trained in the dual form on K = (M M^T) .* (V V^T) without ever forming the
 * D x D W. Each rank holds its own tasks' m~, v~ (drawn as ICLGramProblemCreate draws them)
 * and its share of K; the dual form draws the other ranks' tasks it needs from their keyed
 * streams (the task source), and evaluation works from the coefficients alpha
 * (gram_accuracy.h). Where the reduced W alone would exceed this many bytes, gram and auto run
 * W-free: a rule of the cell (B, d, k, precision, method), never of the group or machine. */
#define ICL_GRAM_W_BYTES 4e9

/* Whether a gram cell runs W-free: -engine wfree, or a reduced W beyond ICL_GRAM_W_BYTES with
 * the dual form (-train_method dual or auto) in double precision. */
PetscBool ICLGramWFree(const ICLCell *cell);

typedef struct {
  ICLCell            cell, reduced; /* the cell, and the reduced cell evaluation runs in */
  ICLBilinearProblem p;             /* this rank's tasks, from task `first` on, and the source */
  ICLTaskSource      source;        /* draws any task's m~, v~ (p.source points here) */
  PetscInt           first;
  PetscReal         *col;           /* the source's scratch */
} ICLGramWFreeProblem;

/* This rank's share of the reduced tasks, and the source of the others'. w is not to be
 * copied (p points into it). Collective over cell->comm. */
PetscErrorCode ICLGramWFreeProblemCreate(const ICLCell *cell, ICLGramWFreeProblem *w);
PetscErrorCode ICLGramWFreeProblemDestroy(ICLGramWFreeProblem *w);

/* Cost model of the W-free path: flop of forming K (its triangle, each product over the
 * coordinates both tasks can have nonzero), L step sizes to T_max steps, and `evaluations`
 * evaluations; and bytes per rank in a group of g. */
PetscReal ICLGramWFreeFlops(const ICLCell *cell, PetscInt L, PetscInt T_max, PetscInt evaluations);
PetscReal ICLGramWFreeMemory(const ICLCell *cell, PetscInt g);

#endif
