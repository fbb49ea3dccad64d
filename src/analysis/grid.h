/* grid.h - pyntcloud's voxel grid along one axis (ALGORITHM.md §6.1, §6.2, §6.4) */
#ifndef VOX_GRID_H
#define VOX_GRID_H

#include "internal.h"

typedef struct vox_grid_axis {
    int n;           /* voxels along the axis */
    float lo, hi;    /* f32 bounds of the cloud's own grid */
    int lattice;     /* 1: a fixed lattice, bounds in lattice_lo/hi (f64) */
    double lattice_lo, lattice_hi;
    double step;     /* (hi - lo) / n in f64: edges are (k * step) + lo */
    double *edges;   /* n + 1 edges, f64 */
    float *centres;  /* n voxel centres, f32 */
} vox_grid_axis;

/* Bounds and voxel count from the f32 extremes of the cloud; 0 when the
 * axis would have no voxel.  (lo and hi stay f32 fields: GCC 12 at -O2 once
 * stored the unrounded f64 values when they were f64 fields, which moved
 * grid edges and changed volumizer's numbers.) */
VOX_HIDDEN int vox_grid_axis_bounds(float lo0, float hi0, double s, vox_grid_axis *ax);
/* On a fixed lattice: voxel k spans origin + [k, k+1) * s, from n voxels,
 * grown by whole voxels on either side until [lo0, hi0] fits.  *grown_low
 * receives the voxels added below origin.  1; 0 when the lattice is not
 * one (n < 1, origin not finite, s not positive); -1 when the axis would
 * need more than 2^31 - 1 voxels (an origin far from the atoms). */
VOX_HIDDEN int vox_grid_axis_lattice(float lo0, float hi0, double origin, int n, double s, vox_grid_axis *ax,
                                     int *grown_low);
/* Allocates and fills edges and centres; 0 on allocation failure. */
VOX_HIDDEN int vox_grid_axis_fill(vox_grid_axis *ax);
VOX_HIDDEN void vox_grid_axis_free(vox_grid_axis *ax);
/* The kernels' view of three filled axes. */
VOX_HIDDEN void vox_grid_axes_from(const vox_grid_axis ax[3], vox_grid_axes *g);
/* Python's float floor division a // b. */
VOX_HIDDEN double vox_py_floordiv(double a, double b);

#endif
