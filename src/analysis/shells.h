/* shells.h - per-element shell-point tables (ALGORITHM.md §5) */
#ifndef VOX_SHELLS_H
#define VOX_SHELLS_H

#include "internal.h"

typedef struct vox_shell_set {
    int elem;          /* index into the element list */
    double radius;     /* f64 radius */
    int n;             /* sample count */
    float *ox, *oy, *oz;  /* by ascending ox (then oy, oz) */
    float omin[3], omax[3];
} vox_shell_set;

typedef struct vox_shells {
    vox_shell_set *sets; /* element order of first appearance, radii in list order */
    size_t nsets;
    float *elem_cx;      /* atom centres grouped by element, each element's by ascending x:
                            x[natoms], y[natoms], z[natoms] */
    size_t *elem_start;  /* atoms of element k: [elem_start[k], elem_start[k+1]) */
    size_t nelem, natoms;
    uint64_t points;     /* centres + shell points */
} vox_shells;

VOX_HIDDEN vox_status vox_shells_build(vox_ctx *ctx, const vox_structure *st, double s, vox_shells *sh);
VOX_HIDDEN void vox_shells_free(vox_shells *sh);
/* The f32 bounding box of every point fl32(c + o) of the cloud (centres included). */
VOX_HIDDEN void vox_cloud_bounds(const vox_shells *sh, float lo[3], float hi[3]);
VOX_HIDDEN double vox_vdw_radius(const char *element);
VOX_HIDDEN double vox_max_vdw_radius(void);
VOX_HIDDEN int vox_samples_for(double radius, double s);
VOX_HIDDEN void vox_fib_offsets(double radius, int n, float *ox, float *oy, float *oz);

#endif
