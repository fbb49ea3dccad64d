/* staged.h - a run's outputs that must appear together (staged.c)
 *
 * Each file is written in full to a temporary beside its target first; only
 * when every one is written are they renamed into place, in the order they
 * were staged.  A run that cannot write one of them (a full disk, a quota)
 * so leaves the folder's earlier set as it was instead of half replaced.
 */
#ifndef VOX_CLI_STAGED_H
#define VOX_CLI_STAGED_H

#include <stddef.h>

typedef struct staged_file {
    char *tmp;  /* the new contents (malloc'ed) */
    char *path; /* the target (malloc'ed) */
    int keep;   /* 1: tmp is not removed when the set is given up (a rows part file --resume continues) */
} staged_file;

typedef struct staged_set {
    staged_file *v;
    size_t n, cap;
    size_t committed; /* after staged_commit: how many were renamed into place */
} staged_set;

/* data written beside path, to be renamed over it, synced as sync says (VOX_SYNC_DATA: fdatasync'ed;
 * VOX_SYNC_NONE for files --resume checks, README "Durability"); 0 after saying why in err. */
int staged_write(staged_set *s, const char *path, const char *data, size_t len, unsigned sync, char *err, size_t cap);
/* A file already written in full and synced at tmp, to be renamed over path; kept on disk when
 * the set is given up.  0 (out of memory) after saying so in err. */
int staged_adopt(staged_set *s, const char *tmp, const char *path, char *err, size_t cap);
/* Where path's new contents are until the set is committed (path itself when not staged). */
const char *staged_source(const staged_set *s, const char *path);
/* Every file renamed into place, in order; 0 after saying why in err when one cannot be.  Every
 * target is checked before the first rename (one that is not a regular file refuses the whole
 * set); a rename that fails after that (EBUSY, EIO) gives up the files after it, and committed
 * says how many came before.  A kept file that cannot be renamed stays where it was.  The set keeps
 * its targets (s->v[i].path) for the caller: staged_discard ends it, whatever happened. */
int staged_commit(staged_set *s, char *err, size_t cap);
/* The files not committed removed (but those kept) and the set emptied; safe to call twice. */
void staged_discard(staged_set *s);

#endif
