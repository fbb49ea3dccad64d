/* walk.c - finding the structure files under directory inputs
 *
 * A directory tree may hold symbolic links back up the tree, links to a
 * folder seen elsewhere, FIFOs and devices.  Each directory is entered once
 * (by device and inode, so a loop of links ends), each file is planned once
 * (by its real path), and only regular files - or links to them - are opened
 * to look at their content: opening a FIFO found in a folder would block for
 * ever.  Whatever is left out is said, with the reason.  A file named as a
 * structure (x.pdb, x.cif.gz, ...) is planned even when its content is not
 * one - empty, binary, unreadable - so that it fails with the loader's error
 * and is counted, as when it is named as an input; a file of another name
 * is planned when its first bytes are a structure's.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "walk.h"

/* A set of byte strings (open addressing, FNV-1a): real paths, and device +
 * inode pairs of directories. */
typedef struct set {
    char **keys;
    size_t *lens;
    size_t n, cap;
} set;

static uint64_t hash(const void *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ull;
    return h;
}

/* 1 if key was new (now added), 0 if present, -1 out of memory. */
static int set_add(set *s, const void *key, size_t len)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        char **k = calloc(cap, sizeof *k);
        size_t *l = calloc(cap, sizeof *l);
        if (!k || !l) {
            free(k);
            free(l);
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->keys[i])
                continue;
            size_t j = hash(s->keys[i], s->lens[i]) & (cap - 1);
            while (k[j]) j = (j + 1) & (cap - 1);
            k[j] = s->keys[i];
            l[j] = s->lens[i];
        }
        free(s->keys);
        free(s->lens);
        s->keys = k;
        s->lens = l;
        s->cap = cap;
    }
    size_t j = hash(key, len) & (s->cap - 1);
    for (; s->keys[j]; j = (j + 1) & (s->cap - 1))
        if (s->lens[j] == len && !memcmp(s->keys[j], key, len))
            return 0;
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, key, len);
    s->keys[j] = copy;
    s->lens[j] = len;
    s->n++;
    return 1;
}

static void set_free(set *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->keys[i]);
    free(s->keys);
    free(s->lens);
    memset(s, 0, sizeof *s);
}

struct walk {
    set dirs, files;
    char **notes;
    size_t nnotes;
    int has_output; /* the output directory, passed over (walk_exclude_output) */
    dev_t output_dev;
    ino_t output_ino;
};

void walk_exclude_output(walk *w, const char *dir)
{
    struct stat sb;
    if (w && dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        w->has_output = 1;
        w->output_dev = sb.st_dev;
        w->output_ino = sb.st_ino;
    }
}

static int is_output(const walk *w, const struct stat *sb)
{
    return w->has_output && sb->st_dev == w->output_dev && sb->st_ino == w->output_ino;
}

walk *walk_new(void) { return calloc(1, sizeof(walk)); }

void walk_free(walk *w)
{
    if (!w)
        return;
    set_free(&w->dirs);
    set_free(&w->files);
    for (size_t i = 0; i < w->nnotes; i++) free(w->notes[i]);
    free(w->notes);
    free(w);
}

static void note(walk *w, const char *path, const char *why)
{
    size_t n = strlen(path) + strlen(why) + 3;
    char *s = malloc(n);
    char **p = realloc(w->notes, (w->nnotes + 1) * sizeof *p);
    if (!s || !p) {
        free(s);
        if (p) w->notes = p;
        return;
    }
    snprintf(s, n, "%s: %s", path, why);
    w->notes = p;
    w->notes[w->nnotes++] = s;
}

size_t walk_skipped(const walk *w) { return w ? w->nnotes : 0; }
const char *walk_note(const walk *w, size_t i) { return w && i < w->nnotes ? w->notes[i] : ""; }

int walk_claim_file(walk *w, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return 1; /* a missing or unreadable path: the loader says what is wrong with it */
    return set_add(&w->files, real, strlen(real)) != 0;
}

/* Marks a directory as entered: 1 the first time. */
static int claim_dir(walk *w, const struct stat *sb)
{
    unsigned char key[sizeof sb->st_dev + sizeof sb->st_ino];
    memcpy(key, &sb->st_dev, sizeof sb->st_dev);
    memcpy(key + sizeof sb->st_dev, &sb->st_ino, sizeof sb->st_ino);
    return set_add(&w->dirs, key, sizeof key) != 0;
}

enum { NOT_STRUCTURE, STRUCTURE, NOT_REGULAR, UNREADABLE };

/* Opens a regular file without blocking (it may have become a FIFO since it
 * was looked at) and tests its first bytes as the loader does; on
 * UNREADABLE errno says why.  *packed: the compressor vox does not read
 * whose data the file holds, or NULL. */
static int look_at(const char *path, const char **packed)
{
    *packed = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return UNREADABLE;
    struct stat sb;
    unsigned char head[512];
    int kind = fstat(fd, &sb) != 0 ? UNREADABLE : !S_ISREG(sb.st_mode) ? NOT_REGULAR : NOT_STRUCTURE;
    if (kind == NOT_STRUCTURE) {
        ssize_t n = read(fd, head, sizeof head);
        if (n < 0)
            kind = UNREADABLE;
        else if (n > 0 && vox_looks_like_structure(head, (size_t)n))
            kind = STRUCTURE;
        else if (n > 0)
            *packed = vox_other_compressor(head, (size_t)n);
    }
    int err = errno;
    close(fd);
    errno = err;
    return kind;
}

/* A name such as x.pdb.bz2 or X.CIF.xz: a structure's name with another
 * suffix after it (a compressor's), any case. */
static int named_as_packed_structure(const char *name)
{
    static const char *const stems[] = {".pdb.", ".ent.", ".cif.", ".mmcif."};
    char low[NAME_MAX + 1];
    size_t n = 0;
    for (; name[n] && n < NAME_MAX; n++)
        low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof stems / sizeof *stems; i++)
        if (strstr(low, stems[i]))
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static const char *kind_name(mode_t m)
{
    return S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO (named pipe)"
           : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* Directories below an input that are searched: the walk recurses once per
 * level, and a tree thousands of levels deep (a path can hold about 2,000
 * under PATH_MAX) overran the stack.  No archive of structures is near it. */
#define WALK_MAX_DEPTH 256 /* the notes say 256 */

static void walk_into(walk *w, const char *dir, void (*add)(void *, const char *), void *cookie, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        char why[300];
        snprintf(why, sizeof why, "skipped: cannot open the directory (%s)", strerror(errno));
        note(w, dir, why);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        /* on the heap: a deep tree recurses once per level */
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        if (len > PATH_MAX) {
            note(w, dir, "skipped an entry: its path is longer than PATH_MAX");
            continue;
        }
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        char *copy = malloc(len);
        if (copy) /* "name" under ".", as pathlib joins them */
            py_join(dir, de->d_name, copy, len);
        if (!nn || !copy) {
            free(copy);
            if (nn) names = nn;
            break;
        }
        names = nn;
        names[n++] = copy;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        const char *p = names[i];
        struct stat sb;
        if (stat(p, &sb) != 0) {
            const int err = errno; /* stat's: lstat below may change errno */
            struct stat lb;
            char why[300];
            if (lstat(p, &lb) != 0 || !S_ISLNK(lb.st_mode))
                snprintf(why, sizeof why, "skipped: %s", strerror(err));
            else if (err == ENOENT)
                snprintf(why, sizeof why, "skipped: a symbolic link to nothing");
            else if (err == ELOOP)
                snprintf(why, sizeof why, "skipped: a symbolic link that leads back to itself (a loop of links)");
            else
                snprintf(why, sizeof why, "skipped: a symbolic link that cannot be followed (%s)", strerror(err));
            note(w, p, why);
        } else if (S_ISDIR(sb.st_mode)) {
            if (is_output(w, &sb))
                note(w, p, "skipped: the output directory (vox's own outputs are not inputs)");
            else if (depth >= WALK_MAX_DEPTH)
                note(w, p, "skipped: a directory more than 256 levels below the input (name it as an input to search "
                     "it)");
            else if (claim_dir(w, &sb))
                walk_into(w, p, add, cookie, depth + 1);
            else
                note(w, p, "skipped: a directory already searched (a symbolic link loop, or a second link to it)");
        } else if (!S_ISREG(sb.st_mode)) {
            char why[128];
            snprintf(why, sizeof why, "skipped: %s, not a regular file (name it as an input to read it)",
                     kind_name(sb.st_mode));
            note(w, p, why);
        } else {
            /* The content decides, except that a file named as a structure is
             * planned whatever it holds: an empty, binary or unreadable x.pdb is
             * a structure that failed (the loader's error, in the summary), as it
             * is when named as an input, not a file to pass over.  Other files
             * that are not structures (notes, outputs) are not skips. */
            const char *packed;
            int kind = look_at(p, &packed);
            char why[300];
            if (kind == NOT_REGULAR) {
                note(w, p, "skipped: it stopped being a regular file while the directory was searched");
            } else if (kind == UNREADABLE && !vox_named_as_structure(p)) {
                snprintf(why, sizeof why, "skipped: cannot be read to see whether it is a structure (%s)", strerror(errno));
                note(w, p, why);
            } else if (kind == STRUCTURE || vox_named_as_structure(p)) {
                if (walk_claim_file(w, p))
                    add(cookie, p);
                else
                    note(w, p, "skipped: the same file as an input already planned");
            } else if (packed && named_as_packed_structure(strrchr(p, '/') ? strrchr(p, '/') + 1 : p)) {
                /* x.pdb.bz2 passed over without a word looked like a folder with no structures */
                snprintf(why, sizeof why, "skipped: %s-compressed; vox reads PDB and mmCIF text, plain or "
                         "gzip-compressed (decompress it, or recompress it with gzip)", packed);
                note(w, p, why);
            }
        }
        free(names[i]);
    }
    free(names);
}

void walk_dir(walk *w, const char *dir, void (*add)(void *, const char *), void *cookie)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return;
    if (is_output(w, &sb)) {
        note(w, dir, "skipped: the output directory (vox's own outputs are not inputs)");
        return;
    }
    if (!claim_dir(w, &sb)) {
        note(w, dir, "skipped: a directory already searched");
        return;
    }
    walk_into(w, dir, add, cookie, 0);
}
