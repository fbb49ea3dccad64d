/* workload.c - synthetic protein-like grids for the tuner (workload.h) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17;
    return *s;
}

static double uniform(uint64_t *s) { return (double)(next(s) >> 11) / 9007199254740992.0; }

/* Atoms every 1.9 A (about a protein's density) in a ball of radius 18 A,
 * minus five buried voids and a tunnel along x. */
static int make_blob(vox_structure *st)
{
    static const double voids[5][4] = {{6, 3, -2, 3.5}, {-7, -4, 3, 4.0}, {2, -8, -6, 3.0}, {-3, 8, 5, 3.2},
                                       {0, 0, 9, 2.8}};
    static const char *const elements[4] = {"C", "N", "O", "S"};
    const double R = 18.0, a = 1.9;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    memset(st, 0, sizeof *st);
    st->prepared = 1; /* built in its own frame: vox_analyze takes it as it is */
    int n = (int)(R / a) + 1, idx = 0;
    for (int i = -n; i <= n; i++)
        for (int j = -n; j <= n; j++)
            for (int k = -n; k <= n; k++) {
                double x = i * a + (uniform(&rng) - 0.5) * 0.6, y = j * a + (uniform(&rng) - 0.5) * 0.6,
                       z = k * a + (uniform(&rng) - 0.5) * 0.6;
                if (x * x + y * y + z * z > R * R)
                    continue;
                if (y * y + z * z < 2.6 * 2.6 && x > -12.0) /* a tunnel open at +x: a pocket or pore */
                    continue;
                int in_void = 0;
                for (int v = 0; v < 5; v++) {
                    double dx = x - voids[v][0], dy = y - voids[v][1], dz = z - voids[v][2];
                    in_void |= dx * dx + dy * dy + dz * dz < voids[v][3] * voids[v][3];
                }
                if (in_void)
                    continue;
                vox_atom at;
                memset(&at, 0, sizeof at);
                at.xyz[0] = (float)x; at.xyz[1] = (float)y; at.xyz[2] = (float)z;
                at.res_id = idx / 8 + 1;
                strcpy(at.name, "CA");
                strcpy(at.res_name, "ALA");
                strcpy(at.chain, "A");
                strcpy(at.element, elements[idx % 7 == 6 ? 3 : idx % 3]);
                if (!vox_atoms_push(&st->atoms, &at))
                    return 0;
                idx++;
            }
    return 1;
}

int vox_workload_build(vox_ctx *ctx, vox_size_class cls, int side, vox_workload *w)
{
    memset(w, 0, sizeof *w);
    w->cls = cls;
    if (!make_blob(&w->st))
        return 0;
    /* the blob spans about 2 * (18 + 2) A with the shells */
    w->resolution = 40.0 / side;
    if (vox_shells_build(ctx, &w->st, w->resolution, &w->sh) != VOX_OK)
        return 0;
    float lo[3], hi[3];
    vox_cloud_bounds(&w->sh, lo, hi);
    for (int a = 0; a < 3; a++)
        if (!vox_grid_axis_bounds(lo[a], hi[a], w->resolution, &w->ax[a]) || !vox_grid_axis_fill(&w->ax[a]))
            return 0;
    vox_grid_axes_from(w->ax, &w->g);
    for (int a = 0; a < 3; a++) w->dims[a] = w->ax[a].n;
    w->total = (size_t)w->dims[0] * w->dims[1] * w->dims[2];
    w->occ = vox_scratch_get(&w->grid[0], w->total);
    w->state = vox_scratch_get(&w->grid[1], w->total);
    w->shelled = vox_scratch_get(&w->grid[2], w->total);
    w->labels = vox_scratch_get(&w->grid[3], w->total * sizeof *w->labels);
    w->queue = vox_scratch_get(&w->grid[4], w->total * sizeof *w->queue);
    if (!w->occ || !w->state || !w->shelled || !w->labels || !w->queue)
        return 0;
    /* every stage's input, made once by the library's own stages */
    vox_stage_plan plan = vox_plan_for(ctx, VOX_TK_BIN_POINTS, w->total);
    vox_stage_bin(ctx->team, &plan, &w->sh, &w->g, w->occ);
    plan = vox_plan_for(ctx, VOX_TK_OCCLUSION, w->total);
    if (!vox_stage_occlusion(ctx->team, &plan, w->occ, w->dims, w->state, &w->lines, &w->partials))
        return 0;
    plan = vox_plan_for(ctx, VOX_TK_FIRST_SHELL, w->total);
    vox_stage_first_shell(ctx->team, &plan, w->state, w->shelled, w->dims);
    plan = vox_plan_for(ctx, VOX_TK_LABELS, w->total);
    vox_components comps;
    if (!vox_stage_components(ctx->team, &plan, w->shelled, w->dims, w->labels, w->queue, &w->join, &w->starts,
                              &comps))
        return 0;
    w->ngroup = comps.buried;
    w->group = malloc((w->ngroup ? w->ngroup : 1) * sizeof *w->group);
    if (w->group)
        memcpy(w->group, comps.voxels, w->ngroup * sizeof *w->group);
    return w->group != NULL;
}

void vox_workload_free(vox_workload *w)
{
    vox_atoms_free(&w->st.atoms);
    vox_shells_free(&w->sh);
    for (int a = 0; a < 3; a++) vox_grid_axis_free(&w->ax[a]);
    for (int i = 0; i < 5; i++) free(w->grid[i].p);
    free(w->group);
    free(w->lines.p); free(w->partials.p); free(w->join.p); free(w->starts.p);
    memset(w, 0, sizeof *w);
}
