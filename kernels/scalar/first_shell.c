/* scalar/first_shell.c - reference kernel: exposed voxels touching a buried voxel (§7.2) */
#include "scalar.h"

void vox_k_first_shell_scalar(const uint8_t *in, uint8_t *out, const int dims[3], int i0, int i1)
{
    const int nx = dims[0], ny = dims[1], nz = dims[2];
    const size_t sx = (size_t)ny * nz, sy = (size_t)nz;
    size_t f = (size_t)i0 * sx;
    for (int i = i0; i < i1; i++)
        for (int j = 0; j < ny; j++)
            for (int k = 0; k < nz; k++, f++) {
                out[f] = in[f];
                if (!(in[f] & VOX_V_EXPOSED))
                    continue;
                int hit = (i > 0 && (in[f - sx] & VOX_V_BURIED)) || (i < nx - 1 && (in[f + sx] & VOX_V_BURIED)) ||
                          (j > 0 && (in[f - sy] & VOX_V_BURIED)) || (j < ny - 1 && (in[f + sy] & VOX_V_BURIED)) ||
                          (k > 0 && (in[f - 1] & VOX_V_BURIED)) || (k < nz - 1 && (in[f + 1] & VOX_V_BURIED));
                if (hit)
                    out[f] |= VOX_V_FIRST_SHELL;
            }
}
