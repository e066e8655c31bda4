/* The journal: an append-only, checksummed, fsync'ed file of finished cells, DIR/journal.
 * A cell is durable once its record is synced; results.nc is always rebuilt from the
 * journal, so a crash at any instant loses at most the cells in flight (docs/output.md).
 *
 * Layout: a header (magic, fingerprint, grid size, record size, CRC-32) then fixed-size
 * records, each followed by its CRC-32. A torn tail or a corrupt record is dropped with a
 * warning when the journal is opened; every other record survives. */
#ifndef ICL_JOURNAL_H
#define ICL_JOURNAL_H

#include "results.h"

typedef struct ICLJournal_s *ICLJournal;

/* Opens (creating when absent) DIR/journal for this sweep, takes an exclusive lock, and
 * loads every valid record into res. A journal of another sweep, a corrupt header, or a DIR
 * in use by another run is ICL_ERR_INPUT, and nothing is changed. */
PetscErrorCode ICLJournalOpen(const ICLSweep *sw, ICLJournal *j, ICLResults *res);
/* -retry: drops the records of cells whose status bit (1 << status) is in mask, so they are
 * pending again and the journal keeps one record per cell. The journal is rewritten beside
 * itself and renamed over it (a crash leaves the old one or the new one, whole); res is
 * reloaded from it. *nretry: cells made pending. */
PetscErrorCode ICLJournalRetry(const ICLSweep *sw, ICLJournal j, unsigned mask, ICLResults *res, PetscInt64 *nretry);
/* Whether a run holds DIR/journal's lock right now (a run is active in DIR). */
PetscErrorCode ICLJournalActive(const char *dir, PetscBool *active);
/* Reads DIR/journal's header only: *exists, and the sweep's fingerprint and grid size. */
PetscErrorCode ICLJournalPeek(const char *dir, PetscBool *exists, char fingerprint[17], PetscInt64 *ncells);
typedef struct {
  char       fingerprint[17];
  PetscInt64 ncells, dropped; /* dropped: records failing their checksum, or torn */
  PetscInt   nM, shard, num_shards;
} ICLJournalInfo;

/* Reads DIR/journal without changing or locking it (a run may be appending meanwhile) and
 * calls fn on every valid record, in file order (fn NULL: the header only). */
PetscErrorCode ICLJournalForEach(const char *dir, ICLJournalInfo *info, PetscErrorCode (*fn)(const ICLRecord *, void *), void *ctx);
/* Appends one record (durable after the next ICLJournalSync) and stores it in res. */
PetscErrorCode ICLJournalAppend(ICLJournal j, const ICLRecord *rec, ICLResults *res);
PetscErrorCode ICLJournalSync(ICLJournal j);
/* Records read back when the journal was opened, and how many were dropped. */
void           ICLJournalCounts(ICLJournal j, PetscInt64 *loaded, PetscInt64 *dropped, PetscInt64 *duplicates);
PetscErrorCode ICLJournalClose(ICLJournal *j);

#endif
