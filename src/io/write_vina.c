/* write_vina.c - one volume's docking box as an AutoDock Vina configuration (README "Descriptors")
 *
 * Vina reads `name = value` lines and ignores `#` comments; the box is the
 * volume's voxel cubes grown by the padding, axis-parallel in the frame
 * asked for (the input frame for docking on the user's file).
 */
#include "internal.h"

vox_status vox_render_vina(const vox_result *r, const vox_render_params *p, vox_buf *b)
{
    const vox_group *g = &r->groups[p->volume];
    vox_box box;
    box.size = sizeof box;
    vox_status st = vox_result_box(r, p->volume, p->output_frame, p->box_padding, &box);
    if (st != VOX_OK)
        return st;
    vox_buf_printf(b, "# vox %s: %s %d, %zu voxels at %g A; box of its voxels + %g A on each side, %s frame\n",
                   vox_version(), vox_volume_type_name(g->type), g->id, g->n, r->resolution, p->box_padding,
                   p->output_frame == VOX_FRAME_INPUT ? "input" : "aligned");
    /* "%.3f" without printf (decimal.h) */
    static const char *const keys[6] = {"center_x = ", "center_y = ", "center_z = ", "size_x = ", "size_y = ", "size_z = "};
    for (int k = 0; k < 6; k++) {
        vox_buf_puts(b, keys[k]);
        vox_buf_put_fixed(b, k < 3 ? box.centre[k] : box.extent[k - 3], 3);
        vox_buf_putc(b, '\n');
    }
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}
