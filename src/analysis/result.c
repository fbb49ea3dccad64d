/* result.c - read access to analysis results */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void vox_group_free(vox_group *g)
{
    free(g->voxels);
    free(g->surface);
    free(g->mouth_faces);
    free(g->d.lining);
    free(g->d.residues);
    free(g->d.residue_ends);
}

void vox_voxel_centre(const vox_result *r, uint32_t f, float c[3])
{
    const size_t sx = (size_t)r->dims[1] * r->dims[2], sy = (size_t)r->dims[2];
    c[0] = r->centres[0][f / sx];
    c[1] = r->centres[1][(f / sy) % (size_t)r->dims[1]];
    c[2] = r->centres[2][f % sy];
}

void vox_result_free(vox_result **r)
{
    if (!r || !*r)
        return;
    for (size_t i = 0; i < (*r)->n; i++)
        vox_group_free(&(*r)->groups[i]);
    free((*r)->groups);
    for (int a = 0; a < 3; a++)
        free((*r)->centres[a]);
    free(*r);
    *r = NULL;
}

size_t vox_result_count(const vox_result *r) { return r ? r->n : 0; }

vox_status vox_result_volume(const vox_result *r, size_t index, vox_volume *out)
{
    /* a size under its own field's is no struct of ours: writing the field back would overrun it */
    if (!r || !out || out->size < sizeof out->size || index >= r->n)
        return VOX_E_INVALID_ARG;
    const vox_group *g = &r->groups[index];
    vox_volume v;
    memset(&v, 0, sizeof v);
    v.size = sizeof v;
    v.type = g->type;
    v.id = g->id;
    v.num_voxels = g->n;
    v.volume = g->volume;
    v.x = g->len[0];
    v.y = g->len[1];
    v.z = g->len[2];
    memcpy(v.centre, g->centre, sizeof v.centre);
    v.has_circularity = g->has_circ;
    v.circularity = g->circ;
    v.has_uniformity = g->has_unif;
    v.uniformity = g->unif;
    v.num_surface_voxels = g->nsurf;
    size_t n = out->size < sizeof v ? out->size : sizeof v; /* an older caller's struct: its fields only */
    memcpy(out, &v, n);
    out->size = n;
    return VOX_OK;
}

size_t vox_fill_records(const void *src, size_t total, size_t first, size_t n, void *out, vox_record_fill fill)
{
    size_t stride;
    if (!src || !out || (stride = *(const size_t *)out) < sizeof stride || first >= total)
        return 0;
    if (n > total - first)
        n = total - first;
    for (size_t i = 0; i < n; i++) {
        void *record = (char *)out + i * stride;
        *(size_t *)record = stride; /* each record: the caller's size */
        fill(src, first + i, record);
    }
    return n;
}

static void fill_volume(const void *r, size_t index, void *record) { vox_result_volume(r, index, record); }

size_t vox_result_volumes(const vox_result *r, size_t first, size_t n, vox_volume *out)
{
    return vox_fill_records(r, r ? r->n : 0, first, n, out, fill_volume);
}

vox_status vox_result_voxels(const vox_result *r, size_t index, float *xyz, uint8_t *surface)
{
    if (!r || index >= r->n)
        return VOX_E_INVALID_ARG;
    const vox_group *g = &r->groups[index];
    for (size_t t = 0; t < g->n; t++) {
        if (xyz)
            vox_voxel_centre(r, g->voxels[t], xyz + 3 * t);
        if (surface)
            surface[t] = g->surface ? g->surface[t] : 0;
    }
    return VOX_OK;
}

void vox_result_grid(const vox_result *r, int dims[3], double *resolution)
{
    if (!r)
        return;
    if (dims)
        memcpy(dims, r->dims, 3 * sizeof *dims);
    if (resolution)
        *resolution = r->resolution;
}

void vox_result_grid_origin(const vox_result *r, double origin[3])
{
    if (r && origin)
        memcpy(origin, r->origin, 3 * sizeof *origin);
}

vox_status vox_result_voxel_indices(const vox_result *r, size_t index, uint32_t *flat)
{
    if (!r || !flat || index >= r->n)
        return VOX_E_INVALID_ARG;
    memcpy(flat, r->groups[index].voxels, r->groups[index].n * sizeof *flat);
    return VOX_OK;
}

vox_status vox_result_transform(const vox_result *r, vox_transform *out)
{
    return r ? vox_transform_export(r->rot, r->centroid, out) : VOX_E_INVALID_ARG;
}

vox_status vox_result_lattice(const vox_result *r, vox_analyze_params *p)
{
    if (!r || !p || p->size < offsetof(vox_analyze_params, grid_dims) + sizeof p->grid_dims)
        return VOX_E_INVALID_ARG;
    /* the voxel edge is part of the lattice: origin and dimensions mean r's
     * voxels only at r's resolution */
    p->resolution = r->resolution;
    p->has_grid = 1;
    memcpy(p->grid_origin, r->origin, sizeof p->grid_origin);
    memcpy(p->grid_dims, r->dims, sizeof p->grid_dims);
    return VOX_OK;
}
