/* write_dx.c - OpenDX scalar fields: the shared layout, and one volume's map (README "Descriptors")
 *
 * The layout is the one APBS writes and PyMOL, VMD and ChimeraX read:
 * gridpositions (origin, one delta row per axis), gridconnections, the
 * values three to a line with z fastest, then the field.  Maps in the input
 * frame have rotated delta rows (the aligned axes in input coordinates).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void vox_render_dx(const vox_dx_field *f, vox_buf *b)
{
    vox_buf_printf(b, "# %s\n", f->comment);
    vox_buf_printf(b, "object 1 class gridpositions counts %lld %lld %lld\n", f->counts[0], f->counts[1], f->counts[2]);
    vox_buf_printf(b, "origin %.6f %.6f %.6f\n", f->origin[0], f->origin[1], f->origin[2]);
    for (int a = 0; a < 3; a++)
        vox_buf_printf(b, "delta %.8f %.8f %.8f\n", f->delta[a][0], f->delta[a][1], f->delta[a][2]);
    vox_buf_printf(b, "object 2 class gridconnections counts %lld %lld %lld\n", f->counts[0], f->counts[1],
                   f->counts[2]);
    const size_t n = (size_t)f->counts[0] * (size_t)f->counts[1] * (size_t)f->counts[2];
    vox_buf_printf(b, "object 3 class array type double rank 0 items %zu data follows\n", n);
    /* three values to a line, gathered in a local block and appended in pieces */
    char block[4096];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (used > sizeof block - 40) {
            vox_buf_put(b, block, used);
            used = 0;
        }
        if (f->flags)
            block[used++] = f->flags[i] ? '1' : '0';
        else
            used += f->text(f->cookie, i, block + used);
        block[used++] = (i % 3 == 2 || i + 1 == n) ? '\n' : ' ';
    }
    vox_buf_put(b, block, used);
    vox_buf_printf(b, "attribute \"dep\" string \"positions\"\nobject \"%s\" class field\n"
                      "component \"positions\" value 1\ncomponent \"connections\" value 2\ncomponent \"data\" value 3\n",
                   f->name);
}

vox_status vox_render_volume_dx(const vox_result *r, const vox_render_params *p, vox_buf *b)
{
    const vox_group *g = &r->groups[p->volume];
    const size_t sx = (size_t)r->dims[1] * r->dims[2], sy = (size_t)r->dims[2];
    long long lo[3] = {r->dims[0], r->dims[1], r->dims[2]}, hi[3] = {-1, -1, -1};
    for (size_t t = 0; t < g->n; t++) {
        const size_t f = g->voxels[t];
        const long long ijk[3] = {(long long)(f / sx), (long long)((f / sy) % (size_t)r->dims[1]), (long long)(f % sy)};
        for (int a = 0; a < 3; a++) {
            if (ijk[a] < lo[a]) lo[a] = ijk[a];
            if (ijk[a] > hi[a]) hi[a] = ijk[a];
        }
    }
    if (!g->n)
        for (int a = 0; a < 3; a++) lo[a] = hi[a] = 0;
    /* one voxel of zeros around the volume, so an isosurface closes */
    long long counts[3];
    for (int a = 0; a < 3; a++) {
        lo[a] -= 1;
        counts[a] = hi[a] - lo[a] + 2;
    }
    const size_t n = (size_t)(counts[0] * counts[1] * counts[2]);
    uint8_t *inside = calloc(n ? n : 1, 1);
    if (!inside)
        return VOX_E_NOMEM;
    for (size_t t = 0; t < g->n; t++) {
        const size_t f = g->voxels[t];
        const long long i = (long long)(f / sx) - lo[0], j = (long long)((f / sy) % (size_t)r->dims[1]) - lo[1],
                        k = (long long)(f % sy) - lo[2];
        inside[(size_t)((i * counts[1] + j) * counts[2] + k)] = 1;
    }
    /* positions: voxel centres lo + (k + 1/2) step of the grid (§6.2, §6.4) */
    double o[3];
    for (int a = 0; a < 3; a++) o[a] = r->origin[a] + ((double)lo[a] + 0.5) * r->step[a];
    vox_dx_field f;
    memset(&f, 0, sizeof f);
    const int input = p->output_frame == VOX_FRAME_INPUT;
    for (int a = 0; a < 3; a++) {
        f.counts[a] = counts[a];
        f.origin[a] = input ? r->rot[0][a] * o[0] + r->rot[1][a] * o[1] + r->rot[2][a] * o[2] + r->centroid[a] : o[a];
        for (int c = 0; c < 3; c++) /* the aligned axis a in input coordinates is row a of the rotation */
            f.delta[a][c] = r->step[a] * (input ? r->rot[a][c] : (double)(a == c));
    }
    char comment[160], name[64];
    snprintf(comment, sizeof comment, "vox %s %d: 1 inside the volume, 0 around it; %s frame, positions at voxel centres",
             vox_volume_type_name(g->type), g->id, input ? "input" : "aligned");
    snprintf(name, sizeof name, "vox %s %d", vox_volume_type_name(g->type), g->id);
    f.comment = comment;
    f.name = name;
    f.flags = inside; /* one volume's voxels as 1 in a box of 0, z fastest */
    vox_render_dx(&f, b);
    free(inside);
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
