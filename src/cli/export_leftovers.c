/* export_leftovers.c - the per-volume export files an output directory held before a run
 *
 * A structure analysed again (--overwrite, --reannotate, or --resume redoing
 * it) may have other volumes than before, or the run other --box-types: the
 * Vina boxes and DX maps of the old volumes would stay beside the new ones,
 * and a user docking into every *.vina.txt would use boxes that no longer
 * exist.  Those files are one per volume and their names hold the volume, so
 * they cannot simply be overwritten; they are found here and removed once the
 * structure's new exports are written.
 *
 * The directory is read once, at the start of the run: reading it again for
 * each structure would cost the number of files times the number of
 * structures, for a directory of a whole batch.  The list is read-only while
 * the workers run, and each structure removes only files of its own label, so
 * parallel jobs and MPI ranks never touch the same names.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export_leftovers.h"
#include "exports.h"

typedef struct leftover {
    char *name;       /* the file's name in the directory */
    size_t label_len; /* its first label_len bytes are the label */
} leftover;

struct export_leftovers {
    leftover *files; /* sorted by label */
    size_t n, cap;
};

/* The label's length when name is exactly <label>.<type>-<digits><suffix>, the
 * suffix a per-volume kind's (.vina.txt, .dx) and type a volume type's name;
 * else 0.  Nothing else matches: another tool's files stay. */
static size_t per_volume_label(const char *name)
{
    static const unsigned per_volume[2] = {EXPORT_VINA, EXPORT_DX};
    size_t len = strlen(name), stem = 0;
    for (int k = 0; k < 2 && !stem; k++) {
        const char *suffix = exports_kind_suffix(per_volume[k]);
        size_t sl = strlen(suffix);
        if (len > sl && !memcmp(name + len - sl, suffix, sl))
            stem = len - sl;
    }
    /* the stem ends in .<type>-<digits>: digits back to the '-', a type name back to the '.' */
    size_t i = stem;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
        i--;
    if (i == stem || i == 0 || name[i - 1] != '-')
        return 0;
    size_t type_end = i - 1;
    for (int t = VOX_HUB; t <= VOX_OCCLUDED; t++) {
        const char *type = vox_volume_type_name((vox_volume_type)t);
        size_t tl = strlen(type);
        if (type_end > tl + 1 && !memcmp(name + type_end - tl, type, tl) && name[type_end - tl - 1] == '.')
            return type_end - tl - 1;
    }
    return 0;
}

/* Orders by label (the leading label_len bytes), then by name. */
static int by_label(const void *x, const void *y)
{
    const leftover *a = x, *b = y;
    size_t n = a->label_len < b->label_len ? a->label_len : b->label_len;
    int c = memcmp(a->name, b->name, n);
    if (c)
        return c;
    if (a->label_len != b->label_len)
        return a->label_len < b->label_len ? -1 : 1;
    return strcmp(a->name, b->name);
}

export_leftovers *export_leftovers_find(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    export_leftovers *l = calloc(1, sizeof *l);
    struct dirent *de;
    while (l && (de = readdir(d))) {
        size_t label_len = per_volume_label(de->d_name);
        if (!label_len)
            continue;
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 64;
            leftover *f = realloc(l->files, cap * sizeof *f);
            if (!f) {
                export_leftovers_free(l);
                l = NULL;
                break;
            }
            l->files = f;
            l->cap = cap;
        }
        leftover *f = &l->files[l->n];
        if (!(f->name = strdup(de->d_name))) {
            export_leftovers_free(l);
            l = NULL;
            break;
        }
        f->label_len = label_len;
        l->n++;
    }
    closedir(d);
    if (l && !l->n) {
        export_leftovers_free(l);
        return NULL;
    }
    if (l)
        qsort(l->files, l->n, sizeof *l->files, by_label);
    return l;
}

void export_leftovers_free(export_leftovers *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->files[i].name);
    free(l->files);
    free(l);
}

void export_leftovers_remove(const export_leftovers *l, const char *dir, const char *label,
                             const staged_set *written)
{
    if (!l)
        return;
    const size_t ll = strlen(label);
    /* the first file of this label: the files are sorted by label */
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const leftover *f = &l->files[mid];
        size_t n = f->label_len < ll ? f->label_len : ll;
        int c = memcmp(f->name, label, n);
        if (c < 0 || (c == 0 && f->label_len < ll))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < l->n && l->files[i].label_len == ll && !memcmp(l->files[i].name, label, ll); i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, l->files[i].name) >= (int)sizeof path)
            continue;
        int rewritten = 0;
        for (size_t k = 0; k < written->n && !rewritten; k++)
            rewritten = !strcmp(written->v[k].path, path);
        struct stat sb;
        if (!rewritten && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            unlink(path);
    }
}
