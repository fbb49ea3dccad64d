/* staged.c - a run's outputs that must appear together (staged.h) */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "staged.h"

/* A staged file given up: removed, or only forgotten when it is kept (a rows part file). */
static void give_up(char *tmp, int keep)
{
    if (keep)
        free(tmp);
    else
        vox_discard_file(tmp);
}

static int staged_add(staged_set *s, char *tmp, const char *path, int keep, char *err, size_t cap)
{
    char *target = strdup(path);
    if (s->n == s->cap) {
        const size_t ncap = s->cap ? 2 * s->cap : 8;
        staged_file *v = target ? realloc(s->v, ncap * sizeof *v) : NULL;
        if (v) {
            s->v = v;
            s->cap = ncap;
        }
    }
    if (!target || s->n == s->cap) {
        free(target);
        give_up(tmp, keep);
        snprintf(err, cap, "out of memory staging %s", path);
        return 0;
    }
    s->v[s->n++] = (staged_file){tmp, target, keep};
    return 1;
}

int staged_write(staged_set *s, const char *path, const char *data, size_t len, unsigned sync, char *err, size_t cap)
{
    char *tmp = NULL;
    if (vox_stage_file_sync(path, data, len, sync, &tmp, err, cap) != VOX_OK)
        return 0;
    return staged_add(s, tmp, path, 0, err, cap);
}

int staged_adopt(staged_set *s, const char *tmp, const char *path, char *err, size_t cap)
{
    char *copy = strdup(tmp);
    if (!copy) {
        snprintf(err, cap, "out of memory staging %s", path);
        return 0;
    }
    return staged_add(s, copy, path, 1, err, cap);
}

const char *staged_source(const staged_set *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].tmp && !strcmp(s->v[i].path, path))
            return s->v[i].tmp;
    return path;
}

int staged_commit(staged_set *s, char *err, size_t cap)
{
    /* every target first: one that is not a regular file refuses the set before anything is renamed */
    for (size_t i = 0; i < s->n; i++) {
        const char *what = "";
        vox_path_kind kind = vox_file_kind(s->v[i].path, &what);
        if (kind != VOX_PATH_NONE && kind != VOX_PATH_REGULAR) {
            snprintf(err, cap, "%s is %s, not a regular file: nothing replaced", s->v[i].path, what);
            return 0;
        }
    }
    /* then the renames, in order (the targets were just checked); one that fails leaves the rest,
     * itself included, to staged_discard, which removes them unless they are kept */
    for (size_t i = 0; i < s->n; i++) {
        if (rename(s->v[i].tmp, s->v[i].path) != 0) {
            snprintf(err, cap, "cannot write %s: %s", s->v[i].path, strerror(errno));
            s->committed = i;
            return 0;
        }
        free(s->v[i].tmp);
        s->v[i].tmp = NULL;
    }
    s->committed = s->n;
    return 1;
}

void staged_discard(staged_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        give_up(s->v[i].tmp, s->v[i].keep);
        free(s->v[i].path);
    }
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}
