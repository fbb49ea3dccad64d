/* grid.c - per-axis voxel grid with pyntcloud's exact f32/f64 arithmetic (ALGORITHM.md §6)
 *
 * The cloud is f32, so the range and the bounds are rounded to f32 while
 * the margin, edges and spacing are f64 (numpy < 2 promotion rules).  The
 * truncation in the voxel count sometimes gives one voxel fewer than
 * floor(range / s) + 1 (non-cubic voxels); volumizer keeps that, so do we.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"

double vox_py_floordiv(double a, double b)
{
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0.0 && ((b < 0) != (mod < 0)))
        div -= 1.0;
    if (div == 0.0)
        return copysign(0.0, a / b);
    double fq = floor(div);
    if (div - fq > 0.5)
        fq += 1.0;
    return fq;
}

int vox_grid_axis_bounds(float lo0, float hi0, double s, vox_grid_axis *ax)
{
    memset(ax, 0, sizeof *ax);
    float r = hi0 - lo0;
    double q = vox_py_floordiv((double)r, s);
    double margin = ((q + 1.0) * s) - (double)r;
    ax->lo = (float)((double)lo0 - margin / 2.0);
    ax->hi = (float)((double)hi0 + margin / 2.0);
    float span = ax->hi - ax->lo;
    double nd = trunc((double)span / s);
    if (!(nd >= 1.0) || nd > 2147483647.0)
        return 0;
    ax->n = (int)nd;
    return 1;
}

int vox_grid_axis_lattice(float lo0, float hi0, double origin, int n, double s, vox_grid_axis *ax, int *grown_low)
{
    memset(ax, 0, sizeof *ax);
    *grown_low = 0;
    if (n < 1 || !isfinite(origin) || !(s > 0.0))
        return 0;
    /* a point v is inside when e[0] <= v <= e[n] (ALGORITHM.md §6.3); the
     * edges are (k * s) + lo as the binning kernels recompute them.  The
     * voxels to add come from a division, which the loops then correct for
     * the rounding of the edges (a step or two); a count past 2^31 - 1 is
     * refused before them: stepping a double by 1 towards 10^20 never ends. */
    const double max_voxels = 2147483647.0;
    double g = ceil((origin - (double)lo0) / s);
    if (!(g > 0.0))
        g = 0.0;
    if (g + (double)n > max_voxels)
        return -1;
    while ((double)lo0 < origin - g * s) g += 1.0;
    ax->lattice = 1;
    ax->lattice_lo = origin - g * s;
    /* from below the answer (the quotient less one voxel), so the loop finds
     * the same smallest count as stepping from g + n */
    double total = floor(((double)hi0 - ax->lattice_lo) / s) - 1.0;
    if (!(total > g + (double)n))
        total = g + (double)n;
    if (total > max_voxels)
        return -1;
    while ((double)hi0 > total * s + ax->lattice_lo) total += 1.0;
    if (total > max_voxels)
        return -1;
    ax->n = (int)total;
    ax->lattice_hi = (double)ax->n * s + ax->lattice_lo;
    ax->step = s;
    *grown_low = (int)g;
    return 1;
}

int vox_grid_axis_fill(vox_grid_axis *ax)
{
    ax->edges = malloc(((size_t)ax->n + 1) * sizeof *ax->edges);
    ax->centres = malloc((size_t)ax->n * sizeof *ax->centres);
    if (!ax->edges || !ax->centres)
        return 0;
    double lo = ax->lattice ? ax->lattice_lo : ax->lo, hi = ax->lattice ? ax->lattice_hi : ax->hi;
    double step = ax->lattice ? ax->step : (hi - lo) / ax->n;
    ax->step = step;
    for (int k = 0; k < ax->n; k++)
        ax->edges[k] = ((double)k * step) + lo;
    ax->edges[ax->n] = hi;
    for (int k = 0; k < ax->n; k++)
        ax->centres[k] = (float)((ax->edges[k] + ax->edges[k + 1]) / 2.0);
    return 1;
}

void vox_grid_axis_free(vox_grid_axis *ax)
{
    free(ax->edges);
    free(ax->centres);
    ax->edges = NULL;
    ax->centres = NULL;
}

void vox_grid_axes_from(const vox_grid_axis ax[3], vox_grid_axes *g)
{
    for (int a = 0; a < 3; a++) {
        g->n[a] = ax[a].n;
        g->edges[a] = ax[a].edges;
        g->lo[a] = ax[a].lattice ? ax[a].lattice_lo : (double)ax[a].lo;
        g->hi[a] = ax[a].lattice ? ax[a].lattice_hi : (double)ax[a].hi;
        g->step[a] = ax[a].step;
        /* only a first guess: the kernels correct it against the edges */
        g->inv_step[a] = (double)ax[a].n / (g->hi[a] - g->lo[a]);
    }
}
