#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "durable.h"
#include "error.h"

#define ICL_JOURNAL_MAGIC   "ICLSWEEP-JOURNAL"
#define ICL_JOURNAL_VERSION 3u /* 2: records carry singular_values and gd_distance; 3: the loss history and their cell's key */

typedef struct {
  char     magic[16];
  uint32_t version, rsize;
  int64_t  ncells;
  int32_t  nM;
  char     fingerprint[17];
  char     pad[3];
  int32_t  shard, num_shards; /* which part of the sweep this journal's run covers */
  char     cell_fingerprint[17];
  char     pad3[3];
  uint32_t crc;               /* of every byte before it */
} Header;

/* Format 2, upgraded when its own sweep resumes: the same header up to num_shards, then its
 * CRC-32 (no cell fingerprint), 72 bytes; records without a key. */
#define ICL_HEADER_V2_CRC  offsetof(Header, cell_fingerprint)
#define ICL_HEADER_V2_SIZE (ICL_HEADER_V2_CRC + 8)
#define ICL_RECORD_V2 offsetof(ICLRecord, loss_history) /* a format 2 record's bytes before its test errors */

struct ICLJournal_s {
  const ICLSweep *sw;
  int        fd;
  char       path[PETSC_MAX_PATH_LEN];
  size_t     rsize;                   /* record bytes, without the CRC */
  off_t      end;                     /* where the next record goes */
  PetscInt64 loaded, dropped, duplicates, outside; /* outside: records of cells this grid lacks */
  PetscInt64 fault_write;             /* -fault_inject journal_write:N */
  PetscInt   appended;
  unsigned char *buf;
};

static uint32_t Crc(const void *p, size_t n) { return (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)p, (uInt)n); }

static void MakeHeader(const ICLSweep *sw, Header *h)
{
  memset(h, 0, sizeof *h);
  memcpy(h->magic, ICL_JOURNAL_MAGIC, sizeof h->magic);
  h->version = ICL_JOURNAL_VERSION;
  h->rsize   = (uint32_t)ICLRecordSize(sw->nM);
  h->ncells  = ICLGridSize(sw);
  h->nM      = (int32_t)sw->nM;
  memcpy(h->fingerprint, sw->fingerprint, sizeof h->fingerprint);
  memcpy(h->cell_fingerprint, sw->cell_fingerprint, sizeof h->cell_fingerprint);
  h->shard      = (int32_t)sw->shard;
  h->num_shards = (int32_t)sw->num_shards;
  h->crc        = Crc(h, offsetof(Header, crc));
}

/* Full write or an error: write(2) may write less than asked. */
static int WriteAll(int fd, const void *buf, size_t n, off_t at)
{
  const char *p = buf;
  while (n > 0) {
    const ssize_t w = pwrite(fd, p, n, at);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w, n -= (size_t)w, at += w;
  }
  return 0;
}

/* A format 2 journal is read for its header (and by Open, which upgrades it); readers that need
 * its records (status, merge) ask for the upgrade. */
static const char *const upgrade = "was written by an earlier iclsweep (journal format 2); resume it once with this version and its own options (those of "
                                   "the options attribute of its results.nc): that upgrades it in place, after which it can be read, merged and extended";

static PetscErrorCode ReadHeader(int fd, const char *path, Header *h, PetscBool *valid)
{
  ssize_t got;
  PetscFunctionBegin;
  memset(h, 0, sizeof *h);
  got    = pread(fd, h, sizeof *h, 0);
  PetscCheck(!memcmp(h->magic, ICL_JOURNAL_MAGIC, PetscMin(PetscMax(got, 0), (ssize_t)sizeof h->magic)), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s is not an iclsweep journal; move it away or choose another -output", path);
  if (got >= (ssize_t)ICL_HEADER_V2_SIZE && h->version == 2) {
    uint32_t crc;
    memcpy(&crc, (const char *)h + ICL_HEADER_V2_CRC, sizeof crc);
    PetscCheck(crc == Crc(h, ICL_HEADER_V2_CRC) && h->fingerprint[16] == 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s has a corrupt header (checksum mismatch); it cannot be resumed. Move the directory away to start over", path);
    memset(h->cell_fingerprint, 0, sizeof h->cell_fingerprint); /* none: format 2 */
    *valid = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  /* Records of another format would be misread: refuse them, whatever their size (formats
   * differ in header size too, so the version is read before the checksum). */
  PetscCheck(got < (ssize_t)offsetof(Header, rsize) || h->version == ICL_JOURNAL_VERSION, PETSC_COMM_SELF, ICL_ERR_INPUT,
             "%s has journal format %u, this iclsweep reads formats 2 and %u only; it cannot be resumed or merged by this version. Finish it with the iclsweep that wrote it, or move the directory away to start over", path, h->version,
             ICL_JOURNAL_VERSION);
  *valid = got == (ssize_t)sizeof *h ? PETSC_TRUE : PETSC_FALSE;
  if (!*valid) PetscFunctionReturn(0); /* torn while being created: holds no record */
  PetscCheck(h->crc == Crc(h, offsetof(Header, crc)) && h->fingerprint[16] == 0 && h->cell_fingerprint[16] == 0, PETSC_COMM_SELF, ICL_ERR_INPUT,
             "%s has a corrupt header (checksum mismatch); it cannot be resumed. Move the directory away to start over", path);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalCheckSweep(const ICLSweep *sw, const char *dir, const char *found, const char *found_cell)
{
  PetscFunctionBegin;
  PetscCheck(found_cell[0] || !strcmp(found, sw->fingerprint), PETSC_COMM_SELF, ICL_ERR_INPUT,
             "%s holds a different sweep (fingerprint %s; this sweep's is %s), recorded by an earlier iclsweep; nothing was changed. To extend it, resume it first with its own options (the options attribute of its results.nc), which upgrades it; "
             "else choose another -output, or delete %s to start over",
             dir, found, sw->fingerprint, dir);
  PetscCheck(!found_cell[0] || !strcmp(found_cell, sw->cell_fingerprint), PETSC_COMM_SELF, ICL_ERR_INPUT,
             "%s holds a different sweep: an option that changes results differs (cell fingerprint %s; this sweep's is %s), and only the values of -grid_* axes, -models and -replicates may change in place; nothing was changed. Choose another "
             "-output, or delete %s to start over",
             dir, found_cell, sw->cell_fingerprint, dir);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalActive(const char *dir, PetscBool *active)
{
  char path[PETSC_MAX_PATH_LEN];
  int  fd;

  PetscFunctionBegin;
  *active = PETSC_FALSE;
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/journal", dir));
  fd = open(path, O_RDONLY);
  if (fd < 0) PetscFunctionReturn(0);
  /* a shared lock is refused while a run holds its exclusive one; taken, it is let go at once */
  if (flock(fd, LOCK_SH | LOCK_NB)) *active = errno == EWOULDBLOCK ? PETSC_TRUE : PETSC_FALSE;
  close(fd);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalPeek(const char *dir, PetscBool *exists, char fingerprint[17], char cell_fingerprint[17], PetscInt64 *ncells)
{
  char      path[PETSC_MAX_PATH_LEN];
  Header    h;
  PetscBool valid;
  int       fd;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/journal", dir));
  fd      = open(path, O_RDONLY);
  *exists = fd >= 0 ? PETSC_TRUE : PETSC_FALSE;
  fingerprint[0] = cell_fingerprint[0] = 0;
  *ncells        = 0;
  if (fd < 0) {
    PetscCheck(errno == ENOENT, PETSC_COMM_SELF, ICL_ERR_INPUT, "cannot read %s: %s", path, strerror(errno));
    PetscFunctionReturn(0);
  }
  {
    PetscErrorCode ierr = ReadHeader(fd, path, &h, &valid);
    close(fd);
    PetscCall(ierr);
  }
  if (valid) {
    memcpy(fingerprint, h.fingerprint, 17);
    memcpy(cell_fingerprint, h.cell_fingerprint, 17);
    *ncells = h.ncells;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalForEach(const char *dir, ICLJournalInfo *info, PetscErrorCode (*fn)(const ICLRecord *, void *), void *ctx)
{
  char           path[PETSC_MAX_PATH_LEN];
  Header         h;
  PetscBool      valid;
  unsigned char *buf  = NULL;
  size_t         slot = 0;
  int            fd;
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(info, sizeof *info));
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/journal", dir));
  fd = open(path, O_RDONLY);
  PetscCheck(fd >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "cannot read %s: %s; is %s an iclsweep output directory?", path, strerror(errno), dir);
  ierr = ReadHeader(fd, path, &h, &valid);
  if (!ierr && !valid) ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, ICL_ERR_INPUT, PETSC_ERROR_INITIAL, "%s has no complete header: its run never started", path);
  if (!ierr && h.version != ICL_JOURNAL_VERSION) ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, ICL_ERR_INPUT, PETSC_ERROR_INITIAL, "%s %s", path, upgrade);
  if (!ierr) {
    memcpy(info->fingerprint, h.fingerprint, sizeof info->fingerprint);
    info->ncells = h.ncells, info->nM = h.nM, info->shard = h.shard, info->num_shards = h.num_shards;
    slot = h.rsize + sizeof(uint32_t);
    ierr = PetscMalloc1(slot, &buf);
  }
  for (off_t at = (off_t)sizeof h; !ierr && fn; at += (off_t)slot) {
    const ssize_t    got = pread(fd, buf, slot, at);
    const ICLRecord *rec = (const ICLRecord *)buf;
    uint32_t         crc;
    if (got <= 0) break;
    if (got < (ssize_t)slot) { /* torn tail (or a record being written right now) */
      info->dropped++;
      break;
    }
    memcpy(&crc, buf + h.rsize, sizeof crc);
    if (crc != Crc(buf, h.rsize) || rec->cell < -1 || rec->cell >= h.ncells || rec->status <= ICL_STATUS_PENDING || rec->status > ICL_STATUS_NOT_APPLICABLE) info->dropped++;
    else if (rec->cell >= 0) ierr = fn(rec, ctx); /* -1: a cell of a larger grid this DIR once had */
  }
  close(fd);
  PetscCall(ierr);
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

static PetscErrorCode Load(ICLJournal j, off_t size, ICLResults *res)
{
  const size_t slot = j->rsize + sizeof(uint32_t);
  off_t        at   = (off_t)sizeof(Header);

  PetscFunctionBegin;
  for (; at + (off_t)slot <= size; at += (off_t)slot) {
    uint32_t  crc;
    PetscBool dup;
    PetscCheck(pread(j->fd, j->buf, slot, at) == (ssize_t)slot, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s: %s", j->path, strerror(errno));
    memcpy(&crc, j->buf + j->rsize, sizeof crc);
    if (crc != Crc(j->buf, j->rsize)) {
      j->dropped++;
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: warning: %s: record at byte %lld fails its checksum; dropped (its cell will run again)\n", j->path, (long long)at));
      continue;
    }
    if (((const ICLRecord *)j->buf)->cell < 0) {
      j->outside++;
      continue;
    }
    PetscCall(ICLResultsStore(res, (const ICLRecord *)j->buf, &dup));
    if (dup) j->duplicates++;
    else j->loaded++;
  }
  if (at < size) {
    /* A record torn by a crash mid-write: cut it off so appends start on a boundary. */
    j->dropped++;
    PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: warning: %s: torn record of %lld bytes at its end (a crash while writing); dropped\n", j->path, (long long)(size - at)));
    PetscCheck(ftruncate(j->fd, at) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot truncate %s: %s", j->path, strerror(errno));
  }
  j->end = at;
  PetscFunctionReturn(0);
}

/* Rewrites the journal beside itself and renames it over it (a crash leaves the old one or the
 * new one, whole), with this sweep's header and every valid record at the cell its key names in
 * this grid: -1 when the grid lacks it, kept so that a grid grown back finds it again. Records of
 * cells whose status is in mask are left out (-retry). A format 2 journal, of this very grid,
 * gets its keys from its cell numbers. j->end is then the new end. */
static PetscErrorCode Rewrite(const ICLSweep *sw, ICLJournal j, const Header *have, off_t end, unsigned mask)
{
  const PetscBool keyed    = have->version == ICL_JOURNAL_VERSION ? PETSC_TRUE : PETSC_FALSE;
  const size_t    old_slot = have->rsize + sizeof(uint32_t), errors = 2 * sizeof(double) * (size_t)sw->nM;
  ICLRecord      *rec      = (ICLRecord *)j->buf;
  unsigned char  *in;
  char            path[PETSC_MAX_PATH_LEN];
  Header          h;
  off_t           out = (off_t)sizeof h;
  int             fd;

  PetscFunctionBegin;
  PetscCheck(have->rsize == (keyed ? j->rsize : ICL_RECORD_V2 + errors), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: records of %u bytes, expected %zu; the journal is corrupt. Move the directory away to start over", j->path, have->rsize,
             keyed ? j->rsize : ICL_RECORD_V2 + errors);
  PetscCall(PetscMalloc1(old_slot, &in));
  PetscCall(PetscSNPrintf(path, sizeof path, "%s.new", j->path));
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot create %s: %s", path, strerror(errno));
  /* the new journal is locked before it gets the name another run would open */
  PetscCheck(flock(fd, LOCK_EX | LOCK_NB) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot lock %s", path);
  MakeHeader(sw, &h);
  PetscCheck(WriteAll(fd, &h, sizeof h, 0) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", path, strerror(errno));
  for (off_t at = keyed ? (off_t)sizeof h : (off_t)ICL_HEADER_V2_SIZE; at + (off_t)old_slot <= end; at += (off_t)old_slot) {
    uint32_t crc;
    PetscCheck(pread(j->fd, in, old_slot, at) == (ssize_t)old_slot, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s: %s", j->path, strerror(errno));
    memcpy(&crc, in + have->rsize, sizeof crc);
    if (crc != Crc(in, have->rsize)) {
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: warning: %s: record at byte %lld fails its checksum; dropped (its cell will run again)\n", j->path, (long long)at));
      continue;
    }
    if (keyed) {
      memcpy(j->buf, in, j->rsize);
      rec->cell = ICLGridFind(sw, &rec->key);
    } else {
      memcpy(j->buf, in, ICL_RECORD_V2);
      memcpy(rec + 1, in + ICL_RECORD_V2, errors);
      for (int i = 0; i < ICL_HISTORY; i++) rec->loss_history[i] = rec->history_step[i] = NAN; /* not kept then */
      if (rec->cell < 0 || rec->cell >= ICLGridSize(sw)) continue;
      ICLGridKey(sw, rec->cell, &rec->key);
    }
    if (rec->cell >= 0 && (mask >> rec->status & 1u)) continue;
    crc = Crc(j->buf, j->rsize);
    memcpy(j->buf + j->rsize, &crc, sizeof crc);
    PetscCheck(WriteAll(fd, j->buf, j->rsize + sizeof crc, out) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", path, strerror(errno));
    out += (off_t)(j->rsize + sizeof crc);
  }
  PetscCall(PetscFree(in));
  PetscCheck(fdatasync(fd) == 0 && rename(path, j->path) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot replace %s: %s", j->path, strerror(errno));
  PetscCall(ICLSyncPath(sw->output));
  close(j->fd);
  j->fd  = fd;
  j->end = out;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalOpen(const ICLSweep *sw, ICLJournal *jp, ICLResults *res)
{
  ICLJournal  j;
  Header      want, have;
  PetscBool   valid;
  struct stat st;

  PetscFunctionBegin;
  PetscCall(PetscNew(&j));
  *jp             = j;
  j->sw           = sw;
  j->fd           = -1;
  j->rsize        = ICLRecordSize(sw->nM);
  j->fault_write  = sw->fault[ICL_FAULT_JOURNAL_WRITE];
  PetscCall(PetscMalloc1(j->rsize + sizeof(uint32_t), &j->buf));
  PetscCall(PetscSNPrintf(j->path, sizeof j->path, "%s/journal", sw->output));
  j->fd = open(j->path, O_RDWR | O_CREAT, 0644);
  PetscCheck(j->fd >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "cannot open %s: %s", j->path, strerror(errno));
  PetscCheck(flock(j->fd, LOCK_EX | LOCK_NB) == 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s is in use by another iclsweep run; wait for it to finish or choose another -output", sw->output);
  PetscCheck(fstat(j->fd, &st) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot stat %s: %s", j->path, strerror(errno));
  MakeHeader(sw, &want);
  PetscCall(ReadHeader(j->fd, j->path, &have, &valid));
  if (valid) {
    const PetscBool old = have.version != ICL_JOURNAL_VERSION ? PETSC_TRUE : PETSC_FALSE;
    PetscCall(ICLJournalCheckSweep(sw, sw->output, have.fingerprint, have.cell_fingerprint));
    PetscCheck(have.shard == want.shard && have.num_shards == want.num_shards, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s holds shard %d of %d of this sweep, not shard %d of %d; give each shard its own -output", sw->output, (int)have.shard,
               (int)have.num_shards, (int)want.shard, (int)want.num_shards);
    if (old || strcmp(have.fingerprint, want.fingerprint)) {
      /* an upgrade, or the grid changed: every finished cell to its place in this grid */
      PetscCall(Rewrite(sw, j, &have, st.st_size, 0));
      if (old) PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: %s: journal upgraded to format %u (cells keyed by their coordinates)\n", j->path, ICL_JOURNAL_VERSION));
      else PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: %s: the grid changed (%lld cells, now %lld); finished cells keep their results, new ones run\n", sw->output, (long long)have.ncells, (long long)want.ncells));
    } else {
      PetscCheck(have.rsize == want.rsize && have.ncells == want.ncells, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: header does not match its own fingerprint; the journal is corrupt. Move the directory away to start over", j->path);
      j->end = st.st_size;
    }
    PetscCall(Load(j, j->end, res));
  } else {
    /* New, or torn before its header was complete (then it holds no record). */
    PetscCheck(WriteAll(j->fd, &want, sizeof want, 0) == 0 && ftruncate(j->fd, sizeof want) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", j->path, strerror(errno));
    PetscCall(ICLJournalSync(j));
    PetscCall(ICLSyncPath(sw->output)); /* the journal's name is durable too */
    j->end = (off_t)sizeof want;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalRetry(const ICLSweep *sw, ICLJournal j, unsigned mask, ICLResults *res, PetscInt64 *nretry)
{
  Header h;

  PetscFunctionBegin;
  *nretry = 0;
  for (PetscInt64 c = 0; c < res->ncells; c++) *nretry += res->mine[c] && (mask >> res->status[c] & 1u);
  if (!*nretry) PetscFunctionReturn(0);
  MakeHeader(sw, &h);
  PetscCall(Rewrite(sw, j, &h, j->end, mask));
  j->loaded = j->dropped = j->duplicates = j->outside = 0;
  PetscCall(ICLResultsDestroy(res));
  PetscCall(ICLResultsCreate(sw, res));
  PetscCall(Load(j, j->end, res));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalAppend(ICLJournal j, const ICLRecord *rec, ICLResults *res)
{
  uint32_t  crc;
  PetscBool dup;

  PetscFunctionBegin;
  memcpy(j->buf, rec, j->rsize);
  ICLGridKey(j->sw, rec->cell, &((ICLRecord *)j->buf)->key);
  crc = Crc(j->buf, j->rsize);
  memcpy(j->buf + j->rsize, &crc, sizeof crc);
  /* die half-way through a record, as a crash would */
  ICL_FAULT(j->fault_write >= 0 && j->appended == j->fault_write, (void)WriteAll(j->fd, j->buf, j->rsize / 2, j->end), raise(SIGKILL));
  PetscCheck(WriteAll(j->fd, j->buf, j->rsize + sizeof crc, j->end) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot append to %s: %s (finished cells so far are safe; free space and run again to resume)", j->path, strerror(errno));
  j->end += (off_t)(j->rsize + sizeof crc);
  j->appended++;
  PetscCall(ICLResultsStore(res, rec, &dup));
  if (dup) j->duplicates++;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLJournalSync(ICLJournal j)
{
  PetscFunctionBegin;
  PetscCheck(fdatasync(j->fd) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot sync %s: %s", j->path, strerror(errno));
  PetscFunctionReturn(0);
}

void ICLJournalCounts(ICLJournal j, PetscInt64 *loaded, PetscInt64 *dropped, PetscInt64 *duplicates)
{
  *loaded     = j->loaded;
  *dropped    = j->dropped;
  *duplicates = j->duplicates;
}

PetscErrorCode ICLJournalClose(ICLJournal *jp)
{
  ICLJournal j = *jp;
  PetscFunctionBegin;
  if (!j) PetscFunctionReturn(0);
  if (j->fd >= 0) close(j->fd); /* releases the lock */
  PetscCall(PetscFree(j->buf));
  PetscCall(PetscFree(*jp));
  PetscFunctionReturn(0);
}
