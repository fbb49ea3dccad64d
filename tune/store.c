/* store.c - locked read-merge-write of a profile file (store.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "profile.h"
#include "store.h"

/* The directory that holds path, into dir (path has at most 4 KiB: vox_profile_writable checks),
 * and path's name in it. */
static const char *directory_of(const char *path, char dir[4096])
{
    snprintf(dir, 4096, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        snprintf(dir, 4096, ".");
        return path;
    }
    *(slash == dir ? slash + 1 : slash) = 0;
    return strrchr(path, '/') + 1;
}

/* The temporaries a killed writer of the profile left beside it (PROFILE.tmp.PID.XXXXXX, or
 * PROFILE.tmp.XXXXXX from before pids), removed.  Called with the profile's lock held: every
 * writer holds it from before its temporary is made until it is renamed, so none of these is
 * being written, whatever its pid says (on a shared file system it may be another machine's).
 * vox_profile_writable's empty probe, made without the lock, its maker removes at once: one
 * removed here first costs it nothing. */
static void remove_leftover_temporaries(const char *path)
{
    char dir[4096];
    const char *name = directory_of(path, dir);
    const size_t nl = strlen(name);
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d));) {
        size_t target_len;
        long pid;
        if (vox_temp_owner(de->d_name, &target_len, &pid) && target_len == nl && !memcmp(de->d_name, name, nl) &&
            unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT)
            fprintf(stderr, "voxtune: warning: cannot remove %s/%s, left by a writer that was stopped: %s\n", dir,
                    de->d_name, strerror(errno));
    }
    closedir(d);
}

static int mkdir_parents(const char *path)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return -1;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = 0;
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int vox_profile_writable(const char *path, char *err, size_t errn)
{
    const char *what;
    const vox_path_kind kind = vox_file_kind(path, &what);
    if (kind != VOX_PATH_NONE && kind != VOX_PATH_REGULAR) { /* the atomic write would refuse it at the end */
        snprintf(err, errn, "%s is %s, not a regular file: the profile is written by renaming a new file over it",
                 path, what);
        return 0;
    }
    if (mkdir_parents(path) != 0) {
        snprintf(err, errn, "cannot create the directory of %s: %s", path, strerror(errno));
        return 0;
    }
    /* what vox_profile_store will do: a lock file and a temporary beside the profile, then a rename */
    char probe[4096 + 16];
    if (snprintf(probe, sizeof probe, "%s.tmp.XXXXXX", path) >= (int)sizeof probe) {
        snprintf(err, errn, "%s: the path is too long", path);
        return 0;
    }
    int fd = mkstemp(probe);
    if (fd < 0) {
        snprintf(err, errn, "cannot write beside %s: %s", path, strerror(errno));
        return 0;
    }
    close(fd);
    unlink(probe);
    struct stat sb;
    if (stat(path, &sb) != 0 && errno != ENOENT) { /* a loop of links: what vox_profile_store would meet at the end */
        snprintf(err, errn, "cannot read %s: %s", path, strerror(errno));
        return 0;
    }
    if (access(path, F_OK) == 0 && access(path, R_OK) != 0) {
        snprintf(err, errn, "cannot read %s (its other machines' entries are kept): %s", path, strerror(errno));
        return 0;
    }
    /* what vox_profile_store refuses at the end: overwriting a newer vox's profile */
    vox_profile_status st;
    char why[256];
    int read_err;
    cJSON *doc = vox_profile_read_file(path, &st, why, sizeof why, &read_err);
    cJSON_Delete(doc);
    if (!doc && st == VOX_PROFILE_DEFAULTS_NEWER_SCHEMA) {
        snprintf(err, errn, "%s: %s; not overwriting it", path, why);
        return 0;
    }
    return 1;
}

int vox_profile_machine_index(const cJSON *machines, const cJSON *fp)
{
    for (int i = 0; fp && i < cJSON_GetArraySize(machines); i++)
        if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(machines, i), "fingerprint"), fp, 1))
            return i;
    return -1;
}

int vox_profile_store(vox_ctx *ctx, const char *path, vox_profile_entry_fn make_entry, void *arg, char *err,
                      size_t errn)
{
    char lock_path[4096 + 8];
    if (!path[0] || snprintf(lock_path, sizeof lock_path, "%s.lock", path) >= (int)sizeof lock_path) {
        snprintf(err, errn, "%s: %s", path[0] ? path : "\"\"", path[0] ? "the path is too long" : "an empty path");
        return 0;
    }
    if (mkdir_parents(path) != 0) {
        snprintf(err, errn, "cannot create the directory of %s: %s", path, strerror(errno));
        return 0;
    }
    int lock = open(lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock < 0 || flock(lock, LOCK_EX) != 0) {
        snprintf(err, errn, "cannot lock %s: %s", lock_path, strerror(errno));
        if (lock >= 0) close(lock);
        return 0;
    }
    cJSON *entry = NULL, *fp = NULL;
    remove_leftover_temporaries(path);
    int ok = 0;
    cJSON *doc = NULL;
    vox_profile_status st;
    char why[256];
    int read_err;
    doc = vox_profile_read_file(path, &st, why, sizeof why, &read_err);
    if (!doc && read_err) {
        snprintf(err, errn, "cannot read %s: %s", path, strerror(read_err));
        goto out;
    }
    if (!doc && st == VOX_PROFILE_DEFAULTS_NEWER_SCHEMA) {
        snprintf(err, errn, "%s: %s; not overwriting it", path, why);
        goto out;
    }
    if (!doc && st != VOX_PROFILE_DEFAULTS_ABSENT)
        fprintf(stderr, "voxtune: warning: replacing the unreadable profile %s (%s)\n", path, why);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "migrated_from"); /* written back as schema 2 */
    if (!doc) {
        doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "format", VOX_PROFILE_FORMAT);
        cJSON_AddNumberToObject(doc, "schema", VOX_PROFILE_SCHEMA);
        cJSON_AddItemToObject(doc, "machines", cJSON_CreateArray());
    }
    cJSON *machines = cJSON_GetObjectItemCaseSensitive(doc, "machines");
    fp = vox_fingerprint(ctx);
    const int current = vox_profile_machine_index(machines, fp);
    entry = make_entry(current < 0 ? NULL : cJSON_GetArrayItem(machines, current), arg);
    if (!fp || !entry) {
        snprintf(err, errn, "out of memory writing the profile");
        goto out;
    }
    for (int i; (i = vox_profile_machine_index(machines, fp)) >= 0;) cJSON_DeleteItemFromArray(machines, i);
    cJSON_AddItemToArray(machines, entry);
    entry = NULL;
    char *text = cJSON_Print(doc);
    if (!text) {
        snprintf(err, errn, "out of memory writing the profile");
        goto out;
    }
    size_t n = strlen(text);
    text[n] = '\n'; /* cJSON_Print's buffer has room for the NUL: the newline replaces it */
    vox_status wrote = vox_write_file_atomic(ctx, path, text, n + 1);
    free(text);
    if (wrote != VOX_OK) {
        snprintf(err, errn, "%s", vox_ctx_last_error_detail(ctx));
        goto out;
    }
    /* the rename itself is durable once the directory is synced */
    char dir[4096];
    directory_of(path, dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    ok = 1;
out:
    cJSON_Delete(doc);
    cJSON_Delete(entry);
    cJSON_Delete(fp);
    flock(lock, LOCK_UN);
    close(lock);
    return ok;
}
