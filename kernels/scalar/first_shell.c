/* scalar/first_shell.c - reference kernel: exposed voxels touching a buried voxel (§7.2) */
#include "kernels.h"

void vox_k_first_shell_scalar(uint8_t *state, const int dims[3])
{
    const int nx = dims[0], ny = dims[1], nz = dims[2];
    const size_t sx = (size_t)ny * nz, sy = (size_t)nz;
    size_t f = 0;
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            for (int k = 0; k < nz; k++, f++) {
                if (!(state[f] & VOX_V_EXPOSED))
                    continue;
                int hit = (i > 0 && (state[f - sx] & VOX_V_BURIED)) ||
                          (i < nx - 1 && (state[f + sx] & VOX_V_BURIED)) ||
                          (j > 0 && (state[f - sy] & VOX_V_BURIED)) ||
                          (j < ny - 1 && (state[f + sy] & VOX_V_BURIED)) ||
                          (k > 0 && (state[f - 1] & VOX_V_BURIED)) ||
                          (k < nz - 1 && (state[f + 1] & VOX_V_BURIED));
                if (hit)
                    state[f] |= VOX_V_FIRST_SHELL;
            }
}
