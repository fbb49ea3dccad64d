/* files.c - what is at a path, and atomic file writes: a temporary file named
 * after its target and its writer's pid, fsync, then rename over the target
 *
 * rename() replaces whatever the target is, so a target that exists and is
 * not a regular file (a device such as /dev/null, a FIFO, a socket, a
 * directory, or a symbolic link to one of those) is refused before anything
 * is written and again just before the rename: replacing /dev/null with a
 * regular file would break the whole machine.  The writer's pid in the
 * temporary name lets a cleaner tell a dead run's leftovers from the
 * in-flight files of a live one (vox_temp_owner).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

vox_path_kind vox_file_kind(const char *path, const char **what)
{
    const char *dummy;
    if (!what)
        what = &dummy;
    struct stat sb;
    if (!path || stat(path, &sb) != 0) {
        *what = "missing";
        return VOX_PATH_NONE;
    }
    if (S_ISREG(sb.st_mode)) {
        *what = "a regular file";
        return VOX_PATH_REGULAR;
    }
    if (S_ISDIR(sb.st_mode)) {
        *what = "a directory";
        return VOX_PATH_DIRECTORY;
    }
    *what = S_ISCHR(sb.st_mode)    ? "a character device"
            : S_ISBLK(sb.st_mode)  ? "a block device"
            : S_ISFIFO(sb.st_mode) ? "a FIFO (named pipe)"
            : S_ISSOCK(sb.st_mode) ? "a socket"
                                   : "not a regular file";
    return VOX_PATH_OTHER;
}

/* VOX_OK when path may be replaced by a new regular file. */
static vox_status check_target(const char *path, char *why, size_t cap)
{
    const char *what;
    vox_path_kind k = vox_file_kind(path, &what);
    if (k == VOX_PATH_NONE || k == VOX_PATH_REGULAR)
        return VOX_OK;
    char link[64] = "";
    struct stat lb;
    if (lstat(path, &lb) == 0 && S_ISLNK(lb.st_mode))
        snprintf(link, sizeof link, " (through a symbolic link)");
    snprintf(why, cap, "cannot write %s: it is %s%s, not a regular file; vox writes an output by renaming a new file "
             "over it, which would replace it: choose another path", path, what, link);
    return VOX_E_IO;
}

/* The longest ".tmp.PID.XXXXXX" vox_create_temp adds: a pid of up to 7 digits
 * (Linux's pids stay under PID_MAX_LIMIT, 4,194,304). */
#define TEMP_SUFFIX_MAX (sizeof ".tmp." - 1 + 7 + sizeof ".XXXXXX" - 1)

/* VOX_OK when path's temporary name fits the 255 bytes a file name may have
 * whatever the writer's pid: a final name that fits but whose temporary did
 * not failed with "File name too long" naming the final name, and a name
 * near the limit passed or failed by the digits of the pid. */
vox_status vox_check_name_length(const char *path, char *why, size_t cap)
{
    const char *slash = strrchr(path, '/');
    const size_t n = strlen(slash ? slash + 1 : path);
    if (n + TEMP_SUFFIX_MAX <= NAME_MAX)
        return VOX_OK;
    snprintf(why, cap, "cannot write %s: its name is %zu bytes, and vox writes it first as NAME.tmp.PID.XXXXXX, which "
             "must fit the %d bytes a file name may have: the name must be at most %zu bytes (a shorter label or file "
             "name)", path, n, NAME_MAX, (size_t)NAME_MAX - TEMP_SUFFIX_MAX);
    return VOX_E_IO;
}

static vox_status io_error(const char *path, int e, char *why, size_t cap)
{
    snprintf(why, cap, "cannot write %s: %s", path, strerror(e));
    return VOX_E_IO;
}

/* Creates path's temporary file, PATH.tmp.PID.XXXXXX, exclusively (so
 * concurrent writers of one path never share one) with mode 0666 less the
 * process' umask, as any new file gets it: as Python's open() gives
 * volumizer's outputs, and what a shared folder's umask 002 or a private
 * 077 asks for (mkstemp's 0600 made 0644 by hand ignored both).  The six
 * characters come from the clock, the pid and the stack, mixed again after
 * each clash.  Returns the descriptor, or -1 with errno. */
int vox_create_temp(char *tmp, size_t n, const char *path)
{
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const long pid = (long)getpid();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)(uintptr_t)&ts ^ (uint64_t)pid << 40;
    for (int attempt = 0; attempt < 1000; attempt++) {
        /* splitmix64: each clash tries another name */
        x += 0x9E3779B97F4A7C15ull;
        uint64_t z = x;
        z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ z >> 27) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        char tail[7];
        for (int c = 0; c < 6; c++, z /= 62) tail[c] = letters[z % 62];
        tail[6] = '\0';
        snprintf(tmp, n, "%s.tmp.%ld.%s", path, pid, tail);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

vox_status vox_stage_file_sync(const char *path, const char *data, size_t len, unsigned sync, char **tmp_out, char *why,
                               size_t cap)
{
    *tmp_out = NULL;
    if (!path || !*path) {
        snprintf(why, cap, "no output path given");
        return VOX_E_INVALID_ARG;
    }
    vox_status st = check_target(path, why, cap);
    if (st == VOX_OK)
        st = vox_check_name_length(path, why, cap);
    if (st != VOX_OK)
        return st;
    size_t n = strlen(path) + 48;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(why, cap, "out of memory writing %s", path);
        return VOX_E_NOMEM;
    }
    /* Same directory as the target, so rename() is atomic */
    int fd = vox_create_temp(tmp, n, path);
    if (fd < 0) {
        st = io_error(path, errno, why, cap);
        free(tmp);
        return st;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            st = io_error(path, errno, why, cap);
            close(fd);
            unlink(tmp);
            free(tmp);
            return st;
        }
        off += (size_t)w;
    }
    if ((sync & VOX_SYNC_DATA) && fdatasync(fd) != 0) {
        st = io_error(path, errno, why, cap);
        close(fd);
        unlink(tmp);
        free(tmp);
        return st;
    }
    if (close(fd) != 0) {
        st = io_error(path, errno, why, cap);
        unlink(tmp);
        free(tmp);
        return st;
    }
    *tmp_out = tmp;
    return VOX_OK;
}

vox_status vox_stage_file(const char *path, const char *data, size_t len, char **tmp, char *why, size_t cap)
{
    return vox_stage_file_sync(path, data, len, VOX_SYNC_DATA, tmp, why, cap);
}

vox_status vox_commit_file(char *tmp, const char *path, char *why, size_t cap)
{
    /* again: the target may have changed while the data was written */
    vox_status st = check_target(path, why, cap);
    if (st == VOX_OK && rename(tmp, path) != 0)
        st = io_error(path, errno, why, cap);
    if (st != VOX_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

void vox_discard_file(char *tmp)
{
    if (tmp)
        unlink(tmp);
    free(tmp);
}

vox_status vox_write_file_atomic_msg(const char *path, const char *data, size_t len, char *why, size_t cap)
{
    char *tmp;
    vox_status st = vox_stage_file(path, data, len, &tmp, why, cap);
    return st == VOX_OK ? vox_commit_file(tmp, path, why, cap) : st;
}

vox_status vox_write_file_atomic_why(const char *path, const char *data, size_t len, unsigned sync, char *why,
                                     size_t cap)
{
    char *tmp;
    vox_status st = vox_stage_file_sync(path, data, len, sync, &tmp, why, cap);
    if (st == VOX_OK)
        st = vox_commit_file(tmp, path, why, cap);
    if (st != VOX_OK)
        return st;
    if ((sync & VOX_SYNC_DIR) && vox_sync_dir_of(path) != 0) {
        snprintf(why, cap, "cannot sync the directory of %s: %s", path, strerror(errno));
        return VOX_E_IO;
    }
    return VOX_OK;
}

vox_status vox_write_file_atomic_sync(vox_ctx *ctx, const char *path, const char *data, size_t len, unsigned sync)
{
    char why[PATH_MAX + 256];
    vox_status st = vox_write_file_atomic_why(path, data, len, sync, why, sizeof why);
    return st == VOX_OK ? VOX_OK : vox_fail(ctx, st, "%s", why);
}

vox_status vox_write_file_atomic(vox_ctx *ctx, const char *path, const char *data, size_t len)
{
    return vox_write_file_atomic_sync(ctx, path, data, len, VOX_SYNC_DATA);
}

int vox_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    /* some filesystems cannot sync a directory: the rename is all they offer */
    return rc != 0 && (errno == EINVAL || errno == EROFS) ? 0 : rc;
}

int vox_sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return -1;
    int rc = vox_sync_dir(dir);
    free(dir);
    return rc;
}

int vox_temp_owner(const char *name, size_t *target_len, long *pid)
{
    /* the last ".tmp." of the name: TARGET.tmp.PID.XXXXXX (or TARGET.tmp.XXXXXX, before pids) */
    const char *t = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
        t = p;
    if (!t)
        return 0;
    const char *s = t + 5;
    const char *dot = strchr(s, '.');
    *target_len = (size_t)(t - name);
    if (!dot) { /* the older form: six random characters, no pid */
        *pid = 0;
        return strlen(s) == 6;
    }
    if (strlen(dot + 1) != 6 || dot == s)
        return 0;
    long v = 0;
    for (const char *p = s; p < dot; p++) {
        if (*p < '0' || *p > '9' || v > (LONG_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*p - '0');
    }
    *pid = v;
    return v > 0;
}
