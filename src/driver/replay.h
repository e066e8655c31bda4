/* Names for people: the sweep's options as a user would write them, for the `options` attribute of results.nc:
 * categorical values by name (-link tanh, not the code -link 0), so that
 * `run -options_file` of the attribute replays the sweep, to the same fingerprint. */
#ifndef ICL_REPLAY_H
#define ICL_REPLAY_H

#include "options.h"

/* The name of code c of categorical parameter q in buf (the names are in no promised order:
 * find decides), or NULL when no name has that code. */
const char    *ICLParamValueName(const ICLSweepParam *q, int c, char *buf, size_t len);
PetscErrorCode ICLSweepReplayable(const ICLSweep *sw, char *out, size_t len);
/* A cell by its coordinates, e.g. "model linear, d = 8, k = 2, N = 5, R = 2, link = tanh,
 * replicate 0": how messages and listings name cells. */
PetscErrorCode ICLCellName(const ICLSweep *sw, PetscInt64 cell, char *buf, size_t len);

#endif
