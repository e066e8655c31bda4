/* The sweep's options as a user would write them, for the `options` attribute of results.nc:
 * categorical values by name (-link tanh, not the code -link 0), so that
 * `run -options_file` of the attribute replays the sweep, to the same fingerprint. */
#ifndef ICL_REPLAY_H
#define ICL_REPLAY_H

#include "options.h"

PetscErrorCode ICLSweepReplayable(const ICLSweep *sw, char *out, size_t len);

#endif
