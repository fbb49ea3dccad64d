/* frames.h - the trajectory readers behind vox_frames (frames.c dispatches by content) */
#ifndef VOX_FRAMES_H
#define VOX_FRAMES_H

#include <stdio.h>

#include "internal.h"

/* One open trajectory: the stream, what its header said, and the reader's
 * next/skip functions.  Readers keep their own state behind `state`. */
struct vox_frames {
    FILE *f;
    const char *path;     /* for messages (points into the allocation) */
    const char *format;
    size_t natoms;
    int64_t next_index;   /* index of the frame the next read returns */
    uint64_t file_size;
    /* Reads (xyz != NULL) or skips the next frame. */
    vox_status (*read)(vox_ctx *ctx, struct vox_frames *fr, float *xyz, vox_frame_info *info, int *got);
    void (*close_state)(void *state);
    void *state;
    /* Compares the atoms the file names (its first model's) with a
     * structure's, once the counts agree; NULL for formats that name no
     * atoms (DCD, XTC).  What vox_frames_check_atoms runs. */
    vox_status (*check_atoms)(vox_ctx *ctx, const struct vox_frames *fr, const vox_structure *s, const char *name);
    /* appended to the atom-count mismatch message when the structure has a whole multiple of
     * the frame's atoms and the reader knows why that may be, or NULL */
    const char *count_note;
    /* The first error a read gave (VOX_OK: none) and its detail, given
     * again by every later next/skip: a reader that failed stands
     * somewhere inside the bad frame (a model's lines half read), where
     * reading on would return the next frame, or garbage, as this one. */
    vox_status err;
    char err_detail[1024]; /* as vox_ctx's detail */
};

/* Makes fr a reader of format: its read and close functions and its state
 * (which fr owns from now on: vox_frames_close frees it). */
VOX_HIDDEN void vox_frames_attach(vox_frames *fr, const char *format,
                                  vox_status (*read)(vox_ctx *, struct vox_frames *, float *, vox_frame_info *, int *),
                                  void (*close_state)(void *), void *state);

/* DCD (dcd.c): 1 when the first bytes look like a DCD header. */
VOX_HIDDEN int vox_dcd_sniff(const unsigned char *head, size_t n);
VOX_HIDDEN vox_status vox_dcd_open(vox_ctx *ctx, vox_frames *fr);
/* XTC (xtc.c): 1 when the first bytes are an XTC frame's magic and natoms. */
VOX_HIDDEN int vox_xtc_sniff(const unsigned char *head, size_t n);
VOX_HIDDEN vox_status vox_xtc_open(vox_ctx *ctx, vox_frames *fr);

/* Multi-model PDB or mmCIF text (models.c): 1 when the first bytes are
 * text; *cif tells which. */
VOX_HIDDEN int vox_models_sniff(const unsigned char *head, size_t n, int *cif);
VOX_HIDDEN vox_status vox_models_open(vox_ctx *ctx, vox_frames *fr, int cif);

#endif
