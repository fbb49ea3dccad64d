/* grid.h - pyntcloud's voxel grid along one axis (ALGORITHM.md §6.1, §6.2, §6.4) */
#ifndef VOX_GRID_H
#define VOX_GRID_H

#include "internal.h"

typedef struct vox_grid_axis {
    int n;           /* voxels along the axis */
    double lo, hi;   /* bounds: f32 values for the cloud's own grid, f64 on a fixed lattice */
    double step;     /* (hi - lo) / n in f64: edges are (k * step) + lo */
    double *edges;   /* n + 1 edges, f64 */
    float *centres;  /* n voxel centres, f32 */
} vox_grid_axis;

/* Bounds and voxel count from the f32 extremes of the cloud; 0 when the
 * axis would have no voxel. */
VOX_HIDDEN int vox_grid_axis_bounds(float lo0, float hi0, double s, vox_grid_axis *ax);
/* On a fixed lattice: voxel k spans origin + [k, k+1) * s, from n voxels,
 * grown by whole voxels on either side until [lo0, hi0] fits.  *grown_low
 * receives the voxels added below origin.  0 when the axis would be empty
 * or absurdly long. */
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
