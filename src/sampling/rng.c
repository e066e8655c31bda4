#include "rng.h"

#include <math.h>
#include <string.h>

#include <Random123/philox.h>

/* splitmix64's finalizer: a bijective 64-bit mixer; enough to spread coordinate values
 * over Philox's counter space (Philox itself does the cryptographic-strength mixing). */
static uint64_t Mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t ICLHashInit(void) { return 0x6a09e667f3bcc908ULL; }

uint64_t ICLHashU64(uint64_t h, uint64_t v) { return Mix64(h ^ Mix64(v + 0x9e3779b97f4a7c15ULL)); }

uint64_t ICLHashDouble(uint64_t h, double v)
{
  uint64_t bits;
  if (v == 0.0) v = 0.0; /* -0.0 and 0.0 are the same coordinate */
  memcpy(&bits, &v, sizeof bits);
  return ICLHashU64(h, bits);
}

void ICLStreamInit(ICLStream *s, uint64_t seed, ICLPurpose purpose, uint64_t coords, uint64_t replicate, uint64_t index)
{
  memset(s, 0, sizeof *s);
  s->key[0] = seed;
  s->key[1] = (uint64_t)purpose;
  s->ctr[0] = coords;
  s->ctr[1] = replicate;
  s->ctr[2] = index;
  s->ctr[3] = 0; /* block counter within the stream */
  s->used = 4;
}

static uint64_t NextWord(ICLStream *s)
{
  if (s->used == 4) {
    philox4x64_ctr_t c = {{s->ctr[0], s->ctr[1], s->ctr[2], s->ctr[3]}};
    philox4x64_key_t k = {{s->key[0], s->key[1]}};
    philox4x64_ctr_t r = philox4x64(c, k);
    memcpy(s->out, r.v, sizeof s->out);
    s->ctr[3]++;
    s->used = 0;
  }
  return s->out[s->used++];
}

double ICLStreamUniform(ICLStream *s)
{
  /* 53 random bits, shifted half an ulp so that 0 is impossible (log() below). */
  return ((double)(NextWord(s) >> 11) + 0.5) * 0x1.0p-53;
}

double ICLStreamNormal(ICLStream *s)
{
  if (s->has_spare) {
    s->has_spare = 0;
    return s->spare;
  }
  const double u1 = ICLStreamUniform(s), u2 = ICLStreamUniform(s);
  const double r = sqrt(-2.0 * log(u1)), t = 2.0 * M_PI * u2;
  s->spare     = r * sin(t);
  s->has_spare = 1;
  return r * cos(t);
}

void ICLStreamNormals(ICLStream *s, size_t n, double *x)
{
  for (size_t i = 0; i < n; i++) x[i] = ICLStreamNormal(s);
}
