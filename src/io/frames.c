/* frames.c - vox_frames: trajectory files read frame by frame, the format
 * recognised by content (never by suffix) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frames.h"

/* The compressor whose magic number starts the file (its command's name), or NULL. */
static const char *compressed(const unsigned char *h, size_t n)
{
    static const struct { const char *name; unsigned char magic[6]; size_t len; } kinds[] = {
        {"gzip", {0x1f, 0x8b}, 2}, {"bzip2", {'B', 'Z', 'h'}, 3},
        {"xz", {0xfd, '7', 'z', 'X', 'Z', 0}, 6}, {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (n >= kinds[i].len && !memcmp(h, kinds[i].magic, kinds[i].len))
            return kinds[i].name;
    return NULL;
}

vox_status vox_frames_open(vox_ctx *ctx, const char *path, vox_frames **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!path || !out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_frames_open: %s is NULL", !path ? "path" : "out");
    *out = NULL;
    vox_clear_error(ctx);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return vox_fail(ctx, VOX_E_IO, "%s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return vox_fail(ctx, VOX_E_IO, "%s: not a regular file, expected a trajectory file", path);
    size_t plen = strlen(path);
    vox_frames *fr = calloc(1, sizeof *fr + plen + 1);
    if (!fr)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory opening %s", path);
    char *name = (char *)(fr + 1);
    memcpy(name, path, plen + 1);
    fr->path = name;
    fr->file_size = (uint64_t)sb.st_size;
    fr->f = fopen(path, "rb");
    if (!fr->f) {
        free(fr);
        return vox_fail(ctx, VOX_E_IO, "%s: %s", path, strerror(errno));
    }
    unsigned char head[16];
    size_t n = fread(head, 1, sizeof head, fr->f);
    rewind(fr->f);
    vox_status st;
    int cif = 0;
    const char *packer = NULL;
    if (vox_dcd_sniff(head, n))
        st = vox_dcd_open(ctx, fr);
    else if (vox_xtc_sniff(head, n))
        st = vox_xtc_open(ctx, fr);
    else if (vox_models_sniff(head, n, &cif))
        st = vox_models_open(ctx, fr, cif);
    else if ((packer = compressed(head, n)) != NULL)
        /* the frames are read by seeking in the file, which a compressed stream does not allow
         * cheaply; the loaders read a compressed topology, so say why this one is refused */
        st = vox_fail(ctx, VOX_E_FORMAT, "%s: %s-compressed: vox trajectory reads trajectory files uncompressed "
                      "(decompress it first: %s -dk %s)", path, packer, packer, path);
    else
        st = vox_fail(ctx, VOX_E_FORMAT, "%s: not a trajectory file vox reads (expected DCD, XTC, or PDB/mmCIF models)", path);
    if (st != VOX_OK) {
        vox_frames_close(&fr);
        return st;
    }
    *out = fr;
    return VOX_OK;
}

void vox_frames_attach(vox_frames *fr, const char *format,
                       vox_status (*read)(vox_ctx *, struct vox_frames *, float *, vox_frame_info *, int *),
                       void (*close_state)(void *), void *state)
{
    fr->format = format;
    fr->read = read;
    fr->close_state = close_state;
    fr->state = state;
}

size_t vox_frames_atom_count(const vox_frames *f) { return f ? f->natoms : 0; }

vox_status vox_frames_check_atoms(vox_ctx *ctx, const vox_frames *f, const vox_structure *s, const char *name)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!f || !s)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_frames_check_atoms: %s is NULL", !f ? "f" : "s");
    vox_clear_error(ctx);
    /* the count first, for every format: a frame is n_input coordinates */
    if (f->natoms != s->n_input)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "%s%s has %zu atoms, the trajectory %s has %zu%s",
                        name ? "the topology " : "", name ? name : "the structure", s->n_input, f->path, f->natoms,
                        f->count_note && s->n_input > f->natoms && s->n_input % f->natoms == 0 ? f->count_note : "");
    /* the format's messages say "the topology NAME" */
    return f->check_atoms ? f->check_atoms(ctx, f, s, name ? name : "(the structure given)") : VOX_OK;
}
const char *vox_frames_format(const vox_frames *f) { return f ? f->format : ""; }

static vox_status next_or_skip(vox_ctx *ctx, vox_frames *f, float *xyz, vox_frame_info *info, int *got)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!f || !got || (info && info->size < sizeof info->size))
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_frames_next/skip: %s",
                        !f ? "the frames are NULL" : !got ? "got is NULL" : "info->size is under sizeof(size_t) (set it to sizeof(vox_frame_info))");
    *got = 0;
    vox_clear_error(ctx);
    if (f->err != VOX_OK)
        return vox_fail(ctx, f->err, "%s", f->err_detail);
    vox_frame_info fi;
    memset(&fi, 0, sizeof fi);
    fi.size = sizeof fi;
    vox_status st = f->read(ctx, f, xyz, &fi, got);
    if (st != VOX_OK) {
        *got = 0;
        f->err = st;
        snprintf(f->err_detail, sizeof f->err_detail, "%s", vox_ctx_last_error_detail(ctx));
    } else if (*got) {
        f->next_index++;
        if (info) {
            size_t n = info->size < sizeof fi ? info->size : sizeof fi;
            memcpy(info, &fi, n);
            info->size = n;
        }
    }
    return st;
}

vox_status vox_frames_next(vox_ctx *ctx, vox_frames *f, float *xyz, vox_frame_info *info, int *got)
{
    if (ctx && !xyz)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_frames_next: xyz is NULL");
    return next_or_skip(ctx, f, xyz, info, got);
}

vox_status vox_frames_skip(vox_ctx *ctx, vox_frames *f, vox_frame_info *info, int *got)
{
    return next_or_skip(ctx, f, NULL, info, got);
}

void vox_frames_close(vox_frames **f)
{
    if (!f || !*f)
        return;
    if ((*f)->close_state)
        (*f)->close_state((*f)->state);
    if ((*f)->f)
        fclose((*f)->f);
    free(*f);
    *f = NULL;
}
