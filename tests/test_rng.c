/* Philox streams: pure functions of their keys, independent across keys, right moments. */
#include <string.h>

#include "check.h"
#include "rng.h"

int main(void)
{
  enum { n = 200000 };
  ICLStream a, b;
  double    x[64], y[64];

  /* Same key, same numbers; a different value in any key field, different numbers. */
  ICLStreamInit(&a, 7, ICL_PURPOSE_TASK, ICLHashU64(ICLHashInit(), 100), 3, 11);
  ICLStreamInit(&b, 7, ICL_PURPOSE_TASK, ICLHashU64(ICLHashInit(), 100), 3, 11);
  ICLStreamNormals(&a, 64, x);
  ICLStreamNormals(&b, 64, y);
  CHECK(!memcmp(x, y, sizeof x), "same key must give the same stream");
  const uint64_t fields[5][5] = {{8, 1, 100, 3, 11}, {7, 2, 100, 3, 11}, {7, 1, 101, 3, 11}, {7, 1, 100, 4, 11}, {7, 1, 100, 3, 12}};
  for (int f = 0; f < 5; f++) {
    ICLStreamInit(&b, fields[f][0], (ICLPurpose)fields[f][1], ICLHashU64(ICLHashInit(), fields[f][2]), fields[f][3], fields[f][4]);
    ICLStreamNormals(&b, 64, y);
    int same = 0;
    for (int i = 0; i < 64; i++) same += x[i] == y[i];
    CHECK(same == 0, "changing key field %d left %d of 64 numbers equal", f, same);
  }
  CHECK(ICLHashDouble(ICLHashInit(), 0.0) == ICLHashDouble(ICLHashInit(), -0.0), "0.0 and -0.0 must be one coordinate");
  CHECK(ICLHashDouble(ICLHashInit(), 2.0) != ICLHashDouble(ICLHashInit(), 2.0000000000000004), "adjacent doubles must differ");

  /* Moments of N(0,1) and U(0,1) within 5 standard errors. */
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0, u1 = 0, umin = 1, umax = 0;
  ICLStreamInit(&a, 1, ICL_PURPOSE_CONTEXT, 42, 0, 0);
  for (int i = 0; i < n; i++) {
    const double z = ICLStreamNormal(&a), u = ICLStreamUniform(&a);
    s1 += z, s2 += z * z, s3 += z * z * z, s4 += z * z * z * z;
    u1 += u, umin = fmin(umin, u), umax = fmax(umax, u);
  }
  CHECK_NEAR(s1 / n, 0.0, 5 * sqrt(1.0 / n), "normal mean");
  CHECK_NEAR(s2 / n, 1.0, 5 * sqrt(2.0 / n), "normal variance");
  CHECK_NEAR(s3 / n, 0.0, 5 * sqrt(15.0 / n), "normal third moment");
  CHECK_NEAR(s4 / n, 3.0, 5 * sqrt(96.0 / n), "normal fourth moment");
  CHECK_NEAR(u1 / n, 0.5, 5 * sqrt(1.0 / 12 / n), "uniform mean");
  CHECK(umin > 0 && umax < 1, "uniforms must lie in (0, 1): [%g, %g]", umin, umax);
  return CheckReport("test_rng");
}
