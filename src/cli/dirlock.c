/* dirlock.c - one writer per output directory
 *
 * Two runs writing one output directory would remove each other's in-flight
 * temporaries, take each other's outputs for their own, and race on the
 * summary.  A run therefore holds an exclusive flock on DIR/.vox.lock from
 * start to exit; the file says who holds it (pid, host, start, command) so a
 * second run can name it.  The lock goes with the process (kill -9
 * included): the file itself stays, and is never deleted - deleting a lock
 * file another process is about to lock would let two runs in.
 *
 * Shards of one batch (--num-shards N --shard-index K, a Slurm array) may
 * share a directory: their entries are disjoint, they write their own
 * summaries and checkpoints, and each removes only dead writers'
 * temporaries.  A shard therefore holds DIR/.vox.lock shared, which keeps
 * out an unsharded run (exclusive) but not the other shards, and its own
 * DIR/.vox.shard-K-of-N.lock exclusive, which keeps out a second copy of
 * itself.  A shard that finds no other run holding the directory holds it
 * exclusive for a moment first, to remove what dead runs left (a shard
 * running on another host has a pid that says nothing here).
 */
#include <dirent.h>
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

static int open_lock(const char *dir, const char *name, int flags, char *path, size_t cap)
{
    if (snprintf(path, cap, "%s/%s", dir, name) >= (int)cap)
        return -1;
    /* O_NONBLOCK: a FIFO put in its place must not hang us; O_NOFOLLOW: the lock is truncated and
     * written, which through a link planted there would be done to whatever file it names */
    /* 0666 less the umask, as every output: a group sharing the folder (umask 002) can take it too */
    int fd = open(path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0666);
    struct stat sb = {0};
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_nlink != 1)) {
        /* a hard link would have another name's file signed (written) as the lock */
        const int linked = S_ISREG(sb.st_mode) && sb.st_nlink != 1;
        close(fd);
        errno = linked ? EMLINK : EINVAL;
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

/* Takes the lock of file name in dir, exclusive or shared (operation
 * LOCK_EX or LOCK_SH), waiting for it or not; what whoever holds it wrote
 * names them.  Returns the descriptor, -1 with why, or -2 (no locks here,
 * a warning in why). */
static int take(const char *dir, const char *name, int operation, int wait, const char *cmd, char *why,
                size_t cap)
{
    char path[PATH_MAX];
    int fd = open_lock(dir, name, O_RDWR | O_CREAT, path, sizeof path);
    if (fd < 0) {
        snprintf(why, cap, "cannot open the lock file %s/%s: %s", dir, name,
                 errno == EINVAL ? "it is not a regular file"
                 : errno == ELOOP ? "it is a symbolic link, which vox does not follow: remove it"
                 : errno == EMLINK ? "it has other hard links, which vox would write through: remove it"
                                  : strerror(errno));
        return -1;
    }
    if (flock(fd, operation | LOCK_NB) != 0) {
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
        while ((rc = flock(fd, operation)) != 0 && errno == EINTR) {}
        if (rc != 0) {
            snprintf(why, cap, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* Writes who holds fd's lock into its file, for the next run to name. */
static void sign(int fd, const char *cmd, const char *what)
{
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    char ts[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char text[512];
    int n = snprintf(text, sizeof text, "pid %ld on host %s, vox %s%s started %s\n", (long)getpid(), host, cmd, what, ts);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        /* the lock holds anyway; only the description is missing */
    }
}

int dirlock_take(const char *dir, int wait, const char *cmd, char *why, size_t cap)
{
    int fd = take(dir, DIRLOCK_NAME, LOCK_EX, wait, cmd, why, cap);
    if (fd >= 0)
        sign(fd, cmd, "");
    return fd;
}

/* A shard of another array (other N) running in dir: their positions p mod N overlap this array's, so they
 * would analyse the same structures.  Each holds its .vox.shard-K-of-M.lock exclusive; a lock file of a
 * finished array stays but is free.  Probed shared, released at once.  Returns -1 when none runs, else
 * that lock file's descriptor (to wait on), its shard and count, and what its holder wrote. */
static int other_array_running(const char *dir, long shards, long *ok_, long *on_, char *holder, size_t hcap)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int busy = -1;
    while (busy < 0 && d && (de = readdir(d))) {
        long k, n;
        char tail[8];
        if (sscanf(de->d_name, ".vox.shard-%ld-of-%ld.loc%1s", &k, &n, tail) != 3 || strcmp(tail, "k") || n == shards)
            continue;
        char path[PATH_MAX];
        int fd = open_lock(dir, de->d_name, O_RDONLY, path, sizeof path);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
            flock(fd, LOCK_UN);
            close(fd);
        } else if (errno == EWOULDBLOCK) {
            describe_holder(fd, holder, hcap);
            *ok_ = k, *on_ = n;
            busy = fd;
        } else {
            close(fd);
        }
    }
    if (d)
        closedir(d);
    return busy;
}

int dirlock_take_shard(const char *dir, int wait, const char *cmd, long shard, long shards, void (*alone)(const char *),
                       char *why, size_t cap)
{
    char name[96], what[96], path[PATH_MAX];
    snprintf(name, sizeof name, ".vox.shard-%ld-of-%ld.lock", shard, shards);
    snprintf(what, sizeof what, " (shard %ld of %ld)", shard, shards);
    /* Exclusive first, without waiting: the shards of an array run on several hosts, where another
     * host's writer's pid says nothing here, so a dead writer's temporary can be told from a live
     * shard's only while no other run holds the directory.  Then shared, to let the others in. */
    int shared = open_lock(dir, DIRLOCK_NAME, O_RDWR | O_CREAT, path, sizeof path);
    if (shared >= 0 && flock(shared, LOCK_EX | LOCK_NB) == 0) {
        sign(shared, cmd, what); /* what a shard starting meanwhile reads: a shard, soon done */
        if (alone)
            alone(dir);
        /* not atomic (flock(2)): a run waiting for the lock exclusively may take it in between */
        if (flock(shared, LOCK_SH | LOCK_NB) != 0) {
            close(shared);
            shared = -1;
        }
    } else if (shared >= 0) {
        /* held shared by other shards (granted at once), or exclusive: by another shard for its moment
         * of removing (it signed as a shard: wait for it), or by an unsharded run (named below) */
        int got = 0;
        for (int polls = 0; !got; polls++) {
            got = flock(shared, LOCK_SH | LOCK_NB) == 0;
            if (got || errno != EWOULDBLOCK)
                break;
            char holder[512];
            describe_holder(shared, holder, sizeof holder);
            if (!strstr(holder, " (shard ") && polls >= 40) /* 2 s: time for a starting shard to sign */
                break;
            usleep(50000);
        }
        if (!got) {
            close(shared);
            shared = -1;
        }
    }
    /* the directory's lock shared: an unsharded run is named by it */
    if (shared < 0)
        shared = take(dir, DIRLOCK_NAME, LOCK_SH, wait, cmd, why, cap);
    if (shared == -1)
        return -1;
    int own;
    for (unsigned tries = 0;; tries++) {
        own = take(dir, name, LOCK_EX, wait, cmd, why, cap);
        if (own == -1)
            break;
        /* after taking its own: two arrays starting at once see each other (and both stop) rather than neither */
        long k, n;
        char holder[512];
        int busy = other_array_running(dir, shards, &k, &n, holder, sizeof holder);
        if (busy < 0)
            break;
        if (own >= 0)
            close(own); /* not held while waiting: that array's shard may be waiting for this one */
        own = -1;
        if (!wait) {
            snprintf(why, cap, "output directory '%s' is in use by shard %ld of %ld of another array (%s); this run "
                     "is shard %ld of %ld: with another --num-shards the two arrays would analyse the same "
                     "structures; wait for that array to finish (--wait-lock waits), or use another --output-dir",
                     dir, k, n, holder, shard, shards);
            close(busy);
            break;
        }
        if (!tries)
            fprintf(stderr, "vox %s: waiting for shard %ld of %ld of another array on '%s' to finish (%s)\n", cmd, k,
                    n, dir, holder);
        while (flock(busy, LOCK_SH) != 0 && errno == EINTR) {}
        close(busy);
        usleep(20000u + (unsigned)(getpid() % 97) * 2000u); /* two arrays waiting on each other: one goes first */
    }
    if (own == -1) {
        if (shared >= 0)
            close(shared);
        return -1;
    }
    /* the shared file names the last shard that started, enough to name the run */
    if (shared >= 0)
        sign(shared, cmd, what);
    if (own >= 0)
        sign(own, cmd, what);
    return shared == -2 || own == -2 ? -2 : own;
}

int dirlock_held(const char *dir, char *holder, size_t cap)
{
    char path[PATH_MAX];
    int fd = open_lock(dir, DIRLOCK_NAME, O_RDONLY, path, sizeof path);
    if (fd < 0)
        return 0;
    int held = 0;
    /* exclusive, so that shards (which hold it shared) count too */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        held = errno == EWOULDBLOCK;
        if (held)
            describe_holder(fd, holder, cap);
    } else {
        flock(fd, LOCK_UN);
    }
    close(fd);
    return held;
}
