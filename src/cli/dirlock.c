/* dirlock.c - one writer per output directory
 *
 * Two runs writing one output directory would remove each other's in-flight
 * temporaries, take each other's outputs for their own, and race on the
 * summary.  A run therefore holds an exclusive flock on DIR/.vox.lock from
 * start to exit; the file says who holds it (pid, host, start, command) so a
 * second run can name it.  The lock goes with the process (kill -9
 * included): the file itself stays, and is never deleted - deleting a lock
 * file another process is about to lock would let two runs in.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dirlock.h"

static int open_lock(const char *dir, int flags, char *path, size_t cap)
{
    if (snprintf(path, cap, "%s/%s", dir, DIRLOCK_NAME) >= (int)cap)
        return -1;
    /* O_NONBLOCK: a FIFO put in its place must not hang us */
    int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

/* The holder's own words: "pid 1234 on host h, vox analyze started 2024-...". */
static void describe_holder(int fd, char *out, size_t cap)
{
    char text[512];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    char *nl = strchr(text, '\n');
    if (nl) *nl = '\0';
    snprintf(out, cap, "%s", text[0] ? text : "a process that has not written its name yet");
}

int dirlock_take(const char *dir, int wait, const char *cmd, char *why, size_t cap)
{
    char path[PATH_MAX];
    int fd = open_lock(dir, O_RDWR | O_CREAT, path, sizeof path);
    if (fd < 0) {
        snprintf(why, cap, "cannot open the lock file %s/%s: %s", dir, DIRLOCK_NAME,
                 errno == EINVAL ? "it is not a regular file" : strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            snprintf(why, cap, "warning: cannot lock %s (%s): running without protection against a second run on "
                     "this output directory", path, strerror(errno));
            return -2; /* the fd stays open: harmless */
        }
        char holder[512];
        describe_holder(fd, holder, sizeof holder);
        if (!wait) {
            snprintf(why, cap, "output directory '%s' is in use by another run (%s); wait for it to finish, use "
                     "another --output-dir, or pass --wait-lock to wait", dir, holder);
            close(fd);
            return -1;
        }
        fprintf(stderr, "vox %s: waiting for the other run on '%s' to finish (%s)\n", cmd, dir, holder);
        int rc;
        while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR) {}
        if (rc != 0) {
            snprintf(why, cap, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    char ts[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char text[512];
    int n = snprintf(text, sizeof text, "pid %ld on host %s, vox %s started %s\n", (long)getpid(), host, cmd, ts);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        /* the lock holds anyway; only the description is missing */
    }
    return fd;
}

int dirlock_held(const char *dir, char *holder, size_t cap)
{
    char path[PATH_MAX];
    int fd = open_lock(dir, O_RDONLY, path, sizeof path);
    if (fd < 0)
        return 0;
    int held = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        held = errno == EWOULDBLOCK;
        if (held)
            describe_holder(fd, holder, cap);
    } else {
        flock(fd, LOCK_UN);
    }
    close(fd);
    return held;
}
