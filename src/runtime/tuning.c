/* tuning.c - names of the tuned kernels and size classes, and the tile geometry rule (tuning.h) */
#include "tuning.h"

const char *vox_tuned_kernel_name(vox_tuned_kernel k)
{
    static const char *const names[VOX_TK_COUNT] = {"bin_points", "occlusion", "first_shell", "label_components",
                                                    "moments"};
    return (unsigned)k < VOX_TK_COUNT ? names[k] : "?";
}

const char *vox_size_class_name(vox_size_class c)
{
    static const char *const names[VOX_SC_COUNT] = {"small", "medium", "large"};
    return (unsigned)c < VOX_SC_COUNT ? names[c] : "?";
}

vox_size_class vox_size_class_of(size_t voxels)
{
    return voxels >= VOX_SC_LARGE_FROM ? VOX_SC_LARGE : voxels >= VOX_SC_MEDIUM_FROM ? VOX_SC_MEDIUM : VOX_SC_SMALL;
}

int vox_tuned_kernel_bytes_per_voxel(vox_tuned_kernel k)
{
    switch (k) {
    case VOX_TK_BIN_POINTS: return 1;  /* occ */
    case VOX_TK_OCCLUSION: return 2;   /* occ in, state out */
    case VOX_TK_FIRST_SHELL: return 2; /* state in, state out */
    case VOX_TK_LABELS: return 9;      /* state, int32 label, uint32 queue */
    default: return 1;
    }
}

int vox_tile_planes(const int dims[3], int bytes_per_voxel, int tile_kib, int width)
{
    double plane = (double)dims[1] * dims[2] * (bytes_per_voxel > 0 ? bytes_per_voxel : 1);
    double fit = tile_kib > 0 ? (double)tile_kib * 1024.0 / plane : (double)dims[0];
    int planes = fit >= dims[0] ? dims[0] : fit < 1.0 ? 1 : (int)fit;
    int share = (dims[0] + (width > 0 ? width : 1) - 1) / (width > 0 ? width : 1);
    if (planes > share) planes = share;
    return planes < 1 ? 1 : planes;
}
