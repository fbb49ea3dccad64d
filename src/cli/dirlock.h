/* dirlock.h - one writer per output directory (or per shard of a batch): advisory flocks on DIR/.vox.lock */
#ifndef VOX_CLI_DIRLOCK_H
#define VOX_CLI_DIRLOCK_H

#include <stddef.h>

#define DIRLOCK_NAME ".vox.lock"

/* Takes the exclusive lock of dir for this process's lifetime.  When another
 * process holds it: with wait, says so on stderr and blocks until it is free;
 * without, fails at once.  Returns the lock's file descriptor (kept open
 * until exit), or -1 with the reason (naming the holder's pid) in why.  A
 * file system without locks gives a warning in why and returns -2: the run
 * goes on unlocked. */
int dirlock_take(const char *dir, int wait, const char *cmd, char *why, size_t cap);
/* The same for shard `shard` of `shards` of a batch: other shards may hold
 * dir at the same time, an unsharded run or another copy of this shard may
 * not (dirlock.c says how).  alone (or NULL) is called with dir when no other
 * run holds dir, while none can start: only then may what dead runs left be
 * removed, since other shards may run on other hosts.  Returns as dirlock_take. */
int dirlock_take_shard(const char *dir, int wait, const char *cmd, long shard, long shards, void (*alone)(const char *),
                       char *why, size_t cap);
/* 1 when a live process holds dir's lock (its description in holder), else 0. */
int dirlock_held(const char *dir, char *holder, size_t cap);

#endif
