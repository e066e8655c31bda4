/* sphere sampler (docs/families.md) against its documented law (sphere.h):
 *   - prototypes: unit norm and zero off the subspace exactly; E u u^T = I/k over tasks;
 *   - every x on S^{d-1} exactly;
 *   - labels: every context has each class floor(N/C) or ceil(N/C) times exactly; which classes
 *     get the extra example, the label at a fixed position and the query label are uniform
 *     (chi-square tests at level 0.001);
 *   - margin: the alignment x^T p_c has mean m(R) = E (R + g/sqrt k)/sqrt((R + g/sqrt k)^2 + chi2/k),
 *     g ~ N(0,1), chi2 ~ chi^2_{k-1} (noise = 0), computed by quadrature; with off-subspace noise
 *     epsilon = sqrt((d-k)/k) the same formula holds with chi^2_{d-1}, which checks the noise
 *     scale too. Tolerance 4 standard errors of the sample mean (the alignments are i.i.d.);
 *   - random U (-subspace random): prototypes unit in span(U), E (U^T p)(U^T p)^T = I/k, inputs in
 *     span(U) without noise, and the margin with noise in the complement of span(U) as above;
 *   - negative controls: the same checks reject R 5% off and a noise scale 10% off, and the
 *     first-k prototypes (a sampler ignoring U) fail the span(U) check;
 *   - common random numbers: the query does not depend on N; the statistic H;
 *   - P prototypes per class (-prototypes_per_class): the C P prototypes unit, E u u^T = I/k over
 *     all of them, the first C those of P = 1; with R = 1e6 every input sits on its prototype, so
 *     the nearest prototype names each token's class and mode: the class is the label, the
 *     classes are balanced, and within a class every mode appears floor or ceil of (class
 *     count)/P times; the query's class and mode are uniform (chi-square, level 0.001). Negative
 *     control: tokens of a one-mode sampler (the P = 1 draw against P = 2's prototypes) fail the
 *     mode balance. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sphere.h"
#include "subspace.h"

enum { d = 10, k = 4, C = 3, N = 7, T = 20000 };

static double Chi2Pdf(double c, double dof) { return exp((dof / 2 - 1) * log(c) - c / 2 - lgamma(dof / 2) - dof / 2 * log(2.0)); }

/* m(R) by Simpson's rule in g and in t = sqrt(chi2) (smooth in t). */
static double Alignment(double R, double dof)
{
  const int    ng = 1200, nt = 1200;
  const double s = 1 / sqrt((double)k), gmax = 9, tmax = sqrt(dof + 12 * sqrt(2 * dof) + 60);
  double       total = 0;
  for (int a = 0; a <= nt; a++) {
    const double t = tmax * a / nt, c = t * t, wt = (a == 0 || a == nt) ? 1 : (a % 2 ? 4 : 2);
    if (t == 0) continue; /* the density vanishes at 0 for dof > 1 */
    const double pc = Chi2Pdf(c, dof) * 2 * t;
    double       inner = 0;
    for (int b = 0; b <= ng; b++) {
      const double g = -gmax + 2 * gmax * b / ng, wg = (b == 0 || b == ng) ? 1 : (b % 2 ? 4 : 2), z = R + g * s;
      inner += wg * exp(-g * g / 2) / sqrt(2 * M_PI) * z / sqrt(z * z + s * s * c);
    }
    total += wt * pc * inner * (2 * gmax / ng / 3);
  }
  return total * tmax / nt / 3;
}

/* Chi-square statistic of counts against the uniform law on n cells. */
static double ChiSquare(const double *count, int n)
{
  double tot = 0, x2 = 0;
  for (int i = 0; i < n; i++) tot += count[i];
  for (int i = 0; i < n; i++) x2 += (count[i] - tot / n) * (count[i] - tot / n) / (tot / n);
  return x2;
}

/* Mean and standard error of the alignment x_i^T p_{c_i} over all context tokens. */
static void SampleAlignment(const ICLTaskParams *p, double *mean, double *se)
{
  double X[N * d], xq[d], P[C * d], s = 0, s2 = 0;
  int    lab[N], cq;
  for (int t = 0; t < T; t++) {
    ICLSphereTokens(p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, lab, xq, &cq, P);
    for (int i = 0; i < N; i++) {
      double a = 0;
      for (int j = 0; j < d; j++) a += X[i * d + j] * P[lab[i] * d + j];
      s += a, s2 += a * a;
    }
  }
  *mean = s / (T * N);
  *se   = sqrt((s2 / (T * N) - *mean * *mean) / (T * N));
}

/* Counts of each token's (class, mode), the mode by the nearest of the C P prototypes P;
 * returns 0 when a token's nearest prototype is not of its labelled class. */
static int Components(int n, int m, const double *X, const int *lab, const double *P, int *count, int *mode)
{
  for (int i = 0; i < n; i++) {
    int    best = 0;
    double top  = -2;
    for (int r = 0; r < m; r++) {
      double a = 0;
      for (int j = 0; j < d; j++) a += X[i * d + j] * P[r * d + j];
      if (a > top) top = a, best = r;
    }
    if (best % C != lab[i]) return 0;
    count[best]++;
    if (mode) mode[i] = best / C;
  }
  return 1;
}

/* Class balance and mode balance within each class of n tokens, from counts over C P rows. */
static int Balanced(int n, int Pm, const int *count)
{
  for (int c = 0; c < C; c++) {
    int nc = 0;
    for (int j = 0; j < Pm; j++) nc += count[j * C + c];
    if (nc != n / C && nc != (n + C - 1) / C) return 0;
    for (int j = 0; j < Pm; j++)
      if (count[j * C + c] != nc / Pm && count[j * C + c] != (nc + Pm - 1) / Pm) return 0;
  }
  return 1;
}

static int ModesHold(void)
{
  enum { Pm = 2, n = 13, TT = 4000 };
  const ICLTaskParams p = {.d = d, .k = k, .R = 1e6, .seed = 21, .classes = C, .prototypes = Pm}, p1 = {.d = d, .k = k, .R = 1e6, .seed = 21, .classes = C};
  double              X[n * d], xq[d], P[C * Pm * d], P1[C * d], uu = 0, worst = 0, query[C * Pm] = {0};
  int                 lab[n], cq, ok = 1, balanced = 1, control = 1;

  CHECK(ICLSpherePrototypes(&p1) == 1 && ICLSpherePrototypes(&p) == Pm, "P = prototypes (0: 1)");
  for (int t = 0; t < TT; t++) {
    int count[C * Pm] = {0}, qc[C * Pm] = {0};
    CHECK(ICLSphereTokens(&p, n, ICL_PURPOSE_TASK, (uint64_t)t, X, lab, xq, &cq, P) == 0, "tokens, P = 2");
    for (int r = 0; r < C * Pm; r++) {
      double n2 = 0;
      for (int j = 0; j < d; j++) n2 += P[r * d + j] * P[r * d + j];
      worst = fmax(worst, fabs(sqrt(n2) - 1));
      uu += P[r * d] * P[r * d] / (TT * C * Pm); /* E u_1^2 = 1/k */
    }
    ok &= Components(n, C * Pm, X, lab, P, count, NULL);
    balanced &= Balanced(n, Pm, count);
    ok &= Components(1, C * Pm, xq, &cq, P, qc, NULL);
    for (int r = 0; r < C * Pm; r++) query[r] += qc[r];
    ICLSphereTokens(&p1, n, ICL_PURPOSE_TASK, (uint64_t)t, X, lab, xq, &cq, P1);
    if (memcmp(P1, P, sizeof P1)) ok = 0;
    for (int r = 0; r < C * Pm; r++) count[r] = 0;
    Components(n, C * Pm, X, lab, P, count, NULL);
    control &= Balanced(n, Pm, count);
  }
  CHECK(worst < 1e-14, "P = 2: prototypes unit (%.3g)", worst);
  CHECK_NEAR(uu, 1.0 / k, 4 * sqrt((3.0 / (k * (k + 2)) - 1.0 / (k * k)) / (TT * C * Pm)), "P = 2: E u_1^2 = 1/k");
  CHECK(ok, "P = 2: a token's nearest prototype is not of its class, or the first C prototypes differ from P = 1's");
  CHECK(balanced, "P = 2: a context not balanced over classes and over the modes of a class");
  CHECK(ChiSquare(query, C * Pm) < 20.52, "P = 2: query (class, mode) not uniform (%.2f)", ChiSquare(query, C * Pm)); /* chi^2_5, 0.001 */
  CHECK(!control, "negative control: one-mode contexts pass the mode balance check");
  return ok && balanced && !control;
}

int main(void)
{
  const double        R = 1.0, chi_crit2 = 13.82; /* chi^2_2 at level 0.001 (C - 1 = 2 dof) */
  const ICLTaskParams p = {.d = d, .k = k, .R = R, .seed = 21, .classes = C};
  double              X[N * d], xq[d], P[C * d], H[C * d], uu[k][k] = {{0}};
  double              extra[C] = {0}, first[C] = {0}, query[C] = {0}, worst_norm = 0, off = 0;
  int                 lab[N], cq, balanced = 1;

  CHECK(ICLSphereClasses(&(ICLTaskParams){.d = 3, .k = 2}) == 2, "default C = 2");
  for (int t = 0; t < T; t++) {
    int count[C] = {0};
    CHECK(ICLSphereTokens(&p, N, ICL_PURPOSE_TASK, (uint64_t)t, X, lab, xq, &cq, P) == 0, "tokens");
    for (int c = 0; c < C; c++) {
      double n2 = 0;
      for (int j = 0; j < d; j++) n2 += P[c * d + j] * P[c * d + j];
      for (int j = k; j < d; j++) off += fabs(P[c * d + j]);
      worst_norm = fmax(worst_norm, fabs(sqrt(n2) - 1));
      for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) uu[a][b] += P[c * d + a] * P[c * d + b] / (T * C);
    }
    for (int i = 0; i <= N; i++) {
      const double *x  = i < N ? X + i * d : xq;
      double        n2 = 0;
      for (int j = 0; j < d; j++) n2 += x[j] * x[j];
      worst_norm = fmax(worst_norm, fabs(sqrt(n2) - 1));
    }
    for (int i = 0; i < N; i++) count[lab[i]]++;
    for (int c = 0; c < C; c++) {
      if (count[c] != N / C && count[c] != (N + C - 1) / C) balanced = 0;
      if (count[c] == (N + C - 1) / C) extra[c]++;
    }
    first[lab[0]]++, query[cq]++;
  }
  CHECK(worst_norm < 1e-14, "prototypes and inputs on the unit sphere (%.3g)", worst_norm);
  CHECK(off == 0, "prototypes must vanish off the subspace");
  CHECK(balanced, "a context was not exactly balanced");
  CHECK(ChiSquare(extra, C) < chi_crit2, "classes with the extra example not uniform (%.2f)", ChiSquare(extra, C));
  CHECK(ChiSquare(first, C) < chi_crit2, "label at position 0 not uniform (%.2f)", ChiSquare(first, C));
  CHECK(ChiSquare(query, C) < chi_crit2, "query label not uniform (%.2f)", ChiSquare(query, C));
  {
    /* u uniform on S^{k-1}: E u_a^2 = 1/k, Var u_a^2 = 3/(k(k+2)) - 1/k^2, E u_a u_b = 0 (Var 1/(k(k+2))). */
    const double n = T * C, v2 = 3.0 / (k * (k + 2)) - 1.0 / (k * k), v11 = 1.0 / (k * (k + 2));
    for (int a = 0; a < k; a++) {
      CHECK_NEAR(uu[a][a], 1.0 / k, 4 * sqrt(v2 / n), "E u_a^2 = 1/k");
      for (int b = 0; b < a; b++) CHECK_NEAR(uu[a][b], 0.0, 4 * sqrt(v11 / n), "E u_a u_b = 0");
    }
  }

  /* Margin: alignment against the quadrature, without and with off-subspace noise. */
  {
    double       mean, se;
    const double m0 = Alignment(R, k - 1), m0bad = Alignment(1.05 * R, k - 1);
    SampleAlignment(&p, &mean, &se);
    printf("alignment (noise 0): MC %.5f +- %.5f, exact %.5f (R*1.05: %.5f)\n", mean, se, m0, m0bad);
    CHECK_NEAR(mean, m0, 4 * se, "E x^T p_c, noise 0");
    CHECK(fabs(mean - m0bad) > 4 * se, "a 5%% error in R not detected");

    const double  eps = sqrt((double)(d - k) / k), m1 = Alignment(R, d - 1);
    ICLTaskParams pn = p, pbad = p;
    pn.noise   = eps;
    pbad.noise = 1.1 * eps;
    SampleAlignment(&pn, &mean, &se);
    printf("alignment (noise %.3f): MC %.5f +- %.5f, exact %.5f\n", eps, mean, se, m1);
    CHECK_NEAR(mean, m1, 4 * se, "E x^T p_c with off-subspace noise");
    SampleAlignment(&pbad, &mean, &se);
    CHECK(fabs(mean - m1) > 4 * se, "a 10%% error in the noise scale not detected (%.5f)", mean);
  }

  /* -subspace random: prototypes unit and in span(U) with E (U^T p)(U^T p)^T = I/k; without
   * off-subspace noise every x lies in span(U) too; the margin law is rotation invariant, so the
   * same quadrature holds, with the off-subspace noise now in the complement of span(U).
   * Negative control: the first-k prototypes (U ignored) are far from span(U). */
  {
    double        U[d * k], r[d], c[k], uu2[k][k] = {{0}}, out = 0, far = 0, mean, se;
    ICLTaskParams pu = p;
    pu.U             = U;
    CHECK(ICLSubspaceRandom(21, d, k, 0, U) == 0, "random U");
    worst_norm = 0;
    for (int t = 0; t < T; t++) {
      ICLSphereTokens(&pu, N, ICL_PURPOSE_TASK, (uint64_t)t, X, lab, xq, &cq, P);
      for (int row = 0; row < C + N; row++) {
        const double *x  = row < C ? P + row * d : X + (row - C) * d;
        double        n2 = 0;
        memcpy(r, x, sizeof r);
        ICLSubspaceComplement(U, d, k, r);
        for (int j = 0; j < d; j++) out = fmax(out, fabs(r[j])), n2 += x[j] * x[j];
        worst_norm = fmax(worst_norm, fabs(sqrt(n2) - 1));
      }
      for (int row = 0; row < C; row++) {
        for (int a = 0; a < k; a++) {
          c[a] = 0;
          for (int j = 0; j < d; j++) c[a] += U[a * d + j] * P[row * d + j];
        }
        for (int a = 0; a < k; a++)
          for (int b = 0; b < k; b++) uu2[a][b] += c[a] * c[b] / (T * C);
      }
    }
    CHECK(worst_norm < 1e-14, "random U: prototypes and inputs on the unit sphere (%.3g)", worst_norm);
    CHECK(out < 1e-13, "random U, no noise: prototypes and inputs leave span(U) by %.3g", out);
    {
      const double n = T * C, v2 = 3.0 / (k * (k + 2)) - 1.0 / (k * k), v11 = 1.0 / (k * (k + 2));
      for (int a = 0; a < k; a++) {
        CHECK_NEAR(uu2[a][a], 1.0 / k, 4 * sqrt(v2 / n), "random U: E (U^T p)_a^2 = 1/k");
        for (int b = 0; b < a; b++) CHECK_NEAR(uu2[a][b], 0.0, 4 * sqrt(v11 / n), "random U: E (U^T p)_a (U^T p)_b = 0");
      }
    }
    ICLSphereTask(&p, ICL_PURPOSE_TASK, 0, P);
    for (int row = 0; row < C; row++) {
      double n2 = 0;
      memcpy(r, P + row * d, sizeof r);
      ICLSubspaceComplement(U, d, k, r);
      for (int j = 0; j < d; j++) n2 += r[j] * r[j];
      far = fmax(far, sqrt(n2));
    }
    CHECK(far > 0.1, "a sampler ignoring U would pass the span(U) check (%.3g off)", far);
    pu.noise = sqrt((double)(d - k) / k);
    SampleAlignment(&pu, &mean, &se);
    printf("alignment (random U, noise %.3f): MC %.5f +- %.5f, exact %.5f\n", pu.noise, mean, se, Alignment(R, d - 1));
    CHECK_NEAR(mean, Alignment(R, d - 1), 4 * se, "random U: E x^T p_c with off-subspace noise");
  }

  /* Common random numbers and the statistic. */
  {
    double X2[12 * d], xq2[d], mean[d] = {0};
    int    lab2[12], cq2;
    ICLSphereTokens(&p, N, ICL_PURPOSE_TASK, 5, X, lab, xq, &cq, NULL);
    ICLSphereTokens(&p, 12, ICL_PURPOSE_TASK, 5, X2, lab2, xq2, &cq2, NULL);
    CHECK(!memcmp(xq, xq2, sizeof xq) && cq == cq2, "query shared across N");
    ICLSphereStat(d, C, N, X, lab, H);
    for (int i = 0; i < N; i++)
      for (int j = 0; j < d; j++) mean[j] += X[i * d + j] / N;
    double err = 0;
    for (int j = 0; j < d; j++) err = fmax(err, fabs(H[j] + H[d + j] + H[2 * d + j] - mean[j]));
    CHECK(err < 1e-14, "rows of H sum to the context mean (%.3g)", err);
  }
  CHECK(ModesHold(), "P prototypes per class");
  CHECK(ICLFamilyFind("sphere") == &ICLFamilySphere && ICLFamilySphere.bayes_error == NULL, "registered, no closed-form Bayes error");
  return CheckReport("test_sphere_sampler");
}
