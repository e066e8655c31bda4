/* DIR/results.nc, the gridded NetCDF-4 file of SPEC §6. It is written whole into a
 * temporary file and renamed into place, so a crash never leaves a damaged results.nc. */
#ifndef ICL_OUTPUT_H
#define ICL_OUTPUT_H

#include "provenance.h"
#include "runner.h"

typedef enum { ICL_OUTPUT_NEW, ICL_OUTPUT_COMPLETE } ICLOutputState;

/* Creates DIR if needed and says what it holds. A DIR holding another sweep, or anything
 * not written by iclsweep in place of results.nc, is ICL_ERR_INPUT and is left untouched. */
PetscErrorCode ICLOutputInspect(const char *dir, const char *fingerprint, ICLOutputState *state);
PetscErrorCode ICLOutputWrite(const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov);

#endif
