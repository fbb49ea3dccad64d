/* profile.h - voxtune's JSON profile: fingerprint, reading, matching, migration (library side)
 *
 * The file (schema 2):
 *   { "format": "vox-profile", "schema": 2,
 *     "machines": [ { "fingerprint": {...}, "rigor": "quick"|"normal", "created": "...",
 *                     "settings": { "<kernel>": { "<size class>": {"variant", "tile_kib", "threads"} } },
 *                     "measurements": [ {...}, ... ] } ] }
 * Schema 1 (vox 0.4 development) held one machine at the top level and one
 * setting per kernel for every size class; it is migrated in memory.
 * Reading never fails a context: whatever is wrong gives a DEFAULTS_* status.
 */
#ifndef VOX_PROFILE_H
#define VOX_PROFILE_H

#include <cjson/cJSON.h>

#include "team.h"
#include "tuning.h"

#define VOX_PROFILE_FORMAT "vox-profile"
#define VOX_PROFILE_SCHEMA 2
#define VOX_PROFILE_MAX_BYTES ((size_t)16 << 20) /* a profile is a few KiB; refuse absurd files */

typedef struct vox_profile_info {
    vox_profile_status status;
    char path[4096];  /* the file looked at; "" for JSON text or none */
    char detail[320]; /* why the profile was not (fully) used */
    int schema;       /* the schema read (0: none) */
} vox_profile_info;

/* This machine and build (cpu, isa, topology, compiler, library, kernel_set). */
VOX_HIDDEN cJSON *vox_fingerprint(const vox_ctx *ctx);

/* Settings derived from the topology alone (README "Threads" states them). */
VOX_HIDDEN void vox_tuning_defaults(const vox_team *team, int isa, vox_tuning *t);

/* The default profile path: $VOX_PROFILE (set but empty: "", no profile),
 * else $XDG_CONFIG_HOME/vox/profile.json, else $HOME/.config/vox/profile.json.
 * 0 when none can be formed. */
VOX_HIDDEN int vox_profile_default_path(char *out, size_t size);

/* The system-wide profiles, read after the user's when it has no entry for
 * this machine (FFTW's system wisdom): candidate `index` (0, 1, ...) is
 * DIR/vox/profile.json for each absolute DIR of $XDG_CONFIG_DIRS when it is
 * set, else /etc/vox/profile.json.  0 when there is no such candidate.
 * Candidate 0 is where `voxtune --system` writes. */
VOX_HIDDEN int vox_profile_system_path(int index, char *out, size_t size);

/* Reads a whole profile document into its schema-2 form (migrating older
 * schemas).  On failure returns NULL with *status and why set. */
VOX_HIDDEN cJSON *vox_profile_parse(const char *text, size_t len, vox_profile_status *status, char *why,
                                    size_t why_size);

/* Reads and parses a profile file as vox_profile_parse does.  On failure
 * returns NULL with *status ABSENT (no such file), CORRUPT (unreadable, over
 * 16 MiB, not a profile) or NEWER_SCHEMA and why set; *err is the errno of a
 * failed open or read other than a missing file (0 otherwise). */
VOX_HIDDEN cJSON *vox_profile_read_file(const char *path, vox_profile_status *status, char *why, size_t why_size,
                                        int *err);

/* How well entry (one element of "machines") fits fingerprint fp:
 * VOX_PROFILE_EXACT, VOX_PROFILE_PARTIAL or VOX_PROFILE_DEFAULTS_FOREIGN. */
VOX_HIDDEN vox_profile_status vox_profile_match(const cJSON *entry, const cJSON *fp);

/* Overlays the entry's settings on t (keeping t's threads when partial).
 * Returns 1, or with why set (t unchanged) 0 for a value out of range and
 * -1 for a value of the wrong type. */
VOX_HIDDEN int vox_profile_apply_settings(const cJSON *entry, int partial, vox_tuning *t, char *why, size_t why_size);

/* Chooses and applies the context's profile (options, environment, default path). */
VOX_HIDDEN void vox_profile_load(vox_ctx *ctx);

#endif
