/* store.h - adding this machine's entry to a profile file, safely next to other writers
 *
 * Under an exclusive flock on "<path>.lock": read the file (migrating an
 * older schema), make the new entry from the one it holds for this very
 * fingerprint (a run of some kernels keeps the rest as the file has them
 * now, not as they were when it started), drop the old, append the new, write a temporary file in the same directory, fsync it, rename
 * it over the profile and fsync the directory.  Readers never lock: they
 * see the old file or the new one, never a mix.  Entries of other machines
 * (a cluster sharing one file) are kept.
 */
#ifndef VOX_TUNE_STORE_H
#define VOX_TUNE_STORE_H

#include <cJSON.h>

#include "internal.h"

/* 1 when vox_profile_store could write path (its directory exists or can be
 * made, a file can be created beside it, an existing profile is readable
 * and not of a newer schema, which the store would refuse to overwrite);
 * else 0 with err set.  voxtune asks before it measures for minutes. */
int vox_profile_writable(const char *path, char *err, size_t errn);

/* The index in machines (a profile's array) of the entry whose fingerprint
 * is fp exactly, or -1. */
int vox_profile_machine_index(const cJSON *machines, const cJSON *fp);

/* This machine's new entry, made under the lock from current: the entry the
 * file holds for this machine now (NULL: none), so that what another run
 * wrote since this one started is merged, not lost.  NULL: out of memory. */
typedef cJSON *(*vox_profile_entry_fn)(const cJSON *current, void *arg);

/* Replaces this machine's entry (vox_fingerprint(ctx)) with make_entry's.
 * Returns 0 with a message in err on failure. */
int vox_profile_store(vox_ctx *ctx, const char *path, vox_profile_entry_fn make_entry, void *arg, char *err,
                      size_t errn);

#endif
